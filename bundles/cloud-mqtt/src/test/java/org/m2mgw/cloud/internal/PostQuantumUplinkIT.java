package org.m2mgw.cloud.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.cloud.internal.CloudConnectionIT.await;
import static org.m2mgw.cloud.internal.CloudHarness.accept;
import static org.m2mgw.cloud.internal.CloudHarness.counter;
import static org.m2mgw.cloud.internal.CloudHarness.message;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.m2mgw.cloud.internal.tls.UplinkTls;
import org.m2mgw.cloud.testsupport.Mosquitto;
import org.m2mgw.cloud.testsupport.TlsFrontEnd;

/**
 * The post-quantum uplink against real peers: a TLS 1.3 front end on Bouncy Castle's JSSE that
 * accepts only X25519MLKEM768 and relays to a real mosquitto (which, on OpenSSL 3.0, cannot do the
 * hybrid group itself), and mosquitto's own TLS listener as the classical broker. What was
 * negotiated is asserted from the server side, and messages go through the real cloud connection
 * to a subscriber on the broker.
 */
class PostQuantumUplinkIT {
    private static final int MESSAGES = 20;

    @TempDir
    Path tmp;

    CloudHarness h;
    BooleanSupplier bcJsse;
    Path pki;
    TestTls ca;
    KeyPair serverKeys;
    X509Certificate serverCert;

    @BeforeEach
    void setUp() throws Exception {
        bcJsse = UplinkTls.bcJsseAvailable;
        h = new CloudHarness(tmp);
        pki = Files.createDirectories(tmp.resolve("pki"));
        ca = new TestTls("m2mgw test broker CA");
        serverKeys = TestTls.keys();
        serverCert = ca.server(serverKeys);
        TestTls.pkcs12(pki.resolve("trust.p12"), "trustpw", null, ca.ca);
    }

    @AfterEach
    void tearDown() {
        UplinkTls.bcJsseAvailable = bcJsse;
        h.close();
    }

    private Map<String, Object> tlsConfig(String url, String mqttVersion) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("broker_url", url);
        cfg.put("mqtt_version", mqttVersion);
        cfg.put("routes", CloudHarness.RAW_ROUTES);
        cfg.put("tls_truststore_path", pki.resolve("trust.p12").toString());
        cfg.put("tls_truststore_password", "trustpw");
        return cfg;
    }

    /** Sends {@link #MESSAGES} messages through the connection and waits for the subscriber to have them all. */
    private static void sendAndReceive(CloudConnection c, CloudConnectionIT.Subscriber sub) throws Exception {
        for (int i = 0; i < MESSAGES; i++) {
            assertThat(accept(c, message("dev" + (i % 3), i)).isAccepted()).isTrue();
        }
        await("all published", 15_000, () -> counter(c, "published") == MESSAGES);
        await("all received by the subscriber", 15_000, () -> sub.ids.size() == MESSAGES);
        for (int i = 0; i < MESSAGES; i++) {
            assertThat(sub.ids).contains("m-dev" + (i % 3) + "-" + i);
        }
    }

    @ParameterizedTest(name = "MQTT {0}")
    @ValueSource(strings = {"5", "3.1.1"})
    void givenFrontEndAcceptingOnlyTheHybridGroup_whenTheGatewayConnectsWithDefaults_thenX25519MLKEM768IsNegotiated_andMessagesFlow(
            String mqttVersion) throws Exception {
        Mosquitto broker = h.broker("");
        KeyPair rsa = TestTls.rsaKeys();
        TlsFrontEnd front = h.closeLater(TlsFrontEnd.bouncyCastle(broker.port, rsa.getPrivate(),
                new X509Certificate[] {ca.server(rsa), ca.ca}, new String[] {"TLSv1.3"}, "X25519MLKEM768"));
        CloudConnectionIT.Subscriber sub = h.subscriber(broker.url(), "m2mgw/gw1/#");

        CloudConnection c = h.connection(tlsConfig(front.url(), mqttVersion));
        awaitConnected(c, front);
        sendAndReceive(c, sub);

        // What the server saw: the hybrid group was negotiated, over TLS 1.3, and the gateway offered
        // the default list in order, with key shares for the hybrid group and x25519.
        assertThat(front.failures()).isEmpty();
        assertThat(front.connections()).hasSize(1);
        TlsFrontEnd.Connection seen = front.connections().get(0);
        assertThat(seen.negotiatedGroup()).isEqualTo("X25519MLKEM768");
        assertThat(seen.protocol()).isEqualTo("TLSv1.3");
        assertThat(seen.offeredGroups()).containsExactly("X25519MLKEM768", "x25519", "secp256r1");
        // 1,184 bytes of ML-KEM-768 encapsulation key and 32 of X25519
        assertThat(seen.keyShares()).containsExactlyInAnyOrderEntriesOf(Map.of("X25519MLKEM768", 1216, "x25519", 32));

        // What the gateway shows: the same group, read from the server's ServerHello.
        assertThat(c.tlsGroup()).contains("X25519MLKEM768");
        assertThat(c.statusLine()).contains("TLSv1.3, key exchange X25519MLKEM768 (post-quantum hybrid) via "
                + "Bouncy Castle JSSE");
        assertThat(counter(c, "tls.post.quantum")).isEqualTo(1);

        // The crypto inventory is told what protects the uplink, and its summary goes to the cloud.
        java.util.List<org.m2mgw.api.crypto.UplinkEntry> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        c.bindCryptoInventory((org.m2mgw.api.crypto.CryptoInventory) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {org.m2mgw.api.crypto.CryptoInventory.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("uplink")) {
                        told.add((org.m2mgw.api.crypto.UplinkEntry) args[0]);
                    }
                    return null;
                }));
        assertThat(told).singleElement().satisfies(u -> {
            assertThat(u.group()).isEqualTo("X25519MLKEM768");
            assertThat(u.protocol()).isEqualTo("TLSv1.3");
            assertThat(u.postQuantum()).isTrue();
        });
        c.handleEvent(new org.osgi.service.event.Event(CloudConnection.CRYPTO_TOPIC,
                Map.of("json", "{\"devices\":3,\"quantumVulnerable\":1}")));
        await("inventory summary received", 15_000, () -> sub.lastByTopic.containsKey("m2mgw/gw1/crypto"));
        assertThat(new String(sub.lastByTopic.get("m2mgw/gw1/crypto"), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"devices\":3,\"quantumVulnerable\":1}");
        await("summary acknowledged", 15_000, () -> counter(c, "crypto.summaries.published") == 1);
    }

    @Test
    void givenHybridFrontEnd_whenItsCertificateNamesAnotherHost_thenHostnameVerificationRefusesIt() throws Exception {
        Mosquitto broker = h.broker("");
        KeyPair keys = TestTls.rsaKeys();
        TlsFrontEnd front = h.closeLater(TlsFrontEnd.bouncyCastle(broker.port, keys.getPrivate(),
                new X509Certificate[] {ca.serverFor("other.example", keys), ca.ca}, new String[] {"TLSv1.3"},
                "X25519MLKEM768"));

        CloudConnection c = h.connection(tlsConfig(front.url(), "5"));
        await("refusal shown", 20_000, () -> c.statusLine().contains("TLS handshake failed"));
        assertThat(counter(c, "connects")).isZero();
        assertThat(c.tlsGroup()).isEmpty();
        h.stop(c);

        Map<String, Object> noCheck = tlsConfig(front.url(), "5");
        noCheck.put("tls_hostname_verification", false);
        CloudConnection unchecked = h.connection(noCheck);
        awaitConnected(unchecked, front);
        assertThat(unchecked.tlsGroup()).contains("X25519MLKEM768");
    }

    private static void awaitConnected(CloudConnection c, TlsFrontEnd front) throws InterruptedException {
        try {
            await("connected", 20_000, () -> c.statusLine().startsWith("connected to ssl://"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + c.statusLine() + "; the front end saw "
                    + front.failures(), e);
        }
    }

    /**
     * mosquitto's own TLS listener (OpenSSL 3.0: no ML-KEM, TLS 1.3 and 1.2), with a P-256
     * certificate, plus a plain listener for the subscriber.
     */
    private Mosquitto classicalBroker() throws Exception {
        TestTls.pem(pki.resolve("server.pem"), "CERTIFICATE", serverCert.getEncoded());
        TestTls.pem(pki.resolve("server.key"), "PRIVATE KEY", serverKeys.getPrivate().getEncoded());
        int plainPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            plainPort = s.getLocalPort();
        }
        Mosquitto broker = h.broker("certfile " + pki.resolve("server.pem") + "\nkeyfile " + pki.resolve("server.key")
                + "\nlistener " + plainPort + " 127.0.0.1\n");
        plainUrl = "tcp://127.0.0.1:" + plainPort;
        await("plain listener", 10_000, () -> {
            try (java.net.Socket probe = new java.net.Socket("127.0.0.1", plainPort)) {
                return true;
            } catch (java.io.IOException notYet) {
                return false;
            }
        });
        return broker;
    }

    private String plainUrl;

    @Test
    void givenMosquittosOwnTlsListener_whenTheGatewayConnectsWithDefaultGroups_thenX25519IsUsed_andMessagesFlow()
            throws Exception {
        Mosquitto broker = classicalBroker();
        CloudConnectionIT.Subscriber sub = h.subscriber(plainUrl, "m2mgw/gw1/#");

        CloudConnection c = h.connection(tlsConfig("ssl://127.0.0.1:" + broker.port, "5"));
        await("connected", 20_000, () -> c.statusLine().startsWith("connected to ssl://"));
        sendAndReceive(c, sub);

        // OpenSSL 3.0 ignores the hybrid share it does not know and takes the x25519 one
        assertThat(c.tlsGroup()).contains("x25519");
        assertThat(c.statusLine()).contains("TLSv1.3, key exchange x25519 (classical) via Bouncy Castle JSSE");
        assertThat(counter(c, "tls.post.quantum")).isZero();
    }

    /**
     * Post-quantum only refuses a classical broker; and without an ECDSA curve in the list, Bouncy
     * Castle's JSSE cannot check a P-256 certificate, which is why the default keeps secp256r1.
     */
    @ParameterizedTest(name = "tls.groups={0}")
    @ValueSource(strings = {"X25519MLKEM768", "X25519MLKEM768,x25519"})
    void givenClassicalBrokerWithP256Certificate_whenTheGroupsLeaveNoWayToIt_thenTheHandshakeFails(String groups)
            throws Exception {
        Mosquitto broker = classicalBroker();
        Map<String, Object> cfg = tlsConfig("ssl://127.0.0.1:" + broker.port, "5");
        cfg.put("tls_groups", groups);
        CloudConnection c = h.connection(cfg);
        await("refusal shown", 20_000, () -> c.statusLine().contains("TLS handshake failed"));
        assertThat(counter(c, "connects")).isZero();
        assertThat(accept(c, message("dev", 1)).isAccepted()).as("messages still queue up").isTrue();
    }

    @Test
    void givenClassicalJdkServerWithTls12Only_whenTheGatewayConnectsWithDefaultGroups_thenItConnects_andMessagesFlow()
            throws Exception {
        Mosquitto broker = h.broker("");
        TlsFrontEnd front = h.closeLater(TlsFrontEnd.jdk(broker.port, serverKeys.getPrivate(),
                new X509Certificate[] {serverCert, ca.ca}, "TLSv1.2"));
        CloudConnectionIT.Subscriber sub = h.subscriber(broker.url(), "m2mgw/gw1/#");

        CloudConnection c = h.connection(tlsConfig(front.url(), "3.1.1"));
        awaitConnected(c, front);
        sendAndReceive(c, sub);

        assertThat(front.connections()).hasSize(1);
        assertThat(front.connections().get(0).protocol()).isEqualTo("TLSv1.2");
        assertThat(front.connections().get(0).offeredGroups()).containsExactly("X25519MLKEM768", "x25519", "secp256r1");
        // TLS 1.2 has no hybrid group: the server's ServerKeyExchange names a classical curve
        assertThat(c.tlsGroup()).contains("x25519");
        assertThat(c.statusLine()).contains("TLSv1.2, key exchange x25519 (classical) via Bouncy Castle JSSE");
        assertThat(counter(c, "tls.post.quantum")).isZero();
    }

    @Test
    void givenJdkProvider_whenConnectingToTheClassicalBroker_thenItConnects_andSaysTheGroupsAreNotApplied() throws Exception {
        Mosquitto broker = classicalBroker();
        CloudConnectionIT.Subscriber sub = h.subscriber(plainUrl, "m2mgw/gw1/#");
        Map<String, Object> cfg = tlsConfig("ssl://127.0.0.1:" + broker.port, "3.1.1");
        cfg.put("tls_provider", "jdk");

        try (CloudHarness.LogCapture log = new CloudHarness.LogCapture()) {
            CloudConnection c = h.connection(cfg);
            await("connected", 20_000, () -> c.statusLine().startsWith("connected to ssl://"));
            sendAndReceive(c, sub);
            assertThat(c.statusLine()).contains("TLSv1.3, key exchange x25519 (classical) via JDK");
            assertThat(log.lines("WARN", "tls.provider is jdk", "not applied")).hasSize(1);
        }
    }

    @Test
    void givenNoBouncyCastleJsse_whenAuto_thenTheJdkConnects_withOneWarning() throws Exception {
        UplinkTls.bcJsseAvailable = () -> false;
        Mosquitto broker = classicalBroker();
        CloudConnectionIT.Subscriber sub = h.subscriber(plainUrl, "m2mgw/gw1/#");

        try (CloudHarness.LogCapture log = new CloudHarness.LogCapture()) {
            CloudConnection c = h.connection(tlsConfig("ssl://127.0.0.1:" + broker.port, "5"));
            await("connected", 20_000, () -> c.statusLine().startsWith("connected to ssl://"));
            sendAndReceive(c, sub);
            assertThat(c.statusLine()).contains("key exchange x25519 (classical) via JDK");
            assertThat(c.tlsGroup()).contains("x25519");
            // a reconnect does not repeat it
            broker.kill();
            await("lost", 10_000, () -> !c.statusLine().startsWith("connected"));
            broker.start();
            await("connected again", 20_000, () -> c.statusLine().startsWith("connected to ssl://"));
            List<String> warnings = log.lines("WARN", "bctls bundle) is not available");
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0)).contains("no post-quantum protection");
        }
    }
}
