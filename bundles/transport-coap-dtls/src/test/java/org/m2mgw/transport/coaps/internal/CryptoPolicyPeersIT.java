package org.m2mgw.transport.coaps.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.crypto.CryptoPolicyListener;
import org.m2mgw.api.crypto.CryptoStatus;
import org.m2mgw.api.crypto.InventoryEntry;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;
import org.m2mgw.crypto.internal.CryptoPolicyComponent;
import org.m2mgw.crypto.internal.InventoryComponent;
import org.m2mgw.crypto.internal.PolicyConfig;

/**
 * The crypto policy against DTLS stacks we did not write ({@code openssl s_client -dtls1_2} and
 * libcoap's {@code coap-client-openssl}), with the real policy and inventory components: a suite
 * the operator retires is refused at the next handshake, live sessions on it are closed, other
 * sessions go on, and the inventory says why.
 */
class CryptoPolicyPeersIT {
    static final String KEY = "0123456789abcdef0123456789abcdef-not-a-demo-key";

    @TempDir
    Path data;

    TestSupport.Registry registry;
    TestSupport.Consumer consumer;
    TestSupport.Events events;
    CoapsListener listener;
    CryptoPolicyComponent policy;
    InventoryComponent inventory;
    int port;

    @BeforeEach
    void start() throws Exception {
        registry = new TestSupport.Registry()
                .psk("dev1", "dev1", KEY.getBytes(StandardCharsets.US_ASCII), "telemetry/*")
                .psk("dev2", "dev2", KEY.replace('0', 'z').getBytes(StandardCharsets.US_ASCII), "telemetry/*");
        consumer = new TestSupport.Consumer();
        events = new TestSupport.Events();
        policy = new CryptoPolicyComponent(TestSupport.config(PolicyConfig.class, Map.of()));
        inventory = new InventoryComponent(registry, policy, TestSupport.runtime(data));
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("listener_address", "127.0.0.1");
        cfg.put("listener_port", 0);
        cfg.put("dtls_retransmission_timeout_ms", 500);
        cfg.put("dtls_max_retransmissions", 1);
        listener = new CoapsListener(registry, TestSupport.runtime(data),
                new org.m2mgw.access.internal.RestrictionTable(TestSupport.runtime(data)),
                Map.of("service.pid", "org.m2mgw.transport.coaps~policy"),
                TestSupport.config(CoapsListenerConfig.class, cfg));
        CoapsListenerTest.setConsumer(listener, consumer);
        set("cryptoPolicy", policy);
        set("cryptoInventory", inventory);
        Method add = CryptoPolicyComponent.class.getDeclaredMethod("addListener", CryptoPolicyListener.class);
        add.setAccessible(true);
        add.invoke(policy, listener);
        listener.addTrafficListener(events);
        port = listener.address().orElseThrow().getPort();
    }

    private void set(String field, Object value) throws ReflectiveOperationException {
        Field f = CoapsListener.class.getDeclaredField(field);
        f.setAccessible(true);
        f.set(listener, value);
    }

    private void configurePolicy(Map<String, Object> values) throws Exception {
        Method m = CryptoPolicyComponent.class.getDeclaredMethod("modified", PolicyConfig.class);
        m.setAccessible(true);
        m.invoke(policy, TestSupport.config(PolicyConfig.class, values));
    }

    @AfterEach
    void stop() {
        listener.deactivate();
        try {
            Method d = InventoryComponent.class.getDeclaredMethod("deactivate");
            d.setAccessible(true);
            d.invoke(inventory);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private Process opensslSession(String identity, String key, String cipher) throws Exception {
        return new ProcessBuilder("openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:" + port,
                "-psk_identity", identity, "-psk", TestSupport.hex(key.getBytes(StandardCharsets.US_ASCII)),
                "-cipher", cipher).redirectErrorStream(true)
                .redirectOutput(data.resolve("openssl-" + identity + ".log").toFile()).start();
    }

    @Test
    void givenALiveOpensslSession_whenTheOperatorRetiresItsSuite_thenItIsClosedRefusedNextTimeAndTheInventorySaysWhy()
            throws Exception {
        Process ccm8 = opensslSession("dev1", KEY, "PSK-AES128-CCM8");
        Process ccm = opensslSession("dev2", KEY.replace('0', 'z'), "PSK-AES128-CCM");
        OutputStream keepOpen1 = ccm8.getOutputStream();
        OutputStream keepOpen2 = ccm.getOutputStream();
        CoapsListenerTest.await("two sessions", () -> events.count(TrafficEventType.HANDSHAKE_SUCCEEDED) == 2);
        assertThat(inventory.entry("dev1").orElseThrow().suite()).contains("TLS_PSK_WITH_AES_128_CCM_8");

        // The operator retires CCM_8 for PSK devices (leaves it out of the list).
        configurePolicy(Map.of("suites_psk", new String[] {"TLS_PSK_WITH_AES_128_CCM",
            "TLS_PSK_WITH_AES_128_GCM_SHA256"}));

        boolean exited = ccm8.waitFor(15, TimeUnit.SECONDS);
        if (!exited) {
            ccm8.destroy();
        }
        String out = java.nio.file.Files.readString(data.resolve("openssl-dev1.log"));
        assertThat(exited).as("the CCM_8 session is closed by the gateway").isTrue();
        // s_client prints "closed" when it reads the peer's close_notify (SSL_ERROR_ZERO_RETURN).
        assertThat(out.strip()).as(out).endsWith("closed");
        assertThat(ccm.isAlive()).as("the session on an allowed suite goes on").isTrue();
        CoapsListenerTest.await("closure reported", () -> events.of(TrafficEventType.SESSION_CLOSED).stream()
                .anyMatch(e -> e.cause() == FailureCause.POLICY));
        TrafficEvent closed = events.of(TrafficEventType.SESSION_CLOSED).stream()
                .filter(e -> e.cause() == FailureCause.POLICY).findFirst().orElseThrow();
        assertThat(closed.deviceId()).contains("dev1");
        assertThat(closed.reason()).contains("TLS_PSK_WITH_AES_128_CCM_8", "not allowed for PSK devices");
        InventoryEntry e = inventory.entry("dev1").orElseThrow();
        assertThat(e.verdict().status()).isEqualTo(CryptoStatus.RETIRED);
        assertThat(e.lastEvent()).hasValueSatisfying(l -> assertThat(l).contains("session closed", "CCM_8"));

        // Next handshake with the retired suite: refused with the policy's reason.
        String again = RealPeersIT.run(20, "openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:" + port,
                "-psk_identity", "dev1", "-psk", TestSupport.hex(KEY.getBytes(StandardCharsets.US_ASCII)),
                "-cipher", "PSK-AES128-CCM8");
        assertThat(again).as(again).doesNotContain("Cipher is PSK-AES128-CCM8");
        CoapsListenerTest.await("refusal reported", () -> events.of(TrafficEventType.HANDSHAKE_FAILED).stream()
                .anyMatch(f -> f.cause() == FailureCause.POLICY));
        assertThat(events.of(TrafficEventType.HANDSHAKE_FAILED).stream().filter(f -> f.cause() == FailureCause.POLICY)
                .findFirst().orElseThrow().reason()).contains("no suite the crypto policy allows",
                        "TLS_PSK_WITH_AES_128_CCM_8");
        assertThat(listener.counters().get("sessions.ended.by.crypto.policy")).isEqualTo(1L);

        keepOpen1.close();
        keepOpen2.close();
        ccm.destroy();
    }

    @Test
    void givenLibcoap_whenTheSuiteItNegotiatedIsRetired_thenItsNextPostUsesAnAllowedSuiteOrIsRefused()
            throws Exception {
        String first = RealPeersIT.run(20, "coap-client-openssl", "-v", "6", "-B", "8", "-m", "post", "-u", "dev1",
                "-k", KEY, "-e", "{}", "coaps://127.0.0.1:" + port + "/telemetry");
        assertThat(first).as(first).contains("2.04");
        String suite = inventory.entry("dev1").orElseThrow().suite().orElseThrow();

        // Allow libcoap's suite for nobody: only the two others the listener offers remain.
        String[] others = java.util.stream.Stream.of("TLS_PSK_WITH_AES_128_CCM_8", "TLS_PSK_WITH_AES_128_CCM",
                "TLS_PSK_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256")
                .filter(s -> !s.equals(suite)).toArray(String[]::new);
        configurePolicy(Map.of("suites_psk", others));
        String second = RealPeersIT.run(20, "coap-client-openssl", "-v", "6", "-B", "8", "-m", "post", "-u", "dev1",
                "-k", KEY, "-e", "{}", "coaps://127.0.0.1:" + port + "/telemetry");
        CoapsListenerTest.await("second handshake settled", () -> events.count(TrafficEventType.HANDSHAKE_SUCCEEDED) >= 2
                || events.of(TrafficEventType.HANDSHAKE_FAILED).stream().anyMatch(f -> f.cause() == FailureCause.POLICY));
        InventoryEntry e = inventory.entry("dev1").orElseThrow();
        if (second.contains("2.04")) {
            assertThat(e.suite()).as("libcoap moved to an allowed suite").isNotEqualTo(java.util.Optional.of(suite));
            assertThat(e.suite().orElseThrow()).isIn((Object[]) others);
        } else {
            assertThat(events.of(TrafficEventType.HANDSHAKE_FAILED).stream()
                    .anyMatch(f -> f.cause() == FailureCause.POLICY && f.reason().contains(suite))).isTrue();
        }
        // Either way, never a session on the retired suite after the change.
        assertThat(events.of(TrafficEventType.HANDSHAKE_SUCCEEDED).stream().skip(1).map(TrafficEvent::reason))
                .doesNotContain(suite);
        System.out.println("libcoap negotiated " + suite + " first, then " + e.suite().orElse("nothing"));
    }

    private String libcoapPost(String identity, String key, String payload) throws Exception {
        return RealPeersIT.run(20, "coap-client-openssl", "-v", "6", "-B", "8", "-m", "post", "-u", identity,
                "-k", key, "-e", payload, "coaps://127.0.0.1:" + port + "/telemetry");
    }

    @Test
    void givenARollover_whenLibcoapMovesFromTheOldKeyToTheNextOne_thenNoRequestFailsAndTheOldKeyIsRetired()
            throws Exception {
        String nextKey = "a-fresh-random-looking-key-0002-of-the-rollover";
        registry.nextPsk("dev1", "dev1-k1", nextKey.getBytes(StandardCharsets.US_ASCII));
        org.m2mgw.api.device.Device before = registry.device("dev1").orElseThrow();

        // During the rollover the device may use either key.
        assertThat(libcoapPost("dev1", KEY, "{\"n\":1}")).contains("2.04");
        assertThat(registry.promoted).as("the old key does not end the rollover").isEmpty();
        String withNew = libcoapPost("dev1-k1", nextKey, "{\"n\":2}");
        assertThat(withNew).as(withNew).contains("2.04");
        CoapsListenerTest.await("promotion", () -> registry.promoted.contains("dev1"));
        org.m2mgw.api.device.Device after = registry.device("dev1").orElseThrow();
        assertThat(after.pskIdentity()).contains("dev1-k1");
        assertThat(after.rolloverPending()).isFalse();
        // The registry tells its listeners; the fake registry does not, so the test does.
        listener.deviceChanged(java.util.Optional.of(before), java.util.Optional.of(after));
        assertThat(events.of(TrafficEventType.SESSION_CLOSED)).anySatisfy(e -> assertThat(e.reason())
                .isEqualTo("device key rollover ended, old key retired"));

        // The old key is retired; the new one goes on working, also with openssl.
        String withOld = libcoapPost("dev1", KEY, "{\"n\":3}");
        assertThat(RealPeersIT.CHANGED.matcher(withOld).find()).as(withOld).isFalse();
        assertThat(libcoapPost("dev1-k1", nextKey, "{\"n\":4}")).contains("2.04");
        String openssl = RealPeersIT.run(20, "openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:" + port,
                "-psk_identity", "dev1-k1", "-psk", TestSupport.hex(nextKey.getBytes(StandardCharsets.US_ASCII)),
                "-cipher", "PSK-AES128-CCM8");
        assertThat(openssl).as(openssl).contains("Cipher is PSK-AES128-CCM8");
        assertThat(consumer.accepted).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                .containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":4}");
        assertThat(consumer.accepted).allSatisfy(m -> assertThat(m.deviceId()).isEqualTo("dev1"));
        assertThat(inventory.entry("dev1").orElseThrow().keyCreated()).isEqualTo(after.keyCreated());
    }
}
