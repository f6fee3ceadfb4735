package org.m2mgw.itests.distro;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.option.StandardOptionRegistry;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.Test;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.cloud.testsupport.Mosquitto;
import org.m2mgw.crypto.bc.internal.BcCoseAead;
import org.m2mgw.itests.GatewayTestSupport;
import org.m2mgw.oscore.internal.GatewayIdentity;
import org.m2mgw.oscore.internal.edhoc.CipherSuite;
import org.m2mgw.oscore.internal.edhoc.ConnectionId;
import org.m2mgw.oscore.internal.edhoc.EdhocCoap;
import org.m2mgw.oscore.internal.edhoc.EdhocInitiator;
import org.m2mgw.oscore.internal.edhoc.EdhocMethod;
import org.m2mgw.oscore.internal.edhoc.IdCred;
import org.m2mgw.oscore.internal.edhoc.LocalCredential;
import org.m2mgw.oscore.internal.edhoc.PeerCredential;
import org.m2mgw.oscore.internal.oscore.OscoreClient;
import org.m2mgw.oscore.internal.oscore.OscoreContext;
import org.m2mgw.oscore.internal.oscore.ProtectedRequest;

/**
 * The OSCORE transport in the exported distro, as an operator runs it: a device registered with an
 * EDHOC credential through the registry's import file runs EDHOC with the default listener on UDP
 * 5683, posts readings protected with OSCORE, and they reach mosquitto. Then a SIGKILL: after the
 * restart the device keeps its context (no new EDHOC), proves freshness once with Echo, and every
 * reading it got 2.04 for is in the broker.
 */
public class OscoreDistroIT {

    @Test
    public void givenAnEdhocDevice_whenItPostsOverOscore_thenReadingsReachTheBroker_evenAcrossAGatewayKill()
            throws Exception {
        Path target = Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath();
        Path base = Files.createDirectories(target.resolve("oscore-it").resolve(Long.toString(System.currentTimeMillis())));
        Path data = base.resolve("data");
        Mosquitto broker = Mosquitto.plain(base.resolve("broker")).start();
        Set<String> delivered = ConcurrentHashMap.newKeySet();
        MqttClient sub = new MqttClient(broker.url(), "oscore-it-sub", new MemoryPersistence());
        sub.connect();
        sub.subscribe("m2mgw/+/oscore-dev-1/#", 1, (t, m) -> delivered.add(new String(m.getPayload(),
                StandardCharsets.UTF_8)));

        // the device: an X25519 static DH key (EDHOC method 3, suite 0), registered by kid 0x21
        KeyPair kp = KeyPairGenerator.getInstance("X25519").generateKeyPair();
        byte[] kid = {0x21};
        byte[] ccs = GatewayIdentity.ccs(kid, kp.getPublic(), "oscore-dev-1");
        Path devices = Files.writeString(base.resolve("devices.json"), "{\"devices\":[{\"id\":\"oscore-dev-1\","
                + "\"resources\":[\"telemetry/*\"],\"edhoc\":{\"kid\":\"21\",\"ccs\":\"" + HexFormat.of().formatHex(ccs)
                + "\"}}]}");
        LocalCredential device = LocalCredential.ccs(IdCred.kid(kid), ccs, kp.getPrivate());
        Map<Integer, CoseAead> aeads = BcCoseAead.all().stream().collect(Collectors.toMap(CoseAead::algorithm,
                Function.identity()));

        int consolePort = GatewayTestSupport.freePort();
        DistroProcess gateway = DistroProcess.start(data, consolePort, base.resolve("run1.log"));
        CoapEndpoint client = null;
        try {
            String password = Files.readString(Path.of(gateway.awaitOutput("password generated in (\\S+) \\(",
                    60_000))).strip();
            gateway.awaitOutput("Cloud connection default connected to tcp://127\\.0\\.0\\.1:1883", 60_000);
            gateway.awaitOutput("OSCORE listener org\\.m2mgw\\.transport\\.oscore~default listening", 30_000);
            post(gateway, password, "/system/console/configMgr/org.m2mgw.cloud.mqtt~default",
                    "apply=true&action=ajaxConfigManager&propertylist=broker.url&broker.url="
                            + URLEncoder.encode(broker.url(), StandardCharsets.UTF_8));
            post(gateway, password, "/system/console/configMgr/org.m2mgw.registry",
                    "apply=true&action=ajaxConfigManager&propertylist=registry.import.file&registry.import.file="
                            + URLEncoder.encode(devices.toString(), StandardCharsets.UTF_8));
            gateway.awaitOutput("Cloud connection default connected to " + java.util.regex.Pattern.quote(broker.url()),
                    30_000);

            Configuration cfg = Configuration.createStandardWithoutFile();
            client = new CoapEndpoint.Builder().setConfiguration(cfg)
                    .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
            client.start();
            OscoreContext ctx = edhoc(client, device, data, aeads);
            for (int i = 0; i < 5; i++) {
                assertEquals(ResponseCode.CHANGED, post(client, ctx, "{\"n\":" + i + "}", null).getCode());
            }
            await(() -> delivered.size() == 5, "5 readings in the broker: " + delivered);

            // power cut
            gateway.kill();
            gateway = DistroProcess.start(data, consolePort, base.resolve("run2.log"));
            gateway.awaitOutput("OSCORE listener org\\.m2mgw\\.transport\\.oscore~default.*1 stored OSCORE context",
                    60_000);
            gateway.awaitOutput("Cloud connection default connected to " + java.util.regex.Pattern.quote(broker.url()),
                    60_000);
            Response challenge = post(client, ctx, "{\"n\":5}", null);
            assertEquals("the first request after the kill proves freshness", ResponseCode.UNAUTHORIZED,
                    challenge.getCode());
            byte[] echo = challenge.getOptions().getOtherOption(StandardOptionRegistry.ECHO).getValue();
            // 5.03 with Max-Age while the durable queue is not ready yet: the device tries again
            ResponseCode code = post(client, ctx, "{\"n\":5}", echo).getCode();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (code == ResponseCode.SERVICE_UNAVAILABLE && System.nanoTime() < until) {
                Thread.sleep(1000);
                code = post(client, ctx, "{\"n\":5}", null).getCode();
            }
            assertEquals(ResponseCode.CHANGED, code);
            for (int i = 6; i < 10; i++) {
                assertEquals(ResponseCode.CHANGED, post(client, ctx, "{\"n\":" + i + "}", null).getCode());
            }
            await(() -> delivered.size() == 10, "10 readings in the broker: " + delivered);
        } finally {
            if (client != null) {
                client.destroy();
            }
            gateway.close();
            sub.disconnect();
            broker.close();
        }
    }

    /** EDHOC method 3, suite 0, with the gateway's X25519 credential from its data directory. */
    private static OscoreContext edhoc(CoapEndpoint client, LocalCredential device, Path data,
            Map<Integer, CoseAead> aeads) throws Exception {
        byte[] gatewayCcs = Files.readAllBytes(data.resolve("oscore/identity/x25519.ccs"));
        EdhocInitiator initiator = new EdhocInitiator(EdhocInitiator.Config.builder().method(EdhocMethod.of(3).get())
                .suites(List.of(CipherSuite.SUITE_0)).credential(device).connectionId(ConnectionId.of(new byte[] {0x05}))
                .build(), aeads::get, id -> java.util.Optional.of(PeerCredential.ccs(gatewayCcs, "gateway")));
        // the registry reads its import file every few seconds: retry until the device is known
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Request m1 = Request.newPost();
            m1.getOptions().setUriPath(".well-known/edhoc");
            m1.setPayload(EdhocCoap.message1Body(initiator.message1()));
            Response r2 = send(client, m1);
            EdhocInitiator.Message3 m3 = initiator.processMessage2(r2.getPayload());
            Request req3 = Request.newPost();
            req3.getOptions().setUriPath(".well-known/edhoc");
            req3.setPayload(EdhocCoap.message3Body(m3.session().connectionIdR(), m3.message()));
            Response r3 = send(client, req3);
            if (r3.getCode() == ResponseCode.CHANGED) {
                org.m2mgw.oscore.internal.edhoc.OscoreParameters p = m3.session().oscore();
                return OscoreContext.derive(p.toOscore(), aeads.get(p.aeadAlgorithm()));
            }
            assertTrue("EDHOC refused: " + r3.getCode() + " " + r3.getPayloadString(), System.nanoTime() < deadline);
            Thread.sleep(1000);
            initiator = new EdhocInitiator(EdhocInitiator.Config.builder().method(EdhocMethod.of(3).get())
                    .suites(List.of(CipherSuite.SUITE_0)).credential(device)
                    .connectionId(ConnectionId.of(new byte[] {0x05})).build(), aeads::get,
                    id -> java.util.Optional.of(PeerCredential.ccs(gatewayCcs, "gateway")));
        }
    }

    /** POSTs a reading protected with OSCORE (with an Echo value when given); returns the decrypted response. */
    private static Response post(CoapEndpoint client, OscoreContext ctx, String json, byte[] echo) throws Exception {
        Request inner = Request.newPost();
        inner.getOptions().setUriPath("telemetry/temp").setContentFormat(50);
        if (echo != null) {
            inner.getOptions().addOption(new Option(StandardOptionRegistry.ECHO, echo));
        }
        inner.setPayload(json);
        ProtectedRequest p = OscoreClient.protectRequest(ctx, inner);
        return OscoreClient.unprotectResponse(p.binding(), send(client, p.request()));
    }

    private static Response send(CoapEndpoint client, Request r) throws Exception {
        r.setDestinationContext(new AddressEndpointContext(new InetSocketAddress("127.0.0.1", 5683)));
        r.setType(CoAP.Type.CON);
        client.sendRequest(r);
        Response resp = r.waitForResponse(20_000);
        assertTrue("no response to " + r, resp != null);
        return resp;
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue("timed out: " + what, System.nanoTime() < deadline);
            Thread.sleep(100);
        }
    }

    private static void post(DistroProcess gateway, String password, String path, String form) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (gateway.consolePost(path, "admin", password, form) >= 400) {
            assertTrue("console did not accept " + path, System.nanoTime() < deadline);
            Thread.sleep(500);
        }
    }
}
