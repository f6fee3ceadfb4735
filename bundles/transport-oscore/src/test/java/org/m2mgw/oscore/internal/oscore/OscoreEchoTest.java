package org.m2mgw.oscore.internal.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.aead;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.hex;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.lookupOf;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.parse;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.serialize;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.option.StandardOptionRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Freshness after a restart that lost the replay window (RFC 8613 Appendix B.1.2) with the Echo
 * option (RFC 9175 section 2).
 */
class OscoreEchoTest {
    private static final byte[] SECRET = hex("0102030405060708090a0b0c0d0e0f10");

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private TestClock clock;
    private EchoFreshness echo;
    private OscoreContext client;
    private OscoreContext server;
    private ContextLookup lookup;

    @BeforeEach
    void restartedGateway() {
        clock = new TestClock();
        echo = new EchoFreshness(clock, Duration.ofSeconds(30), new SecureRandom());
        OscoreParameters p = OscoreParameters.of(SECRET, new byte[] {0x0c}, new byte[] {0x05}, 24);
        client = OscoreContext.derive(p, aead(24), 1000);
        // the gateway restarted without its replay window: restored with the SSN mark only
        server = OscoreContext.restore(new StoredContext(p.peer(), 64, null), aead(24));
        lookup = lookupOf(server);
    }

    private ProtectedRequest request(byte[] echoValue) throws OscoreException {
        Request r = Request.newPut();
        r.getOptions().setUriPath("valve");
        if (echoValue != null) {
            r.getOptions().addOption(new Option(StandardOptionRegistry.ECHO, echoValue));
        }
        r.setPayload("open");
        return OscoreClient.protectRequest(client, r);
    }

    /** Sends a request to the gateway; returns the Echo value of its 4.01, or null if it was accepted. */
    private byte[] send(ProtectedRequest p) throws OscoreException {
        InboundRequest in = OscoreServer.unprotectRequest((Request) parse(serialize(p.request())), lookup);
        Optional<Response> challenge = echo.requireFresh(in);
        if (challenge.isEmpty()) {
            return null;
        }
        Response outer = OscoreServer.protectResponse(in.binding(), challenge.get(), false);
        assertThat(OscoreOption.decode(outer.getOptions().getOscore()).partialIv())
                .as("a response to a request not replay-checked carries a new Partial IV").isNotNull();
        Response inner = OscoreClient.unprotectResponse(p.binding(), (Response) parse(serialize(outer)));
        assertThat(inner.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        return inner.getOptions().getOtherOption(StandardOptionRegistry.ECHO).getValue();
    }

    @Test
    void givenARestoredContextWithoutWindow_whenTheFirstRequestArrives_thenA401WithEchoAndTheRetryIsAccepted()
            throws Exception {
        assertThat(server.needsFreshness()).isTrue();
        ProtectedRequest first = request(null);
        byte[] value = send(first);
        assertThat(value).hasSize(EchoFreshness.VALUE_LENGTH);
        assertThat(server.needsFreshness()).isTrue();

        ProtectedRequest retry = request(value);
        assertThat(send(retry)).isNull();
        assertThat(server.needsFreshness()).isFalse();
        assertThat(server.replayWindow().highest()).isEqualTo(1001);

        // now ordinary replay protection: the retry and the first request are replays, new ones pass
        assertThatThrownBy(() -> send(retry)).isInstanceOfSatisfying(OscoreException.class,
                e -> assertThat(e.reason()).isEqualTo(OscoreException.Reason.REPLAY));
        assertThatThrownBy(() -> send(first)).isInstanceOfSatisfying(OscoreException.class,
                e -> assertThat(e.reason()).isEqualTo(OscoreException.Reason.REPLAY));
        InboundRequest next = OscoreServer.unprotectRequest((Request) parse(serialize(request(null).request())), lookup);
        assertThat(next.binding().isReplayChecked()).isTrue();
        Response resp = OscoreServer.protectResponse(next.binding(), new Response(ResponseCode.CHANGED), false);
        assertThat(resp.getOptions().getOscore()).isEmpty();
    }

    @Test
    void givenAWrongOrStaleEcho_whenTheRetryArrives_thenAnotherChallengeAndTheWindowStaysUninitialised()
            throws Exception {
        byte[] value = send(request(null));

        byte[] wrong = value.clone();
        wrong[wrong.length - 1] ^= 1;
        assertThat(send(request(wrong))).isNotNull();
        assertThat(send(request(new byte[] {1, 2, 3}))).isNotNull();

        clock.now = clock.now.plusSeconds(31);
        assertThat(send(request(value))).as("stale").isNotNull();
        assertThat(server.needsFreshness()).isTrue();

        // an Echo from before the gateway restarted again (another instance, another key) is refused
        byte[] fresh = send(request(null));
        EchoFreshness afterRestart = new EchoFreshness(clock, Duration.ofSeconds(30), new SecureRandom());
        assertThat(afterRestart.verify(server, fresh)).isFalse();
        assertThat(echo.verify(server, fresh)).isTrue();
        // bound to the context: another context's value is refused
        assertThat(echo.verify(client, fresh)).isFalse();
        assertThat(send(request(fresh))).isNull();
    }

    @Test
    void givenTwoCopiesOfTheEchoRetry_whenBothArriveBeforeTheWindowIsSet_thenOnlyOneIsAccepted() throws Exception {
        byte[] value = send(request(null));
        ProtectedRequest retry = request(value);
        InboundRequest a = OscoreServer.unprotectRequest((Request) parse(serialize(retry.request())), lookup);
        InboundRequest b = OscoreServer.unprotectRequest((Request) parse(serialize(retry.request())), lookup);
        assertThat(echo.requireFresh(a)).isEmpty();
        assertThat(echo.requireFresh(b)).isPresent();
    }
}
