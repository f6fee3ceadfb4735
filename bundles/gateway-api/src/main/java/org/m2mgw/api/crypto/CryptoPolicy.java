package org.m2mgw.api.crypto;

import java.time.Instant;
import java.util.Optional;
import org.m2mgw.api.device.CredentialType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Which suites and keys devices may use, and until when. One service, configured by the
 * operator; a change takes effect at once and is announced to every {@link CryptoPolicyListener}.
 * Transports ask it at each handshake (cheap: no I/O, no locks on the hot path).
 *
 * @since 1.0
 */
@ProviderType
public interface CryptoPolicy {

    /**
     * @param type the device's credential type
     * @param suiteId a suite name ({@link SuiteDescriptor#id()})
     * @param at the time of the handshake
     * @return whether a new session with this suite is allowed for this credential type: OK or
     *         EXPIRING (allowed, retiring soon) or RETIRED (refused), with the reason and the
     *         suite's not-after date
     */
    Verdict suite(CredentialType type, String suiteId, Instant at);

    /**
     * @param key what is known of the device's key
     * @param at now
     * @return the key's standing: its strength against the minimum, its age against the maximum
     *         for its credential type (with the grace period), its algorithm's quantum dates
     */
    Verdict key(KeyFacts key, Instant at);

    /**
     * @param suiteId a suite name
     * @return the per-key AEAD limits the policy enforces for it (the catalogue's, unless the
     *         operator set others), if the suite is known
     */
    Optional<AeadLimits> limits(String suiteId);

    /** @return how many days before a policy date a device is reported EXPIRING */
    int warningDays();

    /**
     * The radio energy a device spends per byte it sends, to turn {@link Airtime} into what security
     * costs a battery. Operators set it for their radios; the default is an IEEE 802.15.4 radio
     * (Texas Instruments CC2420: 17.4 mA transmitting at 0 dBm, 3 V, 250 kbit/s: 1.67 µJ per byte).
     *
     * @return nanojoules per byte sent by a device (received by the gateway)
     * @since 1.1
     */
    default double deviceTxNanojoulesPerByte() {
        return DEFAULT_TX_NJ_PER_BYTE;
    }

    /**
     * @return nanojoules per byte a device receives (sent by the gateway); default CC2420: 18.8 mA
     *         receiving, 3 V, 250 kbit/s: 1.80 µJ per byte
     * @since 1.1
     */
    default double deviceRxNanojoulesPerByte() {
        return DEFAULT_RX_NJ_PER_BYTE;
    }

    /** Default of {@link #deviceTxNanojoulesPerByte()}: 17.4 mA x 3 V x 32 µs (CC2420 datasheet). */
    double DEFAULT_TX_NJ_PER_BYTE = 1670.4;
    /** Default of {@link #deviceRxNanojoulesPerByte()}: 18.8 mA x 3 V x 32 µs (CC2420 datasheet). */
    double DEFAULT_RX_NJ_PER_BYTE = 1804.8;

    /** @return a number that changes whenever the policy does */
    long revision();
}
