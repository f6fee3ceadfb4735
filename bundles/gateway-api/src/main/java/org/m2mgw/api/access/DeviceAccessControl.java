package org.m2mgw.api.access;

import java.time.Duration;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Restricts devices and source addresses for a time. Detectors call it as an alert's action;
 * operators call it from the shell and the console. Every restriction is visible through
 * {@link #restrictions()} and reversible with {@link #lift(Restriction.Kind, String)}. The
 * transports enforce them.
 *
 * @since 0.1
 */
@ProviderType
public interface DeviceAccessControl {

    /**
     * Ends the device's sessions and refuses its handshakes until the time is up.
     *
     * @param deviceId the device
     * @param duration for how long
     * @param reason why, in words
     * @param origin a detector's name, or {@code operator}
     * @return the restriction now in force
     */
    Restriction quarantine(String deviceId, Duration duration, String reason, String origin);

    /**
     * Limits the device's requests; the excess gets 4.29 Too Many Requests with Max-Age.
     *
     * @param deviceId the device
     * @param ratePerSecond the requests allowed per second, &gt; 0
     * @param duration for how long
     * @param reason why, in words
     * @param origin a detector's name, or {@code operator}
     * @return the restriction now in force
     */
    Restriction throttle(String deviceId, double ratePerSecond, Duration duration, String reason, String origin);

    /**
     * Drops datagrams from an IP address (for example one that guesses PSK identities).
     *
     * @param address an IPv4 or IPv6 address
     * @param duration for how long
     * @param reason why, in words
     * @param origin a detector's name, or {@code operator}
     * @return the restriction now in force
     */
    Restriction blockAddress(String address, Duration duration, String reason, String origin);

    /**
     * Lifts a restriction before its time.
     *
     * @param kind which kind
     * @param subject the device id or address
     * @return whether one was in force
     */
    boolean lift(Restriction.Kind kind, String subject);

    /** @return the restrictions in force now */
    List<Restriction> restrictions();
}
