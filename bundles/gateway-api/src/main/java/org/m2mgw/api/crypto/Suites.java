package org.m2mgw.api.crypto;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.m2mgw.api.device.CredentialType;

/**
 * The catalogue of suites the gateway's transports can negotiate, with their strengths and AEAD
 * limits. Facts, not policy: which of them a device may use is {@link CryptoPolicy}'s answer.
 *
 * <p>AEAD limits, per key, for a forgery or distinguishing advantage of about 2^-57:
 * <ul>
 * <li>AES-GCM: 2^24.5 records (RFC 8446 section 5.5), 2^36 failed records (RFC 9147 section 4.5.3);
 * <li>ChaCha20-Poly1305: no record limit below DTLS 1.2's 48-bit sequence numbers (RFC 8446
 * section 5.5), 2^36 failed records (RFC 9147 section 4.5.3);
 * <li>AES-CCM (16-byte tag): 2^23 records and 2^23.5 failed records (RFC 9147 section 4.5.3 and
 * its appendix B);
 * <li>AES-CCM_8 (8-byte tag): RFC 9147 gives no integrity limit and says the suite needs other
 * safeguards against forgery; with a 64-bit tag each attempt succeeds with probability 2^-64, so
 * the same 2^-57 target allows 2^7 = 128 failed records per key. Its record limit is CCM's.
 * <li>CBC with HMAC (not an AEAD): the CCM numbers, as a conservative stand-in.
 * </ul>
 *
 * @since 1.0
 */
public final class Suites {
    /** The protocol name of DTLS 1.2 suites. */
    public static final String DTLS_1_2 = "DTLS 1.2";

    private static final long TWO_POW_48 = 1L << 48;
    /** AES-GCM limits, RFC 8446 section 5.5 and RFC 9147 section 4.5.3. */
    public static final AeadLimits GCM = new AeadLimits(23_726_566L, 1L << 36,
            "RFC 8446 5.5 (2^24.5 records), RFC 9147 4.5.3 (2^36 failures)");
    /** ChaCha20-Poly1305 limits, RFC 8446 section 5.5 and RFC 9147 section 4.5.3. */
    public static final AeadLimits CHACHA20_POLY1305 = new AeadLimits(TWO_POW_48, 1L << 36,
            "RFC 8446 5.5 (no practical record limit), RFC 9147 4.5.3 (2^36 failures)");
    /** AES-CCM limits (16-byte tag), RFC 9147 section 4.5.3. */
    public static final AeadLimits CCM = new AeadLimits(1L << 23, 11_863_283L,
            "RFC 9147 4.5.3 (2^23 records, 2^23.5 failures)");
    /** AES-CCM_8 limits (8-byte tag): CCM's record limit, 2^7 failures for the same 2^-57 target. */
    public static final AeadLimits CCM_8 = new AeadLimits(1L << 23, 128,
            "RFC 9147 4.5.3 and appendix B (2^23 records; 2^7 failures for a 64-bit tag at 2^-57)");

    /** The protocol name of EDHOC cipher suites (RFC 9528), which key OSCORE (since 1.1). */
    public static final String EDHOC = "EDHOC";
    /** Prefix of EDHOC suite ids: {@code EDHOC_SUITE_2} is cipher suite 2 of RFC 9528 section 10.2 (since 1.1). */
    public static final String EDHOC_PREFIX = "EDHOC_SUITE_";
    /**
     * The id of EDHOC's private-use suite -24 with Ascon-AEAD128 (NIST SP 800-232), X25519 and EdDSA:
     * not registered with IANA (since 1.1).
     */
    public static final String EDHOC_ASCON_PRIVATE = EDHOC_PREFIX + "ASCON_PRIVATE";
    /** Ascon-AEAD128 limits: NIST SP 800-232's 2^54 bytes per key as 2^44 messages of 1 KiB; 2^36 failures. */
    public static final AeadLimits ASCON = new AeadLimits(1L << 44, 1L << 36,
            "NIST SP 800-232 (2^54 bytes per key, as 2^44 messages of 1 KiB); 2^36 failures as RFC 9147 4.5.3");

    private static final Map<String, SuiteDescriptor> BY_ID = new LinkedHashMap<>();

    static {
        for (String aes : new String[] {"128", "256"}) {
            int bits = Integer.parseInt(aes);
            psk("TLS_PSK_WITH_AES_" + aes + "_CCM_8", "AES_" + aes + "_CCM_8", bits, CCM_8);
            psk("TLS_PSK_WITH_AES_" + aes + "_CCM", "AES_" + aes + "_CCM", bits, CCM);
            ecdsa("TLS_ECDHE_ECDSA_WITH_AES_" + aes + "_CCM_8", "AES_" + aes + "_CCM_8", CCM_8);
            ecdsa("TLS_ECDHE_ECDSA_WITH_AES_" + aes + "_CCM", "AES_" + aes + "_CCM", CCM);
        }
        psk("TLS_PSK_WITH_AES_128_GCM_SHA256", "AES_128_GCM", 128, GCM);
        // Scandium spells the SHA-384 suites "SHA378"; the catalogue uses the names it negotiates.
        psk("TLS_PSK_WITH_AES_256_GCM_SHA378", "AES_256_GCM", 256, GCM);
        psk("TLS_PSK_WITH_AES_128_CBC_SHA256", "AES_128_CBC_HMAC_SHA256", 128, CCM);
        ecdhePsk("TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256", "AES_128_CBC_HMAC_SHA256", CCM);
        ecdhePsk("TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", "AES_128_GCM", GCM);
        ecdhePsk("TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA378", "AES_256_GCM", GCM);
        ecdhePsk("TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", "AES_128_CCM_8", CCM_8);
        ecdhePsk("TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256", "AES_128_CCM", CCM);
        ecdhePsk("TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "CHACHA20_POLY1305", CHACHA20_POLY1305);
        ecdsa("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "AES_128_GCM", GCM);
        ecdsa("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "AES_256_GCM", GCM);
        ecdsa("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "CHACHA20_POLY1305", CHACHA20_POLY1305);
        ecdsa("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "AES_128_CBC_HMAC_SHA256", CCM);
        ecdsa("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "AES_256_CBC_HMAC_SHA384", CCM);
        // EDHOC (RFC 9528 section 10.2): ephemeral ECDH, authenticated by signatures or static ECDH
        // keys; every suite rests on elliptic curves (NIST IR 8547).
        edhoc("0", "X25519", "AES-CCM-16-64-128", CCM_8);
        edhoc("1", "X25519", "AES-CCM-16-128-128", CCM);
        edhoc("2", "P-256", "AES-CCM-16-64-128", CCM_8);
        edhoc("3", "P-256", "AES-CCM-16-128-128", CCM);
        edhoc("4", "X25519", "ChaCha20/Poly1305", CHACHA20_POLY1305);
        edhoc("5", "P-256", "ChaCha20/Poly1305", CHACHA20_POLY1305);
        edhoc("6", "X25519", "A128GCM", GCM);
        edhoc("ASCON_PRIVATE", "X25519", "Ascon-AEAD128", ASCON);
    }

    private static void edhoc(String suite, String curve, String aead, AeadLimits limits) {
        put(new SuiteDescriptor(EDHOC_PREFIX + suite, EDHOC, "ECDHE " + curve,
                EnumSet.of(CredentialType.RAW_PUBLIC_KEY, CredentialType.X509), aead, 128, true, limits));
    }

    private static void psk(String id, String aead, int bits, AeadLimits limits) {
        put(new SuiteDescriptor(id, DTLS_1_2, "PSK", EnumSet.of(CredentialType.PSK), aead, bits, false, limits));
    }

    private static void ecdhePsk(String id, String aead, AeadLimits limits) {
        // The PSK keeps confidentiality even when the curve falls; strength stays the PSK's.
        put(new SuiteDescriptor(id, DTLS_1_2, "ECDHE_PSK", EnumSet.of(CredentialType.PSK), aead, 128, false, limits));
    }

    private static void ecdsa(String id, String aead, AeadLimits limits) {
        // secp256r1 (the curve the gateway offers): 128-bit classical strength, broken by Shor.
        put(new SuiteDescriptor(id, DTLS_1_2, "ECDHE_ECDSA",
                EnumSet.of(CredentialType.RAW_PUBLIC_KEY, CredentialType.X509), aead, 128, true, limits));
    }

    private static void put(SuiteDescriptor d) {
        BY_ID.put(d.id(), d);
    }

    private Suites() {
    }

    /**
     * @param id a suite name as the transport negotiates it (Scandium's names, including its
     *     "SHA378" spelling of the SHA-384 GCM suites; {@code EDHOC_SUITE_n} for EDHOC)
     * @return its descriptor, if the catalogue knows it
     */
    public static Optional<SuiteDescriptor> byId(String id) {
        return Optional.ofNullable(BY_ID.get(id));
    }

    /** @return every known suite, in a stable order */
    public static Collection<SuiteDescriptor> all() {
        return Collections.unmodifiableCollection(BY_ID.values());
    }
}
