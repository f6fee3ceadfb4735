package org.m2mgw.codec.internal;

/**
 * A payload that does not decode as its content format says. Only the reason travels: encoders
 * turn it into a {@link org.m2mgw.codec.PayloadException} that names device and resource.
 */
final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String reason) {
        // No stack trace: this is an expected outcome for bad device input, not a bug.
        super(reason, null, false, false);
    }
}
