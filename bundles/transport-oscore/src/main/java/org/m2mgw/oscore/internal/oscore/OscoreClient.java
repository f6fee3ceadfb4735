package org.m2mgw.oscore.internal.oscore;

import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.Code;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.OptionNumberRegistry;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;

/**
 * The client side of OSCORE (RFC 8613 sections 8.1 and 8.4): protects a request and verifies and
 * decrypts its response. Used by tests and interop tests; the gateway itself is the server.
 * Stateless; the state is in the {@link OscoreContext}.
 */
public final class OscoreClient {

    private OscoreClient() {
    }

    /**
     * Protects a request (section 8.1) with the next Sender Sequence Number as Partial IV, the
     * Sender ID as kid and the ID Context, if the context has one, as kid context. The outer code
     * is POST, or FETCH when the request has an Observe option (section 4.2). A Proxy-Uri is
     * decomposed first (section 4.1.3.3). The given request is not changed.
     *
     * @param ctx the client's context
     * @param inner the request to protect
     * @return the outer request and the binding for its response
     * @throws OscoreException when the context is exhausted, its mark cannot be stored, or the
     *     AEAD provider fails
     * @throws IllegalArgumentException if the request's Proxy-Uri is not a URI
     */
    public static ProtectedRequest protectRequest(OscoreContext ctx, Request inner) throws OscoreException {
        OptionSet options = new OptionSet(inner.getOptions());
        Messages.decomposeProxyUri(options);
        Messages.Split split = Messages.split(options, false);
        long ssn = ctx.nextSequenceNumber();
        byte[] piv = OscoreOption.partialIvOf(ssn);
        byte[] kid = ctx.senderId();
        byte[] aad = Cose.aad(ctx.algorithm(), kid, piv);
        byte[] plaintext = Plaintext.encode(inner.getRawCode(), split.inner(), inner.getPayload());
        byte[] ciphertext = Cose.seal(ctx, ctx.nonce(kid, ssn), aad, plaintext);
        Request outer = new Request(split.observe() ? Code.FETCH : Code.POST);
        Messages.copyHeader(inner, outer);
        if (inner.getDestinationContext() != null) {
            outer.setDestinationContext(inner.getDestinationContext());
        }
        outer.getOptions().addOptions(split.outer());
        outer.getOptions().setOscore(new OscoreOption(piv, ctx.idContext(), kid).encode());
        outer.setPayload(ciphertext);
        return new ProtectedRequest(outer, new RequestBinding(ctx, kid, piv, true));
    }

    /**
     * Verifies and decrypts a response (section 8.4). A response with its own Partial IV is
     * checked against the context's replay window (notifications, section 7.4.1); one without uses
     * the request's nonce.
     *
     * @param binding the binding of the request it answers
     * @param outer the response as received
     * @return the inner response: inner code, options (with the outer Observe value) and payload,
     *     with the outer type, MID, token and source context
     * @throws OscoreException with the reason; per section 8.4 the client sends nothing back
     */
    public static Response unprotectResponse(RequestBinding binding, Response outer) throws OscoreException {
        if (!outer.getOptions().hasOscore()) {
            throw new OscoreException(OscoreException.Reason.MISSING_OPTION, "response without OSCORE option");
        }
        OscoreContext ctx = binding.context();
        OscoreOption option = OscoreOption.decode(outer.getOptions().getOscore());
        byte[] nonce;
        long ssn = option.sequenceNumber();
        ReplayWindow window = ctx.replayWindow();
        if (option.partialIv() != null) {
            if (window.isInitialized() && !window.isFresh(ssn)) {
                throw new OscoreException(OscoreException.Reason.REPLAY, window.whyNotFresh(ssn) + " for " + ctx);
            }
            nonce = ctx.nonce(ctx.recipientId(), ssn);
        } else {
            nonce = ctx.nonce(binding.requestKid(), binding.requestSequenceNumber());
        }
        byte[] aad = Cose.aad(ctx.algorithm(), binding.requestKid(), binding.requestPartialIv());
        Plaintext.Decoded inner = Plaintext.decode(Cose.open(ctx, nonce, aad, outer.getPayload()));
        ResponseCode code = responseCode(inner.code());
        if (option.partialIv() != null && window.isInitialized() && !window.accept(ssn)) {
            throw new OscoreException(OscoreException.Reason.REPLAY, "Partial IV " + ssn + " was received before");
        }
        Response response = new Response(code);
        Messages.copyHeader(outer, response);
        if (outer.getSourceContext() != null) {
            response.setSourceContext(outer.getSourceContext());
        }
        try {
            for (Option o : inner.options()) {
                if (o.getNumber() == OptionNumberRegistry.OSCORE) {
                    throw new OscoreException(OscoreException.Reason.MALFORMED_INNER, "OSCORE option inside");
                }
                if (o.getNumber() == OptionNumberRegistry.OBSERVE && outer.getOptions().hasObserve()) {
                    response.getOptions().setObserve(outer.getOptions().getObserve());
                } else {
                    response.getOptions().addOption(o);
                }
            }
        } catch (RuntimeException e) {
            throw new OscoreException(OscoreException.Reason.MALFORMED_INNER, "inner options refused: " + e.getMessage());
        }
        if (inner.payload().length > 0) {
            response.setPayload(inner.payload());
        }
        return response;
    }

    private static ResponseCode responseCode(int raw) throws OscoreException {
        int cls = CoAP.getCodeClass(raw);
        if (cls != 2 && cls != 4 && cls != 5) {
            throw new OscoreException(OscoreException.Reason.MALFORMED_INNER, "inner code " + CoAP.formatCode(raw)
                    + " is not a response code");
        }
        try {
            ResponseCode c = ResponseCode.valueOf(raw);
            if (c.value != raw) {
                throw new OscoreException(OscoreException.Reason.MALFORMED_INNER, "unknown inner response code "
                        + CoAP.formatCode(raw));
            }
            return c;
        } catch (RuntimeException e) {
            throw new OscoreException(OscoreException.Reason.MALFORMED_INNER, "unknown inner response code "
                    + CoAP.formatCode(raw));
        }
    }
}
