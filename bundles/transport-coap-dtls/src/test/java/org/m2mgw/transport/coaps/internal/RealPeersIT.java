package org.m2mgw.transport.coaps.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * The listener against DTLS stacks we did not write: libcoap's {@code coap-client-openssl}
 * (Debian libcoap3-bin) and {@code openssl s_client -dtls1_2}. Both are installed by .ci/run.
 */
class RealPeersIT {
    /** A 2.04 response code, not the "2.04" inside a log timestamp such as 15:31:32.048. */
    static final java.util.regex.Pattern CHANGED = java.util.regex.Pattern.compile("(?<![0-9.])2\\.04(?![0-9])");

    static final String KEY = "secret-key-0001!";

    @TempDir
    Path data;

    TestSupport.Registry registry;
    TestSupport.Consumer consumer;
    TestSupport.Events events;
    CoapsListener listener;
    int port;

    @BeforeEach
    void start() {
        registry = new TestSupport.Registry().psk("dev1", "dev1", KEY.getBytes(StandardCharsets.US_ASCII),
                "telemetry/*", "events");
        consumer = new TestSupport.Consumer();
        events = new TestSupport.Events();
        listener = newListener(0, events);
        port = listener.address().orElseThrow().getPort();
    }

    /** A listener on {@code port} (0: any) over the test's data directory, as a bundle restart makes it. */
    private CoapsListener newListener(int onPort, TestSupport.Events to) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("listener_address", "127.0.0.1");
        cfg.put("listener_port", onPort);
        cfg.put("dtls_retransmission_timeout_ms", 500);
        cfg.put("dtls_max_retransmissions", 1);
        CoapsListener l = new CoapsListener(registry, TestSupport.runtime(data),
                new org.m2mgw.access.internal.RestrictionTable(TestSupport.runtime(data)),
                Map.of("service.pid", "org.m2mgw.transport.coaps~peers"),
                TestSupport.config(CoapsListenerConfig.class, cfg));
        CoapsListenerTest.setConsumer(l, consumer);
        l.addTrafficListener(to);
        return l;
    }

    @AfterEach
    void stop() {
        listener.deactivate();
    }

    static String run(long timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    List<String> coapClient(String identity, String key, String path, String payload, String... extra)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of("coap-client-openssl", "-v", "6", "-B", "8",
                "-m", "post", "-u", identity, "-k", key, "-e", payload));
        cmd.addAll(List.of(extra));
        cmd.add("coaps://127.0.0.1:" + port + "/" + path);
        return List.of(run(20, cmd.toArray(new String[0])));
    }

    @Test
    void givenRegisteredPsk_whenLibcoapPosts_thenItGets204AndTheMessageIsHandedOver() throws Exception {
        String out = coapClient("dev1", KEY, "telemetry", "{\"t\":1}", "-t", "50").get(0);

        assertThat(out).as(out).contains("2.04");
        assertThat(consumer.accepted).hasSize(1);
        assertThat(consumer.accepted.get(0).deviceId()).isEqualTo("dev1");
        assertThat(consumer.accepted.get(0).contentFormat()).isEqualTo(ContentFormats.JSON);
        assertThat(new String(consumer.accepted.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("{\"t\":1}");
    }

    @Test
    void givenWrongKey_whenLibcoapPosts_thenHandshakeFails() throws Exception {
        String out = coapClient("dev1", "not-the-key-0001", "telemetry", "{}").get(0);

        assertThat(CHANGED.matcher(out).find()).as(out).isFalse();
        assertThat(consumer.accepted).isEmpty();
        CoapsListenerTest.await("handshake failure", () -> events.count(TrafficEventType.HANDSHAKE_FAILED) >= 1);
        assertThat(events.of(TrafficEventType.HANDSHAKE_FAILED).get(0).reason()).contains("bad MAC");
    }

    @Test
    void givenUnknownIdentity_whenLibcoapPosts_thenHandshakeFailsAndTheReasonIsReported() throws Exception {
        String out = coapClient("intruder", KEY, "telemetry", "{}").get(0);

        assertThat(CHANGED.matcher(out).find()).as(out).isFalse();
        CoapsListenerTest.await("handshake failure", () -> events.count(TrafficEventType.HANDSHAKE_FAILED) >= 1);
        TrafficEvent e = events.of(TrafficEventType.HANDSHAKE_FAILED).get(0);
        assertThat(e.reason()).isEqualTo("unknown PSK identity 'intruder'");
        assertThat(e.transport()).isEqualTo("coaps");
        assertThat(e.sourceAddress()).startsWith("127.0.0.1:");
    }

    @Test
    void givenRegisteredPsk_whenOpensslConnectsWithCcm8_thenTheHandshakeCompletes() throws Exception {
        String hexKey = TestSupport.hex(KEY.getBytes(StandardCharsets.US_ASCII));
        String out = run(20, "openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:" + port,
                "-psk_identity", "dev1", "-psk", hexKey, "-cipher", "PSK-AES128-CCM8");

        assertThat(out).as(out).contains("Cipher is PSK-AES128-CCM8");
        CoapsListenerTest.await("handshake event", () -> events.count(TrafficEventType.HANDSHAKE_SUCCEEDED) == 1);
        TrafficEvent e = events.of(TrafficEventType.HANDSHAKE_SUCCEEDED).get(0);
        assertThat(e.deviceId()).contains("dev1");
        assertThat(e.reason()).isEqualTo("TLS_PSK_WITH_AES_128_CCM_8");
    }

    @Test
    void givenAnOpensslSession_whenTheListenerRestarts_thenOpensslResumesItWithoutAFullHandshake() throws Exception {
        String hexKey = TestSupport.hex(KEY.getBytes(StandardCharsets.US_ASCII));
        Path session = data.resolve("openssl-session.pem");
        // The device keeps its connection (no close_notify: a device that sleeps just goes quiet), so
        // s_client ignores the end of its input and is killed once it has written its session.
        Path firstOut = data.resolve("s_client-1.txt");
        Process first = new ProcessBuilder("openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:" + port,
                "-psk_identity", "dev1", "-psk", hexKey, "-cipher", "PSK-AES128-CCM8", "-sess_out", session.toString(),
                "-ign_eof").redirectErrorStream(true).redirectOutput(firstOut.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            CoapsListenerTest.await("openssl's session file", () -> session.toFile().length() > 0
                    || !first.isAlive());
            CoapsListenerTest.await("handshake event", () -> events.count(TrafficEventType.HANDSHAKE_SUCCEEDED) == 1);
        } finally {
            first.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        String firstText = java.nio.file.Files.readString(firstOut);
        assertThat(firstText).as(firstText).contains("Cipher is PSK-AES128-CCM8");

        // A bundle update or restart: the listener saves its sessions (sealed, format 2) and a new one
        // on the same port restores them.
        listener.deactivate();
        TestSupport.Events after = new TestSupport.Events();
        listener = newListener(port, after);

        String second = run(20, "openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:" + port,
                "-psk_identity", "dev1", "-psk", hexKey, "-cipher", "PSK-AES128-CCM8", "-sess_in", session.toString());
        assertThat(second).as(second).contains("Reused, ");
        CoapsListenerTest.await("resumption event", () -> after.count(TrafficEventType.SESSION_RESUMED) == 1);
        assertThat(after.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).as("full handshakes after the restart").isZero();
        assertThat(after.of(TrafficEventType.SESSION_RESUMED).get(0).deviceId()).contains("dev1");
    }

    @ParameterizedTest(name = "given a resource name {0}, when libcoap posts it, then 4.00 and nothing is queued")
    @ValueSource(strings = {"telemetry/%01ctrl", "telemetry/%ff%fe", "telemetry/a+b", "telemetry/%23",
        "telemetry/$SYS", "telemetry/%C3%A9t%C3%A9"})
    void givenAnInvalidResourceName_whenLibcoapPosts_thenItIsRefusedWith400AndNothingIsQueued(String path)
            throws Exception {
        String out = coapClient("dev1", KEY, path, "{\"t\":1}", "-t", "50").get(0);

        assertThat(out).as(out).contains("4.00");
        assertThat(consumer.accepted).as("an invalid name never reaches the durable queue").isEmpty();
        CoapsListenerTest.await("refusal reported", () -> events.count(TrafficEventType.REQUEST_REJECTED) >= 1);
        TrafficEvent e = events.of(TrafficEventType.REQUEST_REJECTED).get(0);
        assertThat(e.cause()).isEqualTo(org.m2mgw.api.traffic.FailureCause.MALFORMED);
        assertThat(e.resource()).as("the bad name is not echoed").isEmpty();
        // the same device goes on working
        assertThat(coapClient("dev1", KEY, "telemetry/ok", "{\"t\":2}", "-t", "50").get(0)).contains("2.04");
        assertThat(consumer.accepted).hasSize(1);
    }

    @Test
    void givenADeviceExploring_whenLibcoapAsksForAnUnknownResourceOrMethod_thenEachRefusalIsReportedWithTheDevice()
            throws Exception {
        String notFound = run(20, "coap-client-openssl", "-v", "6", "-B", "8", "-m", "get", "-u", "dev1", "-k", KEY,
                "coaps://127.0.0.1:" + port + "/config").strip();
        String notAllowed = run(20, "coap-client-openssl", "-v", "6", "-B", "8", "-m", "delete", "-u", "dev1", "-k",
                KEY, "coaps://127.0.0.1:" + port + "/telemetry").strip();

        assertThat(notFound).as(notFound).contains("4.04");
        assertThat(notAllowed).as(notAllowed).contains("4.05");
        CoapsListenerTest.await("refusals reported", () -> events.count(TrafficEventType.REQUEST_REJECTED) >= 2);
        assertThat(events.of(TrafficEventType.REQUEST_REJECTED)).allSatisfy(e -> {
            assertThat(e.cause()).isEqualTo(org.m2mgw.api.traffic.FailureCause.NO_SUCH_RESOURCE);
            assertThat(e.deviceId()).contains("dev1");
        }).extracting(e -> e.resource().orElse("-")).containsExactly("config", "telemetry");
        assertThat(consumer.accepted).isEmpty();
    }
}
