package org.m2mgw.api.access;

import java.time.Instant;
import java.util.Objects;

/**
 * One restriction in force: on a device (quarantine, throttle) or on a source address (block).
 *
 * @since 0.1
 */
public final class Restriction {

    /** What a restriction does. */
    public enum Kind {
        /** The device's sessions are ended and its handshakes refused. */
        QUARANTINE,
        /** The device's requests beyond a rate get 4.29 Too Many Requests (RFC 8516). */
        THROTTLE,
        /** Datagrams from the source address are dropped before any DTLS processing. */
        BLOCK_ADDRESS,
        /**
         * Datagrams from every address of a prefix ({@code network/length}) are dropped.
         *
         * @since 1.1
         */
        BLOCK_PREFIX,
        /**
         * New handshakes from the source address beyond a rate are dropped; datagrams of sessions
         * already established from it pass. Used instead of a block where registered devices share
         * the address (a NAT): the misbehaving part is slowed, the neighbours keep working.
         *
         * @since 1.1
         */
        LIMIT_HANDSHAKES
    }

    private final Kind kind;
    private final String subject;
    private final double ratePerSecond;
    private final Instant until;
    private final String reason;
    private final String origin;

    /**
     * @param kind what it does
     * @param subject the device id, for {@link Kind#BLOCK_ADDRESS} the IP address, for
     *        {@link Kind#BLOCK_PREFIX} {@code network/length}
     * @param ratePerSecond the allowed request rate for {@link Kind#THROTTLE}, the allowed handshake
     *        rate (ClientHellos per second) for {@link Kind#LIMIT_HANDSHAKES}; 0 otherwise
     * @param until when it ends by itself
     * @param reason why, in words
     * @param origin who put it in place: a detector's name or {@code operator}
     */
    public Restriction(Kind kind, String subject, double ratePerSecond, Instant until, String reason, String origin) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.subject = Objects.requireNonNull(subject, "subject");
        this.ratePerSecond = ratePerSecond;
        this.until = Objects.requireNonNull(until, "until");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.origin = Objects.requireNonNull(origin, "origin");
    }

    /** @return what it does */
    public Kind kind() {
        return kind;
    }

    /** @return the device id, IP address or {@code network/length} prefix */
    public String subject() {
        return subject;
    }

    /** @return the allowed rate for a throttle */
    public double ratePerSecond() {
        return ratePerSecond;
    }

    /** @return when it ends */
    public Instant until() {
        return until;
    }

    /** @return why */
    public String reason() {
        return reason;
    }

    /** @return who put it in place */
    public String origin() {
        return origin;
    }

    @Override
    public String toString() {
        return kind + " " + subject + (kind == Kind.THROTTLE || kind == Kind.LIMIT_HANDSHAKES
                ? " to " + ratePerSecond + "/s" : "") + " until "
                + until + " by " + origin + ": " + reason;
    }
}
