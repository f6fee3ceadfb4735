package org.m2mgw.api.command;

import java.time.Instant;
import java.util.Objects;

/**
 * A command from the cloud for one device, held until the device fetches it or it expires.
 *
 * @since 0.1
 */
public final class Command {
    private final String commandId;
    private final String deviceId;
    private final int contentFormat;
    private final byte[] payload;
    private final Instant createdAt;
    private final Instant expiresAt;

    /**
     * @param commandId a unique id, used to deduplicate on the device
     * @param deviceId the target device
     * @param contentFormat the CoAP Content-Format of the payload
     * @param payload the command payload, copied
     * @param createdAt when the gateway received it
     * @param expiresAt after when it must no longer be delivered
     */
    public Command(String commandId, String deviceId, int contentFormat, byte[] payload,
            Instant createdAt, Instant expiresAt) {
        this.commandId = Objects.requireNonNull(commandId, "commandId");
        this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
        this.contentFormat = contentFormat;
        this.payload = Objects.requireNonNull(payload, "payload").clone();
        this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
        this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
        if (expiresAt.isBefore(createdAt)) {
            throw new IllegalArgumentException("expiresAt is before createdAt");
        }
    }

    /** @return the unique id */
    public String commandId() {
        return commandId;
    }

    /** @return the target device */
    public String deviceId() {
        return deviceId;
    }

    /** @return the CoAP Content-Format of the payload */
    public int contentFormat() {
        return contentFormat;
    }

    /** @return a copy of the payload */
    public byte[] payload() {
        return payload.clone();
    }

    /** @return when the gateway received it */
    public Instant createdAt() {
        return createdAt;
    }

    /** @return after when it is no longer delivered */
    public Instant expiresAt() {
        return expiresAt;
    }

    /**
     * @param now the current time
     * @return whether the command has expired at {@code now}
     */
    public boolean isExpired(Instant now) {
        return now.isAfter(expiresAt);
    }

    @Override
    public String toString() {
        return "Command[" + commandId + " for " + deviceId + ", " + payload.length + " bytes, expires "
                + expiresAt + "]";
    }
}
