package org.m2mgw.api.crypto;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.m2mgw.api.device.CredentialType;

/**
 * What the gateway knows of one device key, never the key itself.
 *
 * @param type the credential type
 * @param algorithm the key's algorithm ({@code PSK}, {@code EC secp256r1}, {@code RSA 2048},
 *     {@code Ed25519})
 * @param strengthBits its classical security strength in bits (NIST SP 800-57 part 1, table 2);
 *     for a PSK, the bits of its length, or fewer where the key is visibly of low entropy
 * @param quantumVulnerable whether a quantum computer running Shor's algorithm breaks it
 * @param created when the key was registered, if known
 * @param notAfter for certificates, the end of validity, if any
 * @since 1.0
 */
public record KeyFacts(CredentialType type, String algorithm, int strengthBits, boolean quantumVulnerable,
        Optional<Instant> created, Optional<Instant> notAfter) {

    /**
     * @throws NullPointerException if a field is null
     */
    public KeyFacts {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(notAfter, "notAfter");
    }
}
