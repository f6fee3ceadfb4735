package org.m2mgw.oscore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.device.EdhocCredential;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.DeviceMessageConsumer;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventListener;
import org.m2mgw.api.traffic.TrafficEventType;
import org.m2mgw.crypto.bc.internal.BcCoseAead;
import org.m2mgw.oscore.internal.edhoc.CipherSuite;
import org.m2mgw.oscore.internal.edhoc.EdhocCoap;
import org.m2mgw.oscore.internal.edhoc.EdhocInitiator;
import org.m2mgw.oscore.internal.edhoc.EdhocMethod;
import org.m2mgw.oscore.internal.edhoc.EdhocSession;
import org.m2mgw.oscore.internal.edhoc.IdCred;
import org.m2mgw.oscore.internal.edhoc.LocalCredential;
import org.m2mgw.oscore.internal.edhoc.PeerCredential;
import org.m2mgw.oscore.internal.oscore.OscoreClient;
import org.m2mgw.oscore.internal.oscore.OscoreContext;
import org.m2mgw.oscore.internal.oscore.OscoreParameters;
import org.m2mgw.oscore.internal.oscore.ProtectedRequest;
import org.m2mgw.support.testing.TestRuntime;

/**
 * The OSCORE listener end to end over UDP: a device runs EDHOC with the gateway at
 * /.well-known/edhoc, then posts OSCORE-protected telemetry, which reaches the durable queue;
 * bad input of every kind is refused with the RFC's code, counted and reported.
 */
class OscoreListenerTest {

    @TempDir
    Path data;

    final Registry registry = new Registry();
    final Consumer consumer = new Consumer();
    final Events events = new Events();
    org.m2mgw.access.internal.RestrictionTable access;
    OscoreListener listener;
    InetSocketAddress server;
    CoapEndpoint client;
    final Map<Integer, CoseAead> aeads = new HashMap<>();

    @BeforeEach
    void start() throws Exception {
        for (BcCoseAead a : BcCoseAead.all()) {
            aeads.put(a.algorithm(), a);
        }
        access = new org.m2mgw.access.internal.RestrictionTable(TestRuntime.on(data, "test"));
        listener = newListener(Map.of());
        server = new InetSocketAddress("127.0.0.1", listener.address().orElseThrow().getPort());
        Configuration c = Configuration.createStandardWithoutFile();
        c.set(CoapConfig.ACK_TIMEOUT, 500, TimeUnit.MILLISECONDS);
        client = new CoapEndpoint.Builder().setConfiguration(c).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0))
                .build();
        client.start();
    }

    OscoreListener newListener(Map<String, Object> overrides) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("listener_address", "127.0.0.1");
        cfg.put("listener_port", 0);
        cfg.put("coap_accept_timeout_ms", 1000);
        cfg.putAll(overrides);
        OscoreListener l = new OscoreListener(registry, TestRuntime.on(data, "test"), access,
                Map.of("service.pid", OscoreListener.FACTORY_PID + "~test"),
                TestRuntime.config(OscoreListenerConfig.class, cfg));
        l.consumer = consumer;
        l.addTrafficListener(events);
        aeads.values().forEach(l::addAead);
        return l;
    }

    @AfterEach
    void stop() {
        client.destroy();
        listener.deactivate();
    }

    /** A registered device with an X25519 (method 3, suite 0) or P-256 (suite 2) static DH key. */
    LocalCredential device(String id, byte kid, String algorithm) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        }
        KeyPair kp = g.generateKeyPair();
        byte[] k = {kid};
        byte[] ccs = GatewayIdentity.ccs(k, kp.getPublic(), id);
        registry.put(Device.builder(id).allow("telemetry/*").allow("commands").edhocCredential(EdhocCredential.ccs(k, ccs))
                .build());
        return LocalCredential.ccs(IdCred.kid(k), ccs, kp.getPrivate());
    }

    Response send(Request r) throws Exception {
        r.setDestinationContext(new org.eclipse.californium.elements.AddressEndpointContext(server));
        r.setType(CoAP.Type.CON);
        client.sendRequest(r);
        Response resp = r.waitForResponse(5000);
        assertThat(resp).as("response to " + r).isNotNull();
        return resp;
    }

    /** Runs EDHOC as the device (method 3, the given suite) and returns its OSCORE client context. */
    OscoreContext handshake(LocalCredential device, CipherSuite suite) throws Exception {
        GatewayIdentity gw = GatewayIdentity.loadOrCreate(data.resolve("oscore").resolve("identity"));
        EdhocInitiator initiator = new EdhocInitiator(EdhocInitiator.Config.builder().method(EdhocMethod.of(3).get())
                .suites(List.of(suite)).credential(device)
                .connectionId(org.m2mgw.oscore.internal.edhoc.ConnectionId.of(new byte[] {0x42})).build(), aeads::get,
                id -> gw.keys().stream()
                        .filter(k -> Arrays.equals(k.kid(), id.kid().orElse(null)))
                        .findFirst().map(k -> PeerCredential.ccs(k.ccs(), "gateway")));
        Request m1 = Request.newPost();
        m1.getOptions().setUriPath(".well-known/edhoc");
        m1.setPayload(EdhocCoap.message1Body(initiator.message1()));
        Response r2 = send(m1);
        assertThat(r2.getCode()).isEqualTo(ResponseCode.CHANGED);
        EdhocInitiator.Message3 m3 = initiator.processMessage2(r2.getPayload());
        Request req3 = Request.newPost();
        req3.getOptions().setUriPath(".well-known/edhoc");
        req3.setPayload(EdhocCoap.message3Body(m3.session().connectionIdR(), m3.message()));
        Response r3 = send(req3);
        assertThat(r3.getCode()).as(r3.getPayloadString()).isEqualTo(ResponseCode.CHANGED);
        EdhocSession s = m3.session();
        org.m2mgw.oscore.internal.edhoc.OscoreParameters p = s.oscore();
        return OscoreContext.derive(OscoreParameters.of(p.masterSecret(), p.senderId(), p.recipientId(),
                p.aeadAlgorithm()).withMasterSalt(p.masterSalt()), aeads.get(p.aeadAlgorithm()));
    }

    Response post(OscoreContext ctx, String path, String json) throws Exception {
        Request inner = Request.newPost();
        inner.getOptions().setUriPath(path).setContentFormat(ContentFormats.JSON);
        inner.setPayload(json);
        ProtectedRequest p = OscoreClient.protectRequest(ctx, inner);
        Response outer = send(p.request());
        return OscoreClient.unprotectResponse(p.binding(), outer);
    }

    @Test
    void givenARegisteredDevice_whenItRunsEdhocAndPostsWithOscore_thenTheMessageIsQueuedAndAcknowledged()
            throws Exception {
        LocalCredential dev = device("dev1", (byte) 0x11, "XDH");
        OscoreContext ctx = handshake(dev, CipherSuite.SUITE_0);

        Response r = post(ctx, "telemetry/temp", "{\"t\":21.5}");

        assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(consumer.accepted).hasSize(1);
        DeviceMessage m = consumer.accepted.get(0);
        assertThat(m.deviceId()).isEqualTo("dev1");
        assertThat(m.resource()).isEqualTo("telemetry/temp");
        assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"t\":21.5}");
        assertThat(m.security().protocol()).isEqualTo("OSCORE");
        assertThat(events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).isEqualTo(1);
        assertThat(events.count(TrafficEventType.REQUEST)).isEqualTo(1);
        Map<String, Long> c = listener.counters();
        assertThat(c).containsEntry("oscore.contexts", 1L).containsEntry("airtime.edhoc.handshakes", 1L);
        assertThat(c.get("airtime.edhoc.bytes.in") + c.get("airtime.edhoc.bytes.out")).isBetween(80L, 600L);
        assertThat(c.get("airtime.oscore.datagrams.in")).isEqualTo(1L);
    }

    @Test
    void givenAPlainRequest_thenItGets401_andAnUnknownKidGets401_andATamperedOneGets400() throws Exception {
        Request plain = Request.newPost();
        plain.getOptions().setUriPath("telemetry");
        plain.setPayload("{}");
        assertThat(send(plain).getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);

        LocalCredential dev = device("dev1", (byte) 0x11, "EC");
        OscoreContext ctx = handshake(dev, CipherSuite.SUITE_2);
        Request inner = Request.newPost();
        inner.getOptions().setUriPath("telemetry");
        inner.setPayload("{}");
        ProtectedRequest p = OscoreClient.protectRequest(ctx, inner);
        byte[] payload = p.request().getPayload();
        payload[payload.length - 1] ^= 1;
        p.request().setPayload(payload);
        assertThat(send(p.request()).getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(events.count(TrafficEventType.RECORD_MAC_FAILED)).isEqualTo(1);
        assertThat(consumer.accepted).isEmpty();
        // the device goes on with its next sequence number
        assertThat(post(ctx, "telemetry", "{\"ok\":1}").getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    @Test
    void givenTheSameProtectedRequestTwiceWithANewMessageId_thenTheSecondIsAReplay_andNothingIsQueuedTwice()
            throws Exception {
        OscoreContext ctx = handshake(device("dev1", (byte) 0x11, "XDH"), CipherSuite.SUITE_0);
        Request inner = Request.newPost();
        inner.getOptions().setUriPath("telemetry");
        inner.setPayload("{\"n\":1}");
        ProtectedRequest p = OscoreClient.protectRequest(ctx, inner);
        Request copy = Request.newPost();
        copy.setOptions(p.request().getOptions());
        copy.setPayload(p.request().getPayload());
        assertThat(send(p.request()).getCode()).isEqualTo(ResponseCode.CHANGED);

        Response again = send(copy);

        assertThat(again.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(again.getPayloadString()).isEqualTo("Replay detected");
        assertThat(events.count(TrafficEventType.REPLAY_DROPPED)).isEqualTo(1);
        assertThat(consumer.accepted).hasSize(1);
    }

    @Test
    void givenAnUnknownOrDisabledDevice_thenEdhocFailsWithAnErrorMessage_andNoContextIsMade() throws Exception {
        LocalCredential stranger = device("stranger", (byte) 0x21, "XDH");
        registry.devices.remove("stranger");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> handshake(stranger, CipherSuite.SUITE_0))
                .isInstanceOf(AssertionError.class);
        assertThat(events.of(TrafficEventType.HANDSHAKE_FAILED)).singleElement()
                .satisfies(e -> assertThat(e.reason()).contains("no device has this EDHOC credential"));

        LocalCredential off = device("off", (byte) 0x22, "XDH");
        registry.put(registry.devices.get("off").toBuilder().enabled(false).build());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> handshake(off, CipherSuite.SUITE_0))
                .isInstanceOf(AssertionError.class);
        assertThat(listener.counters()).containsEntry("oscore.contexts", 0L);
        assertThat(events.count(TrafficEventType.HANDSHAKE_FAILED)).isEqualTo(2);
        assertThat(listener.counters().get("airtime.unattributed.bytes")).isPositive();
    }

    @Test
    void givenEdhocAndOscoreInOneRequest_thenTheHandshakeCompletesAndTheRequestIsServedInOneRoundTrip()
            throws Exception {
        LocalCredential dev = device("dev1", (byte) 0x11, "EC");
        GatewayIdentity gw = GatewayIdentity.loadOrCreate(data.resolve("oscore").resolve("identity"));
        EdhocInitiator initiator = new EdhocInitiator(EdhocInitiator.Config.builder().method(EdhocMethod.of(3).get())
                .suites(List.of(CipherSuite.SUITE_2)).credential(dev)
                .connectionId(org.m2mgw.oscore.internal.edhoc.ConnectionId.of(new byte[] {0x42})).build(), aeads::get,
                id -> gw.keys().stream().filter(k -> Arrays.equals(k.kid(), id.kid().orElse(null))).findFirst()
                        .map(k -> PeerCredential.ccs(k.ccs(), "gateway")));
        Request m1 = Request.newPost();
        m1.getOptions().setUriPath(".well-known/edhoc");
        m1.setPayload(EdhocCoap.message1Body(initiator.message1()));
        EdhocInitiator.Message3 m3 = initiator.processMessage2(send(m1).getPayload());
        org.m2mgw.oscore.internal.edhoc.OscoreParameters p = m3.session().oscore();
        OscoreContext ctx = OscoreContext.derive(OscoreParameters.of(p.masterSecret(), p.senderId(), p.recipientId(),
                p.aeadAlgorithm()).withMasterSalt(p.masterSalt()), aeads.get(p.aeadAlgorithm()));

        // RFC 9668 section 3.2: the EDHOC option, and message_3 as a byte string before the ciphertext
        Request inner = Request.newPost();
        inner.getOptions().setUriPath("telemetry").setContentFormat(ContentFormats.JSON);
        inner.setPayload("{\"first\":true}");
        ProtectedRequest pr = OscoreClient.protectRequest(ctx, inner);
        Request combined = pr.request();
        combined.getOptions().addOption(new org.eclipse.californium.core.coap.Option(OscoreLayer.EDHOC));
        combined.setPayload(concat(org.m2mgw.oscore.internal.cbor.CborWriter.encodeBytes(m3.message()),
                combined.getPayload()));
        Response r = OscoreClient.unprotectResponse(pr.binding(), send(combined));

        assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(consumer.accepted).singleElement().satisfies(m -> assertThat(m.deviceId()).isEqualTo("dev1"));
        assertThat(events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).isEqualTo(1);
        assertThat(post(ctx, "telemetry", "{\"second\":true}").getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    @Test
    void givenAPowerCut_whenTheGatewayStartsAgain_thenTheDeviceKeepsItsContext_provesFreshnessOnceWithEcho_andNoNonceRepeats()
            throws Exception {
        OscoreContext ctx = handshake(device("dev1", (byte) 0x11, "XDH"), CipherSuite.SUITE_0);
        assertThat(post(ctx, "telemetry", "{\"n\":1}").getCode()).isEqualTo(ResponseCode.CHANGED);
        listener.halt();
        listener = newListener(Map.of());
        server = new InetSocketAddress("127.0.0.1", listener.address().orElseThrow().getPort());
        assertThat(listener.counters()).containsEntry("oscore.contexts", 1L);

        Request inner = Request.newPost();
        inner.getOptions().setUriPath("telemetry");
        inner.setPayload("{\"n\":2}");
        ProtectedRequest p = OscoreClient.protectRequest(ctx, inner);
        Response challenge = OscoreClient.unprotectResponse(p.binding(), send(p.request()));
        assertThat(challenge.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        byte[] echo = challenge.getOptions().getOtherOption(
                org.eclipse.californium.core.coap.option.StandardOptionRegistry.ECHO).getValue();
        assertThat(consumer.accepted).hasSize(1);

        Request retry = Request.newPost();
        retry.getOptions().setUriPath("telemetry");
        retry.getOptions().addOption(new org.eclipse.californium.core.coap.Option(
                org.eclipse.californium.core.coap.option.StandardOptionRegistry.ECHO, echo));
        retry.setPayload("{\"n\":2}");
        ProtectedRequest p2 = OscoreClient.protectRequest(ctx, retry);
        Response ok = OscoreClient.unprotectResponse(p2.binding(), send(p2.request()));

        assertThat(ok.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(consumer.accepted).hasSize(2);
        assertThat(events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).as("no new EDHOC").isEqualTo(1);
    }

    @Test
    void givenAQuarantinedDevice_thenItsContextIsDropped_andItsNextRequestIsRefused() throws Exception {
        OscoreContext ctx = handshake(device("dev1", (byte) 0x11, "XDH"), CipherSuite.SUITE_0);
        assertThat(post(ctx, "telemetry", "{}").getCode()).isEqualTo(ResponseCode.CHANGED);
        access.addListener(listener);
        access.quarantine("dev1", java.time.Duration.ofMinutes(5), "test", "operator");

        Request inner = Request.newPost();
        inner.getOptions().setUriPath("telemetry");
        inner.setPayload("{}");
        Response r = send(OscoreClient.protectRequest(ctx, inner).request());

        assertThat(r.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(r.getPayloadString()).isEqualTo("Security context not found");
        assertThat(consumer.accepted).hasSize(1);
        assertThat(events.of(TrafficEventType.SESSION_CLOSED)).isNotEmpty();
    }

    @Test
    void givenAPolicyThatRetiredTheSuite_thenEdhocIsRefused_andAContextOnItIsDroppedWhenThePolicyChanges()
            throws Exception {
        java.util.Set<String> retired = ConcurrentHashMap.newKeySet();
        listener.cryptoPolicy = (org.m2mgw.api.crypto.CryptoPolicy) java.lang.reflect.Proxy.newProxyInstance(
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
        OscoreContext ctx = handshake(device("dev1", (byte) 0x11, "XDH"), CipherSuite.SUITE_0);
        assertThat(post(ctx, "telemetry", "{}").getCode()).isEqualTo(ResponseCode.CHANGED);

        retired.add("EDHOC_SUITE_0");
        listener.sweep("test");

        assertThat(listener.counters()).containsEntry("oscore.contexts", 0L)
                .containsEntry("oscore.contexts.ended.by.crypto.policy", 1L);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> handshake(registry.devices.get("dev1") == null
                ? null : device("dev2", (byte) 0x12, "XDH"), CipherSuite.SUITE_0)).isInstanceOf(AssertionError.class);
        assertThat(events.of(TrafficEventType.HANDSHAKE_FAILED)).last()
                .satisfies(e -> assertThat(e.reason()).contains("suite EDHOC_SUITE_0 retired"));
        // suite 2 is still allowed
        assertThat(post(handshake(device("dev3", (byte) 0x13, "EC"), CipherSuite.SUITE_2), "telemetry", "{}")
                .getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static final class Registry implements DeviceRegistry {
        final Map<String, Device> devices = new ConcurrentHashMap<>();

        void put(Device d) {
            devices.put(d.deviceId(), d);
        }

        @Override
        public Optional<Device> device(String deviceId) {
            return Optional.ofNullable(devices.get(deviceId));
        }

        @Override
        public Optional<Device> byEdhocKid(byte[] kid) {
            return devices.values().stream().filter(d -> d.edhocCredential().flatMap(EdhocCredential::kid)
                    .map(k -> Arrays.equals(k, kid)).orElse(false)).findFirst();
        }

        @Override
        public Optional<Device> byPskIdentity(String pskIdentity) {
            return Optional.empty();
        }

        @Override
        public Optional<Device> byPublicKey(byte[] spki) {
            return Optional.empty();
        }

        @Override
        public Optional<Device> byCertificateSubject(String subject) {
            return Optional.empty();
        }

        @Override
        public Optional<Device> byCertificate(String issuer, String subject) {
            return Optional.empty();
        }

        @Override
        public Optional<byte[]> pskSecret(String pskIdentity) {
            return Optional.empty();
        }

        @Override
        public Optional<Device> promoteNextCredential(String deviceId) {
            return device(deviceId);
        }

        @Override
        public Collection<Device> devices() {
            return devices.values();
        }

        @Override
        public List<X509Certificate> trustAnchors() {
            return List.of();
        }
    }

    static final class Consumer implements DeviceMessageConsumer {
        final List<DeviceMessage> accepted = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Acceptance> accept(DeviceMessage message) {
            accepted.add(message);
            return CompletableFuture.completedFuture(Acceptance.accepted());
        }
    }

    static final class Events implements TrafficEventListener {
        final List<TrafficEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(TrafficEvent e) {
            events.add(e);
        }

        List<TrafficEvent> of(TrafficEventType t) {
            return events.stream().filter(e -> e.type() == t).toList();
        }

        long count(TrafficEventType t) {
            return events.stream().filter(e -> e.type() == t).count();
        }
    }
}
