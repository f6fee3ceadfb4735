package org.m2mgw.oscore.internal.oscore;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF (RFC 5869) on a JDK HMAC. With SHA-256, the key derivation function of OSCORE's default HKDF
 * algorithm (RFC 8613 section 3.2.1); on any HMAC, the HKDF under EDHOC's cipher suites (RFC 9528
 * section 4.1), which names its HMAC by {@code hmac} and {@code hashLength}.
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
        return sha256(() -> extract(HMAC, HASH_LENGTH, salt, ikm));
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
        return sha256(() -> expand(HMAC, HASH_LENGTH, prk, info, length));
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

    /**
     * HKDF-Extract (RFC 5869 section 2.2) on another HMAC.
     *
     * @param hmac the JDK {@code Mac} name, such as {@code HmacSHA256}
     * @param hashLength the HMAC's output length in bytes
     * @param salt the salt; empty or {@code null} means {@code hashLength} zero bytes
     * @param ikm the input keying material
     * @return the pseudorandom key
     * @throws GeneralSecurityException if the HMAC is unavailable
     */
    public static byte[] extract(String hmac, int hashLength, byte[] salt, byte[] ikm) throws GeneralSecurityException {
        // HMAC pads its key with zeros to the block size, so an empty salt and HashLen zeros are
        // the same key; the JCE refuses empty keys, hence the zeros.
        byte[] key = salt == null || salt.length == 0 ? new byte[hashLength] : salt;
        return hmac(hmac, key).doFinal(ikm);
    }

    /**
     * HKDF-Expand (RFC 5869 section 2.3) on another HMAC.
     *
     * @param hmac the JDK {@code Mac} name, such as {@code HmacSHA256}
     * @param hashLength the HMAC's output length in bytes
     * @param prk the pseudorandom key
     * @param info the context information
     * @param length the output length, at most 255 * {@code hashLength}
     * @return the output keying material
     * @throws GeneralSecurityException if the length is out of range or the HMAC unavailable
     */
    public static byte[] expand(String hmac, int hashLength, byte[] prk, byte[] info, int length)
            throws GeneralSecurityException {
        if (length < 0 || length > 255 * hashLength) {
            throw new GeneralSecurityException("HKDF-Expand length out of range: " + length);
        }
        Mac mac = hmac(hmac, prk);
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

    /** For callers that need a fresh HMAC-SHA256 keyed with {@code key}. */
    static Mac hmac(byte[] key) throws GeneralSecurityException {
        return hmac(HMAC, key);
    }

    private static Mac hmac(String algorithm, byte[] key) throws GeneralSecurityException {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key, algorithm));
        return mac;
    }

    private interface Step {
        byte[] run() throws GeneralSecurityException;
    }

    private static byte[] sha256(Step step) {
        try {
            return step.run();
        } catch (GeneralSecurityException e) {
            // every Java SE platform has HmacSHA256 and takes any non-empty key
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
