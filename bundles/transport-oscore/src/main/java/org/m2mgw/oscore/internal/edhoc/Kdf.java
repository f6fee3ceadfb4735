package org.m2mgw.oscore.internal.edhoc;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * EDHOC's hash and key derivation (RFC 9528 section 4.1): HKDF-Extract and HKDF-Expand (RFC 5869)
 * on the suite's HMAC, and EDHOC_KDF with its CBOR-encoded info.
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

    /** HKDF-Extract(salt, IKM) = HMAC(salt, IKM). */
    static byte[] extract(HashAlgorithm h, byte[] salt, byte[] ikm) throws GeneralSecurityException {
        Mac mac = Mac.getInstance(h.hmac());
        // HMAC with an empty key is defined (RFC 2104 pads it with zeros); the JCE refuses an empty key
        mac.init(new SecretKeySpec(salt.length == 0 ? new byte[h.length()] : salt, h.hmac()));
        return mac.doFinal(ikm);
    }

    /** HKDF-Expand(PRK, info, length). */
    static byte[] expand(HashAlgorithm h, byte[] prk, byte[] info, int length) throws GeneralSecurityException {
        if (length < 0 || length > 255 * h.length()) {
            throw new GeneralSecurityException("HKDF-Expand length out of range: " + length);
        }
        Mac mac = Mac.getInstance(h.hmac());
        mac.init(new SecretKeySpec(prk, h.hmac()));
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int at = 0;
        for (int i = 1; at < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(t.length, length - at);
            System.arraycopy(t, 0, out, at, n);
            at += n;
        }
        return out;
    }

    /** EDHOC_KDF(PRK, info_label, context, length), info being the CBOR sequence (label, context, length). */
    static byte[] kdf(HashAlgorithm h, byte[] prk, int label, byte[] context, int length)
            throws GeneralSecurityException {
        byte[] info = new CborWriter().integer(label).bytes(context).integer(length).toByteArray();
        return expand(h, prk, info, length);
    }
}
