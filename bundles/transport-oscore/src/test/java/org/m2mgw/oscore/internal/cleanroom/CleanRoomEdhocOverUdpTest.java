package org.m2mgw.oscore.internal.cleanroom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.oscore.internal.cleanroom.RfcEdhocInitiator.hex;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.access.internal.RestrictionTable;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.device.EdhocCredential;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.crypto.bc.internal.BcCoseAead;
import org.m2mgw.oscore.internal.OscoreListener;
import org.m2mgw.support.testing.TestRuntime;

/**
 * The clean-room initiator against the real OSCORE listener over UDP: a fresh P-256 key pair, a
 * device registered with the initiator's own CCS, EDHOC at POST /.well-known/edhoc framed as in
 * RFC 9528 appendix A.2 (message_1 prefixed with {@code true}, message_3 with C_R). The listener's
 * package-private hooks (config type, AEAD binding, deactivate) are reached by reflection, since
 * this test lives outside its package.
 */
class CleanRoomEdhocOverUdpTest {

    @TempDir
    Path data;

    Object listener;
    CoapEndpoint plain;
    InetSocketAddress server;
    final Registry registry = new Registry();

    @BeforeEach
    void start() throws Exception {
        Class<?> cfgType = Class.forName("org.m2mgw.oscore.internal.OscoreListenerConfig");
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("listener_address", "127.0.0.1");
        cfg.put("listener_port", 0);
        cfg.put("coap_accept_timeout_ms", 1000);
        Object config = TestRuntime.config(cfgType, cfg);
        Constructor<OscoreListener> c = OscoreListener.class.getConstructor(DeviceRegistry.class,
                GatewayRuntime.class, DeviceAccessControl.class, Map.class, cfgType);
        OscoreListener l = c.newInstance(registry, TestRuntime.on(data, "test"),
                new RestrictionTable(TestRuntime.on(data, "test")),
                Map.of("service.pid", "org.m2mgw.transport.oscore~cleanroom"), config);
        listener = l;
        Method addAead = OscoreListener.class.getDeclaredMethod("addAead", CoseAead.class);
        addAead.setAccessible(true);
        for (BcCoseAead a : BcCoseAead.all()) {
            addAead.invoke(l, a);
        }
        assertThat(l.ready()).as(l.statusLine()).isTrue();
        server = new InetSocketAddress("127.0.0.1", l.address().orElseThrow().getPort());
        Configuration conf = Configuration.createStandardWithoutFile();
        conf.set(CoapConfig.ACK_TIMEOUT, 500, TimeUnit.MILLISECONDS);
        plain = new CoapEndpoint.Builder().setConfiguration(conf)
                .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
        plain.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (plain != null) {
            plain.destroy();
        }
        if (listener != null) {
            Method d = OscoreListener.class.getDeclaredMethod("deactivate");
            d.setAccessible(true);
            d.invoke(listener);
        }
    }

    @Test
    void givenDeviceWithCleanRoomCcs_whenCleanRoomInitiatorRunsEdhocOverUdp_thenListenerCompletesHandshake()
            throws Exception {
        // given: a device with a fresh static DH key, registered with a CCS our initiator encodes itself
        KeyPair device = p256();
        byte[] kidI = {0x2c};
        byte[] credI = ccs("cleanroom-device", kidI, device);
        registry.put(Device.builder("cleanroom-device").allow("telemetry/*")
                .edhocCredential(EdhocCredential.ccs(kidI, credI)).build());
        Map<String, byte[]> gatewayCcs = gatewayCredentials();
        assertThat(gatewayCcs).as("gateway CCS files under " + data).isNotEmpty();
        KeyPair eph = p256();
        RfcEdhocInitiator initiator = new RfcEdhocInitiator(eph.getPrivate(), RfcEdhocInitiator.P256.x(eph.getPublic()),
                new byte[] {0x05}, device.getPrivate(), kidI, credI, kid -> gatewayCcs.get(hex(kid)));

        // when: message_1 (prefixed with true, 0xf5)
        byte[] m1 = initiator.message1(2);
        Response r2 = post(RfcEdhocInitiator.concat(new byte[] {(byte) 0xf5}, m1));
        // then
        assertThat(r2.getCode()).as(r2.getPayloadString()).isEqualTo(ResponseCode.CHANGED);

        // when: message_2 verified by the clean-room initiator, message_3 prefixed with C_R
        initiator.processMessage2(r2.getPayload());
        byte[] m3 = initiator.message3();
        Response r4 = post(RfcEdhocInitiator.concat(RfcEdhocInitiator.connectionId(initiator.cR), m3));

        // then
        assertThat(r4.getCode()).as(r4.getPayloadString()).isEqualTo(ResponseCode.CHANGED);
        if (r4.getPayloadSize() > 0) {
            assertThat(initiator.processMessage4(r4.getPayload())).as("EAD_4").isEmpty();
        }
        assertThat(initiator.oscoreMasterSecret()).hasSize(16);
        assertThat(initiator.oscoreMasterSalt()).hasSize(8);
    }

    @Test
    void givenCompletedHandshakeMessage3_whenReplayedWithOneByteFlipped_thenListenerRefusesIt() throws Exception {
        // given
        KeyPair device = p256();
        byte[] kidI = {0x2d};
        byte[] credI = ccs("cleanroom-device-2", kidI, device);
        registry.put(Device.builder("cleanroom-device-2").allow("telemetry/*")
                .edhocCredential(EdhocCredential.ccs(kidI, credI)).build());
        Map<String, byte[]> gatewayCcs = gatewayCredentials();
        KeyPair eph = p256();
        RfcEdhocInitiator initiator = new RfcEdhocInitiator(eph.getPrivate(), RfcEdhocInitiator.P256.x(eph.getPublic()),
                new byte[] {0x06}, device.getPrivate(), kidI, credI, kid -> gatewayCcs.get(hex(kid)));
        Response r2 = post(RfcEdhocInitiator.concat(new byte[] {(byte) 0xf5}, initiator.message1(2)));
        assertThat(r2.getCode()).isEqualTo(ResponseCode.CHANGED);
        initiator.processMessage2(r2.getPayload());
        byte[] m3 = initiator.message3();
        m3[3] ^= 0x01;

        // when
        Response r4 = post(RfcEdhocInitiator.concat(RfcEdhocInitiator.connectionId(initiator.cR), m3));

        // then
        assertThat(r4.getCode().codeClass).as(r4.getCode() + " " + r4.getPayloadString()).isIn(4, 5);
    }

    // ------------------------------------------------------------------ helpers

    Response post(byte[] payload) throws Exception {
        Request r = Request.newPost();
        r.getOptions().setUriPath(".well-known/edhoc");
        r.getOptions().setContentFormat(65); // application/cid-edhoc+cbor-seq
        r.setPayload(payload);
        r.setDestinationContext(new AddressEndpointContext(server));
        r.setType(CoAP.Type.CON);
        plain.sendRequest(r);
        Response resp = r.waitForResponse(5000);
        assertThat(resp).as("response to " + r).isNotNull();
        return resp;
    }

    static KeyPair p256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** CCS = {2 (sub): name, 8 (cnf): {1 (COSE_Key): {1: 2 (EC2), 2: kid, -1: 1 (P-256), -2: x, -3: y}}} */
    static byte[] ccs(String sub, byte[] kid, KeyPair kp) {
        java.security.interfaces.ECPublicKey pub = (java.security.interfaces.ECPublicKey) kp.getPublic();
        return new RfcEdhocInitiator.Cbor().head(5, 2)
                .integer(2).tstr(sub)
                .integer(8).head(5, 1).integer(1).head(5, 5)
                .integer(1).integer(2)
                .integer(2).bstr(kid)
                .integer(-1).integer(1)
                .integer(-2).bstr(RfcEdhocInitiator.P256.fixed(pub.getW().getAffineX()))
                .integer(-3).bstr(RfcEdhocInitiator.P256.fixed(pub.getW().getAffineY()))
                .bytes();
    }

    /** The gateway's published CCS files (*.ccs under the data directory), by the hex of their kid. */
    @SuppressWarnings("unchecked")
    Map<String, byte[]> gatewayCredentials() throws Exception {
        Map<String, byte[]> out = new HashMap<>();
        try (Stream<Path> files = Files.walk(data)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".ccs")).toList()) {
                byte[] ccs = Files.readAllBytes(p);
                Object o = new RfcEdhocInitiator.Cbor.Reader(ccs).item();
                Map<Object, Object> cnf = (Map<Object, Object>) ((Map<Object, Object>) o).get(8L);
                Map<Object, Object> key = (Map<Object, Object>) cnf.get(1L);
                out.put(hex((byte[]) key.get(2L)), ccs);
            }
        }
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
}
