package org.m2mgw.api.message;

import java.util.Objects;

/**
 * The answer of a {@link DeviceMessageConsumer}: the message is durably stored, or it is refused
 * with a reason and a hint for when the device should retry.
 *
 * @since 0.1
 */
public final class Acceptance {
    private static final Acceptance ACCEPTED = new Acceptance(true, null, "", 0);

    /**
     * Why a message was refused. A refusal for the message itself is final: the device must not
     * send the same again, and transports answer it with a 4.xx code. {@link #UNAVAILABLE} is the
     * only refusal worth a retry.
     *
     * @since 2.0
     */
    public enum Refusal {
        /** The gateway cannot store it now (queue full, no cloud connection): retry later (5.03). */
        UNAVAILABLE,
        /** No route sends the message's resource anywhere (4.04). */
        NO_ROUTE,
        /** The payload cannot be read in its Content-Format (4.00). */
        BAD_PAYLOAD,
        /** The Content-Format is not one the route's encoder takes (4.15). */
        UNSUPPORTED_FORMAT,
        /** The message, once encoded, exceeds a size limit (4.13). */
        TOO_LARGE,
        /** The resource name is not valid (see {@code ResourceNames}) (4.00). */
        INVALID_RESOURCE
    }

    private final boolean accepted;
    private final Refusal refusal;
    private final String reason;
    private final int retryAfterSeconds;

    private Acceptance(boolean accepted, Refusal refusal, String reason, int retryAfterSeconds) {
        this.accepted = accepted;
        this.refusal = refusal;
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** @return the answer for a message that is now durably stored */
    public static Acceptance accepted() {
        return ACCEPTED;
    }

    /**
     * @param reason why the message was refused, in words, for logs and counters
     * @param retryAfterSeconds when the device should try again; transports map it to CoAP Max-Age
     * @return a refusal
     */
    public static Acceptance refused(String reason, int retryAfterSeconds) {
        if (retryAfterSeconds < 0) {
            throw new IllegalArgumentException("retryAfterSeconds must be >= 0");
        }
        return new Acceptance(false, Refusal.UNAVAILABLE, Objects.requireNonNull(reason, "reason"), retryAfterSeconds);
    }

    /**
     * @param refusal why, as a code; not {@link Refusal#UNAVAILABLE} (use {@link #refused(String, int)})
     * @param reason why, in words, for logs and counters
     * @return a final refusal: the device must not retry the same message
     * @since 2.0
     */
    public static Acceptance rejected(Refusal refusal, String reason) {
        if (Objects.requireNonNull(refusal, "refusal") == Refusal.UNAVAILABLE) {
            throw new IllegalArgumentException("UNAVAILABLE is a refusal to retry: use refused(reason, seconds)");
        }
        return new Acceptance(false, refusal, Objects.requireNonNull(reason, "reason"), 0);
    }

    /** @return why it was refused, as a code; empty when accepted @since 2.0 */
    public java.util.Optional<Refusal> refusal() {
        return java.util.Optional.ofNullable(refusal);
    }

    /** @return whether the message is durably stored */
    public boolean isAccepted() {
        return accepted;
    }

    /** @return why the message was refused; empty when it was accepted */
    public String reason() {
        return reason;
    }

    /** @return seconds after which the device should retry; 0 when accepted */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    @Override
    public String toString() {
        return accepted ? "accepted" : refusal == Refusal.UNAVAILABLE
                ? "refused(" + reason + ", retry in " + retryAfterSeconds + " s)" : "rejected(" + refusal + ": " + reason + ")";
    }
}
