package org.m2mgw.oscore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.traffic.TrafficEventType;
import org.m2mgw.oscore.internal.edhoc.CipherSuite;
import org.m2mgw.oscore.internal.edhoc.EdhocCoap;
import org.m2mgw.oscore.internal.edhoc.EdhocInitiator;
import org.m2mgw.oscore.internal.edhoc.EdhocMethod;
import org.m2mgw.oscore.internal.edhoc.LocalCredential;
import org.m2mgw.oscore.internal.edhoc.PeerCredential;
import org.m2mgw.oscore.internal.oscore.OscoreClient;
import org.m2mgw.oscore.internal.oscore.OscoreContext;
import org.m2mgw.oscore.internal.oscore.ProtectedRequest;

/**
 * The OSCORE fx.listener end to end over UDP: a device runs EDHOC with the gateway at
 * /.well-known/edhoc, then posts OSCORE-protected telemetry, which reaches the durable queue;
 * bad input of every kind is refused with the RFC's code, counted and reported.
 */
class OscoreListenerTest {

    @TempDir
    Path data;

    OscoreGatewayFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = new OscoreGatewayFixture(data, Map.of());
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    /** Runs EDHOC (method 3) as the device and returns its OSCORE client context. */
    OscoreContext handshake(LocalCredential device, CipherSuite suite) throws Exception {
        org.m2mgw.oscore.internal.edhoc.OscoreParameters p = fx.edhoc(device, suite);
        return OscoreContext.derive(p.toOscore(), fx.aeads.get(p.aeadAlgorithm()));
    }

    Response post(OscoreContext ctx, String path, String json) throws Exception {
        Request inner = Request.newPost();
        inner.getOptions().setUriPath(path).setContentFormat(ContentFormats.JSON);
        inner.setPayload(json);
        ProtectedRequest p = OscoreClient.protectRequest(ctx, inner);
        Response outer = fx.send(p.request());
        return OscoreClient.unprotectResponse(p.binding(), outer);
    }

    @Test
    void givenARegisteredDevice_whenItRunsEdhocAndPostsWithOscore_thenTheMessageIsQueuedAndAcknowledged()
            throws Exception {
        LocalCredential dev = fx.device("dev1", (byte) 0x11, "XDH");
        OscoreContext ctx = handshake(dev, CipherSuite.SUITE_0);

        Response r = post(ctx, "telemetry/temp", "{\"t\":21.5}");

        assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(fx.consumer.accepted).hasSize(1);
        DeviceMessage m = fx.consumer.accepted.get(0);
        assertThat(m.deviceId()).isEqualTo("dev1");
        assertThat(m.resource()).isEqualTo("telemetry/temp");
        assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"t\":21.5}");
        assertThat(m.security().protocol()).isEqualTo("OSCORE");
        assertThat(fx.events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).isEqualTo(1);
        assertThat(fx.events.count(TrafficEventType.REQUEST)).isEqualTo(1);
        Map<String, Long> c = fx.listener.counters();
        assertThat(c).containsEntry("oscore.contexts", 1L).containsEntry("airtime.edhoc.handshakes", 1L);
        assertThat(c.get("airtime.edhoc.bytes.in") + c.get("airtime.edhoc.bytes.out")).isBetween(80L, 600L);
        assertThat(c.get("airtime.oscore.datagrams.in")).isEqualTo(1L);
    }

    @Test
    void givenADeviceWithAContext_whenTheSessionDirectoryIsAsked_thenItListsTheContextWithItsLastAddress_andARestoredOneAsResumed()
            throws Exception {
        assertThat(fx.listener.sessions()).isEmpty();
        OscoreContext ctx = handshake(fx.device("dev1", (byte) 0x11, "XDH"), CipherSuite.SUITE_0);
        assertThat(fx.listener.sessions()).singleElement().satisfies(s -> {
            assertThat(s.deviceId()).isEqualTo("dev1");
            assertThat(s.protocol()).isEqualTo("oscore");
            assertThat(s.resumed()).isFalse();
            assertThat(s.lastSeen()).as("no request yet").isEmpty();
            assertThat(s.cid()).isPresent();
        });
        assertThat(post(ctx, "telemetry/temp", "{\"t\":1}").getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(fx.listener.sessions("dev1")).singleElement().satisfies(s -> {
            assertThat(s.lastSeen()).isPresent();
            assertThat(s.address()).get().satisfies(a -> assertThat(a.getAddress().isLoopbackAddress()).isTrue());
        });
        fx.restartAfterPowerCut();
        assertThat(fx.listener.sessions()).singleElement()
                .satisfies(s -> assertThat(s.resumed()).as("restored from storage").isTrue());
    }

    @Test
    void givenAPlainRequest_thenItGets401_andAnUnknownKidGets401_andATamperedOneGets400() throws Exception {
        Request plain = Request.newPost();
        plain.getOptions().setUriPath("telemetry");
        plain.setPayload("{}");
        assertThat(fx.send(plain).getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);

        LocalCredential dev = fx.device("dev1", (byte) 0x11, "EC");
        OscoreContext ctx = handshake(dev, CipherSuite.SUITE_2);
        Request inner = Request.newPost();
        inner.getOptions().setUriPath("telemetry");
        inner.setPayload("{}");
        ProtectedRequest p = OscoreClient.protectRequest(ctx, inner);
        byte[] payload = p.request().getPayload();
        payload[payload.length - 1] ^= 1;
        p.request().setPayload(payload);
        assertThat(fx.send(p.request()).getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(fx.events.count(TrafficEventType.RECORD_MAC_FAILED)).isEqualTo(1);
        assertThat(fx.consumer.accepted).isEmpty();
        // the device goes on with its next sequence number
        assertThat(post(ctx, "telemetry", "{\"ok\":1}").getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    @Test
    void givenTheSameProtectedRequestTwiceWithANewMessageId_thenTheSecondIsAReplay_andNothingIsQueuedTwice()
            throws Exception {
        OscoreContext ctx = handshake(fx.device("dev1", (byte) 0x11, "XDH"), CipherSuite.SUITE_0);
        Request inner = Request.newPost();
        inner.getOptions().setUriPath("telemetry");
        inner.setPayload("{\"n\":1}");
        ProtectedRequest p = OscoreClient.protectRequest(ctx, inner);
        Request copy = Request.newPost();
        copy.setOptions(p.request().getOptions());
        copy.setPayload(p.request().getPayload());
        assertThat(fx.send(p.request()).getCode()).isEqualTo(ResponseCode.CHANGED);

        Response again = fx.send(copy);

        assertThat(again.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(again.getPayloadString()).isEqualTo("Replay detected");
        assertThat(fx.events.count(TrafficEventType.REPLAY_DROPPED)).isEqualTo(1);
        assertThat(fx.consumer.accepted).hasSize(1);
    }

    @Test
    void givenAnUnknownOrDisabledDevice_thenEdhocFailsWithAnErrorMessage_andNoContextIsMade() throws Exception {
        LocalCredential stranger = fx.device("stranger", (byte) 0x21, "XDH");
        fx.registry.devices.remove("stranger");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> handshake(stranger, CipherSuite.SUITE_0))
                .isInstanceOf(AssertionError.class);
        assertThat(fx.events.of(TrafficEventType.HANDSHAKE_FAILED)).singleElement()
                .satisfies(e -> assertThat(e.reason()).contains("no device has this EDHOC credential"));

        LocalCredential off = fx.device("off", (byte) 0x22, "XDH");
        fx.registry.put(fx.registry.devices.get("off").toBuilder().enabled(false).build());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> handshake(off, CipherSuite.SUITE_0))
                .isInstanceOf(AssertionError.class);
        assertThat(fx.listener.counters()).containsEntry("oscore.contexts", 0L);
        assertThat(fx.events.count(TrafficEventType.HANDSHAKE_FAILED)).isEqualTo(2);
        assertThat(fx.listener.counters().get("airtime.unattributed.bytes")).isPositive();
    }

    @Test
    void givenEdhocAndOscoreInOneRequest_thenTheHandshakeCompletesAndTheRequestIsServedInOneRoundTrip()
            throws Exception {
        LocalCredential dev = fx.device("dev1", (byte) 0x11, "EC");
        GatewayIdentity gw = GatewayIdentity.loadOrCreate(data.resolve("oscore").resolve("identity"));
        EdhocInitiator initiator = new EdhocInitiator(EdhocInitiator.Config.builder().method(EdhocMethod.of(3).get())
                .suites(List.of(CipherSuite.SUITE_2)).credential(dev)
                .connectionId(org.m2mgw.oscore.internal.edhoc.ConnectionId.of(new byte[] {0x42})).build(), fx.aeads::get,
                id -> gw.keys().stream().filter(k -> Arrays.equals(k.kid(), id.kid().orElse(null))).findFirst()
                        .map(k -> PeerCredential.ccs(k.ccs(), "gateway")));
        Request m1 = Request.newPost();
        m1.getOptions().setUriPath(".well-known/edhoc");
        m1.setPayload(EdhocCoap.message1Body(initiator.message1()));
        EdhocInitiator.Message3 m3 = initiator.processMessage2(fx.send(m1).getPayload());
        org.m2mgw.oscore.internal.edhoc.OscoreParameters p = m3.session().oscore();
        OscoreContext ctx = OscoreContext.derive(p.toOscore(), fx.aeads.get(p.aeadAlgorithm()));

        // RFC 9668 section 3.2: the EDHOC option, and message_3 as a byte string before the ciphertext
        Request inner = Request.newPost();
        inner.getOptions().setUriPath("telemetry").setContentFormat(ContentFormats.JSON);
        inner.setPayload("{\"first\":true}");
        ProtectedRequest pr = OscoreClient.protectRequest(ctx, inner);
        Request combined = pr.request();
        combined.getOptions().addOption(new org.eclipse.californium.core.coap.Option(OscoreLayer.EDHOC));
        combined.setPayload(concat(org.m2mgw.oscore.internal.cbor.CborWriter.encodeBytes(m3.message()),
                combined.getPayload()));
        Response r = OscoreClient.unprotectResponse(pr.binding(), fx.send(combined));

        assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(fx.consumer.accepted).singleElement().satisfies(m -> assertThat(m.deviceId()).isEqualTo("dev1"));
        assertThat(fx.events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).isEqualTo(1);
        assertThat(post(ctx, "telemetry", "{\"second\":true}").getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    @Test
    void givenAPowerCut_whenTheGatewayStartsAgain_thenTheDeviceKeepsItsContext_provesFreshnessOnceWithEcho_andNoNonceRepeats()
            throws Exception {
        OscoreContext ctx = handshake(fx.device("dev1", (byte) 0x11, "XDH"), CipherSuite.SUITE_0);
        assertThat(post(ctx, "telemetry", "{\"n\":0}").getCode()).isEqualTo(ResponseCode.CHANGED);
        // the Partial IVs of the gateway's own nonces (responses that carry one), across power cuts
        List<Long> gatewayPartialIvs = new java.util.ArrayList<>();
        for (int cut = 1; cut <= 3; cut++) {
            fx.restartAfterPowerCut();
            assertThat(fx.listener.counters()).containsEntry("oscore.contexts", 1L);

            Request inner = Request.newPost();
            inner.getOptions().setUriPath("telemetry");
            inner.setPayload("{\"n\":" + cut + "}");
            ProtectedRequest p = OscoreClient.protectRequest(ctx, inner);
            Response outer = fx.send(p.request());
            gatewayPartialIvs.add(partialIv(outer));
            Response challenge = OscoreClient.unprotectResponse(p.binding(), outer);
            assertThat(challenge.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
            byte[] echo = challenge.getOptions().getOtherOption(
                    org.eclipse.californium.core.coap.option.StandardOptionRegistry.ECHO).getValue();
            assertThat(fx.consumer.accepted).hasSize(cut);

            Request retry = Request.newPost();
            retry.getOptions().setUriPath("telemetry");
            retry.getOptions().addOption(new org.eclipse.californium.core.coap.Option(
                    org.eclipse.californium.core.coap.option.StandardOptionRegistry.ECHO, echo));
            retry.setPayload("{\"n\":" + cut + "}");
            ProtectedRequest p2 = OscoreClient.protectRequest(ctx, retry);
            Response outer2 = fx.send(p2.request());
            if (outer2.getOptions().hasOscore() && partialIv(outer2) >= 0) {
                gatewayPartialIvs.add(partialIv(outer2));
            }
            assertThat(OscoreClient.unprotectResponse(p2.binding(), outer2).getCode()).isEqualTo(ResponseCode.CHANGED);
            assertThat(fx.consumer.accepted).hasSize(cut + 1);
        }

        assertThat(fx.events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).as("no new EDHOC").isEqualTo(1);
        // RFC 8613 Appendix B.1.1: sequence numbers are stored ahead of use, so a crash never makes the
        // gateway use one of its nonces twice
        assertThat(gatewayPartialIvs).as("the gateway's Partial IVs").hasSizeGreaterThanOrEqualTo(3)
                .doesNotHaveDuplicates().isSorted();
    }

    @Test
    void givenBadInputOfEveryKind_thenEachIsRefusedWithItsCodeAndCounted_andTheDeviceGoesOn() throws Exception {
        fx.close();
        fx = new OscoreGatewayFixture(data, Map.of("coap_max_payload_bytes", 256));
        OscoreContext ctx = handshake(fx.device("dev1", (byte) 0x11, "XDH"), CipherSuite.SUITE_0);

        // EDHOC out of order: a message_3 for a C_R the gateway never gave out
        Request m3 = Request.newPost();
        m3.getOptions().setUriPath(EdhocResource.PATH);
        m3.setPayload(EdhocCoap.message3Body(org.m2mgw.oscore.internal.edhoc.ConnectionId.of(new byte[] {0x7f, 0x7e}),
                new byte[] {0x43, 1, 2, 3}));
        Response r = fx.send(m3);
        assertThat(r.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(r.getOptions().getContentFormat()).isEqualTo(EdhocCoap.CONTENT_FORMAT_EDHOC);
        // EDHOC garbage
        Request junk = Request.newPost();
        junk.getOptions().setUriPath(EdhocResource.PATH);
        junk.setPayload(new byte[] {(byte) 0xf5, (byte) 0xff, 0x00});
        assertThat(fx.send(junk).getCode()).isEqualTo(ResponseCode.BAD_REQUEST);

        // mangled OSCORE options: reserved bit set; kid length past the end; empty value in a request
        for (byte[] option : new byte[][] {{(byte) 0x80}, {0x19, 0x01, 0x05}, {}}) {
            Request bad = Request.newPost();
            bad.getOptions().setOscore(option);
            bad.setPayload(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
            assertThat(fx.send(bad).getCode()).as(java.util.HexFormat.of().formatHex(option))
                    .isEqualTo(ResponseCode.BAD_OPTION);
        }
        // an unknown kid
        Request unknown = Request.newPost();
        unknown.getOptions().setOscore(new byte[] {0x09, 0x05, 0x77});
        unknown.setPayload(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        Response u = fx.send(unknown);
        assertThat(u.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(u.getPayloadString()).isEqualTo("Security context not found");
        // a truncated ciphertext (shorter than the 8-byte tag)
        Request inner = Request.newPost();
        inner.getOptions().setUriPath("telemetry");
        inner.setPayload("{}");
        ProtectedRequest truncated = OscoreClient.protectRequest(ctx, inner);
        truncated.request().setPayload(java.util.Arrays.copyOf(truncated.request().getPayload(), 3));
        assertThat(fx.send(truncated.request()).getCode()).isIn(ResponseCode.BAD_REQUEST, ResponseCode.BAD_OPTION);
        // an oversized reading inside OSCORE: 4.13, protected, with the limit in Size1
        // (one datagram: above coap.max.payload.bytes, below the CoAP message size that makes a client
        // split it into blocks)
        Response big = post(ctx, "telemetry", "{\"pad\":\"" + "x".repeat(400) + "\"}");
        assertThat(big.getCode()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
        assertThat(big.getOptions().getSize1()).isEqualTo(256);
        // a client that splits the protected request into outer blocks gets 4.13 with the reason
        Request huge = Request.newPost();
        huge.getOptions().setUriPath("telemetry");
        huge.setPayload("x".repeat(1500));
        Response split = fx.send(OscoreClient.protectRequest(ctx, huge).request());
        assertThat(split.getCode()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
        assertThat(split.getPayloadString()).contains("outer block-wise");

        assertThat(fx.events.count(TrafficEventType.HANDSHAKE_FAILED)).isEqualTo(2);
        assertThat(fx.events.count(TrafficEventType.MALFORMED_INPUT)).isGreaterThanOrEqualTo(3);
        assertThat(fx.events.count(TrafficEventType.REQUEST_REJECTED)).isGreaterThanOrEqualTo(2);
        assertThat(fx.consumer.accepted).isEmpty();
        // the device's own traffic is unaffected
        assertThat(post(ctx, "telemetry", "{\"ok\":1}").getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(fx.consumer.accepted).hasSize(1);
    }

    @Test
    void givenThePrivateAsconSuite_whenBothEndsAreConfiguredForIt_thenEdhocAndOscoreRunOnAsconAead128() throws Exception {
        fx.close();
        fx = new OscoreGatewayFixture(data, Map.of("edhoc_cipher_suites", new String[] {"-24", "0"}));
        OscoreContext ctx = handshake(fx.device("dev1", (byte) 0x11, "XDH"), OscoreSettings.ASCON_PRIVATE);

        assertThat(ctx.aead().algorithm()).isEqualTo(CoseAead.ASCON_AEAD128_PRIVATE);
        assertThat(post(ctx, "telemetry", "{\"t\":1}").getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(fx.consumer.accepted.get(0).security().cipherSuite()).isEqualTo("EDHOC_SUITE_ASCON_PRIVATE");
    }

    /** @return the Partial IV of a protected response's OSCORE option, or -1 when it has none */
    static long partialIv(Response outer) throws Exception {
        byte[] piv = org.m2mgw.oscore.internal.oscore.OscoreOption.decode(outer.getOptions().getOscore()).partialIv();
        if (piv == null || piv.length == 0) {
            return -1;
        }
        return new java.math.BigInteger(1, piv).longValue();
    }

    @Test
    void givenAQuarantinedDevice_thenItsContextIsDropped_andItsNextRequestIsRefused() throws Exception {
        OscoreContext ctx = handshake(fx.device("dev1", (byte) 0x11, "XDH"), CipherSuite.SUITE_0);
        assertThat(post(ctx, "telemetry", "{}").getCode()).isEqualTo(ResponseCode.CHANGED);
        fx.access.addListener(fx.listener);
        fx.access.quarantine("dev1", java.time.Duration.ofMinutes(5), "test", "operator");

        Request inner = Request.newPost();
        inner.getOptions().setUriPath("telemetry");
        inner.setPayload("{}");
        Response r = fx.send(OscoreClient.protectRequest(ctx, inner).request());

        assertThat(r.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(r.getPayloadString()).isEqualTo("Security context not found");
        assertThat(fx.consumer.accepted).hasSize(1);
        assertThat(fx.events.of(TrafficEventType.SESSION_CLOSED)).isNotEmpty();
    }

    @Test
    void givenAPolicyThatRetiredTheSuite_thenEdhocIsRefused_andAContextOnItIsDroppedWhenThePolicyChanges()
            throws Exception {
        java.util.Set<String> retired = ConcurrentHashMap.newKeySet();
        fx.listener.cryptoPolicy = (org.m2mgw.api.crypto.CryptoPolicy) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {org.m2mgw.api.crypto.CryptoPolicy.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "suite" -> retired.contains((String) args[1])
                            ? org.m2mgw.api.crypto.Verdict.of(org.m2mgw.api.crypto.CryptoStatus.RETIRED,
                                    "suite " + args[1] + " retired", null)
                            : org.m2mgw.api.crypto.Verdict.ok();
                    case "limits" -> Optional.empty();
                    case "revision" -> 7L;
                    default -> null;
                });
        OscoreContext ctx = handshake(fx.device("dev1", (byte) 0x11, "XDH"), CipherSuite.SUITE_0);
        assertThat(post(ctx, "telemetry", "{}").getCode()).isEqualTo(ResponseCode.CHANGED);

        retired.add("EDHOC_SUITE_0");
        fx.listener.sweep("test");

        assertThat(fx.listener.counters()).containsEntry("oscore.contexts", 0L)
                .containsEntry("oscore.contexts.ended.by.crypto.policy", 1L);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> handshake(fx.registry.devices.get("dev1") == null
                ? null : fx.device("dev2", (byte) 0x12, "XDH"), CipherSuite.SUITE_0)).isInstanceOf(AssertionError.class);
        assertThat(fx.events.of(TrafficEventType.HANDSHAKE_FAILED)).last()
                .satisfies(e -> assertThat(e.reason()).contains("suite EDHOC_SUITE_0 retired"));
        // suite 2 is still allowed
        assertThat(post(handshake(fx.device("dev3", (byte) 0x13, "EC"), CipherSuite.SUITE_2), "telemetry", "{}")
                .getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
