package org.m2mgw.crypto.internal;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What can be told about a key without keeping it: algorithm, strength in bits (NIST SP 800-57
 * part 1, table 2), and for pre-shared keys whether they look weak.
 */
final class KeyAnalysis {

    /** A PSK shorter than this many bytes is reported: RFC 7925 section 4.2 asks for at least 128 bits. */
    static final int MIN_PSK_BYTES = 16;

    /**
     * Keys published as demo or default keys in examples and device manuals. A device using one
     * shares its key with everybody who read the example. (Californium's examples use
     * "secretPSK"; the rest are the usual default passwords.)
     */
    static final List<String> PUBLISHED_KEYS = List.of("secretPSK", "secretpsk", "password", "Password", "secret",
            "changeme", "default", "admin", "test", "1234", "12345678", "123456789", "1234567890",
            "0123456789abcdef", "0123456789ABCDEF", "00000000000000000000000000000000");

    /** The result for a PSK: a strength estimate and, if it is weak, why. */
    record PskQuality(int strengthBits, String weakness) {
        boolean weak() {
            return weakness != null;
        }
    }

    /** The result for a public key. */
    record PublicKeyInfo(String algorithm, int strengthBits) {
    }

    private KeyAnalysis() {
    }

    static PskQuality psk(byte[] key) {
        String asText = new String(key, StandardCharsets.ISO_8859_1);
        for (String published : PUBLISHED_KEYS) {
            if (published.equals(asText)) {
                return new PskQuality(0, "a published demo or default key");
            }
        }
        int distinct = (int) asText.chars().distinct().count();
        boolean printable = asText.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
        int bits = Math.min(256, key.length * 8);
        String weakness = null;
        if (key.length >= 4 && distinct <= Math.max(2, key.length / 8)) {
            bits = (int) Math.floor(key.length * log2(Math.max(distinct, 1)));
            weakness = "low entropy (" + distinct + " distinct byte values in " + key.length + ")";
        } else if (printable) {
            // A typed passphrase, not random bytes: at most log2(95) bits per character.
            bits = Math.min(bits, (int) Math.floor(key.length * log2(95)));
            if (key.length < 2 * MIN_PSK_BYTES) {
                weakness = "a text passphrase of " + key.length + " characters, not random bytes";
            }
        }
        if (weakness == null && key.length < MIN_PSK_BYTES) {
            weakness = "short (" + key.length * 8 + " bits; RFC 7925 asks for at least 128)";
        }
        return new PskQuality(bits, weakness);
    }

    static PublicKeyInfo publicKey(byte[] spki) {
        PublicKey key = decode(spki);
        if (key instanceof ECPublicKey ec) {
            int field = ec.getParams().getCurve().getField().getFieldSize();
            return new PublicKeyInfo("EC P-" + field, ecStrength(field));
        }
        if (key instanceof RSAPublicKey rsa) {
            int n = rsa.getModulus().bitLength();
            return new PublicKeyInfo("RSA " + n, rsaStrength(n));
        }
        if (key != null) {
            String alg = key.getAlgorithm().toUpperCase(Locale.ROOT);
            if (alg.contains("448")) {
                return new PublicKeyInfo("Ed448", 224);
            }
            return new PublicKeyInfo(alg.startsWith("ED") ? "Ed25519" : key.getAlgorithm(), 128);
        }
        return new PublicKeyInfo("unknown", 0);
    }

    static PublicKeyInfo publicKey(PublicKey key) {
        return publicKey(key.getEncoded());
    }

    private static PublicKey decode(byte[] spki) {
        for (String alg : new String[] {"EC", "RSA", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(spki));
            } catch (NoSuchAlgorithmException | InvalidKeySpecException | ClassCastException e) {
                // try the next algorithm
            }
        }
        return null;
    }

    /** NIST SP 800-57 part 1 table 2: f = 224..255 gives 112 bits, 256..383 128, 384..511 192, 512+ 256. */
    static int ecStrength(int fieldBits) {
        return fieldBits >= 512 ? 256 : fieldBits >= 384 ? 192 : fieldBits >= 256 ? 128 : fieldBits >= 224 ? 112 : 80;
    }

    /** NIST SP 800-57 part 1 table 2: 1024 gives 80 bits, 2048 112, 3072 128, 7680 192, 15360 256. */
    static int rsaStrength(int modulusBits) {
        return modulusBits >= 15360 ? 256 : modulusBits >= 7680 ? 192 : modulusBits >= 3072 ? 128
                : modulusBits >= 2048 ? 112 : 80;
    }

    static String sha256Fingerprint(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }
}
