package org.m2mgw.crypto.internal;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m2mgw.api.trust.SigningKey;
import org.m2mgw.api.trust.SigningTrust;
import org.m2mgw.api.trust.Verification;
import org.m2mgw.crypto.sign.Signatures;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gogo shell commands for the trust store and signed policies: {@code m2mgw:trustkeys},
 * {@code m2mgw:trustadd FILE} (a base64 or PEM public key), {@code m2mgw:trustretire ID},
 * {@code m2mgw:trustrotate FILE} (a signed rotation; the signature in FILE.sig) and
 * {@code m2mgw:policyapply FILE} (a signed crypto policy; the signature in FILE.sig).
 */
@Component(service = TrustCommands.class, property = {"osgi.command.scope=m2mgw",
    "osgi.command.function=trustkeys", "osgi.command.function=trustadd", "osgi.command.function=trustretire",
    "osgi.command.function=trustrotate", "osgi.command.function=policyapply"})
public class TrustCommands {
    static final String POLICY_FORMAT = "m2mgw-policy-1";
    private static final Logger LOG = LoggerFactory.getLogger(TrustCommands.class);

    private final TrustStoreComponent trust;
    private final ConfigurationAdmin configAdmin;

    @Activate
    public TrustCommands(@Reference TrustStoreComponent trust, @Reference ConfigurationAdmin configAdmin) {
        this.trust = trust;
        this.configAdmin = configAdmin;
    }

    public String trustkeys() {
        StringBuilder b = new StringBuilder();
        for (SigningKey k : trust.keys()) {
            b.append(k.id()).append(' ').append(k.algorithm()).append(" added ").append(k.added())
                    .append(k.retired().map(r -> " RETIRED " + r).orElse(" active")).append(" by ").append(k.origin())
                    .append('\n');
        }
        return b.append(trust.keys().size()).append(" key(s)").toString();
    }

    public String trustadd(String file) {
        try {
            SigningKey k = trust.add(readKey(Path.of(file)), "operator (shell)");
            return "added " + k.algorithm() + " key " + k.id();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return "not added: " + e.getMessage();
        }
    }

    public String trustretire(String id) {
        try {
            SigningKey k = trust.retire(id, "operator (shell)");
            return "retired " + k.algorithm() + " key " + k.id();
        } catch (IOException | IllegalArgumentException e) {
            return "not retired: " + e.getMessage();
        }
    }

    public String trustrotate(String file) {
        try {
            Path p = Path.of(file);
            return trust.applyRotation(read(p), read(p.resolveSibling(p.getFileName() + ".sig")));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("Trust store rotation from {} refused: {}", org.m2mgw.support.Text.printable(file), e.getMessage());
            return e.getMessage();
        }
    }

    public String policyapply(String file) {
        try {
            Path p = Path.of(file);
            return applyPolicy(read(p), read(p.resolveSibling(p.getFileName() + ".sig")));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("Signed crypto policy from {} refused: {}", org.m2mgw.support.Text.printable(file), e.getMessage());
            return e.getMessage();
        }
    }

    /**
     * Applies a signed policy document ({@code {"format": "m2mgw-policy-1", "revision": N,
     * "properties": {"suites.psk": [...], ...}}}) to the policy's configuration. Refused with
     * nothing changed if the signature is not valid for purpose {@code policy}, the revision is not
     * above the last one applied, or a property is unknown or out of range.
     */
    String applyPolicy(byte[] content, byte[] signature) throws IOException {
        Verification v = trust.verify(SigningTrust.PURPOSE_POLICY, Signatures.sha256(content), signature);
        if (!v.valid()) {
            throw new IllegalArgumentException("policy refused: " + v.reason());
        }
        JsonObject doc = TrustStoreComponent.readObject(content, "policy");
        if (!POLICY_FORMAT.equals(doc.getString("format", null))) {
            throw new IllegalArgumentException("policy refused: format is not " + POLICY_FORMAT);
        }
        JsonNumber rev = doc.getJsonNumber("revision");
        long revision = rev == null ? -1 : rev.longValueExact();
        synchronized (trust) {
            if (revision <= trust.policyRevision()) {
                throw new IllegalArgumentException("policy refused: revision " + revision
                        + " is not above the last applied (" + trust.policyRevision() + "); an old policy cannot be replayed");
            }
            Map<String, Object> props = properties(doc.getJsonObject("properties"));
            List<String> problems = PolicyRules.METATYPE.problems(props);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("policy refused: " + String.join("; ", problems));
            }
            Configuration c = configAdmin.getConfiguration(CryptoPolicyComponent.PID, "?");
            Dictionary<String, Object> d = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
            props.forEach(d::put);
            d.put("m2mgw.policy.revision", revision);
            c.update(d);
            trust.policyApplied(revision);
        }
        LOG.info("Signed crypto policy revision {} applied ({})", revision, v.reason());
        return "policy revision " + revision + " applied (" + v.reason() + ")";
    }

    static Map<String, Object> properties(JsonObject o) {
        if (o == null) {
            throw new IllegalArgumentException("policy refused: no properties");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonValue> e : o.entrySet()) {
            JsonValue v = e.getValue();
            Object value;
            if (v instanceof JsonString s) {
                value = s.getString();
            } else if (v instanceof JsonNumber n && n.isIntegral()) {
                value = n.intValueExact();
            } else if (v == JsonValue.TRUE || v == JsonValue.FALSE) {
                value = v == JsonValue.TRUE;
            } else if (v instanceof JsonArray a) {
                value = a.stream().map(x -> x instanceof JsonString s ? s.getString() : null).toArray(String[]::new);
                if (java.util.Arrays.asList((String[]) value).contains(null)) {
                    throw new IllegalArgumentException("policy refused: " + e.getKey() + " must be a list of strings");
                }
            } else {
                throw new IllegalArgumentException("policy refused: " + e.getKey() + " has an unsupported value");
            }
            out.put(e.getKey(), value);
        }
        return out;
    }

    private static byte[] read(Path p) throws IOException {
        if (Files.size(p) > TrustStoreComponent.MAX_DOCUMENT_BYTES) {
            throw new IllegalArgumentException(p + " is larger than " + TrustStoreComponent.MAX_DOCUMENT_BYTES + " bytes");
        }
        return Files.readAllBytes(p);
    }

    static byte[] readKey(Path p) throws IOException {
        String text = new String(read(p), StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(p + " is not a base64 or PEM public key");
        }
    }
}
