package org.m2mgw.cloud.internal;

import org.m2mgw.cloud.testsupport.Mosquitto;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.SecuritySummary;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.support.testing.TestRuntime;

/**
 * What the cloud connection tests share: connections on a temporary data directory (the same
 * pid each time, so a new one finds the old one's files), real mosquitto brokers, subscribers,
 * and messages. Close it after each test.
 */
final class CloudHarness implements AutoCloseable {
    /** Routes that publish the device's bytes unchanged, so that tests do not depend on an encoder. */
    static final String[] RAW_ROUTES = {"telemetry/* {prefix}/{gateway}/{device}/{resource} raw 1"};

    final Path tmp;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<CloudConnection> connections = new ArrayList<>();

    CloudHarness(Path tmp) {
        this.tmp = tmp;
    }

    GatewayRuntime runtime() {
        return TestRuntime.on(tmp.resolve("data"), "gw1");
    }

    /** @return the connection's data directory */
    Path dataDir() {
        return tmp.resolve("data").resolve("cloud-mqtt").resolve("test");
    }

    CloudConnection connection(Map<String, Object> overrides) {
        return connection(overrides, LinkFactory.PAHO);
    }

    CloudConnection connection(Map<String, Object> overrides, LinkFactory links) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("mqtt_version", "3.1.1");
        cfg.put("reconnect_min_seconds", 1);
        cfg.put("reconnect_max_seconds", 1);
        cfg.putAll(overrides);
        CloudConnection c = new CloudConnection(runtime(), Map.of("service.pid", "org.m2mgw.cloud.mqtt~test"),
                TestRuntime.config(CloudConfig.class, cfg), links);
        connections.add(c);
        return c;
    }

    /** Deactivates a connection, as a configuration change or a bundle update would. */
    void stop(CloudConnection c) {
        connections.remove(c);
        c.deactivate();
    }

    Mosquitto broker(String extraConfig) throws Exception {
        Mosquitto m = new Mosquitto(tmp.resolve("broker"), extraConfig).start();
        closeables.add(m);
        return m;
    }

    CloudConnectionIT.Subscriber subscriber(String url, String filter) throws Exception {
        CloudConnectionIT.Subscriber s = new CloudConnectionIT.Subscriber(url, filter);
        closeables.add(s);
        return s;
    }

    <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    /** A JSON message whose payload carries its id, so that raw routes publish it findably. */
    static DeviceMessage message(String device, String resource, int n, int padding) {
        String id = "m-" + device + "-" + n;
        String json = "{\"messageId\":\"" + id + "\",\"pad\":\"" + "x".repeat(padding) + "\"}";
        return DeviceMessage.builder().messageId(id).deviceId(device).resource(resource)
                .contentFormat(ContentFormats.JSON).payload(json.getBytes(StandardCharsets.UTF_8))
                .receivedAt(Instant.now())
                .security(new SecuritySummary("DTLSv1.2", "TLS_PSK_WITH_AES_128_CCM_8", CredentialType.PSK, true))
                .build();
    }

    static DeviceMessage message(String device, int n) {
        return message(device, "telemetry/t", n, 0);
    }

    static Acceptance accept(CloudConnection c, DeviceMessage m) throws Exception {
        return c.accept(m).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static long counter(CloudConnection c, String key) {
        Long v = c.counters().get(key);
        return v == null ? -1 : v;
    }

    @Override
    public void close() {
        new ArrayList<>(connections).forEach(this::stop);
        Collections.reverse(closeables);
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort: the broker may be gone already
            }
        }
    }

    /** Collects what is logged (slf4j-simple writes to System.err) while it is open. */
    static final class LogCapture implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        LogCapture() {
            PrintStream tee = new PrintStream(new java.io.OutputStream() {
                @Override
                public void write(int b) {
                    synchronized (bytes) {
                        bytes.write(b);
                    }
                    original.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    synchronized (bytes) {
                        bytes.write(b, off, len);
                    }
                    original.write(b, off, len);
                }
            }, true, StandardCharsets.UTF_8);
            System.setErr(tee);
        }

        List<String> lines(String... containingAll) {
            String all;
            synchronized (bytes) {
                all = bytes.toString(StandardCharsets.UTF_8);
            }
            List<String> out = new ArrayList<>();
            for (String line : all.split("\n")) {
                boolean match = true;
                for (String c : containingAll) {
                    match &= line.contains(c);
                }
                if (match) {
                    out.add(line);
                }
            }
            return out;
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }
}
