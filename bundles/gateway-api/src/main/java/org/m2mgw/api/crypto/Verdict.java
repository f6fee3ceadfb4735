package org.m2mgw.api.crypto;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The policy's answer about one suite, key or device: a status, the reason in words an operator
 * acts on, and the policy date that drives it.
 *
 * @since 1.0
 */
public final class Verdict {
    private static final Verdict OK = new Verdict(CryptoStatus.OK, "allowed", null);

    private final CryptoStatus status;
    private final String reason;
    private final Instant date;

    private Verdict(CryptoStatus status, String reason, Instant date) {
        this.status = Objects.requireNonNull(status, "status");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.date = date;
    }

    /** @return an OK verdict with no date */
    public static Verdict ok() {
        return OK;
    }

    /**
     * @param status the status
     * @param reason why
     * @param date the policy date that drives it, or null
     * @return a verdict
     */
    public static Verdict of(CryptoStatus status, String reason, Instant date) {
        return new Verdict(status, reason, date);
    }

    /** @return the status */
    public CryptoStatus status() {
        return status;
    }

    /** @return why, for operators and logs */
    public String reason() {
        return reason;
    }

    /** @return the policy date behind the status (a suite's not-after, a key's maximum age), if any */
    public Optional<Instant> date() {
        return Optional.ofNullable(date);
    }

    /** @return whether new sessions may use what this verdict is about */
    public boolean allowed() {
        return status != CryptoStatus.RETIRED && status != CryptoStatus.EXPIRED;
    }

    /**
     * @param other another verdict
     * @return the worse of the two (this one if equal)
     */
    public Verdict worst(Verdict other) {
        return other.status.ordinal() > status.ordinal() ? other : this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Verdict v && status == v.status && reason.equals(v.reason) && Objects.equals(date, v.date);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, reason, date);
    }

    @Override
    public String toString() {
        return status + ": " + reason + (date == null ? "" : " (" + date + ")");
    }
}
