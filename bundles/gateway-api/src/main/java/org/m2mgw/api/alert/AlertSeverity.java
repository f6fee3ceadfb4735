package org.m2mgw.api.alert;

/**
 * How urgent an {@link Alert} is.
 *
 * @since 0.1
 */
public enum AlertSeverity {
    /** Worth a look; no action was taken. */
    INFO,
    /** Likely misuse or a fault; an action such as throttling may have been taken. */
    WARNING,
    /** An attack or a compromised device; quarantine may have been applied. */
    CRITICAL
}
