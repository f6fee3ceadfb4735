package org.m2mgw.registry.internal;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.JsonWriter;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParsingException;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.EdhocCredential;
import org.m2mgw.registry.internal.Snapshot.Entry;
import org.m2mgw.registry.internal.Validation.InvalidEntryException;

/**
 * Reads and writes the registry's JSON form, used both by import files and (encrypted) by the
 * store:
 *
 * <pre>
 * { "devices": [ { "id": "...", "enabled": true, "resources": ["telemetry/*"], "metadata": {},
 *                  "psk": { "identity": "...", "key": "hex:..." | "base64:..." },
 *                  "rpk": "base64 of DER SubjectPublicKeyInfo",
 *                  "x509": { "subject": "CN=...", "issuer": "CN=...",
 *                           "sha256": "hex:...", "spkiSha256": "hex:..." },
 *                  "edhoc": { "kid": "hex", "ccs": "hex" } | { "certificate": "Base64 DER or PEM" },
 *                  "keyCreated": "2026-11-30T12:00:00Z",
 *                  "next": { "pskIdentity": "...", "psk": "hex:..." | "base64:...",
 *                            "publicKey": "base64 of DER SubjectPublicKeyInfo" },
 *                  "rolloverDeadline": "2026-12-31T00:00:00Z" } ],
 *   "trustAnchors": [ "-----BEGIN CERTIFICATE-----..." ] }
 * </pre>
 *
 * Since 2.1, "keyCreated" is when the current credential was registered (absent: unknown, or for
 * an import, now when the credential is new), "next" the credential of a key rollover under way
 * (a next PSK identity and key, a next raw public key, or both) and "rolloverDeadline" when the
 * next credential replaces the current one even if unused. The store also keeps "retired":
 * fingerprints of credentials that rollovers retired ({@link Credentials}); import files cannot
 * set it.
 *
 * In "x509", "issuer" (since 2.0) binds the device to certificates of that CA, and the optional
 * hashes (SHA-256 of the certificate, or of its SubjectPublicKeyInfo) to one certificate or key.
 * Entries written before 2.0 have "subject" alone: they are still read (bound to the subject
 * only), and the registry reports them.
 *
 * Since 2.2, "edhoc" is the device's EDHOC credential (for OSCORE): a CWT Claims Set named by
 * its kid, both in hex, or an X.509 certificate. Its bytes enter the EDHOC MAC, so they are kept
 * and written back exactly as given (the certificate is written as the Base64 of its DER), never
 * re-encoded.
 *
 * Every entry is checked on its own: an invalid one becomes a rejection reason (naming the device
 * and the field, never a secret) and the others are still returned.
 */
final class RegistryJson {
    static final int FORMAT_VERSION = 1;
    private static final Set<String> TOP_FIELDS = Set.of("version", "devices", "trustAnchors");

    /**
     * A valid device entry.
     *
     * @param enabledGiven whether the entry said "enabled"
     * @param keyCreatedGiven whether the entry said "keyCreated"
     * @param nextGiven whether the entry said "next"
     */
    record Candidate(Entry entry, boolean enabledGiven, boolean keyCreatedGiven, boolean nextGiven) {
    }

    /**
     * @param devices valid entries, in file order
     * @param trustAnchors the valid trust anchors, or null when the file has no "trustAnchors"
     * @param rejected why the other entries were rejected
     */
    record Parsed(List<Candidate> devices, List<X509Certificate> trustAnchors, List<String> rejected) {
    }

    /** The file as a whole is unusable (not JSON, wrong shape); the message says where. */
    static final class InvalidFileException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidFileException(String message) {
            super(message, null, false, false);
        }
    }

    private final JsonProvider json;

    /**
     * Parsson stops at 15,000,000 parsed characters by default, about 90,000 devices: a registry
     * of 100,000 devices could be neither imported nor loaded again. Both inputs are bounded
     * anyway (the import file by its size, the store because the gateway wrote it).
     */
    static final int MAX_PARSE_CHARS = 256 * 1024 * 1024;

    private final JsonReaderFactory readers;

    RegistryJson() {
        this.json = findProvider();
        this.readers = json.createReaderFactory(Map.of("org.eclipse.parsson.maxParsingLimit", MAX_PARSE_CHARS));
    }

    /**
     * The Jakarta JSON provider (Parsson). Parsson does not export its implementation package, so
     * in OSGi it is found through the Service Loader Mediator (SPI Fly): first by the API's own
     * lookup, then by a ServiceLoader call in this bundle. Outside OSGi both use the class path.
     */
    static JsonProvider findProvider() {
        String first;
        try {
            return JsonProvider.provider();
        } catch (JsonException | ServiceConfigurationError e) {
            first = e.getMessage();
        }
        ClassLoader own = RegistryJson.class.getClassLoader();
        for (ServiceLoader<JsonProvider> loader : List.of(ServiceLoader.load(JsonProvider.class),
                ServiceLoader.load(JsonProvider.class, own))) {
            try {
                Iterator<JsonProvider> it = loader.iterator();
                if (it.hasNext()) {
                    return it.next();
                }
            } catch (ServiceConfigurationError ignored) {
                // try the next loader
            }
        }
        throw new IllegalStateException("No Jakarta JSON provider found: the bundles "
                + "org.eclipse.parsson and an OSGi Service Loader Mediator (SPI Fly) are needed ("
                + first + ")");
    }

    /**
     * Reads an import file.
     *
     * @param text the JSON text
     * @param source what to call it in messages, e.g. the file name
     * @throws InvalidFileException if it is not JSON or not an object with a "devices" array
     */
    Parsed parse(String text, String source) throws InvalidFileException {
        return parse(text, source, false);
    }

    /**
     * @param text the JSON text
     * @param source what to call it in messages, e.g. the file name
     * @param stored whether it is the registry's own store, whose entries may also hold "retired"
     * @throws InvalidFileException if it is not JSON or not an object with a "devices" array
     */
    Parsed parse(String text, String source, boolean stored) throws InvalidFileException {
        JsonObject root;
        try (JsonReader reader = readers.createReader(new StringReader(text))) {
            JsonValue v = reader.readValue();
            if (v.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new InvalidFileException(source + " must hold a JSON object with a \"devices\" array");
            }
            root = v.asJsonObject();
        } catch (JsonParsingException e) {
            // The parser's message may quote the input; report the location only.
            JsonLocation at = e.getLocation();
            throw new InvalidFileException(source + " is not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNumber() + ", column " + at.getColumnNumber() + ")"));
        } catch (JsonException e) {
            throw new InvalidFileException(source + " is not valid JSON");
        }
        List<String> rejected = new ArrayList<>();
        for (String key : root.keySet()) {
            if (!TOP_FIELDS.contains(key)) {
                rejected.add("unknown top-level field '" + Validation.sanitize(key) + "' ignored");
            }
        }
        JsonValue version = root.get("version");
        if (version != null && !(version.getValueType() == JsonValue.ValueType.NUMBER
                && root.getJsonNumber("version").intValue() == FORMAT_VERSION)) {
            throw new InvalidFileException(source + ": unsupported \"version\", expected " + FORMAT_VERSION);
        }
        JsonValue devicesValue = root.get("devices");
        List<Candidate> devices = new ArrayList<>();
        if (devicesValue == null) {
            if (!root.containsKey("trustAnchors")) {
                throw new InvalidFileException(source + " has no \"devices\" array");
            }
        } else if (devicesValue.getValueType() != JsonValue.ValueType.ARRAY) {
            throw new InvalidFileException(source + ": \"devices\" must be an array");
        } else {
            JsonArray array = devicesValue.asJsonArray();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < array.size(); i++) {
                try {
                    Candidate c = DeviceJson.device(array.get(i), i, stored);
                    if (!seen.add(c.entry().id())) {
                        throw new InvalidEntryException("device '" + c.entry().id()
                                + "': listed more than once, only the first entry is used");
                    }
                    devices.add(c);
                } catch (InvalidEntryException e) {
                    rejected.add(e.getMessage());
                }
            }
        }
        List<X509Certificate> anchors = null;
        JsonValue anchorsValue = root.get("trustAnchors");
        if (anchorsValue != null) {
            if (anchorsValue.getValueType() != JsonValue.ValueType.ARRAY) {
                throw new InvalidFileException(source + ": \"trustAnchors\" must be an array of PEM certificates");
            }
            anchors = new ArrayList<>();
            JsonArray array = anchorsValue.asJsonArray();
            for (int i = 0; i < array.size(); i++) {
                try {
                    X509Certificate cert = certificate(array.get(i), i);
                    if (anchors.stream().noneMatch(cert::equals)) {
                        anchors.add(cert);
                    }
                } catch (InvalidEntryException e) {
                    rejected.add(e.getMessage());
                }
            }
        }
        return new Parsed(devices, anchors, rejected);
    }

    private static X509Certificate certificate(JsonValue v, int index) throws InvalidEntryException {
        String where = "trustAnchors[" + index + "]";
        if (!(v instanceof JsonString s) || !s.getString().contains("-----BEGIN CERTIFICATE-----")) {
            throw new InvalidEntryException(where + ": must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(s.getString().getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException | RuntimeException e) {
            throw new InvalidEntryException(where + ": not a valid X.509 certificate");
        }
    }

    /** @return the snapshot as JSON, secrets included (for the encrypted store only) */
    String write(Snapshot snapshot) {
        JsonArrayBuilder devices = json.createArrayBuilder();
        for (Entry e : snapshot.entries()) {
            Device d = e.device();
            JsonObjectBuilder o = json.createObjectBuilder()
                    .add("id", d.deviceId())
                    .add("enabled", d.enabled());
            JsonArrayBuilder resources = json.createArrayBuilder();
            d.resources().forEach(resources::add);
            o.add("resources", resources);
            JsonObjectBuilder metadata = json.createObjectBuilder();
            d.metadata().forEach(metadata::add);
            o.add("metadata", metadata);
            if (d.pskIdentity().isPresent() && e.secret() != null) {
                o.add("psk", json.createObjectBuilder()
                        .add("identity", d.pskIdentity().get())
                        .add("key", "base64:" + Base64.getEncoder().encodeToString(e.secret())));
            }
            d.publicKey().ifPresent(k -> o.add("rpk", Base64.getEncoder().encodeToString(k)));
            d.certificateSubject().ifPresent(s -> {
                JsonObjectBuilder x = json.createObjectBuilder().add("subject", s);
                d.certificateIssuer().ifPresent(i -> x.add("issuer", i));
                d.certificateSha256().ifPresent(h -> x.add("sha256", "hex:" + HexFormat.of().formatHex(h)));
                d.certificateSpkiSha256().ifPresent(h -> x.add("spkiSha256", "hex:" + HexFormat.of().formatHex(h)));
                o.add("x509", x);
            });
            d.edhocCredential().ifPresent(c -> o.add("edhoc", edhoc(c)));
            d.keyCreated().ifPresent(t -> o.add("keyCreated", t.toString()));
            if (d.rolloverPending()) {
                JsonObjectBuilder n = json.createObjectBuilder();
                if (d.nextPskIdentity().isPresent() && e.nextSecret() != null) {
                    n.add("pskIdentity", d.nextPskIdentity().get())
                            .add("psk", "base64:" + Base64.getEncoder().encodeToString(e.nextSecret()));
                }
                d.nextPublicKey().ifPresent(k -> n.add("publicKey", Base64.getEncoder().encodeToString(k)));
                o.add("next", n);
            }
            d.rolloverDeadline().ifPresent(t -> o.add("rolloverDeadline", t.toString()));
            if (!e.retired().isEmpty()) {
                JsonArrayBuilder retired = json.createArrayBuilder();
                e.retired().forEach(retired::add);
                o.add("retired", retired);
            }
            devices.add(o);
        }
        JsonArrayBuilder anchors = json.createArrayBuilder();
        for (X509Certificate c : snapshot.trustAnchors()) {
            anchors.add(pem(c));
        }
        JsonObject root = json.createObjectBuilder()
                .add("version", FORMAT_VERSION)
                .add("devices", devices)
                .add("trustAnchors", anchors)
                .build();
        StringWriter out = new StringWriter();
        try (JsonWriter w = json.createWriter(out)) {
            w.writeObject(root);
        }
        return out.toString();
    }

    /** @return the "edhoc" object: the credential's bytes as they are, never re-encoded */
    private JsonObjectBuilder edhoc(EdhocCredential c) {
        JsonObjectBuilder e = json.createObjectBuilder();
        if (c.kind() == EdhocCredential.Kind.CCS) {
            e.add("kid", HexFormat.of().formatHex(c.kid().orElseThrow()))
                    .add("ccs", HexFormat.of().formatHex(c.credential()));
        } else {
            e.add("certificate", Base64.getEncoder().encodeToString(c.credential()));
        }
        return e;
    }

    static String pem(X509Certificate c) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("trust anchor cannot be encoded", e);
        }
    }
}
