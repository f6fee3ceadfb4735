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

    /** @return a number that changes whenever the policy does */
    long revision();
}
