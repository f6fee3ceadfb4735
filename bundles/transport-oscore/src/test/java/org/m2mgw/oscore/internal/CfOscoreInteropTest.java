package org.m2mgw.oscore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.upokecenter.cbor.CBORObject;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.option.StandardOptionRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.cose.AlgorithmID;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.util.Bytes;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreCoapStackFactory;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.californium.oscore.OSCoreEndpointContextInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.traffic.TrafficEventType;
import org.m2mgw.oscore.internal.edhoc.CipherSuite;
import org.m2mgw.oscore.internal.edhoc.HashAlgorithm;
import org.m2mgw.oscore.internal.edhoc.OscoreParameters;
import org.m2mgw.oscore.internal.oscore.OscoreOption;

/**
 * Interoperability with an OSCORE implementation we did not write: Eclipse Californium's
 * {@code cf-oscore}. A registered device runs EDHOC with the gateway over UDP (our initiator);
 * the OSCORE parameters the initiator derived are handed to a cf-oscore client context, and
 * cf-oscore, through a small UDP relay that records its datagrams, protects requests to the
 * gateway and verifies the gateway's protected responses: telemetry, the command queue, the
 * gateway's replay protection against cf-oscore's own bytes, and the Echo challenge after a
 * power cut. Both AEADs a constrained device would use: AES-CCM-16-64-128 (EDHOC suites 0 and
 * 2) and ChaCha20/Poly1305 (suite 4).
 */
class CfOscoreInteropTest {

    /** The EDHOC suites run, the device's static DH key type, and the OSCORE AEAD cf-oscore gets. */
    enum Suite {
        SUITE_0(CipherSuite.SUITE_0, "XDH", AlgorithmID.AES_CCM_16_64_128),
        SUITE_2(CipherSuite.SUITE_2, "EC", AlgorithmID.AES_CCM_16_64_128),
        SUITE_4(CipherSuite.SUITE_4, "XDH", AlgorithmID.CHACHA20_POLY1305);

        final CipherSuite suite;
        final String keyAlgorithm;
        final AlgorithmID aead;

        Suite(CipherSuite suite, String keyAlgorithm, AlgorithmID aead) {
            this.suite = suite;
            this.keyAlgorithm = keyAlgorithm;
            this.aead = aead;
        }
    }

    static final int MAX_UNFRAGMENTED_SIZE = 4096;

    @TempDir
    Path data;

    OscoreGatewayFixture gw;
    UdpRelay relay;
    CoapEndpoint cf;
    OSCoreCtx cfContext;
    OscoreParameters params;

    @BeforeEach
    void start() throws Exception {
        gw = new OscoreGatewayFixture(data, Map.of("edhoc_cipher_suites", new String[] {"2", "0", "4"}));
        relay = new UdpRelay(gw.server);
    }

    @AfterEach
    void stop() {
        if (cf != null) {
            cf.destroy();
        }
        relay.close();
        gw.close();
    }

    /** EDHOC as device dev1 with our initiator, then a cf-oscore client with the derived parameters. */
    void edhocThenCfOscoreClient(Suite s) throws Exception {
        params = gw.edhoc(gw.device("dev1", (byte) 0x11, s.keyAlgorithm), s.suite);
        assertThat(params.hash()).isEqualTo(HashAlgorithm.SHA_256);
        AlgorithmID aead = AlgorithmID.FromCBOR(CBORObject.FromObject(params.aeadAlgorithm()));
        assertThat(aead).isEqualTo(s.aead);
        cfContext = new OSCoreCtx(params.masterSecret(), true, aead, params.senderId(), params.recipientId(),
                AlgorithmID.HKDF_HMAC_SHA_256, 32, params.masterSalt(), null, MAX_UNFRAGMENTED_SIZE);
        // OSCoreCtx silently replaces an id longer than the AEAD allows: make sure ours were taken
        assertThat(cfContext.getSenderId()).isEqualTo(params.senderId());
        assertThat(cfContext.getRecipientId()).isEqualTo(params.recipientId());
        HashMapCtxDB db = new HashMapCtxDB();
        db.addContext(baseUri(), cfContext);
        Configuration c = Configuration.createStandardWithoutFile();
        c.set(CoapConfig.ACK_TIMEOUT, 500, TimeUnit.MILLISECONDS);
        cf = new CoapEndpoint.Builder().setConfiguration(c).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0))
                .setCoapStackFactory(new OSCoreCoapStackFactory()).setCustomCoapStackArgument(db).build();
        cf.start();
    }

    String baseUri() {
        return "coap://127.0.0.1:" + relay.port();
    }

    /** Sends a request through cf-oscore (marked with an empty OSCORE option, as cf-oscore expects). */
    Response cfSend(Request r, String path) throws Exception {
        r.setURI(baseUri() + "/" + path);
        r.setType(CoAP.Type.CON);
        r.getOptions().setOscore(Bytes.EMPTY);
        cf.sendRequest(r);
        Response resp = r.waitForResponse(5000);
        assertThat(resp).as("cf-oscore got a response to " + r + " (a response it cannot verify is dropped)")
                .isNotNull();
        return resp;
    }

    Response cfPost(String path, String json) throws Exception {
        Request r = Request.newPost();
        r.getOptions().setContentFormat(ContentFormats.JSON);
        r.setPayload(json);
        return cfSend(r, path);
    }

    /** cf-oscore marks a response it decrypted and verified with its context's ids (upper-case hex). */
    void assertVerifiedByCfOscore(Response r) {
        EndpointContext source = r.getSourceContext();
        assertThat(source.get(OSCoreEndpointContextInfo.OSCORE_SENDER_ID))
                .as("response verified by cf-oscore").isEqualToIgnoringCase(HexFormat.of().formatHex(params.senderId()));
        assertThat(source.get(OSCoreEndpointContextInfo.OSCORE_RECIPIENT_ID))
                .isEqualToIgnoringCase(HexFormat.of().formatHex(params.recipientId()));
    }

    @ParameterizedTest(name = "EDHOC {0}")
    @EnumSource(Suite.class)
    void givenEdhocWithTheGateway_whenCfOscorePostsTelemetrySeveralTimes_thenEachIsAnswered204Protected_andQueuedForTheDevice(
            Suite s) throws Exception {
        edhocThenCfOscoreClient(s);
        List<String> paths = List.of("telemetry/temp", "telemetry/humidity", "telemetry/power");
        List<String> bodies = List.of("{\"t\":21.5}", "{\"rh\":40}", "{\"w\":3.25,\"ok\":true}");

        for (int i = 0; i < paths.size(); i++) {
            Response r = cfPost(paths.get(i), bodies.get(i));

            assertThat(r.getCode()).as(r.getPayloadString()).isEqualTo(ResponseCode.CHANGED);
            assertVerifiedByCfOscore(r);
        }

        assertThat(gw.consumer.accepted).hasSize(3);
        for (int i = 0; i < paths.size(); i++) {
            DeviceMessage m = gw.consumer.accepted.get(i);
            assertThat(m.deviceId()).isEqualTo("dev1");
            assertThat(m.resource()).isEqualTo(paths.get(i));
            assertThat(m.contentFormat()).isEqualTo(ContentFormats.JSON);
            assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo(bodies.get(i));
            assertThat(m.security().protocol()).isEqualTo("OSCORE");
        }
        assertThat(cfContext.getSenderSeq()).isEqualTo(3);
        // on the wire: cf-oscore's requests, POST outside, our kid, sequence numbers 0..2, no plaintext
        assertThat(relay.fromClient).hasSize(3);
        for (int i = 0; i < 3; i++) {
            byte[] datagram = relay.fromClient.get(i);
            Message wire = new UdpDataParser().parseMessage(datagram);
            assertThat(wire).isInstanceOf(Request.class);
            assertThat(((Request) wire).getCode()).isEqualTo(CoAP.Code.POST);
            assertThat(wire.getOptions().getUriPath()).isEmpty();
            OscoreOption option = OscoreOption.decode(wire.getOptions().getOscore());
            assertThat(option.kid()).isEqualTo(params.senderId());
            assertThat(option.sequenceNumber()).isEqualTo(i);
            assertThat(new String(datagram, StandardCharsets.ISO_8859_1)).doesNotContain(bodies.get(i))
                    .doesNotContain("telemetry");
        }
        assertThat(gw.events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).isEqualTo(1);
        assertThat(gw.events.count(TrafficEventType.REQUEST)).isEqualTo(3);
        assertThat(gw.events.count(TrafficEventType.RECORD_MAC_FAILED)).isZero();
        assertThat(gw.listener.counters()).containsEntry("oscore.contexts", 1L);
    }

    @ParameterizedTest(name = "EDHOC {0}")
    @EnumSource(Suite.class)
    void givenQueuedCommands_whenCfOscoreGetsAndDeletesThem_thenItReads205WithTheDevicesCommands_andConfirmsThem(
            Suite s) throws Exception {
        edhocThenCfOscoreClient(s);
        byte[] reboot = "{\"reboot\":true}".getBytes(StandardCharsets.UTF_8);
        gw.commands.add("c1", "dev1", ContentFormats.JSON, reboot);
        gw.commands.add("c9", "someone-else", ContentFormats.JSON, "{}".getBytes(StandardCharsets.UTF_8));

        Response list = cfSend(Request.newGet(), "commands");

        assertThat(list.getCode()).as("inner code, the outer one is 2.04").isEqualTo(ResponseCode.CONTENT);
        assertVerifiedByCfOscore(list);
        assertThat(list.getOptions().getContentFormat()).isEqualTo(ContentFormats.JSON);
        assertThat(list.getPayloadString()).startsWith("[{\"id\":\"c1\"")
                .contains("\"payload\":\"" + Base64.getEncoder().encodeToString(reboot) + "\"")
                .doesNotContain("c9").endsWith("}]");
        Message onTheWire = new UdpDataParser().parseMessage(relay.fromServer.get(relay.fromServer.size() - 1));
        assertThat(((Response) onTheWire).getCode()).as("OSCORE outer code").isEqualTo(ResponseCode.CHANGED);

        Response deleted = cfSend(Request.newDelete(), "commands/c1");

        assertThat(deleted.getCode()).isEqualTo(ResponseCode.DELETED);
        assertVerifiedByCfOscore(deleted);
        assertThat(gw.commands.delivered).containsExactly("c1");
        assertThat(cfSend(Request.newGet(), "commands").getPayloadString()).isEqualTo("[]");

        // without a command queue the gateway answers 5.03, still protected
        gw.listener.commandQueue = null;
        Response unavailable = cfSend(Request.newGet(), "commands");
        assertThat(unavailable.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
        assertVerifiedByCfOscore(unavailable);
        assertThat(unavailable.getOptions().hasMaxAge()).isTrue();
        assertThat(gw.consumer.accepted).isEmpty();
    }

    @ParameterizedTest(name = "EDHOC {0}")
    @EnumSource(Suite.class)
    void givenARequestCfOscoreSent_whenItsBytesAreReplayed_thenTheGatewayAnswers401ReplayDetected_andQueuesNothingTwice(
            Suite s) throws Exception {
        edhocThenCfOscoreClient(s);
        assertThat(cfPost("telemetry/temp", "{\"n\":1}").getCode()).isEqualTo(ResponseCode.CHANGED);
        byte[] sent = relay.fromClient.get(relay.fromClient.size() - 1);
        assertThat(gw.consumer.accepted).hasSize(1);

        // from the device's own address with a new message id: CoAP deduplication does not catch it
        Response sameAddress = relay.inject(withMessageId(sent, mid(sent) + 1000));
        // byte for byte from another address (another port)
        Response otherAddress = sendRaw(sent);

        for (Response replay : List.of(sameAddress, otherAddress)) {
            assertThat(replay.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
            assertThat(replay.getPayloadString()).isEqualTo("Replay detected");
            assertThat(replay.getOptions().hasOscore()).as("error answered unprotected").isFalse();
        }
        assertThat(gw.consumer.accepted).hasSize(1);
        assertThat(gw.events.count(TrafficEventType.REPLAY_DROPPED)).isEqualTo(2);

        // cf-oscore goes on with its next sequence number
        Response next = cfPost("telemetry/temp", "{\"n\":2}");
        assertThat(next.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertVerifiedByCfOscore(next);
        assertThat(gw.consumer.accepted).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                .containsExactly("{\"n\":1}", "{\"n\":2}");
        assertThat(gw.consumer.accepted).allSatisfy(m -> assertThat(m.deviceId()).isEqualTo("dev1"));
    }

    @ParameterizedTest(name = "EDHOC {0}")
    @EnumSource(Suite.class)
    void givenAGatewayPowerCut_whenCfOscorePostsAgain_thenItGetsAProtected401WithEcho_andItsRetryWithEchoIsQueued(
            Suite s) throws Exception {
        edhocThenCfOscoreClient(s);
        assertThat(cfPost("telemetry/temp", "{\"n\":1}").getCode()).isEqualTo(ResponseCode.CHANGED);
        gw.restartAfterPowerCut();
        relay.retarget(gw.server);
        assertThat(gw.listener.counters()).containsEntry("oscore.contexts", 1L);

        // RFC 8613 appendix B.1.2: the replay window was lost, the gateway asks for freshness (RFC 9175)
        Response challenge = cfPost("telemetry/temp", "{\"n\":2}");

        assertThat(challenge.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertVerifiedByCfOscore(challenge);
        Option echo = challenge.getOptions().getOtherOption(StandardOptionRegistry.ECHO);
        assertThat(echo).as("Echo option, decrypted by cf-oscore").isNotNull();
        assertThat(echo.getValue()).isNotEmpty();
        Message onTheWire = new UdpDataParser().parseMessage(relay.fromServer.get(relay.fromServer.size() - 1));
        assertThat(OscoreOption.decode(onTheWire.getOptions().getOscore()).partialIv())
                .as("the gateway's own Partial IV in the response").isNotEmpty();
        assertThat(onTheWire.getOptions().hasOption(StandardOptionRegistry.ECHO)).as("Echo is inner only").isFalse();
        assertThat(gw.consumer.accepted).hasSize(1);

        Request retry = Request.newPost();
        retry.getOptions().setContentFormat(ContentFormats.JSON).addOption(new Option(StandardOptionRegistry.ECHO,
                echo.getValue()));
        retry.setPayload("{\"n\":2}");
        Response ok = cfSend(retry, "telemetry/temp");

        assertThat(ok.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertVerifiedByCfOscore(ok);
        assertThat(gw.consumer.accepted).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                .containsExactly("{\"n\":1}", "{\"n\":2}");
        assertThat(gw.events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).as("no new EDHOC").isEqualTo(1);
        assertThat(cfPost("telemetry/temp", "{\"n\":3}").getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(gw.consumer.accepted).hasSize(3);
    }

    static int mid(byte[] datagram) {
        return ((datagram[2] & 0xff) << 8) | (datagram[3] & 0xff);
    }

    static byte[] withMessageId(byte[] datagram, int mid) {
        byte[] copy = datagram.clone();
        copy[2] = (byte) (mid >> 8);
        copy[3] = (byte) mid;
        return copy;
    }

    /** Sends a datagram to the gateway from a socket of its own and parses the answer. */
    Response sendRaw(byte[] datagram) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(5000);
            socket.send(new DatagramPacket(datagram, datagram.length, gw.server));
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            socket.receive(p);
            Message m = new UdpDataParser().parseMessage(Arrays.copyOf(buf, p.getLength()));
            assertThat(m).isInstanceOf(Response.class);
            assertThat(m.getMID()).isEqualTo(mid(datagram));
            return (Response) m;
        }
    }

    /**
     * A UDP relay between cf-oscore and the gateway: forwards every datagram both ways and keeps a
     * copy, so that the test can look at and replay exactly what cf-oscore put on the wire.
     */
    static final class UdpRelay implements AutoCloseable {
        final List<byte[]> fromClient = new CopyOnWriteArrayList<>();
        final List<byte[]> fromServer = new CopyOnWriteArrayList<>();
        private final DatagramSocket front;
        private final DatagramSocket back;
        private volatile InetSocketAddress target;
        private volatile SocketAddress client;

        UdpRelay(InetSocketAddress target) throws SocketException {
            this.target = target;
            front = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            back = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            thread("client-to-gateway", () -> pump(front, p -> {
                client = p.getSocketAddress();
                byte[] d = Arrays.copyOf(p.getData(), p.getLength());
                fromClient.add(d);
                back.send(new DatagramPacket(d, d.length, this.target));
            }));
            thread("gateway-to-client", () -> pump(back, p -> {
                byte[] d = Arrays.copyOf(p.getData(), p.getLength());
                fromServer.add(d);
                SocketAddress c = client;
                if (c != null) {
                    front.send(new DatagramPacket(d, d.length, c));
                }
            }));
        }

        int port() {
            return front.getLocalPort();
        }

        /** From now on forwards to another gateway address (the device keeps its own). */
        void retarget(InetSocketAddress gateway) {
            target = gateway;
        }

        /** Sends a datagram to the gateway from the relay's (the device's) address, and returns the answer. */
        Response inject(byte[] datagram) throws Exception {
            int mid = mid(datagram);
            int seen = fromServer.size();
            back.send(new DatagramPacket(datagram, datagram.length, target));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                List<byte[]> received = List.copyOf(fromServer);
                for (byte[] d : received.subList(seen, received.size())) {
                    if (mid(d) == mid) {
                        Message m = new UdpDataParser().parseMessage(d);
                        assertThat(m).isInstanceOf(Response.class);
                        return (Response) m;
                    }
                }
                Thread.sleep(10);
            }
            throw new AssertionError("no answer to the injected datagram (MID " + mid + ")");
        }

        private interface Forward {
            void accept(DatagramPacket p) throws IOException;
        }

        private static void pump(DatagramSocket from, Forward forward) {
            byte[] buf = new byte[4096];
            while (!from.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    from.receive(p);
                    forward.accept(p);
                } catch (IOException e) {
                    if (from.isClosed()) {
                        return;
                    }
                }
            }
        }

        private static void thread(String name, Runnable r) {
            Thread t = new Thread(r, "relay-" + name);
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() {
            front.close();
            back.close();
        }
    }
}
