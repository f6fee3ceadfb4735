package org.m2mgw.api.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An AEAD algorithm by its COSE algorithm identifier (RFC 9053 and the IANA "COSE Algorithms"
 * registry), as OSCORE (RFC 8613) and EDHOC (RFC 9528) use it. Crypto provider bundles register
 * one service per algorithm, with {@value #ALGORITHM} as a service property; the OSCORE transport
 * picks them up and lets them go as those bundles come and leave, so a new AEAD arrives with a
 * bundle update and no transport code changes.
 *
 * <p>Implementations are thread-safe.
 *
 * @since 1.1
 */
@ProviderType
public interface CoseAead {

    /** Service property: the COSE algorithm identifier, an {@code Integer}. */
    String ALGORITHM = "cose.alg";

    /** COSE 10: AES-CCM with a 128-bit key, a 64-bit tag and a 13-byte nonce (RFC 9053). */
    int AES_CCM_16_64_128 = 10;
    /** COSE 30: AES-CCM with a 128-bit key, a 128-bit tag and a 13-byte nonce (RFC 9053). */
    int AES_CCM_16_128_128 = 30;
    /** COSE 1: AES-GCM with a 128-bit key (RFC 9053). */
    int A128GCM = 1;
    /** COSE 24: ChaCha20-Poly1305 (RFC 9053). */
    int CHACHA20_POLY1305 = 24;
    /**
     * Ascon-AEAD128 (NIST SP 800-232): <em>not registered</em> with IANA; an identifier from the
     * COSE private-use range (below -65536), so both ends must be configured for it.
     */
    int ASCON_AEAD128_PRIVATE = -65_537;

    /** @return the COSE algorithm identifier */
    int algorithm();

    /** @return its name ({@code AES-CCM-16-64-128}) */
    String name();

    /** @return key length in bytes */
    int keyLength();

    /** @return nonce length in bytes */
    int nonceLength();

    /** @return authentication tag length in bytes */
    int tagLength();

    /** @return per-key usage limits, with their source */
    AeadLimits limits();

    /**
     * @param key the key, {@link #keyLength()} bytes
     * @return the keyed algorithm, for as many messages as the caller's limits allow
     * @throws IllegalArgumentException if the key has the wrong length
     */
    Keyed key(byte[] key);

    /** An AEAD with its key. Thread-safe. */
    @ProviderType
    interface Keyed {

        /**
         * @param nonce {@link CoseAead#nonceLength()} bytes, never used twice with this key
         * @param aad additional authenticated data
         * @param plaintext the plaintext
         * @return the ciphertext followed by the tag
         * @throws GeneralSecurityException if the provider fails (not for bad input)
         */
        byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext) throws GeneralSecurityException;

        /**
         * @param nonce the nonce it was sealed with
         * @param aad the additional authenticated data it was sealed with
         * @param ciphertext the ciphertext followed by the tag
         * @return the plaintext
         * @throws AEADBadTagException if it does not authenticate (wrong key, nonce, data or tag,
         *     or shorter than a tag)
         * @throws GeneralSecurityException if the provider fails
         */
        byte[] open(byte[] nonce, byte[] aad, byte[] ciphertext) throws GeneralSecurityException;
    }
}
