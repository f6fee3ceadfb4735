package org.m2mgw.api.crypto;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.m2mgw.api.device.CredentialType;

/**
 * One device in the {@link CryptoInventory}.
 *
 * @param deviceId the device
 * @param credentialType its credential type
 * @param keyAlgorithm the key's algorithm ({@code PSK}, {@code EC secp256r1})
 * @param keyStrengthBits the key's strength in bits
 * @param keyFingerprint a fingerprint of the key: SHA-256 of the public key or certificate, or for
 *     a PSK a keyed hash (never the key, and not comparable across gateways)
 * @param keyCreated when the key was registered, if known
 * @param suite the last negotiated suite, if any
 * @param protocol the protocol of the last session, if any
 * @param recordsProtected records protected under the current session key
 * @param macFailures records that failed authentication under the current session key
 * @param lastHandshake the last handshake (full or resumed), if any
 * @param fullHandshakes full handshakes seen
 * @param resumptions resumptions seen
 * @param certificateNotAfter the device certificate's end of validity, for X.509
 * @param anchorNotAfter the earliest end of validity among the trust anchors, for X.509
 * @param verdict where the device stands, with the reason and the date behind it
 * @param lastEvent the last crypto event the gateway acted on ("session closed: suite retired"), if any
 * @param airtime what the device's datagrams cost on the air, one entry per protocol it used, in the
 *     order of the {@link Airtime} constants (since 1.1)
 * @param handshakesToday handshakes (full, resumed or EDHOC) the device made since midnight UTC (since 1.1)
 * @param handshakesYesterday handshakes it made the UTC day before (since 1.1)
 * @since 1.0
 */
public record InventoryEntry(String deviceId, CredentialType credentialType, String keyAlgorithm,
        int keyStrengthBits, String keyFingerprint, Optional<Instant> keyCreated, Optional<String> suite,
        Optional<String> protocol, long recordsProtected, long macFailures, Optional<Instant> lastHandshake,
        long fullHandshakes, long resumptions, Optional<Instant> certificateNotAfter,
        Optional<Instant> anchorNotAfter, Verdict verdict, Optional<String> lastEvent, List<Airtime> airtime,
        long handshakesToday, long handshakesYesterday) {

    /** Copies the airtime list. */
    public InventoryEntry {
        airtime = airtime == null ? List.of() : List.copyOf(airtime);
    }

    /** @return whether the device's key or last suite rests on a quantum-vulnerable algorithm */
    public boolean quantumVulnerable() {
        return credentialType != CredentialType.PSK
                || suite.flatMap(Suites::byId).map(SuiteDescriptor::quantumVulnerable).orElse(false);
    }
}
