package org.m2mgw.api.traffic;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One security or traffic fact observed by a transport, about a device (when it is known) and the
 * network address it used. These events feed anomaly detection, counters and the console.
 * Instances are immutable and never hold key material or payloads.
 *
 * <p>Everything a consumer needs to tell events apart is typed: the source is a socket address,
 * failures carry a {@link FailureCause}, the identity a peer claimed is its own field. The
 * {@link #reason()} text is for humans and may change between releases.
 *
 * @since 0.1
 */
public final class TrafficEvent {
    /** The source of events whose peer address is not known. */
    public static final InetSocketAddress UNKNOWN_SOURCE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final TrafficEventType type;
    private final String transport;
    private final String deviceId;
    private final InetSocketAddress source;
    private final FailureCause cause;
    private final String claimedIdentity;
    private final String reason;
    private final String resource;
    private final long bytes;
    private final Instant time;

    private TrafficEvent(Builder b) {
        this.type = Objects.requireNonNull(b.type, "type");
        this.transport = Objects.requireNonNull(b.transport, "transport");
        this.deviceId = b.deviceId;
        this.source = b.source == null ? UNKNOWN_SOURCE : b.source;
        this.cause = b.cause == null ? FailureCause.NONE : b.cause;
        this.claimedIdentity = b.claimedIdentity;
        this.reason = b.reason == null ? "" : b.reason;
        this.resource = b.resource;
        this.bytes = b.bytes;
        this.time = b.time == null ? Instant.now() : b.time;
    }

    /**
     * @param type the kind of event
     * @param transport the transport that saw it, e.g. {@code coaps}
     * @param source the peer's socket address; {@code null} when unknown
     * @return a builder
     * @since 1.1
     */
    public static Builder builder(TrafficEventType type, String transport, InetSocketAddress source) {
        Builder b = new Builder();
        b.type = type;
        b.transport = transport;
        b.source = source;
        return b;
    }

    /**
     * A builder for a source given as an IP literal with port, {@code 192.0.2.7:40123} or
     * {@code [2001:db8::1]:40123}; handy in tests and tools. No name is looked up.
     *
     * @param type the kind of event
     * @param transport the transport that saw it, e.g. {@code coaps}
     * @param source the peer's address as {@code host:port}
     * @return a builder
     * @throws IllegalArgumentException if {@code source} is not an IP literal with a port
     */
    public static Builder builder(TrafficEventType type, String transport, String source) {
        return builder(type, transport, parseSocketAddress(source));
    }

    private static InetSocketAddress parseSocketAddress(String s) {
        int colon = s == null ? -1 : s.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not host:port: " + s);
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!host.matches("[0-9A-Fa-f.:]+")) {
            throw new IllegalArgumentException("not an IP literal: " + s);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(s.substring(colon + 1)));
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("not host:port: " + s, e);
        }
    }

    /** @return the kind of event */
    public TrafficEventType type() {
        return type;
    }

    /** @return the transport that observed the event, e.g. {@code coaps} */
    public String transport() {
        return transport;
    }

    /** @return the authenticated device, empty when it is not (yet) known */
    public Optional<String> deviceId() {
        return Optional.ofNullable(deviceId);
    }

    /**
     * @return the peer's socket address ({@link #UNKNOWN_SOURCE} when unknown)
     * @since 1.1
     */
    public InetSocketAddress source() {
        return source;
    }

    /** @return the peer's IP address @since 1.1 */
    public InetAddress sourceIp() {
        return source.getAddress();
    }

    /** @return the peer address as {@code host:port} text, for display */
    public String sourceAddress() {
        String host = source.getAddress() == null ? source.getHostString() : source.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + source.getPort();
    }

    /** @return why it failed; {@link FailureCause#NONE} for events that are not failures @since 1.1 */
    public FailureCause cause() {
        return cause;
    }

    /**
     * @return the identity the peer presented when the gateway could not map it to a device, for
     *         example an unknown PSK identity; at most 64 characters; empty otherwise
     * @since 1.1
     */
    public Optional<String> claimedIdentity() {
        return Optional.ofNullable(claimedIdentity);
    }

    /** @return the reason in words for failures and rejections; empty otherwise */
    public String reason() {
        return reason;
    }

    /** @return the resource the event concerns, empty when none */
    public Optional<String> resource() {
        return Optional.ofNullable(resource);
    }

    /** @return a byte count for {@code BYTES_*} and {@code REQUEST} events; 0 otherwise */
    public long bytes() {
        return bytes;
    }

    /** @return when the event happened */
    public Instant time() {
        return time;
    }

    @Override
    public String toString() {
        return "TrafficEvent[" + type + " " + transport + " " + (deviceId == null ? "?" : deviceId)
                + "@" + sourceAddress() + (cause == FailureCause.NONE ? "" : " cause=" + cause)
                + (reason.isEmpty() ? "" : " reason=" + reason) + (bytes != 0 ? " bytes=" + bytes : "") + "]";
    }

    /**
     * Builds {@link TrafficEvent} instances.
     *
     * @since 0.1
     */
    public static final class Builder {
        private TrafficEventType type;
        private String transport;
        private String deviceId;
        private InetSocketAddress source;
        private FailureCause cause;
        private String claimedIdentity;
        private String reason;
        private String resource;
        private long bytes;
        private Instant time;

        private Builder() {
        }

        /** @param v the device id, {@code null} when unknown @return this */
        public Builder deviceId(String v) {
            deviceId = v;
            return this;
        }

        /** @param v why it failed @return this @since 1.1 */
        public Builder cause(FailureCause v) {
            cause = v;
            return this;
        }

        /**
         * @param v the identity the peer presented, cut to 64 characters; {@code null} for none
         * @return this
         * @since 1.1
         */
        public Builder claimedIdentity(String v) {
            claimedIdentity = v == null || v.length() <= 64 ? v : v.substring(0, 64);
            return this;
        }

        /** @param v the reason in words @return this */
        public Builder reason(String v) {
            reason = v;
            return this;
        }

        /** @param v the resource path @return this */
        public Builder resource(String v) {
            resource = v;
            return this;
        }

        /** @param v a byte count @return this */
        public Builder bytes(long v) {
            bytes = v;
            return this;
        }

        /** @param v the event time; defaults to now @return this */
        public Builder time(Instant v) {
            time = v;
            return this;
        }

        /** @return the event */
        public TrafficEvent build() {
            return new TrafficEvent(this);
        }
    }
}
