package org.m2mgw.oscore.internal.edhoc;

import java.util.Optional;

/**
 * A refused or failed EDHOC step. It carries a machine-readable {@link Reason} for counters and,
 * unless the failure was an error message from the peer, the EDHOC error message to send back (RFC
 * 9528 section 6). The handshake is over either way.
 */
public final class EdhocException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a handshake failed. */
    public enum Reason {
        /** The message does not parse, is not deterministic CBOR, or holds an invalid key or identifier. */
        MALFORMED,
        /** The selected cipher suite is not supported (ERR_CODE 2), or none in common. */
        UNSUPPORTED_SUITE,
        /** The authentication method is not accepted, or no own credential fits it. */
        UNSUPPORTED_METHOD,
        /** ID_CRED_x names no known credential, or one that does not fit the suite and method. */
        UNKNOWN_CREDENTIAL,
        /** Authentication failed: MAC_2/MAC_3 or the signature does not verify. */
        MAC_FAILED,
        /** message_3 or message_4 does not decrypt (the AEAD tag does not verify). */
        DECRYPT_FAILED,
        /** message_3 names a C_R with no pending handshake. */
        UNKNOWN_SESSION,
        /** message_3 came after the pending handshake timed out. */
        EXPIRED,
        /** A critical EAD item (negative label) that is not understood. */
        CRITICAL_EAD,
        /** The peer sent an EDHOC error message (see {@link EdhocException#received()}). */
        PEER_ERROR,
        /** A failure on this side: a missing AEAD, a provider error, a bug. */
        INTERNAL
    }

    private final Reason reason;
    private final transient EdhocError toSend;
    private final transient EdhocError received;

    /** An error whose message to send is ERR_CODE 1 with this text. */
    public EdhocException(Reason reason, String diagnostic) {
        this(reason, diagnostic, EdhocError.unspecified(diagnostic), null, null);
    }

    EdhocException(Reason reason, String message, EdhocError toSend, EdhocError received, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
        this.toSend = toSend;
        this.received = received;
    }

    static EdhocException internal(String what, Throwable cause) {
        return new EdhocException(Reason.INTERNAL, what + ": " + cause, EdhocError.unspecified("internal error"),
                null, cause);
    }

    /** @return why */
    public Reason reason() {
        return reason;
    }

    /** @return the error message to send to the peer; empty if the peer sent one (no error answers an error) */
    public Optional<EdhocError> error() {
        return Optional.ofNullable(toSend);
    }

    /** @return the encoded error message to send, if any */
    public Optional<byte[]> errorMessage() {
        return error().map(EdhocError::encode);
    }

    /** @return the error message the peer sent, for {@link Reason#PEER_ERROR} and an ERR_CODE 2 received */
    public Optional<EdhocError> received() {
        return Optional.ofNullable(received);
    }
}
