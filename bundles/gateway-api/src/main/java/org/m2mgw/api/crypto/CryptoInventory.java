package org.m2mgw.api.crypto;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.m2mgw.api.device.CredentialType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Per device: which credential, key and suite it uses, how much its current key has done, and
 * where it stands against the {@link CryptoPolicy}. Transports report what they see; the console,
 * the shell and the cloud read it. It survives restarts.
 *
 * <p>The report methods are called on transport threads: they must return at once (no I/O).
 *
 * @since 1.0
 */
@ProviderType
public interface CryptoInventory {

    /**
     * A session was established.
     *
     * @param deviceId the device
     * @param protocol the protocol ({@link Suites#DTLS_1_2})
     * @param suiteId the negotiated suite
     * @param type the credential the device authenticated with
     * @param full true for a full handshake, false for a resumption
     * @param at when
     */
    void handshake(String deviceId, String protocol, String suiteId, CredentialType type, boolean full, Instant at);

    /**
     * The certificate a device authenticated with (X.509 devices), for its expiry and key strength.
     *
     * @param deviceId the device
     * @param leaf the device's certificate
     */
    void certificate(String deviceId, java.security.cert.X509Certificate leaf);

    /**
     * Use of the device's current session key so far (totals, not increments).
     *
     * @param deviceId the device
     * @param recordsProtected records protected under the key, both directions
     * @param macFailures records that failed authentication under the key
     */
    void usage(String deviceId, long recordsProtected, long macFailures);

    /**
     * The gateway ended a device's session or refused its handshake for a crypto reason (suite
     * retired, integrity limit reached, key expired).
     *
     * @param deviceId the device
     * @param reason why, in words
     * @param at when
     */
    void ended(String deviceId, String reason, Instant at);

    /**
     * A cloud uplink connected (or reconnected): what protects it.
     *
     * @param uplink the negotiated protection
     */
    void uplink(UplinkEntry uplink);

    /**
     * Adds what a device's datagrams cost on the air since the transport's last report. Transports
     * add up per device and report every few seconds, never per datagram.
     *
     * @param deviceId the device
     * @param delta counts since the last report, one per protocol
     * @since 1.1
     */
    default void airtime(String deviceId, java.util.Collection<Airtime> delta) {
    }

    /** @return the cloud uplinks last reported, by name */
    List<UplinkEntry> uplinks();

    /** @return every device's entry, by device id */
    List<InventoryEntry> entries();

    /**
     * @param deviceId a device id
     * @return its entry, if the device is registered
     */
    Optional<InventoryEntry> entry(String deviceId);

    /** @return the posture findings (shared keys, weak keys, no resumption and so on), worst first */
    List<Finding> findings();
}
