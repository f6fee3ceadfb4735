package org.m2mgw.cloud.internal;

import org.m2mgw.cloud.testsupport.TcpProxy;

import org.m2mgw.cloud.testsupport.Mosquitto;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.command.Command;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.SecuritySummary;
import org.m2mgw.api.runtime.GatewayRuntime;

/**
 * The cloud connection against a real mosquitto: delivery through a broker outage, a full
 * queue, commands for devices, and clear states for bad settings.
 */
class CloudConnectionIT {
    @TempDir
    Path tmp;

    final List<AutoCloseable> closeables = new ArrayList<>();
    final List<CloudConnection> connections = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        connections.forEach(CloudConnection::deactivate);
        java.util.Collections.reverse(closeables);
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort: the broker may be gone already
            }
        }
    }

    GatewayRuntime runtime() {
        return org.m2mgw.support.testing.TestRuntime.on(tmp.resolve("data"), "gw1");
    }

    @SuppressWarnings("unchecked")
    static <T> T config(Class<T> type, Map<String, Object> values) {
        return org.m2mgw.support.testing.TestRuntime.config(type, values);
    }

    CloudConnection connection(Map<String, Object> overrides) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("mqtt_version", "3.1.1");
        cfg.put("reconnect_min_seconds", 1);
        cfg.put("reconnect_max_seconds", 1);
        cfg.putAll(overrides);
        CloudConnection c = new CloudConnection(runtime(), Map.of("service.pid", "org.m2mgw.cloud.mqtt~test"),
                config(CloudConfig.class, cfg));
        connections.add(c);
        return c;
    }

    static DeviceMessage message(String device, int n) {
        return DeviceMessage.builder().messageId("m-" + device + "-" + n).deviceId(device).resource("telemetry/t")
                .contentFormat(ContentFormats.JSON).payload(("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8))
                .receivedAt(Instant.now())
                .security(new SecuritySummary("DTLSv1.2", "TLS_PSK_WITH_AES_128_CCM_8", CredentialType.PSK, true))
                .build();
    }

    /** A subscriber with a persistent session, so that it misses nothing across a broker restart. */
    static final class Subscriber implements AutoCloseable {
        final Set<String> ids = ConcurrentHashMap.newKeySet();
        final List<String> received = java.util.Collections.synchronizedList(new ArrayList<>());
        final Map<String, byte[]> lastByTopic = new ConcurrentHashMap<>();
        /** Every payload, as text, in the order received. */
        final List<String> payloads = java.util.Collections.synchronizedList(new ArrayList<>());
        private final MqttClient client;
        private static final Pattern ID = Pattern.compile("\"messageId\"\\s*:\\s*\"([^\"]+)\"");

        private final String filter;

        Subscriber(String url, String filter) throws Exception {
            this.filter = filter;
            client = new MqttClient(url, "test-sub-" + System.nanoTime(), new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(false);
            o.setAutomaticReconnect(true);
            o.setMaxReconnectDelay(500);
            client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallbackExtended() {
                @Override
                public void connectComplete(boolean reconnect, String uri) {
                    if (reconnect) {
                        try {
                            // In case the broker lost the session: subscribe again.
                            client.subscribe(filter, 1);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }

                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                    String json = new String(m.getPayload(), StandardCharsets.UTF_8);
                    lastByTopic.put(topic, m.getPayload());
                    payloads.add(json);
                    Matcher x = ID.matcher(json);
                    if (x.find()) {
                        received.add(x.group(1));
                        ids.add(x.group(1));
                    }
                }

                @Override
                public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken t) {
                }
            });
            client.connect(o);
            client.subscribe(filter, 1);
        }

        @Override
        public void close() throws Exception {
            try {
                client.disconnectForcibly(500);
            } finally {
                client.close();
            }
        }
    }

    static void await(String what, long ms, BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    static boolean accepted(CloudConnection c, DeviceMessage m) throws Exception {
        Acceptance a = c.accept(m).toCompletableFuture().get(10, TimeUnit.SECONDS);
        return a.isAccepted();
    }

    @Test
    void givenBroker_whenDevicesSend_thenEveryMessageIsPublishedAsJsonOnItsTopic() throws Exception {
        Mosquitto broker = Mosquitto.plain(tmp.resolve("b")).start();
        closeables.add(broker);
        Subscriber sub = new Subscriber(broker.url(), "m2mgw/#");
        closeables.add(sub);
        CloudConnection c = connection(Map.of("broker_url", broker.url()));

        for (int i = 0; i < 200; i++) {
            assertThat(accepted(c, message("dev" + (i % 5), i))).isTrue();
        }
        await("200 delivered", 20_000, () -> sub.ids.size() == 200);
        assertThat(sub.lastByTopic).containsKey("m2mgw/gw1/dev0/telemetry/t");
        assertThat(new String(sub.lastByTopic.get("m2mgw/gw1/dev0/telemetry/t"), StandardCharsets.UTF_8))
                .contains("\"device\":\"dev0\"").contains("\"values\":{\"n\":");
        assertThat(c.statusLine()).startsWith("connected to " + broker.url());
        await("queue drained", 5_000, () -> c.counters().get("queued") == 0L);
    }

    @Test
    void givenUplinkOutage_whenDevicesKeepSending_thenEveryAcknowledgedMessageArrives() throws Exception {
        Mosquitto broker = Mosquitto.plain(tmp.resolve("b")).start();
        closeables.add(broker);
        Subscriber sub = new Subscriber(broker.url(), "m2mgw/#");
        closeables.add(sub);
        TcpProxy uplink = new TcpProxy(broker.port);
        closeables.add(uplink);
        CloudConnection c = connection(Map.of("broker_url", uplink.url()));
        await("connected", 10_000, () -> c.statusLine().startsWith("connected"));
        long t0 = System.nanoTime();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        int sent = 0;
        for (int i = 0; i < 300; i++, sent++) {
            DeviceMessage m = message("dev" + (i % 7), i);
            if (accepted(c, m)) {
                acknowledged.add(m.messageId());
            }
            if (i == 100) {
                // The uplink drops; the broker and its subscriber stay up.
                uplink.cut();
            }
            if (i == 150) {
                Thread.sleep(1500); // devices keep coming while the broker is away
            }
            if (i == 200) {
                uplink.restore();
            }
        }
        try {
            await("all acknowledged delivered", 30_000, () -> sub.ids.containsAll(acknowledged));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; delivered " + sub.ids.size() + " of " + acknowledged.size()
                    + "; connection " + c.statusLine() + " " + c.counters(), e);
        }
        int duplicates = sub.received.size() - sub.ids.size();
        System.out.printf("uplink outage: sent %d, acknowledged %d, delivered %d, duplicates %d, %d ms%n", sent,
                acknowledged.size(), sub.ids.size(), duplicates, (System.nanoTime() - t0) / 1_000_000);
        assertThat(acknowledged).hasSize(300);
        assertThat(c.counters().get("connects")).isGreaterThanOrEqualTo(2L);
    }

    @Test
    void givenFullQueue_thenNewMessagesAreRefusedWithRetry_andNothingAcceptedIsLost() throws Exception {
        // No broker: everything stays queued.
        CloudConnection c = connection(Map.of("broker_url", "tcp://127.0.0.1:1", "queue_max_messages", 50,
                "queue_retry_after_seconds", 9));
        for (int i = 0; i < 50; i++) {
            assertThat(accepted(c, message("dev", i))).isTrue();
        }
        Acceptance refused = c.accept(message("dev", 50)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(refused.isAccepted()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(9);
        assertThat(refused.reason()).contains("full");
        await("state shows the unreachable broker", 10_000, () -> c.statusLine().contains("unreachable"));

        // When the broker comes, the 50 accepted messages are delivered; the refused one never was.
        Mosquitto broker = Mosquitto.plain(tmp.resolve("b")).start();
        closeables.add(broker);
        Subscriber sub = new Subscriber(broker.url(), "m2mgw/#");
        closeables.add(sub);
        c.deactivate();
        connections.remove(c);
        CloudConnection again = connection(Map.of("broker_url", broker.url(), "queue_max_messages", 50));
        await("the 50 accepted delivered after a restart", 20_000, () -> sub.ids.size() == 50);
        assertThat(sub.ids).doesNotContain("m-dev-50");
        assertThat(again.counters().get("queued")).isZero();
    }

    @Test
    void givenCommandPublishedForDevice_thenItIsQueuedForTheDevice_andExpires() throws Exception {
        Mosquitto broker = Mosquitto.plain(tmp.resolve("b")).start();
        closeables.add(broker);
        CloudConnection c = connection(Map.of("broker_url", broker.url(), "command_expiry_seconds", 2));
        await("connected", 10_000, () -> c.statusLine().startsWith("connected"));
        MqttClient cloud = new MqttClient(broker.url(), "cloud", new MemoryPersistence());
        cloud.connect();
        closeables.add(() -> {
            cloud.disconnect();
            cloud.close();
        });
        cloud.publish("m2mgw/gw1/valve-7/commands", "{\"open\":true}".getBytes(StandardCharsets.UTF_8), 1, false);

        await("command queued", 10_000, () -> c.pending("valve-7") == 1);
        Command cmd = c.peek("valve-7", 4).get(0);
        assertThat(new String(cmd.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"open\":true}");
        assertThat(cmd.contentFormat()).isEqualTo(ContentFormats.JSON);
        assertThat(c.peek("other", 4)).isEmpty();

        await("command expired", 10_000, () -> c.pending("valve-7") == 0);
    }

    @Test
    void givenDeliveredCommand_thenItIsRemoved_andCommandsSurviveARestart() throws Exception {
        CloudConnection c = connection(Map.of("broker_url", "tcp://127.0.0.1:1"));
        Instant now = Instant.now();
        assertThat(c.offer(new Command("c1", "d1", 0, new byte[] {1}, now, now.plusSeconds(60)))).isTrue();
        assertThat(c.offer(new Command("c2", "d1", 0, new byte[] {2}, now, now.plusSeconds(60)))).isTrue();
        c.delivered("d1", List.of("c1"));
        c.deactivate();
        connections.remove(c);

        CloudConnection again = connection(Map.of("broker_url", "tcp://127.0.0.1:1"));
        assertThat(again.peek("d1", 4)).extracting(Command::commandId).containsExactly("c2");
    }

    @Test
    void givenMutualTls_whenTheClientCertificateIsTrusted_thenPublishes_elseTheRefusalIsClear() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tls"));
        TestTls pki = new TestTls("m2mgw test broker CA");
        KeyPair serverKeys = TestTls.keys();
        TestTls.pem(dir.resolve("ca.pem"), "CERTIFICATE", pki.ca.getEncoded());
        TestTls.pem(dir.resolve("server.pem"), "CERTIFICATE", pki.server(serverKeys).getEncoded());
        TestTls.pem(dir.resolve("server.key"), "PRIVATE KEY", serverKeys.getPrivate().getEncoded());
        Mosquitto broker = new Mosquitto(tmp.resolve("b"), "cafile " + dir.resolve("ca.pem") + "\n"
                + "certfile " + dir.resolve("server.pem") + "\nkeyfile " + dir.resolve("server.key") + "\n"
                + "require_certificate true\nuse_identity_as_username true\ntls_version tlsv1.2\n").start();
        closeables.add(broker);
        String url = "ssl://127.0.0.1:" + broker.port;
        TestTls.pkcs12(dir.resolve("trust.p12"), "trustpw", null, pki.ca);
        KeyPair gwKeys = TestTls.keys();
        TestTls.pkcs12(dir.resolve("gateway.p12"), "keypw", gwKeys.getPrivate(), pki.client("gw1", gwKeys), pki.ca);

        CloudConnection good = connection(Map.of("broker_url", url,
                "tls_truststore_path", dir.resolve("trust.p12").toString(), "tls_truststore_password", "trustpw",
                "tls_keystore_path", dir.resolve("gateway.p12").toString(), "tls_keystore_password", "keypw"));
        await("connected over mutual TLS", 15_000, () -> good.statusLine().startsWith("connected to ssl://"));
        assertThat(accepted(good, message("dev", 1))).isTrue();
        await("published", 10_000, () -> good.counters().get("published") == 1L);
        good.deactivate();
        connections.remove(good);

        // A client certificate from another CA is refused, and the state says why.
        TestTls rogue = new TestTls("rogue CA");
        KeyPair rogueKeys = TestTls.keys();
        TestTls.pkcs12(dir.resolve("rogue.p12"), "keypw", rogueKeys.getPrivate(), rogue.client("gw1", rogueKeys), rogue.ca);
        CloudConnection bad = connection(Map.of("broker_url", url,
                "tls_truststore_path", dir.resolve("trust.p12").toString(), "tls_truststore_password", "trustpw",
                "tls_keystore_path", dir.resolve("rogue.p12").toString(), "tls_keystore_password", "keypw"));
        await("refusal shown", 15_000, () -> bad.statusLine().contains("TLS handshake failed"));
        assertThat(bad.counters().get("connects")).isZero();
        assertThat(accepted(bad, message("dev", 2))).as("messages still queue up").isTrue();
    }

    @Test
    void givenAlertEvent_thenItIsPublishedAsJsonOnTheAlertTopic() throws Exception {
        Mosquitto broker = Mosquitto.plain(tmp.resolve("b")).start();
        closeables.add(broker);
        Subscriber sub = new Subscriber(broker.url(), "m2mgw/gw1/alerts");
        closeables.add(sub);
        CloudConnection c = connection(Map.of("broker_url", broker.url()));
        await("connected", 10_000, () -> c.statusLine().startsWith("connected"));
        Map<String, Object> props = new HashMap<>();
        props.put(org.m2mgw.api.alert.Alert.PROP_ID, "a-1");
        props.put(org.m2mgw.api.alert.Alert.PROP_SUBJECT, "sensor-7");
        props.put(org.m2mgw.api.alert.Alert.PROP_DETECTOR, "rule.flood");
        props.put(org.m2mgw.api.alert.Alert.PROP_SEVERITY, "WARNING");
        props.put(org.m2mgw.api.alert.Alert.PROP_SCORE, 40.0);
        props.put(org.m2mgw.api.alert.Alert.PROP_REASON, "sent \"1200\" requests");
        props.put("alert.features", Map.of("requests.per.minute", 1200.0));
        c.handleEvent(new org.osgi.service.event.Event(org.m2mgw.api.alert.Alert.TOPIC, props));

        await("alert published", 10_000, () -> sub.lastByTopic.containsKey("m2mgw/gw1/alerts"));
        String json = new String(sub.lastByTopic.get("m2mgw/gw1/alerts"), StandardCharsets.UTF_8);
        assertThat(json).contains("\"subject\":\"sensor-7\"").contains("\"detector\":\"rule.flood\"")
                .contains("\"score\":40.0").contains("\"requests.per.minute\":1200.0")
                .contains("sent \\\"1200\\\" requests");
        assertThat(c.counters().get("alerts.published")).isEqualTo(1L);
    }

    @Test
    void givenUnparseableBrokerUrl_thenStateNamesTheKey_andMessagesAreRefusedNotLost() throws Exception {
        CloudConnection c = connection(Map.of("broker_url", "::not a url::"));
        assertThat(c.statusLine()).contains("broker.url");
        Acceptance a = c.accept(message("dev", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(a.isAccepted()).isFalse();
        assertThat(a.retryAfterSeconds()).isPositive();
    }

    @Test
    void givenBadRoutes_thenTheErrorNamesTheEntry() {
        CloudConnection c = connection(Map.of("routes", new String[] {"telemetry/* t/{device} yaml 1",
            "events/* e/# json 2"}));
        assertThat(c.statusLine()).contains("routes[0]: unknown encoder 'yaml'")
                .contains("routes[1]: qos must be 0 or 1").contains("routes[1]: topic template must not contain");
    }
}
