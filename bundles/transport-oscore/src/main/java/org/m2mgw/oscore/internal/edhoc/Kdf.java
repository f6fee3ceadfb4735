package org.m2mgw.oscore.internal.edhoc;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import org.m2mgw.oscore.internal.cbor.CborWriter;
import org.m2mgw.oscore.internal.oscore.Hkdf;

/**
 * EDHOC's hash and key derivation (RFC 9528 section 4.1): HKDF-Extract and HKDF-Expand (RFC 5869)
 * on the suite's HMAC, the same {@link Hkdf} that OSCORE derives its keys with, and EDHOC_KDF with
 * its CBOR-encoded info.
 */
final class Kdf {

    private Kdf() {
    }

    /** @return H(the concatenation of the parts) */
    static byte[] hash(HashAlgorithm h, byte[]... parts) throws GeneralSecurityException {
        MessageDigest d = MessageDigest.getInstance(h.digest());
        for (byte[] p : parts) {
            d.update(p);
        }
        return d.digest();
    }

    /** HKDF-Extract(salt, IKM) = HMAC(salt, IKM), on the suite's HMAC. */
    static byte[] extract(HashAlgorithm h, byte[] salt, byte[] ikm) throws GeneralSecurityException {
        return Hkdf.extract(h.hmac(), h.length(), salt, ikm);
    }

    /** HKDF-Expand(PRK, info, length), on the suite's HMAC. */
    static byte[] expand(HashAlgorithm h, byte[] prk, byte[] info, int length) throws GeneralSecurityException {
        return Hkdf.expand(h.hmac(), h.length(), prk, info, length);
    }

    /** EDHOC_KDF(PRK, info_label, context, length), info being the CBOR sequence (label, context, length). */
    static byte[] kdf(HashAlgorithm h, byte[] prk, int label, byte[] context, int length)
            throws GeneralSecurityException {
        byte[] info = new CborWriter().integer(label).bytes(context).integer(length).toByteArray();
        return expand(h, prk, info, length);
    }
}
