package org.m2mgw.oscore.internal.oscore;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * The COSE_Encrypt0 parts of OSCORE (RFC 8613 section 5): the external_aad of section 5.4 and the
 * Enc_structure (RFC 9052 section 5.3) that is the AEAD's additional data, and sealing and opening
 * with a context's keys.
 */
final class Cose {
    /** oscore_version (RFC 8613 section 5.4). */
    static final int OSCORE_VERSION = 1;
    private static final byte[] EMPTY = new byte[0];

    private Cose() {
    }

    /**
     * @return external_aad = bstr .cbor [oscore_version, [alg_aead], request_kid, request_piv,
     *     options] with no I options (section 5.4)
     */
    static byte[] externalAad(int algorithm, byte[] requestKid, byte[] requestPiv) {
        return new CborWriter().array(5).integer(OSCORE_VERSION).array(1).integer(algorithm).bytes(requestKid)
                .bytes(requestPiv).bytes(EMPTY).toByteArray();
    }

    /** @return the Enc_structure ["Encrypt0", h'' (empty protected header), external_aad] */
    static byte[] aad(int algorithm, byte[] requestKid, byte[] requestPiv) {
        return new CborWriter().array(3).text("Encrypt0").bytes(EMPTY)
                .bytes(externalAad(algorithm, requestKid, requestPiv)).toByteArray();
    }

    static byte[] seal(OscoreContext ctx, byte[] nonce, byte[] aad, byte[] plaintext) throws OscoreException {
        try {
            byte[] c = ctx.senderAead().seal(nonce, aad, plaintext);
            ctx.usage().recordProtected();
            return c;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new OscoreException(OscoreException.Reason.CRYPTO_FAILURE, ctx.aead().name() + " seal failed", e);
        }
    }

    static byte[] open(OscoreContext ctx, byte[] nonce, byte[] aad, byte[] ciphertext) throws OscoreException {
        try {
            return ctx.recipientAead().open(nonce, aad, ciphertext == null ? EMPTY : ciphertext);
        } catch (AEADBadTagException e) {
            ctx.usage().recordFailedDecryption();
            throw new OscoreException(OscoreException.Reason.DECRYPTION_FAILED, "message for " + ctx
                    + " does not authenticate");
        } catch (GeneralSecurityException e) {
            throw new OscoreException(OscoreException.Reason.CRYPTO_FAILURE, ctx.aead().name() + " open failed", e);
        } catch (RuntimeException e) {
            // a provider that does not follow the contract for odd input: still the device's input
            ctx.usage().recordFailedDecryption();
            throw new OscoreException(OscoreException.Reason.DECRYPTION_FAILED, "message for " + ctx
                    + " refused by the AEAD: " + e.getClass().getSimpleName());
        }
    }
}
