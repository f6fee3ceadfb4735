package org.m2mgw.api.traffic;

/**
 * The kinds of security and traffic facts a transport reports.
 *
 * @since 0.1
 */
public enum TrafficEventType {
    /** A full handshake completed. */
    HANDSHAKE_SUCCEEDED,
    /** An abbreviated handshake (session resumption) completed. */
    SESSION_RESUMED,
    /** A handshake failed; {@link TrafficEvent#reason()} says why. */
    HANDSHAKE_FAILED,
    /** A record failed its MAC or AEAD check and was dropped. */
    RECORD_MAC_FAILED,
    /** A record was dropped by the anti-replay window. */
    REPLAY_DROPPED,
    /** A datagram or message could not be parsed and was dropped. */
    MALFORMED_INPUT,
    /** A request was accepted; {@link TrafficEvent#bytes()} is its payload size. */
    REQUEST,
    /** A request was refused; {@link TrafficEvent#reason()} says why. */
    REQUEST_REJECTED,
    /**
     * Bytes received from the device: one event per message, {@link TrafficEvent#bytes()} is the
     * size of the decrypted application message (for CoAP, the whole CoAP message; the DTLS record
     * overhead is not included).
     */
    BYTES_IN,
    /** Bytes sent to the device, counted like {@link #BYTES_IN}. */
    BYTES_OUT,
    /** The device's address changed while it kept its session (connection id). */
    ADDRESS_CHANGED,
    /** A secure session ended; {@link TrafficEvent#reason()} says why. */
    SESSION_CLOSED
}
