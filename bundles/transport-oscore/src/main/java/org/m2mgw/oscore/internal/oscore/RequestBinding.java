package org.m2mgw.oscore.internal.oscore;

/**
 * What a response is bound to (RFC 8613 section 5.4 and 8.3): the security context and the
 * request's kid and Partial IV, which go into the response's external_aad and, when the response
 * has no Partial IV of its own, its nonce. Also whether the request was judged fresh by the replay
 * window; if not (a restored context without window, Appendix B.1.2) every response must carry a
 * new Partial IV.
 */
public final class RequestBinding {
    private final OscoreContext context;
    private final byte[] kid;
    private final byte[] partialIv;
    private final boolean replayChecked;

    RequestBinding(OscoreContext context, byte[] kid, byte[] partialIv, boolean replayChecked) {
        this.context = context;
        this.kid = kid.clone();
        this.partialIv = partialIv.clone();
        this.replayChecked = replayChecked;
    }

    /** @return the security context */
    public OscoreContext context() {
        return context;
    }

    /** @return request_kid: the Sender ID of the request's sender */
    public byte[] requestKid() {
        return kid.clone();
    }

    /** @return request_piv: the request's Partial IV bytes */
    public byte[] requestPartialIv() {
        return partialIv.clone();
    }

    /** @return the request's Partial IV as a number */
    public long requestSequenceNumber() {
        return OscoreOption.valueOf(partialIv);
    }

    /**
     * @return whether the replay window accepted the request; {@code false} while the context's
     *     window is not initialised (Appendix B.1.2), when the request may be a replay
     */
    public boolean isReplayChecked() {
        return replayChecked;
    }

    /** @return whether responses must carry a new Partial IV (the request was not replay-checked) */
    public boolean requiresNewPartialIv() {
        return !replayChecked;
    }

    @Override
    public String toString() {
        return "RequestBinding[" + context + ", kid=" + Hex.of(kid) + ", piv=" + Hex.of(partialIv)
                + (replayChecked ? "" : ", not replay-checked") + "]";
    }
}
