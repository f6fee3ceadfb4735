package org.m2mgw.api.traffic;

/**
 * Why a handshake, record or request failed, in a form a detector can count without reading
 * {@link TrafficEvent#reason()}.
 *
 * @since 1.1
 */
public enum FailureCause {
    /** Not a failure. */
    NONE,
    /** The peer presented an identity (PSK identity, key, certificate) that is not registered. */
    UNKNOWN_IDENTITY,
    /** A MAC, AEAD tag or Finished check failed: a wrong key or a tampered record. */
    BAD_MAC,
    /** A record or message was a replay (outside or already seen in the replay window). */
    REPLAY,
    /** The peer did not finish in time. */
    TIMEOUT,
    /** The peer is known but not allowed: disabled device, resource not permitted, throttled, address blocked. */
    ACCESS_DENIED,
    /** The device is quarantined. */
    QUARANTINED,
    /** The input could not be parsed. */
    MALFORMED,
    /** The gateway could not take the message (queue full, no queue): not the device's fault. */
    UNAVAILABLE,
    /**
     * The crypto policy refused it: a retired suite, an expired key, or a session key past its
     * AEAD integrity limit.
     *
     * @since 1.2
     */
    POLICY,
    /**
     * The request named a resource the gateway does not have (CoAP 4.04), or a method the resource
     * does not support (4.05): what a device, or whoever holds its key, does when it explores.
     *
     * @since 1.3
     */
    NO_SUCH_RESOURCE,
    /** Any other failure; see the reason. */
    OTHER
}
