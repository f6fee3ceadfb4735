package org.m2mgw.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Base64;
import java.util.Dictionary;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.trust.SigningTrust;
import org.m2mgw.api.trust.Verification;
import org.m2mgw.crypto.sign.SignTool;
import org.m2mgw.crypto.sign.Signatures;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

class TrustStoreTest {
    @TempDir
    Path dir;

    Path keys;
    TrustStoreComponent trust;

    @BeforeEach
    void setUp() throws Exception {
        keys = dir.resolve("signer");
        SignTool.run("keygen", keys.toString());
        trust = new TrustStoreComponent(dir.resolve("trust"), Clock.systemUTC());
        trust.add(TrustCommands.readKey(keys.resolve("es256.pub")), "test");
        trust.add(TrustCommands.readKey(keys.resolve("mldsa65.pub")), "test");
    }

    Verification verify(String purpose, Path file) throws Exception {
        return trust.verify(purpose, Signatures.sha256(Files.readAllBytes(file)),
                Files.readAllBytes(file.resolveSibling(file.getFileName() + ".sig")));
    }

    Path signed(String name, String content, String purpose) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        SignTool.run("sign", keys.toString(), purpose, f.toString());
        return f;
    }

    @Test
    void theSignToolsKeysAreProtectedAndItsDocumentsVerifyForTheirPurposeOnly() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("mldsa65.key"))))
                .isEqualTo("rw-------");
        Path f = signed("policy.json", "{}", "policy");
        Verification v = verify(SigningTrust.PURPOSE_POLICY, f);
        assertThat(v.valid()).as(v.reason()).isTrue();
        assertThat(v.keyIds()).hasSize(2);
        assertThat(verify(SigningTrust.PURPOSE_PACKAGE, f).reason()).contains("not package");
        Files.writeString(f, "{ }");
        assertThat(verify(SigningTrust.PURPOSE_POLICY, f).reason()).contains("SHA-256 differs");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("trust/signing-keys.json"))))
                .isEqualTo("rw-------");
    }

    @Test
    void aProvisionedStoreIsReadByTheGatewayAndNotOverwritten() throws Exception {
        Path data = dir.resolve("image");
        SignTool.run("provision", keys.toString(), data.toString());
        TrustStoreComponent provisioned = new TrustStoreComponent(data.resolve("trust"), Clock.systemUTC());
        assertThat(provisioned.keys()).hasSize(2).allMatch(k -> k.retired().isEmpty());
        assertThat(java.nio.file.Files.getPosixFilePermissions(data.resolve("trust/signing-keys.json")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> SignTool.run("provision", keys.toString(),
                data.toString())).hasMessageContaining("exists");
    }

    @Test
    void bothAlgorithmsMustSignWithActiveKnownKeys() throws Exception {
        Path f = signed("p.json", "{\"x\":1}", "policy");
        byte[] sha = Signatures.sha256(Files.readAllBytes(f));
        JsonObject doc = Json.createReader(Files.newBufferedReader(f.resolveSibling("p.json.sig"))).readObject();
        // Only the ES256 signature: refused.
        String esOnly = Json.createObjectBuilder(doc).add("signatures", Json.createArrayBuilder()
                .add(doc.getJsonArray("signatures").get(0))).build().toString();
        assertThat(trust.verify("policy", sha, esOnly.getBytes(StandardCharsets.UTF_8)).reason())
                .contains("no valid ML-DSA-65 signature");
        // A flipped bit in the ML-DSA signature: refused.
        JsonObject ml = doc.getJsonArray("signatures").getJsonObject(1);
        byte[] sig = Base64.getDecoder().decode(ml.getString("value"));
        sig[10] ^= 1;
        String flipped = Json.createObjectBuilder(doc).add("signatures", Json.createArrayBuilder()
                .add(doc.getJsonArray("signatures").get(0))
                .add(Json.createObjectBuilder(ml).add("value", Base64.getEncoder().encodeToString(sig)))).build().toString();
        assertThat(trust.verify("policy", sha, flipped.getBytes(StandardCharsets.UTF_8)).reason())
                .contains("wrong ML-DSA-65 signature");
        // A retired key verifies nothing.
        trust.retire(ml.getString("key"), "test");
        assertThat(verify("policy", f).reason()).contains("was retired");
        // Garbage and empty documents are refused with a reason, never an exception.
        assertThat(trust.verify("policy", sha, "not json".getBytes()).reason()).contains("not a JSON object");
        assertThat(trust.verify("policy", sha, new byte[0]).reason()).isEqualTo("no signature");
        assertThat(trust.verify("policy", sha, ("{\"format\":\"m2mgw-signature-1\",\"purpose\":\"policy\",\"sha256\":\""
                + HexFormat.of().formatHex(sha) + "\",\"signatures\":[{\"key\":5}]}").getBytes()).valid()).isFalse();
        // An empty store accepts nothing.
        TrustStoreComponent empty = new TrustStoreComponent(dir.resolve("empty"), Clock.systemUTC());
        assertThat(empty.verify("policy", sha, Files.readAllBytes(f.resolveSibling("p.json.sig"))).reason())
                .contains("unknown key");
    }

    @Test
    void aSignedRotationReplacesKeysAndCannotBeReplayedOrLeaveTheStoreEmpty() throws Exception {
        Path next = dir.resolve("next");
        SignTool.run("keygen", next.toString());
        String es = trust.keys().get(0).id();
        String ml = trust.keys().get(1).id();
        String rotation = "{\"format\":\"m2mgw-trust-rotation-1\",\"sequence\":1,\"add\":[\""
                + Files.readString(next.resolve("es256.pub")).trim() + "\",\""
                + Files.readString(next.resolve("mldsa65.pub")).trim() + "\"],\"retire\":[\"" + es + "\",\"" + ml + "\"]}";
        Path f = signed("rotation.json", rotation, "trust");
        assertThat(verify("policy", f).valid()).as("a trust document is not a policy").isFalse();
        byte[] content = Files.readAllBytes(f);
        byte[] sig = Files.readAllBytes(dir.resolve("rotation.json.sig"));
        assertThat(trust.applyRotation(content, sig)).contains("2 key(s) added, 2 retired");
        assertThat(trust.keys()).filteredOn(k -> k.active()).hasSize(2);
        assertThatThrownBy(() -> trust.applyRotation(content, sig)).hasMessageContaining("retired");
        // Survives a restart.
        TrustStoreComponent again = new TrustStoreComponent(dir.resolve("trust"), Clock.systemUTC());
        assertThat(again.keys()).filteredOn(k -> k.active()).extracting(k -> k.algorithm())
                .containsExactlyInAnyOrder("ES256", "ML-DSA-65");

        // Signed by the new keys, a replayed sequence and a rotation that would empty the store are refused.
        Path old = keys;
        keys = next;
        Path replay = signed("replay.json", rotation.replace("\"add\":[", "\"add\":[").replace("\"sequence\":1",
                "\"sequence\":1"), "trust");
        assertThatThrownBy(() -> again.applyRotation(Files.readAllBytes(replay),
                Files.readAllBytes(dir.resolve("replay.json.sig")))).hasMessageContaining("cannot be replayed");
        String[] ids = again.keys().stream().filter(k -> k.active()).map(k -> k.id()).toArray(String[]::new);
        Path emptying = signed("emptying.json", "{\"format\":\"m2mgw-trust-rotation-1\",\"sequence\":2,\"retire\":[\""
                + ids[0] + "\",\"" + ids[1] + "\"]}", "trust");
        assertThatThrownBy(() -> again.applyRotation(Files.readAllBytes(emptying),
                Files.readAllBytes(dir.resolve("emptying.json.sig")))).hasMessageContaining("would leave no active");
        keys = old;
    }

    @Test
    void aSignedPolicyIsAppliedOnceAndAnOldOrInvalidOneChangesNothing() throws Exception {
        AtomicReference<Dictionary<String, Object>> stored = new AtomicReference<>();
        Configuration cfg = (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Configuration.class}, (p, m, a) -> switch (m.getName()) {
                    case "getProperties" -> stored.get();
                    case "update" -> {
                        stored.set(new java.util.Hashtable<>(java.util.Collections.list(((Dictionary<String, Object>) a[0])
                                .keys()).stream().collect(java.util.stream.Collectors.toMap(k -> k,
                                        k -> ((Dictionary<String, Object>) a[0]).get(k)))));
                        yield null;
                    }
                    default -> null;
                });
        ConfigurationAdmin ca = (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConfigurationAdmin.class}, (p, m, a) -> m.getName().equals("getConfiguration") ? cfg : null);
        TrustCommands commands = new TrustCommands(trust, ca);

        Path p2 = signed("policy2.json", "{\"format\":\"m2mgw-policy-1\",\"revision\":2,\"properties\":{"
                + "\"suites.psk\":[\"TLS_PSK_WITH_AES_128_CCM\"],\"min.strength.bits\":128}}", "policy");
        assertThat(commands.policyapply(p2.toString())).startsWith("policy revision 2 applied");
        assertThat((String[]) stored.get().get("suites.psk")).containsExactly("TLS_PSK_WITH_AES_128_CCM");
        assertThat(stored.get().get("min.strength.bits")).isEqualTo(128);

        Path p1 = signed("policy1.json", "{\"format\":\"m2mgw-policy-1\",\"revision\":1,\"properties\":{"
                + "\"suites.psk\":[\"TLS_PSK_WITH_AES_128_CCM_8\"]}}", "policy");
        assertThat(commands.policyapply(p1.toString())).contains("cannot be replayed");
        Path bad = signed("bad.json", "{\"format\":\"m2mgw-policy-1\",\"revision\":3,\"properties\":{"
                + "\"min.strength.bits\":5000}}", "policy");
        assertThat(commands.policyapply(bad.toString())).contains("min.strength.bits");
        Path unsigned = dir.resolve("unsigned.json");
        Files.writeString(unsigned, "{\"format\":\"m2mgw-policy-1\",\"revision\":9,\"properties\":{}}");
        Files.writeString(dir.resolve("unsigned.json.sig"), "{}");
        assertThat(commands.policyapply(unsigned.toString())).contains("policy refused");
        assertThat((String[]) stored.get().get("suites.psk")).containsExactly("TLS_PSK_WITH_AES_128_CCM");
        assertThat(trust.policyRevision()).isEqualTo(2);
    }

    // --- the two algorithms against vectors someone else wrote (Project Wycheproof) ---

    static JsonObject vectors(String name) throws Exception {
        try (InputStream in = TrustStoreTest.class.getResourceAsStream("/wycheproof/" + name)) {
            return Json.createReader(in).readObject();
        }
    }

    @Test
    void mlDsa65VerificationAgreesWithWycheproof() throws Exception {
        int checked = 0;
        for (var g : vectors("mldsa_65_verify_test.json").getJsonArray("testGroups")) {
            byte[] spki = HexFormat.of().parseHex(g.asJsonObject().getString("publicKeyDer"));
            for (var t : g.asJsonObject().getJsonArray("tests")) {
                JsonObject c = t.asJsonObject();
                if (c.containsKey("ctx") && !c.getString("ctx").isEmpty()) {
                    continue; // the trust store signs with an empty context only
                }
                boolean ok = Signatures.verify(SigningTrust.ML_DSA_65, spki, HexFormat.of().parseHex(c.getString("msg")),
                        HexFormat.of().parseHex(c.getString("sig")));
                assertThat(ok).as("tcId " + c.getInt("tcId") + " " + c.getString("comment"))
                        .isEqualTo(c.getString("result").equals("valid"));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(150);
    }

    @Test
    void es256VerificationAgreesWithWycheproof() throws Exception {
        int checked = 0;
        for (var g : vectors("ecdsa_secp256r1_sha256_test.json").getJsonArray("testGroups")) {
            byte[] spki = HexFormat.of().parseHex(g.asJsonObject().getString("publicKeyDer"));
            for (var t : g.asJsonObject().getJsonArray("tests")) {
                JsonObject c = t.asJsonObject();
                boolean ok = Signatures.verify(SigningTrust.ES256, spki, HexFormat.of().parseHex(c.getString("msg")),
                        HexFormat.of().parseHex(c.getString("sig")));
                assertThat(ok).as("tcId " + c.getInt("tcId") + " " + c.getString("comment"))
                        .isEqualTo(c.getString("result").equals("valid"));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(300);
    }
}
