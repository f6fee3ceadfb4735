package org.m2mgw.api.crypto;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.m2mgw.api.device.CredentialType;

/**
 * What a negotiated suite is made of, in the terms a policy judges it by.
 *
 * @param id the suite's name as its protocol names it ({@code TLS_PSK_WITH_AES_128_CCM_8})
 * @param protocol the protocol ({@code DTLS 1.2}, {@code OSCORE})
 * @param keyExchange how keys are agreed ({@code PSK}, {@code ECDHE_PSK}, {@code ECDHE_ECDSA})
 * @param credentialTypes the device credentials it works with
 * @param aead the record protection ({@code AES_128_CCM_8}); CBC suites name their cipher and MAC
 * @param strengthBits classical security strength in bits: the weakest of its parts
 * @param quantumVulnerable whether its authentication or confidentiality rests only on
 *     elliptic-curve or RSA problems that a cryptographically relevant quantum computer breaks
 *     (NIST IR 8547); a PSK suite is not, even with ECDHE on top
 * @param limits the per-key usage limits of its AEAD
 * @since 1.0
 */
public record SuiteDescriptor(String id, String protocol, String keyExchange, Set<CredentialType> credentialTypes,
        String aead, int strengthBits, boolean quantumVulnerable, AeadLimits limits) {

    /**
     * @throws NullPointerException if a field is null
     * @throws IllegalArgumentException if no credential type is given or the strength is not positive
     */
    public SuiteDescriptor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(keyExchange, "keyExchange");
        Objects.requireNonNull(aead, "aead");
        Objects.requireNonNull(limits, "limits");
        if (credentialTypes.isEmpty() || strengthBits <= 0) {
            throw new IllegalArgumentException("suite " + id + " needs a credential type and a strength");
        }
        credentialTypes = Collections.unmodifiableSet(EnumSet.copyOf(credentialTypes));
    }

    /** @return whether the record protection is an AEAD (CBC with HMAC is not) */
    public boolean isAead() {
        return !aead.contains("CBC");
    }
}
