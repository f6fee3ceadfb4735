package org.m2mgw.registry.internal;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.EdhocCredential;
import org.m2mgw.registry.internal.RegistryJson.Candidate;
import org.m2mgw.registry.internal.Snapshot.Entry;
import org.m2mgw.registry.internal.Validation.InvalidEntryException;

/**
 * Reads one entry of the "devices" array of the registry's JSON form ({@link RegistryJson}),
 * checking every field with {@link Validation}. A reason for rejecting an entry names the device
 * (or its position) and the field, never a secret.
 */
final class DeviceJson {
    private static final Set<String> DEVICE_FIELDS = Set.of("id", "enabled", "resources", "metadata", "psk", "rpk",
            "x509", "edhoc", "keyCreated", "next", "rolloverDeadline");
    /** The store also remembers the credentials that rollovers retired; an import file cannot set them. */
    private static final Set<String> STORED_DEVICE_FIELDS = union(DEVICE_FIELDS, Set.of("retired"));
    private static final Set<String> PSK_FIELDS = Set.of("identity", "key");
    private static final Set<String> NEXT_FIELDS = Set.of("pskIdentity", "psk", "publicKey");
    private static final Set<String> X509_FIELDS = Set.of("subject", "issuer", "sha256", "spkiSha256");
    private static final Set<String> EDHOC_FIELDS = Set.of("kid", "ccs", "certificate");

    private DeviceJson() {
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /**
     * @param value an element of "devices" of an import file
     * @param index its position, for messages when it has no valid id
     * @return the entry
     * @throws InvalidEntryException why it is rejected
     */
    static Candidate device(JsonValue value, int index) throws InvalidEntryException {
        return device(value, index, false);
    }

    /**
     * @param value an element of "devices"
     * @param index its position, for messages when it has no valid id
     * @param stored whether it comes from the registry's own store (which may hold "retired")
     * @return the entry
     * @throws InvalidEntryException why it is rejected
     */
    static Candidate device(JsonValue value, int index, boolean stored) throws InvalidEntryException {
        String where = "devices[" + index + "]";
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new InvalidEntryException(where + ": must be an object");
        }
        JsonObject o = value.asJsonObject();
        String id;
        try {
            id = Validation.deviceId(string(o, "id"));
        } catch (InvalidEntryException e) {
            throw new InvalidEntryException(where + ": " + e.getMessage());
        }
        try {
            return deviceFields(o, id, stored);
        } catch (InvalidEntryException e) {
            throw new InvalidEntryException("device '" + id + "': " + e.getMessage());
        }
    }

    private static Candidate deviceFields(JsonObject o, String id, boolean stored) throws InvalidEntryException {
        unknownFields(o, stored ? STORED_DEVICE_FIELDS : DEVICE_FIELDS, "");
        Device.Builder b = Device.builder(id);
        JsonValue enabled = o.get("enabled");
        if (enabled != null) {
            if (enabled.getValueType() != JsonValue.ValueType.TRUE
                    && enabled.getValueType() != JsonValue.ValueType.FALSE) {
                throw new InvalidEntryException("enabled must be true or false");
            }
            b.enabled(enabled.getValueType() == JsonValue.ValueType.TRUE);
        }
        JsonValue resources = o.get("resources");
        if (resources != null) {
            if (resources.getValueType() != JsonValue.ValueType.ARRAY) {
                throw new InvalidEntryException("resources must be an array of strings");
            }
            JsonArray rules = resources.asJsonArray();
            for (int i = 0; i < rules.size(); i++) {
                if (!(rules.get(i) instanceof JsonString s)) {
                    throw new InvalidEntryException("resources[" + i + "] must be a string");
                }
                b.allow(Validation.resourceRule(s.getString(), i));
            }
        }
        JsonValue metadata = o.get("metadata");
        if (metadata != null) {
            if (metadata.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new InvalidEntryException("metadata must be an object of strings");
            }
            Map<String, String> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonValue> e : metadata.asJsonObject().entrySet()) {
                if (!(e.getValue() instanceof JsonString s)) {
                    throw new InvalidEntryException("metadata." + Validation.sanitize(e.getKey())
                            + " must be a string");
                }
                m.put(e.getKey(), s.getString());
            }
            Validation.metadata(m);
            b.metadata(m);
        }
        byte[] secret = null;
        String identity = null;
        JsonValue psk = o.get("psk");
        if (psk != null) {
            if (psk.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new InvalidEntryException("psk must be an object with \"identity\" and \"key\"");
            }
            JsonObject p = psk.asJsonObject();
            unknownFields(p, PSK_FIELDS, "psk.");
            identity = Validation.pskIdentity(string(p, "identity", "psk.identity"));
            b.pskIdentity(identity);
            secret = Validation.pskKey(string(p, "key", "psk.key"));
        }
        JsonValue rpk = o.get("rpk");
        byte[] currentKey = null;
        if (rpk != null) {
            currentKey = Validation.publicKey(base64Key(string(o, "rpk"), "rpk"));
            b.publicKey(currentKey);
        }
        JsonValue x509 = o.get("x509");
        if (x509 != null) {
            if (x509.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new InvalidEntryException("x509 must be an object with \"subject\"");
            }
            JsonObject x = x509.asJsonObject();
            unknownFields(x, X509_FIELDS, "x509.");
            b.certificateSubject(Validation.subject(string(x, "subject", "x509.subject")));
            if (x.containsKey("issuer")) {
                b.certificateIssuer(Validation.issuer(string(x, "issuer", "x509.issuer")));
            }
            if (x.containsKey("sha256")) {
                b.certificateSha256(Validation.sha256(string(x, "sha256", "x509.sha256"), "x509.sha256"));
            }
            if (x.containsKey("spkiSha256")) {
                b.certificateSpkiSha256(Validation.sha256(string(x, "spkiSha256", "x509.spkiSha256"),
                        "x509.spkiSha256"));
            }
        }
        JsonValue edhoc = o.get("edhoc");
        if (edhoc != null) {
            b.edhocCredential(edhoc(edhoc));
        }
        if (psk == null && rpk == null && x509 == null && edhoc == null) {
            throw new InvalidEntryException("has no credential: give psk, rpk, x509 or edhoc");
        }
        boolean keyCreatedGiven = o.containsKey("keyCreated");
        if (keyCreatedGiven) {
            b.keyCreated(Validation.instant(string(o, "keyCreated"), "keyCreated"));
        }
        String nextIdentity = null;
        byte[] nextSecret = null;
        byte[] nextKey = null;
        JsonValue next = o.get("next");
        try {
            if (next != null) {
                if (next.getValueType() != JsonValue.ValueType.OBJECT) {
                    throw new InvalidEntryException("next must be an object with \"pskIdentity\" and \"psk\", "
                            + "or \"publicKey\"");
                }
                JsonObject n = next.asJsonObject();
                unknownFields(n, NEXT_FIELDS, "next.");
                if (n.isEmpty()) {
                    throw new InvalidEntryException("next must name \"pskIdentity\" and \"psk\", or \"publicKey\"");
                }
                if (n.containsKey("pskIdentity")) {
                    nextIdentity = Validation.pskIdentity(string(n, "pskIdentity", "next.pskIdentity"),
                            "next.pskIdentity");
                }
                if (n.containsKey("psk")) {
                    nextSecret = Validation.pskKey(string(n, "psk", "next.psk"), "next.psk");
                }
                if (n.containsKey("publicKey")) {
                    nextKey = base64Key(string(n, "publicKey", "next.publicKey"), "next.publicKey");
                }
            }
            Instant deadline = o.containsKey("rolloverDeadline")
                    ? Validation.instant(string(o, "rolloverDeadline"), "rolloverDeadline") : null;
            Validation.next(b, identity, secret, nextIdentity, nextSecret, currentKey, nextKey, deadline);
            List<String> retired = stored ? retired(o.get("retired")) : List.of();
            return new Candidate(new Entry(b.build(), secret, nextSecret, retired), enabled != null,
                    keyCreatedGiven, next != null);
        } finally {
            if (secret != null) {
                java.util.Arrays.fill(secret, (byte) 0);
            }
            if (nextSecret != null) {
                java.util.Arrays.fill(nextSecret, (byte) 0);
            }
        }
    }

    /**
     * @return the EDHOC credential of {@code {"kid": hex, "ccs": hex}} or {@code {"certificate":
     *         Base64 DER or PEM}}, its bytes exactly as given
     */
    private static EdhocCredential edhoc(JsonValue v) throws InvalidEntryException {
        String shape = "edhoc must be an object with \"kid\" and \"ccs\", or with \"certificate\"";
        if (v.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new InvalidEntryException(shape);
        }
        JsonObject e = v.asJsonObject();
        unknownFields(e, EDHOC_FIELDS, "edhoc.");
        if (e.containsKey("certificate")) {
            if (e.containsKey("kid") || e.containsKey("ccs")) {
                throw new InvalidEntryException("edhoc has \"certificate\" and \"kid\" or \"ccs\": give either "
                        + "\"kid\" and \"ccs\" (a CWT Claims Set) or \"certificate\" (X.509)");
            }
            return EdhocCredential.x509(Validation.edhocCertificate(string(e, "certificate", "edhoc.certificate")));
        }
        if (!e.containsKey("kid") && !e.containsKey("ccs")) {
            throw new InvalidEntryException(shape);
        }
        if (!e.containsKey("kid")) {
            throw new InvalidEntryException("edhoc.kid is missing (a CWT Claims Set is named by its kid)");
        }
        if (!e.containsKey("ccs")) {
            throw new InvalidEntryException("edhoc.ccs is missing");
        }
        byte[] kid = Validation.edhocKid(string(e, "kid", "edhoc.kid"));
        byte[] ccs = Validation.edhocCcs(string(e, "ccs", "edhoc.ccs"));
        return EdhocCredential.ccs(kid, ccs);
    }

    /** @return a public key's DER from its base64 text, optionally with a "base64:" prefix and line breaks */
    private static byte[] base64Key(String text, String field) throws InvalidEntryException {
        if (text == null || text.isEmpty()) {
            throw new InvalidEntryException(field + " must not be empty");
        }
        try {
            String b64 = text.startsWith("base64:") ? text.substring(7) : text;
            return Base64.getDecoder().decode(b64.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new InvalidEntryException(field + " is not valid base64");
        }
    }

    /**
     * The retired-credential fingerprints of a stored entry. Anything else there is dropped rather
     * than the device: losing the memory of a retired key is better than locking a device out.
     */
    private static List<String> retired(JsonValue v) {
        if (v == null || v.getValueType() != JsonValue.ValueType.ARRAY) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (JsonValue f : v.asJsonArray()) {
            if (f instanceof JsonString s && Credentials.isFingerprint(s.getString())) {
                out.add(s.getString());
            }
        }
        return Credentials.retire(List.of(), out);
    }

    private static void unknownFields(JsonObject o, Set<String> known, String prefix)
            throws InvalidEntryException {
        for (String key : o.keySet()) {
            if (!known.contains(key)) {
                throw new InvalidEntryException("unknown field '" + prefix + Validation.sanitize(key) + "'");
            }
        }
    }

    private static String string(JsonObject o, String key) throws InvalidEntryException {
        return string(o, key, key);
    }

    private static String string(JsonObject o, String key, String name) throws InvalidEntryException {
        JsonValue v = o.get(key);
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (!(v instanceof JsonString s)) {
            throw new InvalidEntryException(name + " must be a string");
        }
        return s.getString();
    }
}
