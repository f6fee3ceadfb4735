package org.m2mgw.api.message;

import java.util.Objects;

/**
 * The answer of a {@link DeviceMessageConsumer}: the message is durably stored, or it is refused
 * with a reason and a hint for when the device should retry.
 *
 * @since 0.1
 */
public final class Acceptance {
    private static final Acceptance ACCEPTED = new Acceptance(true, "", 0);

    private final boolean accepted;
    private final String reason;
    private final int retryAfterSeconds;

    private Acceptance(boolean accepted, String reason, int retryAfterSeconds) {
        this.accepted = accepted;
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
        return new Acceptance(false, Objects.requireNonNull(reason, "reason"), retryAfterSeconds);
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
        return accepted ? "accepted" : "refused(" + reason + ", retry in " + retryAfterSeconds + " s)";
    }
}
