package org.m2mgw.crypto.sign;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.m2mgw.api.trust.SigningTrust;

/**
 * The two signature algorithms of the trust store, and the bytes they sign. ML-DSA comes from a
 * private Bouncy Castle provider instance (JDK 17 has none); it is not installed in the JVM.
 */
public final class Signatures {
    static final Provider BC = new BouncyCastleProvider();

    private Signatures() {
    }

    /**
     * @param purpose what the content is
     * @param sha256 the content's SHA-256
     * @return the bytes every signature of a document signs
     */
    public static byte[] message(String purpose, byte[] sha256) {
        return (SigningTrust.FORMAT + "\n" + purpose + "\n" + HexFormat.of().formatHex(sha256))
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param spki a DER SubjectPublicKeyInfo
     * @return {@link SigningTrust#ES256} for a P-256 key, {@link SigningTrust#ML_DSA_65} for an ML-DSA-65 key
     * @throws GeneralSecurityException if it is neither
     */
    public static String algorithmOf(byte[] spki) throws GeneralSecurityException {
        PublicKey k = publicKey(spki);
        if (k instanceof java.security.interfaces.ECPublicKey ec
                && ec.getParams().getCurve().getField().getFieldSize() == 256) {
            return SigningTrust.ES256;
        }
        if (k.getAlgorithm().startsWith("ML-DSA") && spki.length > 1900 && spki.length < 2000) {
            return SigningTrust.ML_DSA_65;
        }
        throw new GeneralSecurityException("not an ECDSA P-256 or ML-DSA-65 public key (" + k.getAlgorithm() + ")");
    }

    static PublicKey publicKey(byte[] spki) throws GeneralSecurityException {
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException notEc) {
            return KeyFactory.getInstance("ML-DSA", BC).generatePublic(new X509EncodedKeySpec(spki));
        }
    }

    /** @return the key id: the first 16 bytes of SHA-256(SPKI), in hex */
    public static String keyId(byte[] spki) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki), 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @return whether {@code signature} is a valid {@code algorithm} signature of {@code message}
     *         under the key; false (never an exception) for malformed input
     */
    public static boolean verify(String algorithm, byte[] spki, byte[] message, byte[] signature) {
        try {
            // Bouncy Castle for both: JDK 17's ECDSA rejects a valid signature whose r came from an
            // x-coordinate above the group order (Wycheproof ecdsa_secp256r1_sha256 tcId 350).
            Signature s = SigningTrust.ES256.equals(algorithm) ? Signature.getInstance("SHA256withECDSA", BC)
                    : SigningTrust.ML_DSA_65.equals(algorithm) ? Signature.getInstance("ML-DSA", BC) : null;
            if (s == null || SigningTrust.ES256.equals(algorithm) && !isStrictDer(signature)) {
                return false;
            }
            s.initVerify(publicKey(spki));
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /**
     * @return whether an ECDSA signature is the one DER encoding of (r, s): a SEQUENCE of two
     *         positive INTEGERs in minimal form, nothing before, between or after. The JDK also
     *         takes some BER forms (Wycheproof's "legacy" cases); one signature must have one
     *         encoding, so those are refused.
     */
    static boolean isStrictDer(byte[] sig) {
        if (sig.length < 8 || sig.length > 72 || sig[0] != 0x30 || (sig[1] & 0xff) != sig.length - 2) {
            return false;
        }
        int i = 2;
        for (int n = 0; n < 2; n++) {
            if (i + 2 > sig.length || sig[i] != 0x02) {
                return false;
            }
            int len = sig[i + 1] & 0xff;
            int start = i + 2;
            if (len == 0 || len > 33 || start + len > sig.length) {
                return false;
            }
            if ((sig[start] & 0x80) != 0) {
                return false; // negative
            }
            if (len > 1 && sig[start] == 0 && (sig[start + 1] & 0x80) == 0) {
                return false; // a leading zero that is not needed
            }
            i = start + len;
        }
        return i == sig.length;
    }

    /** Signs with a private key of either algorithm (the sign tool). */
    public static byte[] sign(String algorithm, PrivateKey key, byte[] message) throws GeneralSecurityException {
        Signature s = SigningTrust.ES256.equals(algorithm) ? Signature.getInstance("SHA256withECDSA")
                : Signature.getInstance("ML-DSA", BC);
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    /** @return the SHA-256 of the data */
    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
