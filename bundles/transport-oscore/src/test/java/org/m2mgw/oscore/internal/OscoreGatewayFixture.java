package org.m2mgw.oscore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
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
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.m2mgw.access.internal.RestrictionTable;
import org.m2mgw.api.command.Command;
import org.m2mgw.api.command.CommandQueue;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.device.EdhocCredential;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.DeviceMessageConsumer;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventListener;
import org.m2mgw.api.traffic.TrafficEventType;
import org.m2mgw.crypto.bc.internal.BcCoseAead;
import org.m2mgw.oscore.internal.edhoc.CipherSuite;
import org.m2mgw.oscore.internal.edhoc.ConnectionId;
import org.m2mgw.oscore.internal.edhoc.EdhocCoap;
import org.m2mgw.oscore.internal.edhoc.EdhocInitiator;
import org.m2mgw.oscore.internal.edhoc.EdhocMethod;
import org.m2mgw.oscore.internal.edhoc.IdCred;
import org.m2mgw.oscore.internal.edhoc.LocalCredential;
import org.m2mgw.oscore.internal.edhoc.OscoreParameters;
import org.m2mgw.oscore.internal.edhoc.PeerCredential;
import org.m2mgw.support.testing.TestRuntime;

/**
 * A running OSCORE listener on loopback for end-to-end tests: fake device registry, durable queue
 * (consumer), command queue and traffic event log, the Bouncy Castle AEADs, and a plain CoAP
 * endpoint with which a device runs EDHOC (method 3) with the gateway using our initiator.
 */
final class OscoreGatewayFixture implements AutoCloseable {

    final Path data;
    final Registry registry = new Registry();
    final Consumer consumer = new Consumer();
    final Commands commands = new Commands();
    final Events events = new Events();
    final Map<Integer, CoseAead> aeads = new HashMap<>();
    final RestrictionTable access;
    private final Map<String, Object> overrides;
    OscoreListener listener;
    /** The gateway's UDP address. */
    InetSocketAddress server;
    /** A plain CoAP endpoint, for EDHOC at /.well-known/edhoc. */
    final CoapEndpoint plain;

    /**
     * Starts a listener on 127.0.0.1 (ephemeral port).
     *
     * @param data the gateway's data directory
     * @param overrides configuration properties of {@link OscoreListenerConfig} (by method name)
     */
    OscoreGatewayFixture(Path data, Map<String, Object> overrides) throws Exception {
        this.data = data;
        this.overrides = Map.copyOf(overrides);
        for (BcCoseAead a : BcCoseAead.all()) {
            aeads.put(a.algorithm(), a);
        }
        access = new RestrictionTable(TestRuntime.on(data, "test"));
        listener = newListener(overrides);
        server = new InetSocketAddress("127.0.0.1", listener.address().orElseThrow().getPort());
        Configuration c = Configuration.createStandardWithoutFile();
        c.set(CoapConfig.ACK_TIMEOUT, 500, TimeUnit.MILLISECONDS);
        plain = new CoapEndpoint.Builder().setConfiguration(c)
                .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
        plain.start();
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
        l.commandQueue = commands;
        l.addTrafficListener(events);
        aeads.values().forEach(l::addAead);
        assertThat(l.ready()).as(l.statusLine()).isTrue();
        return l;
    }

    /**
     * A power cut and a new start: the listener stops without saving anything and a new one starts
     * on the same data directory (and another port) with the same configuration.
     */
    void restartAfterPowerCut() {
        listener.halt();
        listener = newListener(overrides);
        server = new InetSocketAddress("127.0.0.1", listener.address().orElseThrow().getPort());
    }

    @Override
    public void close() {
        plain.destroy();
        listener.deactivate();
    }

    /**
     * Registers a device with a static Diffie-Hellman key: X25519 ({@code "XDH"}, suites 0 and 4)
     * or P-256 ({@code "EC"}, suite 2), allowed telemetry/* and commands.
     */
    LocalCredential device(String id, byte kid, String algorithm) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        }
        KeyPair kp = g.generateKeyPair();
        byte[] k = {kid};
        byte[] ccs = GatewayIdentity.ccs(k, kp.getPublic(), id);
        registry.put(Device.builder(id).allow("telemetry/*").allow("commands")
                .edhocCredential(EdhocCredential.ccs(k, ccs)).build());
        return LocalCredential.ccs(IdCred.kid(k), ccs, kp.getPrivate());
    }

    /** Sends a plain CoAP request (CON) to the gateway and waits for its response. */
    Response send(Request r) throws Exception {
        r.setDestinationContext(new AddressEndpointContext(server));
        r.setType(CoAP.Type.CON);
        plain.sendRequest(r);
        Response resp = r.waitForResponse(5000);
        assertThat(resp).as("response to " + r).isNotNull();
        return resp;
    }

    /**
     * Runs EDHOC (method 3, the given suite, C_I 0x42) with the gateway over UDP as the device
     * and returns the OSCORE parameters the initiator derived (RFC 9528 appendix A.1): its sender
     * id is the gateway's C_R, its recipient id C_I.
     */
    OscoreParameters edhoc(LocalCredential device, CipherSuite suite) throws Exception {
        GatewayIdentity gw = GatewayIdentity.loadOrCreate(data.resolve("oscore").resolve("identity"));
        EdhocInitiator initiator = new EdhocInitiator(EdhocInitiator.Config.builder().method(EdhocMethod.of(3).get())
                .suites(List.of(suite)).credential(device).connectionId(ConnectionId.of(new byte[] {0x42})).build(),
                aeads::get, id -> gw.keys().stream().filter(k -> Arrays.equals(k.kid(), id.kid().orElse(null)))
                        .findFirst().map(k -> PeerCredential.ccs(k.ccs(), "gateway")));
        Request m1 = Request.newPost();
        m1.getOptions().setUriPath(EdhocResource.PATH);
        m1.setPayload(EdhocCoap.message1Body(initiator.message1()));
        Response r2 = send(m1);
        assertThat(r2.getCode()).as(r2.getPayloadString()).isEqualTo(ResponseCode.CHANGED);
        EdhocInitiator.Message3 m3 = initiator.processMessage2(r2.getPayload());
        Request req3 = Request.newPost();
        req3.getOptions().setUriPath(EdhocResource.PATH);
        req3.setPayload(EdhocCoap.message3Body(m3.session().connectionIdR(), m3.message()));
        Response r3 = send(req3);
        assertThat(r3.getCode()).as(r3.getPayloadString()).isEqualTo(ResponseCode.CHANGED);
        return m3.session().oscore();
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

    /** The durable queue: accepts everything at once. */
    static final class Consumer implements DeviceMessageConsumer {
        final List<DeviceMessage> accepted = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Acceptance> accept(DeviceMessage message) {
            accepted.add(message);
            return CompletableFuture.completedFuture(Acceptance.accepted());
        }
    }

    /** An in-memory command queue. */
    static final class Commands implements CommandQueue {
        final List<Command> queued = new CopyOnWriteArrayList<>();
        final List<String> delivered = new CopyOnWriteArrayList<>();

        Command add(String commandId, String deviceId, int contentFormat, byte[] payload) {
            Instant now = Instant.now();
            Command c = new Command(commandId, deviceId, contentFormat, payload, now, now.plusSeconds(3600));
            queued.add(c);
            return c;
        }

        @Override
        public boolean offer(Command command) {
            return queued.add(command);
        }

        @Override
        public List<Command> peek(String deviceId, int max) {
            List<Command> out = new ArrayList<>();
            for (Command c : queued) {
                if (c.deviceId().equals(deviceId) && out.size() < max) {
                    out.add(c);
                }
            }
            return out;
        }

        @Override
        public void delivered(String deviceId, List<String> commandIds) {
            queued.removeIf(c -> c.deviceId().equals(deviceId) && commandIds.contains(c.commandId()));
            delivered.addAll(commandIds);
        }

        @Override
        public int pending(String deviceId) {
            return (int) queued.stream().filter(c -> c.deviceId().equals(deviceId)).count();
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
