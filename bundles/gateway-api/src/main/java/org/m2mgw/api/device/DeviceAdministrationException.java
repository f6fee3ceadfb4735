package org.m2mgw.api.device;

import java.util.Objects;

/**
 * A change to the device registry was refused; nothing changed. The message names the device and
 * the field, never a secret.
 *
 * @since 2.3
 */
public class DeviceAdministrationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a change was refused. */
    public enum Reason {
        /** The request is invalid: a field is missing, malformed or not allowed. */
        INVALID,
        /** The device id or a credential belongs to another device already. */
        CONFLICT,
        /** There is no such device. */
        NOT_FOUND,
        /** The registry cannot change now: it is read-only or cannot save. */
        UNAVAILABLE
    }

    private final Reason reason;

    /**
     * @param reason why
     * @param message what, in words; never a secret
     */
    public DeviceAdministrationException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * @param reason why
     * @param message what, in words; never a secret
     * @param cause the underlying failure
     */
    public DeviceAdministrationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @return why the change was refused */
    public Reason reason() {
        return reason;
    }
}
