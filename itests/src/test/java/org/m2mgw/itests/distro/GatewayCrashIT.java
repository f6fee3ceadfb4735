package org.m2mgw.itests.distro;

import static org.junit.Assert.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.Test;
import org.m2mgw.cloud.testsupport.Mosquitto;
import org.m2mgw.cloud.testsupport.TcpProxy;
import org.m2mgw.itests.GatewayTestSupport;

/**
 * Architecture invariant 1 from outside: a device posts through libcoap; the uplink to the broker
 * drops, so a backlog builds up in the durable queue; then the gateway JVM is killed with SIGKILL and
 * restarted, and the broker comes back. Every message the device got 2.04 for reaches the real
 * mosquitto broker at least once.
 */
public class GatewayCrashIT {
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    @Test
    public void givenGatewayKilledMidStream_whenRestarted_thenEveryAcknowledgedMessageArrives() throws Exception {
        Path target = Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath();
        Path base = Files.createDirectories(target.resolve("crash-it").resolve(Long.toString(System.currentTimeMillis())));
        Mosquitto broker = Mosquitto.plain(base.resolve("broker")).start();
        TcpProxy uplink = new TcpProxy(broker.port);
        Set<Integer> delivered = ConcurrentHashMap.newKeySet();
        List<Integer> deliveries = new CopyOnWriteArrayList<>();
        MqttClient sub = new MqttClient(broker.url(), "crash-it-sub", new MemoryPersistence());
        sub.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                Matcher m = SEQ.matcher(new String(message.getPayload(), StandardCharsets.UTF_8));
                if (m.find()) {
                    int seq = Integer.parseInt(m.group(1));
                    delivered.add(seq);
                    deliveries.add(seq);
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions persistent = new MqttConnectOptions();
        persistent.setCleanSession(false);
        persistent.setAutomaticReconnect(true);
        persistent.setMaxReconnectDelay(500);
        sub.connect(persistent);
        sub.subscribe("m2mgw/+/demo-sensor-1/#", 1);

        int consolePort = GatewayTestSupport.freePort();
        Path data = base.resolve("data");
        DistroProcess gateway = DistroProcess.start(data, consolePort, base.resolve("run1.log"));
        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        int sent = 0;
        try {
            String file = gateway.awaitOutput("password generated in (\\S+) \\(", 60_000);
            String password = Files.readString(Path.of(file)).strip();
            // The demo device the distro registered at first start, with its random key.
            String key = Files.readString(data.resolve("demo/demo-sensor-1.key")).strip();
            // The distro's own configuration first (the Configurator applies it once the console may
            // already answer): a change made before it would be overwritten.
            gateway.awaitOutput("Cloud connection default connected to tcp://127\\.0\\.0\\.1:1883", 60_000);
            awaitPost(gateway, "/system/console/configMgr/org.m2mgw.cloud.mqtt~default", password,
                    "apply=true&action=ajaxConfigManager&propertylist=broker.url,mqtt.version&mqtt.version=5"
                            + "&broker.url=" + URLEncoder.encode(uplink.url(), StandardCharsets.UTF_8));
            gateway.awaitOutput("Cloud connection default connected to " + Pattern.quote(uplink.url()), 30_000);

            for (int i = 0; i < 40; i++, sent++) {
                if (post(i, key)) {
                    acknowledged.add(i);
                }
                if (i == 9) {
                    // The uplink goes down: messages 10..19 can only wait in the durable queue.
                    uplink.cut();
                }
                if (i == 19) {
                    // SIGKILL with a backlog: no shutdown hook, no component deactivation.
                    gateway.kill();
                    gateway = DistroProcess.start(data, consolePort, base.resolve("run2.log"));
                    gateway.awaitOutput("CoAPS listener \\S+ listening on udp", 60_000);
                    uplink.restore();
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!delivered.containsAll(acknowledged) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            System.out.printf("gateway crash: sent %d, acknowledged %d, delivered %d, duplicates %d%n", sent,
                    acknowledged.size(), delivered.size(), deliveries.size() - delivered.size());
            assertTrue("some messages were acknowledged before the kill: " + acknowledged,
                    acknowledged.stream().anyMatch(s -> s < 20));
            assertTrue("some messages were acknowledged after the restart: " + acknowledged,
                    acknowledged.stream().anyMatch(s -> s >= 20));
            Set<Integer> missing = new java.util.TreeSet<>(acknowledged);
            missing.removeAll(delivered);
            assertTrue("acknowledged but never delivered: " + missing, missing.isEmpty());
        } finally {
            gateway.close();
            sub.disconnectForcibly(500);
            sub.close();
            uplink.close();
            broker.close();
        }
    }

    private static void awaitPost(DistroProcess gateway, String path, String password, String form) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                int status = gateway.consolePost(path, "admin", password, form);
                if (status < 400) {
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

    private static boolean post(int seq, String key) throws Exception {
        Process p = new ProcessBuilder("coap-client-openssl", "-v", "6", "-B", "5", "-m", "post",
                "-u", "demo-sensor-1", "-k", key, "-t", "json", "-e", "{\"seq\":" + seq + "}",
                "coaps://127.0.0.1:5684/telemetry/crash").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(15, TimeUnit.SECONDS);
        return out.contains("2.04");
    }
}
