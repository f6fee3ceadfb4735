package org.m2mgw.oscore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.oscore.internal.cleanroom.RfcEdhocInitiator.hex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.EdhocCredential;
import org.m2mgw.oscore.internal.cleanroom.RfcEdhocInitiator;

/**
 * The clean-room EDHOC initiator (written from RFC 9528 and RFC 9529 alone, see
 * {@link RfcEdhocInitiator}) against the real listener over UDP: fresh P-256 keys, a device
 * registered with a CCS the initiator encodes itself, the gateway's credential from its published
 * {@code *.ccs} files.
 */
class CleanRoomEdhocOverUdpTest {

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

    @Test
    void givenDeviceWithCleanRoomCcs_whenCleanRoomInitiatorRunsEdhocOverUdp_thenListenerCompletesHandshake()
            throws Exception {
        // given: a device with a fresh static DH key, registered with a CCS our initiator encodes itself
        KeyPair device = p256();
        byte[] kidI = {0x2c};
        byte[] credI = ccs("cleanroom-device", kidI, device);
        fx.registry.put(Device.builder("cleanroom-device").allow("telemetry/*")
                .edhocCredential(EdhocCredential.ccs(kidI, credI)).build());
        Map<String, byte[]> gatewayCcs = gatewayCredentials();
        assertThat(gatewayCcs).as("gateway CCS files under " + fx.data).isNotEmpty();
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
        Response r4 = post(RfcEdhocInitiator.concat(RfcEdhocInitiator.connectionId(initiator.oscoreSenderId()), m3));

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
        fx.registry.put(Device.builder("cleanroom-device-2").allow("telemetry/*")
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
        Response r4 = post(RfcEdhocInitiator.concat(RfcEdhocInitiator.connectionId(initiator.oscoreSenderId()), m3));

        // then
        assertThat(r4.getCode().codeClass).as(r4.getCode() + " " + r4.getPayloadString()).isIn(4, 5);
    }

    // ------------------------------------------------------------------ helpers

    Response post(byte[] payload) throws Exception {
        Request r = Request.newPost();
        r.getOptions().setUriPath(".well-known/edhoc");
        r.getOptions().setContentFormat(65); // application/cid-edhoc+cbor-seq
        r.setPayload(payload);
        return fx.send(r);
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
        try (Stream<Path> files = Files.walk(fx.data)) {
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
}
