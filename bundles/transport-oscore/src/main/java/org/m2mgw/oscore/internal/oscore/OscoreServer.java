package org.m2mgw.oscore.internal.oscore;

import java.util.Arrays;
import java.util.Optional;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.OptionNumberRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;

/**
 * The server side of OSCORE (RFC 8613 sections 8.2 and 8.3): verifies and decrypts an incoming
 * request into its inner request, and protects the response to it. Stateless; the state is in the
 * {@link OscoreContext}s. Errors are {@link OscoreException}s whose
 * {@link OscoreException#toResponse(Request)} is the unprotected error response to send.
 */
public final class OscoreServer {

    private OscoreServer() {
    }

    /**
     * Verifies and decrypts a request (section 8.2): decodes the OSCORE option, finds the context,
     * checks the Partial IV against the replay window, decrypts, and marks the Partial IV as
     * received. While the context's replay window is not initialised (Appendix B.1.2) the request
     * is decrypted but neither checked nor marked; its binding then says so, and the caller must
     * get freshness another way (see {@link EchoFreshness}) before acting on it.
     *
     * @param outer the request as received
     * @param lookup finds the context by kid and kid context
     * @return the inner request and the binding for the response
     * @throws OscoreException with the reason and the error code of section 8.2
     */
    public static InboundRequest unprotectRequest(Request outer, ContextLookup lookup) throws OscoreException {
        if (!outer.getOptions().hasOscore()) {
            throw new OscoreException(OscoreException.Reason.MISSING_OPTION, "request without OSCORE option");
        }
        OscoreOption option = OscoreOption.decode(outer.getOptions().getOscore());
        byte[] kid = option.kid();
        byte[] piv = option.partialIv();
        if (kid == null) {
            throw new OscoreException(OscoreException.Reason.BAD_OPTION, "request without kid");
        }
        if (piv == null) {
            throw new OscoreException(OscoreException.Reason.BAD_OPTION, "request without Partial IV");
        }
        Optional<OscoreContext> found = lookup.find(kid, option.kidContext());
        if (found.isEmpty() || !Arrays.equals(found.get().recipientId(), kid)) {
            throw new OscoreException(OscoreException.Reason.CONTEXT_NOT_FOUND, "no context for kid "
                    + Hex.of(kid) + (option.kidContext() == null ? "" : " kid context " + Hex.of(option.kidContext())));
        }
        OscoreContext ctx = found.get();
        long ssn = option.sequenceNumber();
        ReplayWindow window = ctx.replayWindow();
        boolean checked = window.isInitialized();
        if (checked && !window.isFresh(ssn)) {
            throw new OscoreException(OscoreException.Reason.REPLAY, window.whyNotFresh(ssn) + " for " + ctx);
        }
        byte[] aad = Cose.aad(ctx.algorithm(), kid, piv);
        byte[] plaintext = Cose.open(ctx, ctx.nonce(kid, ssn), aad, outer.getPayload());
        Plaintext.Decoded inner = Plaintext.decode(plaintext);
        CoAP.Code code = requestCode(inner.code());
        for (Option o : inner.options()) {
            if (o.getNumber() == OptionNumberRegistry.OSCORE) {
                throw new OscoreException(OscoreException.Reason.MALFORMED_INNER, "OSCORE option inside");
            }
        }
        if (checked && !window.accept(ssn)) {
            // a copy decrypted at the same time was accepted first
            throw new OscoreException(OscoreException.Reason.REPLAY, "Partial IV " + ssn + " was received before for "
                    + ctx);
        }
        Request request = new Request(code);
        Messages.copyHeader(outer, request);
        if (outer.getSourceContext() != null) {
            request.setSourceContext(outer.getSourceContext());
        }
        try {
            for (Option o : outer.getOptions().asSortedList()) {
                int n = o.getNumber();
                if (OptionClasses.isOuterOnly(n) && n != OptionNumberRegistry.OSCORE) {
                    request.getOptions().addOption(o);
                }
            }
            for (Option o : inner.options()) {
                request.getOptions().addOption(o);
            }
        } catch (RuntimeException e) {
            throw new OscoreException(OscoreException.Reason.MALFORMED_INNER, "inner options refused: " + e.getMessage());
        }
        if (inner.payload().length > 0) {
            request.setPayload(inner.payload());
        }
        return new InboundRequest(request, new RequestBinding(ctx, kid, piv, checked));
    }

    /**
     * Protects a response (section 8.3). Without a new Partial IV the response uses the request's
     * nonce, as in Appendix C.7; with one it takes the next Sender Sequence Number, as in C.8. A new
     * Partial IV is used whatever {@code newPartialIv} says when the request was not replay-checked
     * (Appendix B.1.2) and for Observe notifications (section 4.1.3.5.2). The outer code is 2.04
     * Changed, or 2.05 Content for Observe (section 4.2).
     *
     * @param binding the request's binding
     * @param inner the response as the resource made it
     * @param newPartialIv whether to include a new Partial IV
     * @return the outer response to send, with the inner one's type, MID, token and destination
     * @throws OscoreException when the context is exhausted, its mark cannot be stored, or the
     *     AEAD provider fails
     */
    public static Response protectResponse(RequestBinding binding, Response inner, boolean newPartialIv)
            throws OscoreException {
        OscoreContext ctx = binding.context();
        Messages.Split split = Messages.split(inner.getOptions(), true);
        boolean withPiv = newPartialIv || binding.requiresNewPartialIv() || split.observe();
        byte[] nonce;
        OscoreOption option;
        if (withPiv) {
            long ssn = ctx.nextSequenceNumber();
            nonce = ctx.nonce(ctx.senderId(), ssn);
            option = new OscoreOption(OscoreOption.partialIvOf(ssn), null, null);
        } else {
            nonce = ctx.nonce(binding.requestKid(), binding.requestSequenceNumber());
            option = new OscoreOption(null, null, null);
        }
        byte[] aad = Cose.aad(ctx.algorithm(), binding.requestKid(), binding.requestPartialIv());
        byte[] plaintext = Plaintext.encode(inner.getRawCode(), split.inner(), inner.getPayload());
        byte[] ciphertext = Cose.seal(ctx, nonce, aad, plaintext);
        Response outer = new Response(split.observe() ? ResponseCode.CONTENT : ResponseCode.CHANGED);
        Messages.copyHeader(inner, outer);
        if (inner.getDestinationContext() != null) {
            outer.setDestinationContext(inner.getDestinationContext());
        }
        outer.getOptions().addOptions(split.outer());
        outer.getOptions().setOscore(option.encode());
        outer.setPayload(ciphertext);
        return outer;
    }

    private static CoAP.Code requestCode(int raw) throws OscoreException {
        if (raw == 0 || CoAP.getCodeClass(raw) != 0) {
            throw new OscoreException(OscoreException.Reason.MALFORMED_INNER, "inner code " + CoAP.formatCode(raw)
                    + " is not a request method");
        }
        try {
            return CoAP.Code.valueOf(raw);
        } catch (RuntimeException e) {
            throw new OscoreException(OscoreException.Reason.MALFORMED_INNER, "unknown inner method "
                    + CoAP.formatCode(raw));
        }
    }
}
