package org.m2mgw.api.access;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Restricts devices and source addresses for a time. Detectors call it as an alert's action;
 * operators call it from the shell and the console; every transport asks it before it does work
 * for a peer. Every restriction is visible through {@link #restrictions()} and reversible with
 * {@link #lift(Restriction.Kind, String)}. Changes are announced to {@link RestrictionListener}
 * services, so that a transport can end the sessions of a device that was just quarantined.
 *
 * <p>The query methods ({@link #isQuarantined}, {@link #isBlocked}, {@link #tryAcquire}) are
 * called on transports' I/O threads for every datagram or request: implementations answer from
 * memory, without blocking.
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
     * @throws IllegalArgumentException if an argument is invalid
     * @throws IllegalStateException if the table is full and nothing may be evicted for it
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
     * @throws IllegalArgumentException if an argument is invalid
     * @throws IllegalStateException if the table is full and nothing may be evicted for it
     */
    Restriction throttle(String deviceId, double ratePerSecond, Duration duration, String reason, String origin);

    /**
     * Drops datagrams from an IP address (for example one that guesses PSK identities).
     *
     * @param address an IPv4 or IPv6 address literal (a host name is refused)
     * @param duration for how long
     * @param reason why, in words
     * @param origin a detector's name, or {@code operator}
     * @return the restriction now in force
     * @throws IllegalArgumentException if the address is not an IP address literal
     * @throws IllegalStateException if the table is full and nothing may be evicted for it
     */
    Restriction blockAddress(String address, Duration duration, String reason, String origin);

    /**
     * Drops datagrams from an IP address.
     *
     * @param address the address
     * @param duration for how long
     * @param reason why, in words
     * @param origin a detector's name, or {@code operator}
     * @return the restriction now in force
     * @since 1.1
     */
    Restriction blockAddress(InetAddress address, Duration duration, String reason, String origin);

    /**
     * Drops datagrams from every address of a prefix, for example a /24 or a /64.
     *
     * @param network any address inside the prefix; the host bits are cleared
     * @param prefixLength 8 to 32 for IPv4, 16 to 128 for IPv6
     * @param duration for how long
     * @param reason why, in words
     * @param origin a detector's name, or {@code operator}
     * @return the restriction now in force; its subject is {@code network/length}
     * @since 1.1
     */
    Restriction blockPrefix(InetAddress network, int prefixLength, Duration duration, String reason, String origin);

    /**
     * Limits new handshakes from an IP address to a rate, counted in DTLS ClientHello messages (a
     * handshake with a cookie exchange sends two); sessions already established from the address
     * are untouched. A detector uses it instead of {@link #blockAddress} where registered devices
     * share the address.
     *
     * @param address the address
     * @param perSecond ClientHellos allowed per second, &gt; 0
     * @param duration for how long
     * @param reason why, in words
     * @param origin a detector's name, or {@code operator}
     * @return the restriction now in force
     * @since 1.1
     */
    Restriction limitHandshakes(InetAddress address, double perSecond, Duration duration, String reason,
            String origin);

    /**
     * Lifts a restriction before its time.
     *
     * @param kind which kind
     * @param subject the device id, address, or {@code network/length} prefix
     * @return whether one was in force
     */
    boolean lift(Restriction.Kind kind, String subject);

    /** @return the restrictions in force now, the soonest ending first */
    List<Restriction> restrictions();

    /**
     * @param deviceId a device id
     * @return whether the device is quarantined now
     * @since 1.1
     */
    boolean isQuarantined(String deviceId);

    /**
     * @param address a datagram's source address
     * @return whether the address, or a prefix that holds it, is blocked now
     * @since 1.1
     */
    boolean isBlocked(InetAddress address);

    /**
     * Takes one new handshake from an address's allowance.
     *
     * @param address a ClientHello's source address
     * @return {@code true} if the address is not limited or still has allowance now; {@code false}
     *         if the ClientHello must be dropped
     * @since 1.1
     */
    boolean tryAcquireHandshake(InetAddress address);

    /**
     * Takes one request from a throttled device's allowance.
     *
     * @param deviceId a device id
     * @return {@code true} if the device is not throttled or still has allowance now;
     *         {@code false} if the request must be refused (4.29)
     * @since 1.1
     */
    boolean tryAcquire(String deviceId);
}
