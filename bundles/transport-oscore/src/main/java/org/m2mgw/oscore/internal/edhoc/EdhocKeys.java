package org.m2mgw.oscore.internal.edhoc;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.XECKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.security.spec.XECPrivateKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;

/**
 * Keys of the {@link KeyType}s with the JDK alone: decoding public keys from their EDHOC encoding
 * (a P-256 x-coordinate is decompressed: RFC 9528 section 3.7 sends no y), private keys from raw
 * scalars, key generation, Diffie-Hellman and signatures.
 */
public final class EdhocKeys {
    /** DER SubjectPublicKeyInfo prefixes for the 32-byte raw keys (RFC 8410). */
    private static final byte[] X25519_SPKI = hex("302a300506032b656e032100");
    private static final byte[] ED25519_SPKI = hex("302a300506032b6570032100");

    private static final ECParameterSpec P256 = p256();
    private static final BigInteger P = ((ECFieldFp) P256.getCurve().getField()).getP();
    private static final BigInteger B = P256.getCurve().getB();
    private static final BigInteger THREE = BigInteger.valueOf(3);

    private EdhocKeys() {
    }

    /** @return the kind of this key, or null if EDHOC cannot use it */
    public static KeyType typeOf(Key key) {
        if (key instanceof XECKey x && x.getParams() instanceof NamedParameterSpec n
                && "X25519".equalsIgnoreCase(n.getName())) {
            return KeyType.X25519;
        }
        if (key instanceof EdECKey e && "Ed25519".equalsIgnoreCase(e.getParams().getName())) {
            return KeyType.ED25519;
        }
        if (key instanceof ECKey e && e.getParams() != null && e.getParams().getOrder().equals(P256.getOrder())
                && e.getParams().getCurve().equals(P256.getCurve())) {
            return KeyType.P256;
        }
        return null;
    }

    /**
     * @return the public key as EDHOC sends it (G_X, G_Y): 32 bytes
     * @throws IllegalArgumentException if EDHOC cannot use the key
     */
    public static byte[] encode(PublicKey key) {
        KeyType t = typeOf(key);
        if (t == null) {
            throw new IllegalArgumentException("not an X25519, Ed25519 or P-256 key: " + key.getAlgorithm());
        }
        if (t == KeyType.P256) {
            return fixed(((ECPublicKey) key).getW().getAffineX(), 32);
        }
        byte[] spki = key.getEncoded();
        return Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    }

    /**
     * Decodes a public key as EDHOC sends it: an X25519 u-coordinate, an Ed25519 point, or a P-256
     * x-coordinate (decompressed to one of its two points; either gives the same ECDH result).
     *
     * @throws GeneralSecurityException if it is not a valid key of that type
     */
    public static PublicKey decode(KeyType type, byte[] encoded) throws GeneralSecurityException {
        if (encoded == null || encoded.length != type.encodedLength()) {
            throw new InvalidKeyException("a " + type + " public key has " + type.encodedLength() + " bytes");
        }
        return switch (type) {
            case X25519 -> KeyFactory.getInstance("XDH").generatePublic(new X509EncodedKeySpec(concat(X25519_SPKI,
                    encoded)));
            case ED25519 -> KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(
                    ED25519_SPKI, encoded)));
            case P256 -> p256Compressed(encoded);
        };
    }

    /** @return the P-256 public key (x, y), checked to be on the curve */
    public static PublicKey p256(byte[] x, byte[] y) throws GeneralSecurityException {
        BigInteger bx = new BigInteger(1, x);
        BigInteger by = new BigInteger(1, y);
        if (bx.compareTo(P) >= 0 || by.compareTo(P) >= 0 || !by.multiply(by).mod(P).equals(rhs(bx))) {
            throw new InvalidKeyException("the point is not on P-256");
        }
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(bx, by), P256));
    }

    /** @return the P-256 point with this x-coordinate and an even y */
    static PublicKey p256Compressed(byte[] x) throws GeneralSecurityException {
        BigInteger bx = new BigInteger(1, x);
        if (bx.compareTo(P) >= 0) {
            throw new InvalidKeyException("x-coordinate out of range");
        }
        BigInteger rhs = rhs(bx);
        // p = 3 mod 4: a square root is rhs^((p+1)/4)
        BigInteger y = rhs.modPow(P.add(BigInteger.ONE).shiftRight(2), P);
        if (!y.multiply(y).mod(P).equals(rhs)) {
            throw new InvalidKeyException("no point on P-256 has this x-coordinate");
        }
        if (y.testBit(0)) {
            y = P.subtract(y);
        }
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(bx, y), P256));
    }

    private static BigInteger rhs(BigInteger x) {
        return x.pow(3).subtract(x.multiply(THREE)).add(B).mod(P);
    }

    /** @return the private key from its raw encoding: 32-byte scalar (X25519, P-256) or seed (Ed25519) */
    public static PrivateKey privateKey(KeyType type, byte[] raw) throws GeneralSecurityException {
        return switch (type) {
            case X25519 -> KeyFactory.getInstance("XDH").generatePrivate(new XECPrivateKeySpec(
                    NamedParameterSpec.X25519, raw.clone()));
            case ED25519 -> KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(
                    NamedParameterSpec.ED25519, raw.clone()));
            case P256 -> KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(new BigInteger(1, raw),
                    P256));
        };
    }

    /** @return a fresh key pair of this type */
    public static KeyPair generate(KeyType type, SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator g;
        AlgorithmParameterSpec spec;
        switch (type) {
            case X25519 -> {
                g = KeyPairGenerator.getInstance("XDH");
                spec = NamedParameterSpec.X25519;
            }
            case ED25519 -> {
                g = KeyPairGenerator.getInstance("Ed25519");
                spec = NamedParameterSpec.ED25519;
            }
            default -> {
                g = KeyPairGenerator.getInstance("EC");
                spec = new ECGenParameterSpec("secp256r1");
            }
        }
        g.initialize(spec, random);
        return g.generateKeyPair();
    }

    /**
     * @return the Diffie-Hellman shared secret: 32 bytes (the x-coordinate for P-256)
     * @throws GeneralSecurityException if the keys do not fit or the peer's key is invalid (an
     *     X25519 point of small order, say)
     */
    static byte[] dh(KeyType curve, PrivateKey own, PublicKey peer) throws GeneralSecurityException {
        if (typeOf(own) != curve || typeOf(peer) != curve) {
            throw new InvalidKeyException("keys are not both " + curve);
        }
        KeyAgreement ka = KeyAgreement.getInstance(curve == KeyType.X25519 ? "XDH" : "ECDH");
        ka.init(own);
        ka.doPhase(peer, true);
        byte[] s = ka.generateSecret();
        if (s.length != curve.encodedLength()) {
            throw new InvalidKeyException("unexpected shared secret length " + s.length);
        }
        return s;
    }

    static byte[] sign(SignatureAlgorithm alg, PrivateKey key, byte[] data) throws GeneralSecurityException {
        Signature s = Signature.getInstance(alg.jdkName());
        s.initSign(key);
        s.update(data);
        return s.sign();
    }

    static boolean verify(SignatureAlgorithm alg, PublicKey key, byte[] data, byte[] signature) {
        if (signature.length != 64) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(alg.jdkName());
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec("secp256r1"));
            return p.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no P-256", e);
        }
    }

    static byte[] fixed(BigInteger v, int length) {
        byte[] b = v.toByteArray();
        if (b.length == length) {
            return b;
        }
        byte[] out = new byte[length];
        if (b.length > length) {
            System.arraycopy(b, b.length - length, out, 0, length);
        } else {
            System.arraycopy(b, 0, out, length - b.length, b.length);
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}
