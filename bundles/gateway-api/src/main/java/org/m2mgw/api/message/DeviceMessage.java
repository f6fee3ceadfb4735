package org.m2mgw.api.message;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One message that a field device sent to a gateway resource, after its secure session was
 * terminated and the device was authorized. Instances are immutable; {@link #payload()} returns a
 * copy.
 *
 * <p>A message has a gateway-unique {@link #messageId()} so that a consumer can deduplicate:
 * delivery to the cloud is at least once.
 *
 * @since 0.1
 */
public final class DeviceMessage {
    private final String messageId;
    private final String deviceId;
    private final String resource;
    private final int contentFormat;
    private final byte[] payload;
    private final Instant receivedAt;
    private final SecuritySummary security;

    private DeviceMessage(Builder b) {
        this.messageId = requireText(b.messageId, "messageId");
        this.deviceId = requireText(b.deviceId, "deviceId");
        this.resource = requireText(b.resource, "resource");
        this.contentFormat = b.contentFormat;
        this.payload = b.payload == null ? new byte[0] : b.payload.clone();
        this.receivedAt = Objects.requireNonNull(b.receivedAt, "receivedAt");
        this.security = Objects.requireNonNull(b.security, "security");
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the gateway-unique id of this message */
    public String messageId() {
        return messageId;
    }

    /** @return the id of the authenticated device that sent it */
    public String deviceId() {
        return deviceId;
    }

    /** @return the resource path without a leading slash, e.g. {@code telemetry/temp} */
    public String resource() {
        return resource;
    }

    /** @return the CoAP Content-Format number, see {@link ContentFormats} */
    public int contentFormat() {
        return contentFormat;
    }

    /** @return a copy of the payload bytes */
    public byte[] payload() {
        return payload.clone();
    }

    /** @return the payload length in bytes, without copying */
    public int payloadLength() {
        return payload.length;
    }

    /** @return when the gateway received the message */
    public Instant receivedAt() {
        return receivedAt;
    }

    /** @return what protected the message on its way in */
    public SecuritySummary security() {
        return security;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceMessage m && messageId.equals(m.messageId)
                && deviceId.equals(m.deviceId) && resource.equals(m.resource)
                && contentFormat == m.contentFormat && Arrays.equals(payload, m.payload)
                && receivedAt.equals(m.receivedAt);
    }

    @Override
    public int hashCode() {
        return messageId.hashCode();
    }

    @Override
    public String toString() {
        // The payload is device data, not a secret, but it can be large: print only its size.
        return "DeviceMessage[" + messageId + " from " + deviceId + " to /" + resource + ", cf="
                + contentFormat + ", " + payload.length + " bytes]";
    }

    /**
     * Builds {@link DeviceMessage} instances.
     *
     * @since 0.1
     */
    public static final class Builder {
        private String messageId;
        private String deviceId;
        private String resource;
        private int contentFormat = ContentFormats.UNDEFINED;
        private byte[] payload;
        private Instant receivedAt;
        private SecuritySummary security;

        private Builder() {
        }

        /** @param v the gateway-unique message id @return this */
        public Builder messageId(String v) {
            messageId = v;
            return this;
        }

        /** @param v the device id @return this */
        public Builder deviceId(String v) {
            deviceId = v;
            return this;
        }

        /** @param v the resource path, a leading slash is removed @return this */
        public Builder resource(String v) {
            resource = v != null && v.startsWith("/") ? v.substring(1) : v;
            return this;
        }

        /** @param v the CoAP Content-Format number @return this */
        public Builder contentFormat(int v) {
            contentFormat = v;
            return this;
        }

        /** @param v the payload, copied @return this */
        public Builder payload(byte[] v) {
            payload = v == null ? null : v.clone();
            return this;
        }

        /** @param v the receive time @return this */
        public Builder receivedAt(Instant v) {
            receivedAt = v;
            return this;
        }

        /** @param v what protected the message @return this */
        public Builder security(SecuritySummary v) {
            security = v;
            return this;
        }

        /**
         * @return the message
         * @throws IllegalArgumentException if a required field is missing or empty
         * @throws NullPointerException if the receive time or security summary is missing
         */
        public DeviceMessage build() {
            return new DeviceMessage(this);
        }
    }
}
