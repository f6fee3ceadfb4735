package org.m2mgw.itests.distro;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionAdapter;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.Test;
import org.m2mgw.cloud.testsupport.Mosquitto;
import org.m2mgw.crypto.sign.SignTool;
import org.m2mgw.itests.GatewayTestSupport;
import org.m2mgw.update.internal.kura.KuraPayload;
import org.m2mgw.update.testsupport.PackageServer;

/**
 * Architecture invariant 1 through a remote update of the transport feature itself: a device keeps
 * posting through one DTLS session (a Scandium client) while the gateway replaces its transport,
 * registry and crypto bundles with a newer signed package. Every message the device got 2.04 for
 * reaches mosquitto, the device needs no new handshake (the sessions are saved and restored), and
 * the test prints the time from request to committed and the longest gap between two acknowledged
 * posts that the device saw. Then a SIGKILL while Deployment Admin installs the next version: after
 * the restart the committed version runs, the job is rolled back, the cloud is told, devices post.
 */
public class TransportUpdateIT {
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    @Test
    public void givenDevicePosting_whenTransportFeatureUpdated_thenNoAcknowledgedMessageLostAndSessionKept()
            throws Exception {
        Path target = Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath();
        Path base = Files.createDirectories(target.resolve("transport-update-it")
                .resolve(Long.toString(System.currentTimeMillis())));
        Path keys = base.resolve("keys");
        SignTool.run("keygen", keys.toString());
        Path data = base.resolve("data");
        RemoteUpdateIT.seedTrustStore(data, keys);
        byte[] next = RemoteUpdateIT.withVersion(Files.readAllBytes(RemoteUpdateIT.feature("transport-feature")),
                "0.2.0", false);
        Path pkgs = Files.createDirectories(base.resolve("packages"));
        Mosquitto broker = Mosquitto.plain(base.resolve("broker")).start();
        PackageServer http = PackageServer.http();
        http.serve("/transport.dp", next).serve("/transport.dp.sig",
                RemoteUpdateIT.sign(keys, pkgs, "transport.dp", next));

        Set<Integer> delivered = ConcurrentHashMap.newKeySet();
        MqttClient sub = new MqttClient(broker.url(), "transport-update-sub", new MemoryPersistence());
        MqttConnectOptions persistent = new MqttConnectOptions();
        persistent.setCleanSession(false);
        persistent.setAutomaticReconnect(true);
        sub.connect(persistent);
        AtomicLong committedAt = new AtomicLong();
        StringBuilder notes = new StringBuilder();
        sub.subscribe("m2mgw/+/demo-sensor-1/#", 1, (t, m) -> {
            Matcher x = SEQ.matcher(new String(m.getPayload(), StandardCharsets.UTF_8));
            if (x.find()) {
                delivered.add(Integer.parseInt(x.group(1)));
            }
        });
        sub.subscribe("$EDC/m2mgw/cloud/DEPLOY-V2/NOTIFY/#", 1, (t, m) -> {
            KuraPayload p = KuraPayload.decode(m.getPayload());
            synchronized (notes) {
                notes.append(t).append(' ').append(p.metrics()).append('\n');
            }
            if ("COMPLETED".equals(p.metrics().get("dp.install.status"))) {
                committedAt.set(System.nanoTime());
            }
        });

        int consolePort = GatewayTestSupport.freePort();
        DistroProcess gateway = DistroProcess.start(data, consolePort, base.resolve("run.log"),
                "-Dm2mgw.update.floor.dir=" + base.resolve("floor"));
        AtomicBoolean posting = new AtomicBoolean(true);
        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger handshakes = new AtomicInteger();
        AtomicLong longestGapMs = new AtomicLong();
        Thread device = null;
        try {
            String file = gateway.awaitOutput("password generated in (\\S+) \\(", 60_000);
            String password = Files.readString(Path.of(file)).strip();
            String key = Files.readString(data.resolve("demo/demo-sensor-1.key")).strip();
            // The distro's own configuration first: a change made before the Configurator applied it
            // would be overwritten.
            gateway.awaitOutput("Cloud connection default connected to tcp://127\\.0\\.0\\.1:1883", 60_000);
            post(gateway, password, "/system/console/configMgr/org.m2mgw.cloud.mqtt~default",
                    "apply=true&action=ajaxConfigManager&propertylist=broker.url&broker.url="
                            + URLEncoder.encode(broker.url(), StandardCharsets.UTF_8));
            RemoteUpdateIT.configure(gateway, password, broker.url());
            gateway.awaitOutput("Cloud connection default connected to " + Pattern.quote(broker.url()), 30_000);
            gateway.awaitOutput("listening for DEPLOY-V2 requests", 30_000);

            CoapEndpoint endpoint = client(key, handshakes);
            CoapClient coap = new CoapClient("coaps://127.0.0.1:5684/telemetry/update");
            coap.setEndpoint(endpoint);
            coap.setTimeout(60_000L);
            device = new Thread(() -> {
                long last = System.nanoTime();
                for (int seq = 0; posting.get(); seq++) {
                    try {
                        CoapResponse r = coap.post("{\"seq\":" + seq + "}", MediaTypeRegistry.APPLICATION_JSON);
                        if (r != null && r.getCode() == ResponseCode.CHANGED) {
                            acknowledged.add(seq);
                            long now = System.nanoTime();
                            longestGapMs.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(now - last), Math::max);
                            last = now;
                        }
                        Thread.sleep(20);
                    } catch (Exception e) {
                        // not acknowledged: the gateway owes nothing for it
                    }
                }
            }, "device");
            device.start();
            Thread.sleep(2000);
            assertTrue("the device posts before the update", acknowledged.size() > 10);

            long requested = System.nanoTime();
            MqttClient cloud = new MqttClient(broker.url(), "transport-update-cloud", new MemoryPersistence());
            cloud.connect();
            cloud.publish("$EDC/m2mgw/gw-update-it/DEPLOY-V2/EXEC/download", new KuraPayload()
                    .put("dp.uri", http.uri("/transport.dp").toString()).put("dp.name", "transport-feature")
                    .put("dp.version", "0.2.0").put("dp.download.protocol", "HTTP").put("job.id", 1L)
                    .put("dp.install.system.update", false).put("requester.client.id", "cloud")
                    .put("request.id", "r1").encode(), 1, false);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (committedAt.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue("the update was not committed:\n" + notes + gateway.output(), committedAt.get() != 0);
            // A request lost while the listener was replaced is answered at the device's next CoAP
            // retransmission (2 s, then 4 s, ...): that wait is the stall the device sees.
            int before = acknowledged.size();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acknowledged.size() <= before + 10 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue("the device posts after the update", acknowledged.size() > before + 10);
            posting.set(false);
            device.join(70_000);

            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!delivered.containsAll(acknowledged) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Set<Integer> missing = new TreeSet<>(acknowledged);
            missing.removeAll(delivered);
            System.out.printf("transport update: package %d bytes, request to committed %.1f s, %d posts "
                    + "acknowledged, longest gap between acknowledged posts %d ms, device handshakes %d%n",
                    next.length, (committedAt.get() - requested) / 1e9, acknowledged.size(), longestGapMs.get(),
                    handshakes.get());
            assertTrue("acknowledged but never delivered: " + missing, missing.isEmpty());
            assertEquals("the device kept its DTLS session through the update", 1, handshakes.get());
            endpoint.destroy();

            // SIGKILL while Deployment Admin installs the next version: after the restart the
            // committed 0.2.0 runs, the job ends rolled back, and the cloud is told.
            byte[] third = RemoteUpdateIT.withVersion(next, "0.3.0", false);
            http.serve("/transport3.dp", third).serve("/transport3.dp.sig",
                    RemoteUpdateIT.sign(keys, pkgs, "transport3.dp", third));
            synchronized (notes) {
                notes.setLength(0);
            }
            cloud.publish("$EDC/m2mgw/gw-update-it/DEPLOY-V2/EXEC/download", new KuraPayload()
                    .put("dp.uri", http.uri("/transport3.dp").toString()).put("dp.name", "transport-feature")
                    .put("dp.version", "0.3.0").put("dp.download.protocol", "HTTP").put("job.id", 2L)
                    .put("dp.install.system.update", false).put("requester.client.id", "cloud")
                    .put("request.id", "r2").encode(), 1, false);
            Path journal = data.resolve("updates/journal.log");
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(journal).contains("0.3.0\tINSTALLING") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            gateway.kill();
            gateway = DistroProcess.start(data, consolePort, base.resolve("run2.log"),
                    "-Dm2mgw.update.floor.dir=" + base.resolve("floor"));
            gateway.awaitOutput("transport-feature 0\\.2\\.0 runs again", 60_000);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String told = "";
            while (System.nanoTime() < deadline && !told.contains("interrupted by a restart")) {
                Thread.sleep(100);
                synchronized (notes) {
                    told = notes.toString();
                }
            }
            assertTrue("the cloud was told: " + told, told.contains("job.id=2") && told.contains("FAILED")
                    && told.contains("interrupted by a restart while installing; running 0.2.0"));
            String lines = Files.readString(journal);
            assertTrue(lines, lines.contains("0.3.0\tROLLED_BACK") && !lines.contains("0.3.0\tCOMMITTED"));
            gateway.awaitOutput("CoAPS listener \\S+ listening on udp", 60_000);
            AtomicInteger again = new AtomicInteger();
            CoapEndpoint after = client(key, again);
            CoapClient check = new CoapClient("coaps://127.0.0.1:5684/telemetry/update");
            check.setEndpoint(after);
            check.setTimeout(30_000L);
            CoapResponse r = check.post("{\"seq\":100000}", MediaTypeRegistry.APPLICATION_JSON);
            assertTrue("the device posts after the interrupted install", r != null && r.getCode() == ResponseCode.CHANGED);
            after.destroy();
            cloud.disconnect();
            cloud.close();
        } finally {
            posting.set(false);
            gateway.close();
            sub.disconnectForcibly(500);
            sub.close();
            http.close();
            broker.close();
        }
    }

    private static CoapEndpoint client(String key, AtomicInteger handshakes) {
        Configuration c = Configuration.createStandardWithoutFile();
        c.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        c.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        DTLSConnector dtls = new DTLSConnector(DtlsConnectorConfig.builder(c)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setAdvancedPskStore(new AdvancedSinglePskStore("demo-sensor-1", key.getBytes(StandardCharsets.UTF_8)))
                .setSessionListener(new SessionAdapter() {
                    @Override
                    public void contextEstablished(Handshaker handshaker, DTLSContext context) {
                        handshakes.incrementAndGet();
                    }
                }).build());
        return new CoapEndpoint.Builder().setConfiguration(c).setConnector(dtls).build();
    }

    private static void post(DistroProcess gateway, String password, String path, String form) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (gateway.consolePost(path, "admin", password, form) < 400) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // console not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("console did not accept " + path);
            }
            Thread.sleep(200);
        }
    }
}
