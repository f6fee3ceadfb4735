package org.m2mgw.oscore.internal.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.aead;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.lookupOf;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.parse;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.serialize;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.californium.core.coap.CoAP.Code;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.coap.option.StandardOptionRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.m2mgw.api.crypto.CoseAead;

/** Client to gateway and back, for each AEAD, with empty and non-empty ids and a kid context. */
class OscoreRoundTripTest {
    private static final byte[] SECRET = OscoreTestSupport.hex("0102030405060708090a0b0c0d0e0f10");

    static Stream<Arguments> variants() {
        List<Arguments> out = new ArrayList<>();
        for (int alg : new int[] {CoseAead.AES_CCM_16_64_128, CoseAead.CHACHA20_POLY1305,
            CoseAead.ASCON_AEAD128_PRIVATE}) {
            out.add(Arguments.of(alg, new byte[0], new byte[] {0x01}, null));
            out.add(Arguments.of(alg, new byte[] {0x42, 0x43}, new byte[] {0x01}, null));
            out.add(Arguments.of(alg, new byte[] {0x07}, new byte[0], new byte[] {0x37, (byte) 0xcb, 0x00}));
        }
        return out.stream();
    }

    private static Request sampleRequest() {
        Request r = Request.newPost();
        r.setType(Type.CON);
        r.setMID(0x1234);
        r.setToken(Token.fromProvider(new byte[] {1, 2, 3, 4}));
        r.getOptions().setUriHost("gw.example").setUriPath("/telemetry/temp").setContentFormat(50)
                .setUriQuery("a=1");
        r.getOptions().addOption(new Option(StandardOptionRegistry.REQUEST_TAG, new byte[] {9}));
        r.setPayload("{\"t\":21.5}");
        return r;
    }

    @ParameterizedTest(name = "alg {0}, client id {1}, server id {2}, context {3}")
    @MethodSource("variants")
    void givenAClientAndAGatewayContext_whenARequestAndItsResponseGoThroughOscore_thenBothArriveIntact(int alg,
            byte[] clientId, byte[] serverId, byte[] idContext) throws Exception {
        OscoreParameters cp = OscoreParameters.of(SECRET, clientId, serverId, alg).withIdContext(idContext)
                .withMasterSalt(new byte[] {1, 2, 3});
        OscoreContext client = OscoreContext.derive(cp, aead(alg));
        OscoreContext server = OscoreContext.derive(cp.peer(), aead(alg));

        Request inner = sampleRequest();
        ProtectedRequest p = OscoreClient.protectRequest(client, inner);
        Request wire = (Request) parse(serialize(p.request()));
        assertThat(wire.getCode()).isEqualTo(Code.POST);
        assertThat(wire.getOptions().getUriHost()).isEqualTo("gw.example");
        assertThat(wire.getOptions().getUriPathString()).isEmpty();
        assertThat(wire.getOptions().hasContentFormat()).isFalse();
        assertThat(new String(wire.getPayload(), StandardCharsets.ISO_8859_1)).doesNotContain("21.5");

        InboundRequest in = OscoreServer.unprotectRequest(wire, lookupOf(server));
        assertThat(in.request().getCode()).isEqualTo(Code.POST);
        assertThat(in.request().getOptions().getUriPathString()).isEqualTo("telemetry/temp");
        assertThat(in.request().getOptions().getUriQueryString()).isEqualTo("a=1");
        assertThat(in.request().getOptions().getUriHost()).isEqualTo("gw.example");
        assertThat(in.request().getOptions().getContentFormat()).isEqualTo(50);
        assertThat(in.request().getOptions().getOtherOption(StandardOptionRegistry.REQUEST_TAG).getValue())
                .containsExactly(9);
        assertThat(in.request().getPayloadString()).isEqualTo("{\"t\":21.5}");
        assertThat(in.request().getMID()).isEqualTo(0x1234);
        assertThat(in.request().getToken()).isEqualTo(inner.getToken());

        for (boolean newPiv : new boolean[] {false, true}) {
            Response resp = Response.createResponse(in.request(), ResponseCode.CREATED);
            resp.getOptions().setLocationPath("m/1").setMaxAge(30);
            resp.setPayload("ok");
            resp.setMID(0x1234);
            Response outer = OscoreServer.protectResponse(in.binding(), resp, newPiv);
            Response wireResp = (Response) parse(serialize(outer));
            assertThat(wireResp.getCode()).isEqualTo(ResponseCode.CHANGED);
            assertThat(wireResp.getOptions().hasMaxAge()).isFalse();
            Response got = OscoreClient.unprotectResponse(p.binding(), wireResp);
            assertThat(got.getCode()).isEqualTo(ResponseCode.CREATED);
            assertThat(got.getOptions().getLocationPathString()).isEqualTo("m/1");
            assertThat(got.getOptions().getMaxAge()).isEqualTo(30);
            assertThat(got.getPayloadString()).isEqualTo("ok");
        }
        assertThat(server.sequenceNumber()).isEqualTo(1);
        assertThat(client.usage().protectedMessages()).isEqualTo(1);
        assertThat(server.usage().protectedMessages()).isEqualTo(2);
    }

    @Test
    void givenAnObserveRegistration_whenProtected_thenItIsAFetchAndTheNotificationsCarryPartialIvs() throws Exception {
        OscoreParameters cp = OscoreParameters.of(SECRET, new byte[] {1}, new byte[] {2}, 10);
        OscoreContext client = OscoreContext.derive(cp, aead(10));
        OscoreContext server = OscoreContext.derive(cp.peer(), aead(10));
        Request get = Request.newGet();
        get.getOptions().setUriPath("sensors/t").setObserve(0);
        ProtectedRequest p = OscoreClient.protectRequest(client, get);
        assertThat(p.request().getCode()).isEqualTo(Code.FETCH);
        assertThat(p.request().getOptions().getObserve()).isZero();
        InboundRequest in = OscoreServer.unprotectRequest((Request) parse(serialize(p.request())), lookupOf(server));
        assertThat(in.request().getCode()).isEqualTo(Code.GET);
        assertThat(in.request().getOptions().getObserve()).isZero();

        for (int seq = 5; seq < 8; seq++) {
            Response n = new Response(ResponseCode.CONTENT);
            n.setType(Type.NON);
            n.setMID(seq);
            n.getOptions().setObserve(seq);
            n.setPayload("v" + seq);
            Response outer = OscoreServer.protectResponse(in.binding(), n, false);
            assertThat(outer.getCode()).isEqualTo(ResponseCode.CONTENT);
            assertThat(outer.getOptions().getObserve()).isEqualTo(seq);
            assertThat(OscoreOption.decode(outer.getOptions().getOscore()).partialIv()).isNotNull();
            Response got = OscoreClient.unprotectResponse(p.binding(), (Response) parse(serialize(outer)));
            assertThat(got.getOptions().getObserve()).isEqualTo(seq);
            assertThat(got.getPayloadString()).isEqualTo("v" + seq);
        }
    }

    @Test
    void givenAProxyUri_whenTheClientProtects_thenPathAndQueryAreInnerAndSchemeAndHostOuter() throws Exception {
        OscoreParameters cp = OscoreParameters.of(SECRET, new byte[] {1}, new byte[] {2}, 10);
        OscoreContext client = OscoreContext.derive(cp, aead(10));
        OscoreContext server = OscoreContext.derive(cp.peer(), aead(10));
        Request get = Request.newGet();
        get.getOptions().setProxyUri("coap://dev.example:5700/a/b?x=y");
        Request outer = OscoreClient.protectRequest(client, get).request();
        assertThat(outer.getOptions().getProxyScheme()).isEqualTo("coap");
        assertThat(outer.getOptions().getUriHost()).isEqualTo("dev.example");
        assertThat(outer.getOptions().getUriPort()).isEqualTo(5700);
        assertThat(outer.getOptions().getUriPathString()).isEmpty();
        InboundRequest in = OscoreServer.unprotectRequest((Request) parse(serialize(outer)), lookupOf(server));
        assertThat(in.request().getOptions().getUriPathString()).isEqualTo("a/b");
        assertThat(in.request().getOptions().getUriQueryString()).isEqualTo("x=y");
        assertThat(get.getOptions().hasProxyUri()).isTrue();
    }

    @Test
    void givenIdsLongerThanTheNonceAllows_whenDerived_thenRefused() {
        byte[] eight = new byte[8];
        assertThatThrownBy(() -> OscoreContext.derive(OscoreParameters.of(SECRET, eight, new byte[] {1}, 10),
                aead(10))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("7 bytes");
        byte[] seven = new byte[7];
        assertThatThrownBy(() -> OscoreContext.derive(OscoreParameters.of(SECRET, seven, new byte[] {1}, 24),
                aead(24))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6 bytes");
        // 7 bytes fit AES-CCM (13-byte nonce), 10 bytes fit Ascon-AEAD128 (16-byte nonce)
        OscoreContext.derive(OscoreParameters.of(SECRET, seven, new byte[] {1}, 10), aead(10));
        OscoreContext.derive(OscoreParameters.of(SECRET, new byte[10], new byte[] {1}, -65537), aead(-65537));
        assertThatThrownBy(() -> OscoreContext.derive(OscoreParameters.of(SECRET, new byte[] {1}, new byte[] {2}, 24),
                aead(10))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
    }

    @Test
    void givenTheNonceConstruction_whenIdAndPivAreMaximal_thenEachAeadGetsItsNonceLength() {
        for (int alg : new int[] {10, 24, -65537}) {
            CoseAead a = aead(alg);
            byte[] id = new byte[a.nonceLength() - 6];
            java.util.Arrays.fill(id, (byte) 0xff);
            OscoreContext c = OscoreContext.derive(OscoreParameters.of(SECRET, id, new byte[] {1}, alg), a);
            byte[] nonce = c.nonce(id, OscoreContext.MAX_SSN);
            byte[] iv = c.commonIv();
            assertThat(nonce).hasSize(a.nonceLength());
            assertThat((nonce[0] ^ iv[0]) & 0xff).isEqualTo(id.length);
            for (int i = 1; i < nonce.length; i++) {
                assertThat((nonce[i] ^ iv[i]) & 0xff).as("byte %d of %s", i, a.name()).isEqualTo(0xff);
            }
        }
    }
}
