package org.m2mgw.crypto.internal;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.api.trust.SigningKey;
import org.m2mgw.api.trust.SigningTrust;
import org.m2mgw.api.trust.Verification;
import org.m2mgw.crypto.sign.Signatures;
import org.m2mgw.support.PrivateFiles;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust store of signing keys, kept in {@code <data>/trust/signing-keys.json} (0600, written
 * atomically). Keys are added and retired by the operator on the gateway (shell), or from afar by
 * a rotation document signed for purpose {@code trust} by keys already in the store. The highest
 * applied rotation sequence and signed policy revision are kept with the keys, so an old signed
 * document cannot be replayed.
 */
@Component(service = {SigningTrust.class, TrustStoreComponent.class}, immediate = true)
public class TrustStoreComponent implements SigningTrust {
    static final String ROTATION_FORMAT = "m2mgw-trust-rotation-1";
    static final int MAX_DOCUMENT_BYTES = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(TrustStoreComponent.class);

    private final Path file;
    private final Clock clock;
    private final Map<String, SigningKey> keys = new LinkedHashMap<>();
    private long rotationSequence;
    private long policyRevision;

    @Activate
    public TrustStoreComponent(@Reference GatewayRuntime runtime) {
        this(runtime.dataDirectory("trust"), Clock.systemUTC());
    }

    TrustStoreComponent(Path dir, Clock clock) {
        this.file = dir.resolve("signing-keys.json");
        this.clock = clock;
        load();
    }

    // --- verification ---

    @Override
    public Verification verify(String purpose, byte[] sha256, byte[] document) {
        if (document == null || document.length == 0) {
            return Verification.refused("no signature");
        }
        if (document.length > MAX_DOCUMENT_BYTES) {
            return Verification.refused("signature document larger than " + MAX_DOCUMENT_BYTES + " bytes");
        }
        JsonObject doc;
        try (JsonReader r = Json.createReader(new ByteArrayInputStream(document))) {
            doc = r.readObject();
        } catch (JsonException | IllegalStateException e) {
            return Verification.refused("signature document is not a JSON object");
        }
        try {
            if (!FORMAT.equals(doc.getString("format", null))) {
                return Verification.refused("signature document format is not " + FORMAT);
            }
            if (!purpose.equals(doc.getString("purpose", null))) {
                return Verification.refused("signature is for '" + clean(doc.getString("purpose", "")) + "', not "
                        + purpose);
            }
            String hash = doc.getString("sha256", "");
            if (!MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII),
                    HexFormat.of().formatHex(sha256).getBytes(StandardCharsets.US_ASCII))) {
                return Verification.refused("signature is over other content (SHA-256 differs)");
            }
            byte[] message = Signatures.message(purpose, sha256);
            Set<String> validAlgorithms = new LinkedHashSet<>();
            List<String> signers = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            JsonArray sigs = doc.getJsonArray("signatures");
            for (JsonValue v : sigs == null ? List.<JsonValue>of() : sigs) {
                JsonObject s = v.asJsonObject();
                String keyId = s.getString("key", "");
                String alg = s.getString("alg", "");
                SigningKey k;
                synchronized (this) {
                    k = keys.get(keyId);
                }
                if (k == null) {
                    problems.add("unknown key " + clean(keyId));
                } else if (!k.active()) {
                    problems.add("key " + keyId + " was retired");
                } else if (!k.algorithm().equals(alg)) {
                    problems.add("key " + keyId + " is " + k.algorithm() + ", not " + clean(alg));
                } else if (!Signatures.verify(alg, k.publicKey(), message,
                        Base64.getDecoder().decode(s.getString("value", "")))) {
                    problems.add("wrong " + alg + " signature by key " + keyId);
                } else {
                    validAlgorithms.add(alg);
                    signers.add(keyId);
                }
            }
            for (String required : List.of(ES256, ML_DSA_65)) {
                if (!validAlgorithms.contains(required)) {
                    return Verification.refused("no valid " + required + " signature by a trusted key"
                            + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")"));
                }
            }
            return new Verification(true, "signed by " + String.join(", ", signers), signers);
        } catch (ClassCastException | IllegalArgumentException e) {
            return Verification.refused("signature document is malformed (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String clean(String s) {
        return org.m2mgw.support.Text.printable(s, 40);
    }

    @Override
    public synchronized List<SigningKey> keys() {
        return List.copyOf(keys.values());
    }

    // --- changes ---

    /**
     * Adds a key (by the operator on the gateway, or by a signed rotation).
     *
     * @return the key added, or the one already there
     * @throws GeneralSecurityException if it is not an ECDSA P-256 or ML-DSA-65 public key
     */
    synchronized SigningKey add(byte[] spki, String origin) throws GeneralSecurityException, IOException {
        String id = Signatures.keyId(spki);
        SigningKey existing = keys.get(id);
        if (existing != null) {
            return existing;
        }
        SigningKey k = new SigningKey(id, Signatures.algorithmOf(spki), spki.clone(), clock.instant(), Optional.empty(),
                origin);
        keys.put(id, k);
        save();
        LOG.info("Trust store: {} key {} added by {}", k.algorithm(), id, origin);
        return k;
    }

    /** Retires a key: it verifies nothing from now on (kept, so that it is never taken again). */
    synchronized SigningKey retire(String id, String origin) throws IOException {
        SigningKey k = keys.get(id);
        if (k == null) {
            throw new IllegalArgumentException("no key " + clean(id) + " in the trust store");
        }
        if (!k.active()) {
            return k;
        }
        SigningKey r = new SigningKey(k.id(), k.algorithm(), k.publicKey(), k.added(), Optional.of(clock.instant()),
                k.origin());
        keys.put(id, r);
        save();
        LOG.info("Trust store: {} key {} retired by {}", k.algorithm(), id, origin);
        return r;
    }

    /**
     * Applies a rotation document ({@code {"format": "m2mgw-trust-rotation-1", "sequence": N,
     * "add": ["<base64 SPKI>", ...], "retire": ["<key id>", ...]}}) signed for purpose
     * {@code trust}. Refused, with nothing changed, if the signature is not valid, the sequence is
     * not higher than the last one applied, or the change would leave no active key of an algorithm.
     *
     * @return what was done
     * @throws IllegalArgumentException with the reason if refused
     */
    synchronized String applyRotation(byte[] content, byte[] signature) throws IOException {
        Verification v = verify(PURPOSE_TRUST, Signatures.sha256(content), signature);
        if (!v.valid()) {
            throw new IllegalArgumentException("rotation refused: " + v.reason());
        }
        JsonObject doc = readObject(content, "rotation");
        if (!ROTATION_FORMAT.equals(doc.getString("format", null))) {
            throw new IllegalArgumentException("rotation refused: format is not " + ROTATION_FORMAT);
        }
        long seq = doc.getJsonNumber("sequence") == null ? -1 : doc.getJsonNumber("sequence").longValueExact();
        if (seq <= rotationSequence) {
            throw new IllegalArgumentException("rotation refused: sequence " + seq + " is not above the last applied ("
                    + rotationSequence + "); an old rotation cannot be replayed");
        }
        List<byte[]> add = new ArrayList<>();
        for (JsonValue a : doc.getJsonArray("add") == null ? List.<JsonValue>of() : doc.getJsonArray("add")) {
            byte[] spki = Base64.getDecoder().decode(((jakarta.json.JsonString) a).getString());
            try {
                Signatures.algorithmOf(spki);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("rotation refused: " + e.getMessage());
            }
            add.add(spki);
        }
        List<String> retire = new ArrayList<>();
        for (JsonValue r : doc.getJsonArray("retire") == null ? List.<JsonValue>of() : doc.getJsonArray("retire")) {
            String id = ((jakarta.json.JsonString) r).getString();
            if (!keys.containsKey(id)) {
                throw new IllegalArgumentException("rotation refused: no key " + clean(id) + " to retire");
            }
            retire.add(id);
        }
        for (String alg : List.of(ES256, ML_DSA_65)) {
            long left = keys.values().stream().filter(k -> k.active() && k.algorithm().equals(alg)
                    && !retire.contains(k.id())).count();
            long added = add.stream().filter(s -> alg.equals(algorithmOrNull(s))).count();
            if (left + added == 0) {
                throw new IllegalArgumentException("rotation refused: it would leave no active " + alg
                        + " key, and nothing signed could be accepted again");
            }
        }
        String origin = "signed rotation " + seq + " (" + v.reason() + ")";
        for (byte[] spki : add) {
            try {
                add(spki, origin);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        for (String id : retire) {
            retire(id, origin);
        }
        rotationSequence = seq;
        save();
        return "rotation " + seq + " applied: " + add.size() + " key(s) added, " + retire.size() + " retired";
    }

    private static String algorithmOrNull(byte[] spki) {
        try {
            return Signatures.algorithmOf(spki);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    synchronized long policyRevision() {
        return policyRevision;
    }

    synchronized void policyApplied(long revision) throws IOException {
        policyRevision = revision;
        save();
    }

    static JsonObject readObject(byte[] content, String what) {
        try (JsonReader r = Json.createReader(new StringReader(new String(content, StandardCharsets.UTF_8)))) {
            return r.readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new IllegalArgumentException(what + " refused: not a JSON object");
        }
    }

    // --- persistence ---

    private void save() throws IOException {
        var keyArray = Json.createArrayBuilder();
        for (SigningKey k : keys.values()) {
            var o = Json.createObjectBuilder().add("id", k.id()).add("alg", k.algorithm())
                    .add("publicKey", Base64.getEncoder().encodeToString(k.publicKey()))
                    .add("added", k.added().toString()).add("origin", k.origin());
            k.retired().ifPresent(r -> o.add("retired", r.toString()));
            keyArray.add(o);
        }
        String json = Json.createObjectBuilder().add("format", "m2mgw-trust-store-1")
                .add("rotationSequence", rotationSequence).add("policyRevision", policyRevision)
                .add("keys", keyArray).build().toString();
        Files.createDirectories(file.getParent());
        PrivateFiles.write(file, json.getBytes(StandardCharsets.UTF_8));
    }

    private void load() {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            LOG.info("Trust store {} is empty: nothing signed is accepted until keys are added (m2mgw:trustadd)", file);
            return;
        } catch (IOException e) {
            throw new IllegalStateException("trust store " + file + " not readable: " + e, e);
        }
        try {
            JsonObject o = readObject(data, "trust store");
            rotationSequence = o.getJsonNumber("rotationSequence").longValueExact();
            policyRevision = o.getJsonNumber("policyRevision").longValueExact();
            for (JsonValue v : o.getJsonArray("keys")) {
                JsonObject k = v.asJsonObject();
                keys.put(k.getString("id"), new SigningKey(k.getString("id"), k.getString("alg"),
                        Base64.getDecoder().decode(k.getString("publicKey")), Instant.parse(k.getString("added")),
                        k.containsKey("retired") ? Optional.of(Instant.parse(k.getString("retired"))) : Optional.empty(),
                        k.getString("origin", "")));
            }
            LOG.info("Trust store: {} signing key(s), {} active", keys.size(),
                    keys.values().stream().filter(SigningKey::active).count());
        } catch (RuntimeException e) {
            // Fail closed: a damaged store accepts nothing, and is not overwritten silently.
            throw new IllegalStateException("trust store " + file + " is damaged (" + e.getMessage()
                    + "); restore it from a backup or move it aside to start empty", e);
        }
    }
}
