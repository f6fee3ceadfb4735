package org.m2mgw.oscore.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.m2mgw.oscore.internal.cbor.CborWriter;
import org.m2mgw.oscore.internal.edhoc.IdCred;
import org.m2mgw.oscore.internal.edhoc.LocalCredential;
import org.m2mgw.support.PrivateFiles;

/**
 * The gateway's own EDHOC credentials: one key pair per use the cipher suites need (Ed25519 and
 * ES256 signatures, X25519 and P-256 static Diffie-Hellman), made at first start and kept in the
 * data directory (private keys 0600), each with a CWT Claims Set (RFC 8392) holding its COSE_Key and
 * a one-byte kid. Devices are provisioned with the CCS of the key their method and suite use
 * ({@code m2mgw:oscoreidentity} prints them, and each is in {@code <name>.ccs} next to its key).
 */
public final class GatewayIdentity {

    /** One credential: its name, kid, CCS and the EDHOC form with the private key. */
    record Key(String name, byte[] kid, byte[] ccs, LocalCredential credential) {
        String describe() {
            HexFormat h = HexFormat.of();
            return name + " kid " + h.formatHex(kid) + " ccs " + h.formatHex(ccs);
        }
    }

    private static final String SUBJECT = "m2mgw gateway";
    private final List<Key> keys;

    private GatewayIdentity(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    List<Key> keys() {
        return keys;
    }

    List<LocalCredential> credentials() {
        return keys.stream().map(Key::credential).toList();
    }

    /** Loads the key pairs from {@code dir}, making those that are missing. */
    static GatewayIdentity loadOrCreate(Path dir) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        List<Key> out = new ArrayList<>();
        out.add(key(dir, "ed25519", (byte) 0x01, "Ed25519", null));
        out.add(key(dir, "x25519", (byte) 0x02, "X25519", null));
        out.add(key(dir, "p256-es256", (byte) 0x03, "EC", "secp256r1"));
        out.add(key(dir, "p256-dh", (byte) 0x04, "EC", "secp256r1"));
        return new GatewayIdentity(out);
    }

    private static Key key(Path dir, String name, byte kidByte, String algorithm, String curve)
            throws IOException, GeneralSecurityException {
        Path priv = dir.resolve(name + ".key");
        Path pub = dir.resolve(name + ".pub");
        KeyFactory kf = KeyFactory.getInstance(algorithm);
        KeyPair pair;
        if (Files.exists(priv) && Files.exists(pub)) {
            pair = new KeyPair(kf.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub))),
                    kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv))));
        } else {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (curve != null) {
                g.initialize(new ECGenParameterSpec(curve));
            }
            pair = g.generateKeyPair();
            PrivateFiles.write(priv, pair.getPrivate().getEncoded());
            PrivateFiles.write(pub, pair.getPublic().getEncoded());
        }
        byte[] kid = {kidByte};
        byte[] ccs = ccs(kid, pair.getPublic(), name);
        Path ccsFile = dir.resolve(name + ".ccs");
        if (!Files.exists(ccsFile) || !java.util.Arrays.equals(Files.readAllBytes(ccsFile), ccs)) {
            // public: devices are provisioned with it
            Files.write(ccsFile, ccs);
        }
        return new Key(name, kid, ccs, LocalCredential.ccs(IdCred.kid(kid), ccs, pair.getPrivate()));
    }

    /**
     * A CWT Claims Set {2 (sub): text, 8 (cnf): {1 (COSE_Key): key}} in deterministic CBOR
     * (RFC 8392, RFC 8747, RFC 9052 section 7; COSE key types and curves from RFC 9053).
     */
    public static byte[] ccs(byte[] kid, PublicKey key, String name) {
        return ccsWithSubject(kid, key, SUBJECT + " " + name);
    }

    /** @return a CCS as {@link #ccs}, with {@code subject} as its whole subject claim (devices' own) */
    public static byte[] ccsWithSubject(byte[] kid, PublicKey key, String subject) {
        CborWriter w = new CborWriter().map(2).integer(2).text(subject).integer(8).map(1).integer(1);
        if (key instanceof ECPublicKey ec) {
            w.map(5).integer(1).integer(2).integer(2).bytes(kid).integer(-1).integer(1)
                    .integer(-2).bytes(fixed(ec.getW().getAffineX(), 32)).integer(-3).bytes(fixed(ec.getW().getAffineY(), 32));
        } else {
            // X25519 (crv 4) or Ed25519 (crv 6): the raw key is the last 32 bytes of the SubjectPublicKeyInfo
            byte[] spki = key.getEncoded();
            int crv = key.getAlgorithm().equals("XDH") || key.getAlgorithm().equals("X25519") ? 4 : 6;
            w.map(4).integer(1).integer(1).integer(2).bytes(kid).integer(-1).integer(crv)
                    .integer(-2).bytes(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
        }
        return w.toByteArray();
    }

    private static byte[] fixed(BigInteger v, int length) {
        byte[] b = v.toByteArray();
        if (b.length == length) {
            return b;
        }
        byte[] out = new byte[length];
        int n = Math.min(b.length, length);
        System.arraycopy(b, b.length - n, out, length - n, n);
        return out;
    }
}
