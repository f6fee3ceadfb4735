package org.m2mgw.oscore.internal.edhoc;

/**
 * A hash algorithm of a cipher suite, by its COSE identifier, with the JDK names of the digest and
 * of the HMAC that EDHOC's HKDF (RFC 5869) is built on.
 *
 * @param coseId the COSE algorithm identifier (-16 for SHA-256)
 * @param digest the JDK {@code MessageDigest} name
 * @param hmac the JDK {@code Mac} name
 * @param length the output length in bytes
 * @param hkdfCoseId the COSE identifier of the HKDF built on it (RFC 9053; OSCORE names its HKDF so)
 */
public record HashAlgorithm(int coseId, String digest, String hmac, int length, int hkdfCoseId) {

    /** SHA-256 (COSE -16), with HKDF SHA-256 (COSE -10). */
    public static final HashAlgorithm SHA_256 = new HashAlgorithm(-16, "SHA-256", "HmacSHA256", 32, -10);
}
