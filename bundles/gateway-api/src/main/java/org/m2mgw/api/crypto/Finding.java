package org.m2mgw.api.crypto;

import java.util.List;
import java.util.Objects;

/**
 * A posture finding: something about a device's credentials that field surveys of M2M fleets
 * keep finding, with what to do about it.
 *
 * @param kind what was found
 * @param severity how bad: WARN, EXPIRING, EXPIRED or RETIRED
 * @param deviceIds the devices concerned (several for a shared key)
 * @param detail what exactly, without secrets
 * @param advice what the operator should do
 * @since 1.0
 */
public record Finding(Kind kind, CryptoStatus severity, List<String> deviceIds, String detail, String advice) {

    /** What a finding is about. */
    public enum Kind {
        /** One key is registered for several devices. */
        SHARED_KEY,
        /** A PSK that is short, of low entropy, or a published demo or default key. */
        WEAK_PSK,
        /** An RPK or certificate key below the policy's minimum strength. */
        WEAK_KEY,
        /** A certificate (device or trust anchor) past or near its end of validity. */
        CERTIFICATE_EXPIRY,
        /** A key past or near the policy's maximum age. */
        KEY_AGE,
        /** A device whose last suite is retired or retiring. */
        RETIRING_SUITE,
        /** A device that never resumes and pays a full handshake each time. */
        NO_RESUMPTION
    }

    /**
     * @throws NullPointerException if a field is null
     */
    public Finding {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
        deviceIds = List.copyOf(deviceIds);
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(advice, "advice");
    }
}
