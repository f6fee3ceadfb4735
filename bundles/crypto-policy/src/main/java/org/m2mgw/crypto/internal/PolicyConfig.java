package org.m2mgw.crypto.internal;

import org.m2mgw.api.crypto.CryptoPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The crypto policy as the operator configures it (console, Kura snapshot, configurator file).
 * Shipped defaults follow RFC 7925 (the IoT profile of DTLS 1.2) for the suites and NIST IR 8547
 * (transition to post-quantum cryptography) for the dates of quantum-vulnerable public-key
 * algorithms; docs/crypto-lifecycle.md explains each and how to change them.
 */
@ObjectClassDefinition(id = CryptoPolicyComponent.PID, name = "m2mgw crypto policy",
        description = "Which DTLS suites each credential type may use and until when, minimum key "
                + "strength, maximum key age, AEAD usage limits, and the device radio energy per byte the "
                + "inventory turns airtime into. Changes apply at once: new "
                + "handshakes with a retired suite are refused, live sessions on it are closed.")
public @interface PolicyConfig {

    @AttributeDefinition(name = "suites.psk", description = "Suites PSK devices may use, each as NAME or "
            + "NAME@YYYY-MM-DD (not after that day, UTC). Default: the RFC 7925 suite "
            + "TLS_PSK_WITH_AES_128_CCM_8 and the other AEAD PSK suites the listener offers by default.")
    String[] suites_psk() default {"TLS_PSK_WITH_AES_128_CCM_8", "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256",
        "TLS_PSK_WITH_AES_128_CCM", "TLS_PSK_WITH_AES_128_GCM_SHA256"};

    @AttributeDefinition(name = "suites.rpk", description = "Suites raw-public-key devices may use, "
            + "NAME or NAME@YYYY-MM-DD; EDHOC cipher suites are EDHOC_SUITE_0..EDHOC_SUITE_6 and "
            + "EDHOC_SUITE_ASCON_PRIVATE. Default: the RFC 7925 suite TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, "
            + "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and the EDHOC suites the OSCORE listener offers by "
            + "default (2 and 0), until 2035-01-01 (NIST IR 8547: ECDSA and ECDH disallowed after 2035).")
    String[] suites_rpk() default {"TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8@2035-01-01",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256@2035-01-01", "EDHOC_SUITE_2@2035-01-01",
        "EDHOC_SUITE_0@2035-01-01"};

    @AttributeDefinition(name = "suites.x509", description = "Suites certificate devices may use, "
            + "NAME or NAME@YYYY-MM-DD. Default: as for raw public keys.")
    String[] suites_x509() default {"TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8@2035-01-01",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256@2035-01-01", "EDHOC_SUITE_2@2035-01-01",
        "EDHOC_SUITE_0@2035-01-01"};

    @AttributeDefinition(name = "min.strength.bits", description = "Minimum security strength of a "
            + "device key and suite in bits (NIST SP 800-57 part 1), 80..256. Weaker ones are retired. "
            + "Default: 112.", min = "80", max = "256")
    int min_strength_bits() default 112;

    @AttributeDefinition(name = "quantum.vulnerable.deprecated", description = "From this day (UTC, "
            + "YYYY-MM-DD) quantum-vulnerable keys below 128 bits are retired and the others warned "
            + "about. Default: 2030-01-01 (NIST IR 8547: 112-bit RSA and ECC deprecated after 2030).")
    String quantum_vulnerable_deprecated() default "2030-01-01";

    @AttributeDefinition(name = "quantum.vulnerable.disallowed", description = "From this day (UTC, "
            + "YYYY-MM-DD) every quantum-vulnerable key (RSA, ECDSA, EdDSA) is retired. Default: "
            + "2035-01-01 (NIST IR 8547).")
    String quantum_vulnerable_disallowed() default "2035-01-01";

    @AttributeDefinition(name = "key.max.age.days.psk", description = "Maximum age of a pre-shared key "
            + "in days, 0 for none, up to 36500. Default: 730 (NIST SP 800-57 part 1: up to two years "
            + "for a symmetric authentication key).", min = "0", max = "36500")
    int key_max_age_days_psk() default 730;

    @AttributeDefinition(name = "key.max.age.days.rpk", description = "Maximum age of a raw public "
            + "key in days, 0 for none, up to 36500. Default: 1095 (NIST SP 800-57 part 1: one to "
            + "three years for a private authentication key).", min = "0", max = "36500")
    int key_max_age_days_rpk() default 1095;

    @AttributeDefinition(name = "key.max.age.days.x509", description = "Maximum age of a certificate "
            + "binding in days, 0 for none (the certificate's own validity governs), up to 36500. "
            + "Default: 0.", min = "0", max = "36500")
    int key_max_age_days_x509() default 0;

    @AttributeDefinition(name = "key.age.grace.days", description = "Days a key may be used past its "
            + "maximum age before it counts as expired, 0..3650. Default: 90.", min = "0", max = "3650")
    int key_age_grace_days() default 90;

    @AttributeDefinition(name = "warning.days", description = "Days before a policy date (suite "
            + "not-after, key age, certificate expiry) from which a device is reported as expiring, "
            + "1..3650. Default: 90.", min = "1", max = "3650")
    int warning_days() default 90;

    @AttributeDefinition(name = "aead.limits", description = "Per-key AEAD usage limits that replace "
            + "the built-in ones, each as AEAD:RECORDS:FAILURES (for example AES_128_CCM_8:8388608:128). "
            + "Default: none; the built-in limits follow RFC 8446 5.5 and RFC 9147 4.5.3 "
            + "(AES_128_CCM_8 closes a session after 128 failed records).")
    String[] aead_limits() default {};

    @AttributeDefinition(name = "energy.device.tx.nanojoules.per.byte", description = "Radio energy a device "
            + "spends per byte it transmits, in nanojoules, 1..10000000; the inventory turns airtime into "
            + "energy with it. Devices transmit what the gateway receives. Default: 1670.4, an IEEE 802.15.4 "
            + "radio (Texas Instruments CC2420 datasheet: TX 17.4 mA at 0 dBm, 3 V, 250 kbit/s, so 32 "
            + "microseconds per byte).", min = "1", max = "10000000")
    double energy_device_tx_nanojoules_per_byte() default CryptoPolicy.DEFAULT_TX_NJ_PER_BYTE;

    @AttributeDefinition(name = "energy.device.rx.nanojoules.per.byte", description = "Radio energy a device "
            + "spends per byte it receives, in nanojoules, 1..10000000. Devices receive what the gateway "
            + "sends (and transmit what it receives). Default: 1804.8, an IEEE 802.15.4 radio (Texas "
            + "Instruments CC2420 datasheet: RX 18.8 mA, 3 V, 250 kbit/s, so 32 microseconds per byte).",
            min = "1", max = "10000000")
    double energy_device_rx_nanojoules_per_byte() default CryptoPolicy.DEFAULT_RX_NJ_PER_BYTE;
}
