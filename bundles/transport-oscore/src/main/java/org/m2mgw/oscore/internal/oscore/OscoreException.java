package org.m2mgw.oscore.internal.oscore;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;

/**
 * A message that OSCORE cannot protect or verify, with the reason and the CoAP error that RFC 8613
 * sections 8.2 and 8.4 prescribe for it. Errors caused by a device's input are always this
 * exception, never a runtime exception; {@link #toResponse(Request)} builds the unprotected error
 * response the RFC asks for.
 */
public final class OscoreException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the message was refused, with its CoAP response code and diagnostic payload. */
    public enum Reason {
        /** The request has no OSCORE option (RFC 8613 section 8.2): 4.02 Bad Option. */
        MISSING_OPTION(ResponseCode.BAD_OPTION, "OSCORE option missing"),
        /** The OSCORE option is malformed or lacks kid or Partial IV (sections 6.1, 8.2): 4.02. */
        BAD_OPTION(ResponseCode.BAD_OPTION, "Bad OSCORE option"),
        /** No security context for the kid and kid context (section 8.2 step 2): 4.01. */
        CONTEXT_NOT_FOUND(ResponseCode.UNAUTHORIZED, "Security context not found"),
        /** The AEAD did not authenticate the message (section 8.2 step 6): 4.00. */
        DECRYPTION_FAILED(ResponseCode.BAD_REQUEST, "Decryption failed"),
        /** The Partial IV was seen before or is older than the replay window (section 7.4): 4.01. */
        REPLAY(ResponseCode.UNAUTHORIZED, "Replay detected"),
        /** The decrypted content (code, inner options, payload) is malformed (section 8.2): 4.00. */
        MALFORMED_INNER(ResponseCode.BAD_REQUEST, "Malformed inner message"),
        /**
         * The Sender Sequence Number is used up (section 7.2.1): the context must be replaced
         * (re-keyed, for example with a new EDHOC run) before anything else is sent with it.
         */
        SEQUENCE_EXHAUSTED(ResponseCode.SERVICE_UNAVAILABLE, "Security context exhausted"),
        /** The new Sender Sequence Number high-water mark could not be stored (Appendix B.1.1). */
        PERSISTENCE_FAILED(ResponseCode.SERVICE_UNAVAILABLE, "Security context not stored"),
        /** The AEAD provider failed for a reason other than the input. */
        CRYPTO_FAILURE(ResponseCode.INTERNAL_SERVER_ERROR, "Crypto provider failure");

        private final ResponseCode code;
        private final String diagnostic;

        Reason(ResponseCode code, String diagnostic) {
            this.code = code;
            this.diagnostic = diagnostic;
        }

        /** @return the CoAP error code RFC 8613 section 8.2 or 8.4 prescribes */
        public ResponseCode code() {
            return code;
        }

        /** @return the diagnostic payload to send with the error (never a secret, never detail) */
        public String diagnostic() {
            return diagnostic;
        }
    }

    private final Reason reason;

    /**
     * @param reason why
     * @param detail detail for the gateway's log; it is not sent to the device
     */
    public OscoreException(Reason reason, String detail) {
        super(reason.diagnostic() + ": " + detail);
        this.reason = reason;
    }

    /**
     * @param reason why
     * @param detail detail for the gateway's log
     * @param cause the underlying failure
     */
    public OscoreException(Reason reason, String detail, Throwable cause) {
        super(reason.diagnostic() + ": " + detail, cause);
        this.reason = reason;
    }

    /** @return why the message was refused */
    public Reason reason() {
        return reason;
    }

    /** @return the CoAP error code for the unprotected error response */
    public ResponseCode code() {
        return reason.code();
    }

    /**
     * The unprotected error response RFC 8613 section 8.2 asks for: the reason's code, its short
     * diagnostic as payload, the request's token, no OSCORE option.
     *
     * @param request the outer request that was refused
     * @return the response to send
     */
    public Response toResponse(Request request) {
        Response r = Response.createResponse(request, reason.code());
        if (request.getToken() != null) {
            r.setToken(request.getToken());
        }
        r.setPayload(reason.diagnostic());
        return r;
    }
}
