package org.m2mgw.update.internal.download;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The hash a package must have, as Kura sends it in {@code dp.download.hash}:
 * {@code {algorithm}:{hex}}. Cloud platforms spell the algorithm in several ways ({@code SHA-256},
 * {@code sha256}, {@code MD5}), so the name is matched ignoring case, dashes and underscores.
 */
record ExpectedHash(String algorithm, byte[] digest) {
    private static final Map<String, String> JCA_NAMES = Map.ofEntries(
            Map.entry("MD5", "MD5"),
            Map.entry("SHA1", "SHA-1"),
            Map.entry("SHA224", "SHA-224"),
            Map.entry("SHA256", "SHA-256"),
            Map.entry("SHA384", "SHA-384"),
            Map.entry("SHA512", "SHA-512"),
            Map.entry("SHA3224", "SHA3-224"),
            Map.entry("SHA3256", "SHA3-256"),
            Map.entry("SHA3384", "SHA3-384"),
            Map.entry("SHA3512", "SHA3-512"));

    /**
     * @throws IllegalArgumentException naming what is wrong: the form, the algorithm, the hex digits
     *     or their number
     */
    static ExpectedHash parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected hash '" + spec
                    + "' is not of the form {algorithm}:{hex digits}, e.g. SHA-256:9f86d0...");
        }
        String name = spec.substring(0, colon).trim();
        String jcaName = JCA_NAMES.get(name.toUpperCase(Locale.ROOT).replace("-", "").replace("_", ""));
        if (jcaName == null) {
            throw new IllegalArgumentException("expected hash uses the unsupported algorithm '" + name
                    + "'; supported: MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512, SHA3-224 to SHA3-512");
        }
        int length = newDigest(jcaName).getDigestLength();
        String hex = spec.substring(colon + 1).trim();
        byte[] digest;
        try {
            digest = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected " + jcaName + " hash is not hexadecimal: '" + hex + "'", e);
        }
        if (digest.length != length) {
            throw new IllegalArgumentException("expected " + jcaName + " hash has " + hex.length()
                    + " hex digits, " + jcaName + " has " + 2 * length);
        }
        return new ExpectedHash(jcaName, digest);
    }

    MessageDigest newDigest() {
        return newDigest(algorithm);
    }

    boolean matches(byte[] actual) {
        return MessageDigest.isEqual(digest, actual);
    }

    @Override
    public String toString() {
        return algorithm + ":" + HexFormat.of().formatHex(digest);
    }

    private static MessageDigest newDigest(String jcaName) {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("this JVM has no " + jcaName + " digest", e);
        }
    }
}
