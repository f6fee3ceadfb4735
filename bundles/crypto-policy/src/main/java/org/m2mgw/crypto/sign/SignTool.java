package org.m2mgw.crypto.sign;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import org.m2mgw.api.trust.SigningTrust;
import org.m2mgw.support.Json;
import org.m2mgw.support.PrivateFiles;

/**
 * Makes signing keys and detached signature documents for the gateway's trust store:
 *
 * <pre>
 *   keygen DIR                  ES256 and ML-DSA-65 key pairs: DIR/es256.key, DIR/es256.pub,
 *                               DIR/mldsa65.key, DIR/mldsa65.pub (private keys 0600, PKCS#8;
 *                               public keys base64 DER SubjectPublicKeyInfo)
 *   sign DIR PURPOSE FILE...    FILE.sig, signed with both keys of DIR for PURPOSE
 *                               (policy, trust or package)
 *   rollback DIR NAME VERSION OUT
 *                               OUT: a signed permission to install VERSION of package NAME
 *                               although a higher version was installed before ("distro": to
 *                               uninstall it remotely)
 *   provision DIR DATA          a gateway's trust store (DATA/trust/signing-keys.json) holding the
 *                               public keys of DIR, for a data directory prepared before the first
 *                               start (an image); refuses to replace an existing store
 * </pre>
 *
 * Run by {@code distro/bin/m2mgw-sign}. Keep the key directory off the gateway.
 */
public final class SignTool {
    private SignTool() {
    }

    public static void main(String[] args) throws Exception {
        try {
            System.out.println(run(args));
        } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
            System.err.println("m2mgw-sign: " + e.getMessage());
            System.exit(2);
        }
    }

    /** @return what was done, for the user */
    public static String run(String... args) throws IOException, GeneralSecurityException {
        if (args.length == 2 && args[0].equals("keygen")) {
            return keygen(Path.of(args[1]));
        }
        if (args.length >= 4 && args[0].equals("sign")) {
            StringBuilder done = new StringBuilder();
            for (int i = 3; i < args.length; i++) {
                done.append(i == 3 ? "" : "\n").append(sign(Path.of(args[1]), args[2], Path.of(args[i])));
            }
            return done.toString();
        }
        if (args.length == 5 && args[0].equals("rollback")) {
            Path out = Path.of(args[4]);
            Files.writeString(out, document(Path.of(args[1]), SigningTrust.PURPOSE_ROLLBACK,
                    Signatures.sha256(SigningTrust.rollbackPermission(args[2], args[3]))));
            return "rollback permission for " + args[2] + " " + args[3] + ": " + out;
        }
        if (args.length == 3 && args[0].equals("provision")) {
            return provision(Path.of(args[1]), Path.of(args[2]));
        }
        throw new IllegalArgumentException("usage: keygen DIR | sign DIR PURPOSE FILE... | rollback DIR NAME VERSION OUT"
                + " | provision DIR DATA");
    }

    /** Writes a trust store in the gateway's format (m2mgw-trust-store-1) with DIR's two public keys. */
    static String provision(Path keys, Path data) throws IOException, GeneralSecurityException {
        Path store = data.resolve("trust").resolve("signing-keys.json");
        if (Files.exists(store)) {
            throw new IllegalArgumentException(store + " exists; add keys to it on the gateway (m2mgw:trustadd)");
        }
        StringBuilder b = new StringBuilder("{\"format\":\"m2mgw-trust-store-1\",\"rotationSequence\":0,"
                + "\"policyRevision\":0,\"keys\":[");
        String[][] k = {{"es256", SigningTrust.ES256}, {"mldsa65", SigningTrust.ML_DSA_65}};
        String now = java.time.Instant.now().toString();
        for (int i = 0; i < k.length; i++) {
            String pub = Files.readString(keys.resolve(k[i][0] + ".pub")).strip();
            byte[] spki = Base64.getDecoder().decode(pub);
            if (!Signatures.algorithmOf(spki).equals(k[i][1])) {
                throw new IllegalArgumentException(k[i][0] + ".pub is not an " + k[i][1] + " public key");
            }
            b.append(i == 0 ? "" : ",").append("{\"id\":").append(Json.quote(Signatures.keyId(spki)))
                    .append(",\"alg\":").append(Json.quote(k[i][1])).append(",\"publicKey\":").append(Json.quote(pub))
                    .append(",\"added\":").append(Json.quote(now)).append(",\"origin\":\"provisioned\"}");
        }
        Files.createDirectories(store.getParent());
        PrivateFiles.write(store, b.append("]}").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return "trust store " + store + " holds the public keys of " + keys;
    }

    static String keygen(Path dir) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        if (Files.exists(dir.resolve("es256.key")) || Files.exists(dir.resolve("mldsa65.key"))) {
            throw new IllegalArgumentException(dir + " already holds keys; not overwriting them");
        }
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair es = ec.generateKeyPair();
        KeyPair ml = KeyPairGenerator.getInstance("ML-DSA-65", Signatures.BC).generateKeyPair();
        PrivateFiles.write(dir.resolve("es256.key"), es.getPrivate().getEncoded());
        PrivateFiles.write(dir.resolve("mldsa65.key"), ml.getPrivate().getEncoded());
        Files.writeString(dir.resolve("es256.pub"), Base64.getEncoder().encodeToString(es.getPublic().getEncoded()) + "\n");
        Files.writeString(dir.resolve("mldsa65.pub"), Base64.getEncoder().encodeToString(ml.getPublic().getEncoded()) + "\n");
        return "keys in " + dir + ": ES256 " + Signatures.keyId(es.getPublic().getEncoded()) + ", ML-DSA-65 "
                + Signatures.keyId(ml.getPublic().getEncoded())
                + "; add the .pub files to each gateway's trust store (m2mgw:trustadd)";
    }

    static String sign(Path dir, String purpose, Path file) throws IOException, GeneralSecurityException {
        if (!purpose.matches("policy|trust|package|rollback")) {
            throw new IllegalArgumentException("purpose must be policy, trust, package or rollback");
        }
        Path out = file.resolveSibling(file.getFileName() + ".sig");
        Files.writeString(out, document(dir, purpose, Signatures.sha256(Files.readAllBytes(file))));
        return "signed " + file + " for " + purpose + ": " + out;
    }

    /** @return the signature document over {@code sha}, signed with both keys of {@code dir} */
    static String document(Path dir, String purpose, byte[] sha) throws IOException, GeneralSecurityException {
        byte[] msg = Signatures.message(purpose, sha);
        StringBuilder b = new StringBuilder("{\"format\":").append(Json.quote(SigningTrust.FORMAT))
                .append(",\"purpose\":").append(Json.quote(purpose))
                .append(",\"sha256\":").append(Json.quote(HexFormat.of().formatHex(sha))).append(",\"signatures\":[");
        String[][] keys = {{"es256", SigningTrust.ES256, "EC"}, {"mldsa65", SigningTrust.ML_DSA_65, "ML-DSA"}};
        for (int i = 0; i < keys.length; i++) {
            byte[] pub = Base64.getDecoder().decode(Files.readString(dir.resolve(keys[i][0] + ".pub")).trim());
            PrivateKey priv = (keys[i][2].equals("EC") ? KeyFactory.getInstance("EC")
                    : KeyFactory.getInstance("ML-DSA", Signatures.BC))
                    .generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(dir.resolve(keys[i][0] + ".key"))));
            byte[] sig = Signatures.sign(keys[i][1], priv, msg);
            b.append(i == 0 ? "" : ",").append("{\"key\":").append(Json.quote(Signatures.keyId(pub)))
                    .append(",\"alg\":").append(Json.quote(keys[i][1])).append(",\"value\":")
                    .append(Json.quote(Base64.getEncoder().encodeToString(sig))).append('}');
        }
        return b.append("]}\n").toString();
    }
}
