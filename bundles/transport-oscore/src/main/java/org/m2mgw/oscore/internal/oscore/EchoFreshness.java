package org.m2mgw.oscore.internal.oscore;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Mac;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.option.StandardOptionRegistry;

/**
 * Request freshness with the Echo option (RFC 9175 section 2): the server answers a request it
 * cannot judge fresh with a 4.01 Unauthorized carrying an Echo value, and accepts the request only
 * when the client repeats it with that value. Used after a restart that lost a context's replay
 * window (RFC 8613 Appendix B.1.2), and wherever else the transport wants a fresh request.
 *
 * <p>Values are stateless: issue time (6 bytes, milliseconds), 4 random bytes and a 10-byte
 * HMAC-SHA256 over them and the context, under a random key of this instance. So they are
 * unpredictable, bound to one context object (a new context, or a new instance after a restart,
 * refuses old values), and expire after the lifetime (RFC 9175 section 2.3). Thread-safe.
 */
public final class EchoFreshness {
    /** Default lifetime of an Echo value. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    private static final int TIME = 6;
    private static final int NONCE = 4;
    private static final int TAG = 10;
    /** Length of the Echo values issued (RFC 9175 allows 1..40). */
    public static final int VALUE_LENGTH = TIME + NONCE + TAG;
    private static final byte[] LABEL = "m2mgw OSCORE Echo".getBytes(StandardCharsets.US_ASCII);

    private final Clock clock;
    private final Duration lifetime;
    private final SecureRandom random;
    private final byte[] key = new byte[32];

    /** With the system clock, {@link #DEFAULT_LIFETIME} and a new {@link SecureRandom}. */
    public EchoFreshness() {
        this(Clock.systemUTC(), DEFAULT_LIFETIME, new SecureRandom());
    }

    /**
     * @param clock the clock for issue and expiry
     * @param lifetime how long a value is accepted after it was issued
     * @param random the source of the key and the values' random part
     */
    public EchoFreshness(Clock clock, Duration lifetime, SecureRandom random) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("Echo lifetime must be positive");
        }
        this.clock = clock;
        this.lifetime = lifetime;
        this.random = random;
        random.nextBytes(key);
    }

    /**
     * @param ctx the context the value is for
     * @return a new Echo value for it
     */
    public byte[] newValue(OscoreContext ctx) {
        byte[] v = new byte[VALUE_LENGTH];
        long now = clock.millis();
        for (int i = 0; i < TIME; i++) {
            v[TIME - 1 - i] = (byte) (now >>> (8 * i));
        }
        byte[] r = new byte[NONCE];
        random.nextBytes(r);
        System.arraycopy(r, 0, v, TIME, NONCE);
        System.arraycopy(tag(ctx, v), 0, v, TIME + NONCE, TAG);
        return v;
    }

    /**
     * @param ctx the context of the request
     * @param echo the Echo value in the request, or {@code null}
     * @return whether it is a value this instance issued for this context, within its lifetime
     */
    public boolean verify(OscoreContext ctx, byte[] echo) {
        if (echo == null || echo.length != VALUE_LENGTH) {
            return false;
        }
        if (!MessageDigest.isEqual(tag(ctx, echo), Arrays.copyOfRange(echo, TIME + NONCE, VALUE_LENGTH))) {
            return false;
        }
        long issued = 0;
        for (int i = 0; i < TIME; i++) {
            issued = (issued << 8) | (echo[i] & 0xff);
        }
        long age = clock.millis() - issued;
        return age >= 0 && age <= lifetime.toMillis();
    }

    /**
     * The challenge of RFC 9175 section 2.4: a 4.01 Unauthorized with a new Echo value. It is an
     * inner response: protect it with {@link OscoreServer#protectResponse} (with a new Partial IV)
     * before sending.
     *
     * @param ctx the context of the request
     * @return the response
     */
    public Response challenge(OscoreContext ctx) {
        Response r = new Response(ResponseCode.UNAUTHORIZED);
        r.getOptions().addOption(new Option(StandardOptionRegistry.ECHO, newValue(ctx)));
        return r;
    }

    /**
     * Checks that a decrypted request is fresh by its Echo option. If it is and the context's
     * replay window is not initialised (Appendix B.1.2 of RFC 8613), the window is initialised with
     * the request's Partial IV as lower limit, so the request cannot be replayed. If it is not, the
     * caller sends the returned challenge, protected, and does not process the request.
     *
     * @param request a request {@link OscoreServer#unprotectRequest} returned
     * @return empty when the request is fresh; otherwise the 4.01 challenge to protect and send
     */
    public Optional<Response> requireFresh(InboundRequest request) {
        RequestBinding b = request.binding();
        OscoreContext ctx = b.context();
        Option echo = request.request().getOptions().getOtherOption(StandardOptionRegistry.ECHO);
        if (echo != null && verify(ctx, echo.getValue())) {
            ReplayWindow w = ctx.replayWindow();
            synchronized (w) {
                if (!w.isInitialized()) {
                    w.initialize(b.requestSequenceNumber());
                    return Optional.empty();
                }
                // another copy initialised the window first: this one must pass it like any request
                if (!b.isReplayChecked() && !w.accept(b.requestSequenceNumber())) {
                    return Optional.of(challenge(ctx));
                }
            }
            return Optional.empty();
        }
        return Optional.of(challenge(ctx));
    }

    private byte[] tag(OscoreContext ctx, byte[] value) {
        try {
            Mac mac = Hkdf.hmac(key);
            mac.update(LABEL);
            mac.update(ctx.instanceTag());
            byte[] rid = ctx.recipientId();
            mac.update((byte) rid.length);
            mac.update(rid);
            byte[] idc = ctx.idContext();
            if (idc != null) {
                mac.update((byte) 1);
                mac.update(idc);
            }
            mac.update(value, 0, TIME + NONCE);
            return Arrays.copyOf(mac.doFinal(), TAG);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
