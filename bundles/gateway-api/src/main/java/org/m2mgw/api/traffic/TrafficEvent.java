package org.m2mgw.api.traffic;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One security or traffic fact observed by a transport, about a device (when it is known) and the
 * network address it used. These events feed anomaly detection, counters and the console.
 * Instances are immutable and never hold key material or payloads.
 *
 * @since 0.1
 */
public final class TrafficEvent {
    private final TrafficEventType type;
    private final String transport;
    private final String deviceId;
    private final String sourceAddress;
    private final String reason;
    private final String resource;
    private final long bytes;
    private final Instant time;

    private TrafficEvent(Builder b) {
        this.type = Objects.requireNonNull(b.type, "type");
        this.transport = Objects.requireNonNull(b.transport, "transport");
        this.deviceId = b.deviceId;
        this.sourceAddress = Objects.requireNonNull(b.sourceAddress, "sourceAddress");
        this.reason = b.reason == null ? "" : b.reason;
        this.resource = b.resource;
        this.bytes = b.bytes;
        this.time = b.time == null ? Instant.now() : b.time;
    }

    /**
     * @param type the kind of event
     * @param transport the transport that saw it, e.g. {@code coaps}
     * @param sourceAddress the device's network address, e.g. {@code 192.0.2.7:40123}
     * @return a builder
     */
    public static Builder builder(TrafficEventType type, String transport, String sourceAddress) {
        Builder b = new Builder();
        b.type = type;
        b.transport = transport;
        b.sourceAddress = sourceAddress;
        return b;
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

    /** @return the peer address as {@code host:port} */
    public String sourceAddress() {
        return sourceAddress;
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
                + "@" + sourceAddress + (reason.isEmpty() ? "" : " reason=" + reason)
                + (bytes != 0 ? " bytes=" + bytes : "") + "]";
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
        private String sourceAddress;
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
