package org.m2mgw.oscore.internal.oscore;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with SHA-256 (RFC 5869), the key derivation function of OSCORE's default HKDF algorithm
 * (RFC 8613 section 3.2.1). Built on the JDK's HmacSHA256.
 */
public final class Hkdf {
    /** SHA-256 output length in bytes. */
    public static final int HASH_LENGTH = 32;
    private static final String HMAC = "HmacSHA256";

    private Hkdf() {
    }

    /**
     * HKDF-Extract (RFC 5869 section 2.2).
     *
     * @param salt the salt; empty or {@code null} means HashLen zero bytes, as the RFC says
     * @param ikm the input keying material
     * @return the pseudorandom key, {@value #HASH_LENGTH} bytes
     */
    public static byte[] extract(byte[] salt, byte[] ikm) {
        // HMAC pads its key with zeros to the block size, so an empty salt and HashLen zeros are
        // the same key; the JCE refuses empty keys, hence the zeros.
        byte[] key = salt == null || salt.length == 0 ? new byte[HASH_LENGTH] : salt;
        return mac(key).doFinal(ikm);
    }

    /**
     * HKDF-Expand (RFC 5869 section 2.3).
     *
     * @param prk the pseudorandom key, at least {@value #HASH_LENGTH} bytes
     * @param info the context information
     * @param length the output length, at most 255 * {@value #HASH_LENGTH}
     * @return the output keying material
     */
    public static byte[] expand(byte[] prk, byte[] info, int length) {
        if (length < 0 || length > 255 * HASH_LENGTH) {
            throw new IllegalArgumentException("HKDF output length out of range: " + length);
        }
        Mac mac = mac(prk);
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int done = 0;
        for (int i = 1; done < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(t.length, length - done);
            System.arraycopy(t, 0, out, done, n);
            done += n;
        }
        return out;
    }

    /**
     * Extract then expand.
     *
     * @param salt the salt (may be empty)
     * @param ikm the input keying material
     * @param info the context information
     * @param length the output length
     * @return the output keying material
     */
    public static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
        return expand(extract(salt, ikm), info, length);
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            // every Java SE platform has HmacSHA256 and takes any non-empty key
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** For callers that need a fresh HMAC-SHA256 keyed with {@code key}. */
    static Mac hmac(byte[] key) throws GeneralSecurityException {
        Mac mac = Mac.getInstance(HMAC);
        mac.init(new SecretKeySpec(key, HMAC));
        return mac;
    }
}
