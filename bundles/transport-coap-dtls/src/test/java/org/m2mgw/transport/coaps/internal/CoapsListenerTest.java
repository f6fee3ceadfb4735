package org.m2mgw.transport.coaps.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * The listener against Californium/Scandium clients: PSK, ECDHE_PSK and RPK handshakes, CID
 * across an address change, resumption, the durable-accept contract, and each kind of bad input.
 * After every bad input a good device must still work.
 */
class CoapsListenerTest {
    static final byte[] KEY1 = "secret-key-0001!".getBytes(StandardCharsets.US_ASCII);
    static final byte[] KEY2 = "secret-key-0002!".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path data;

    TestSupport.Registry registry;
    TestSupport.Consumer consumer;
    TestSupport.Events events;
    org.m2mgw.access.internal.RestrictionTable access;
    CoapsListener listener;
    InetSocketAddress server;
    final List<CoapEndpoint> clients = new java.util.ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        registry = new TestSupport.Registry()
                .psk("dev1", "dev1", KEY1, "telemetry/*", "events", "commands")
                .psk("dev2", "dev2", KEY2, "telemetry/*");
        consumer = new TestSupport.Consumer();
        events = new TestSupport.Events();
        access = new org.m2mgw.access.internal.RestrictionTable(TestSupport.runtime(data));
        listener = newListener(Map.of());
        server = new InetSocketAddress("127.0.0.1", listener.address().orElseThrow().getPort());
    }

    CoapsListener newListener(Map<String, Object> overrides) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("listener_address", "127.0.0.1");
        cfg.put("listener_port", 0);
        cfg.put("dtls_retransmission_timeout_ms", 400);
        cfg.put("dtls_max_retransmissions", 1);
        cfg.put("coap_accept_timeout_ms", 1000);
        cfg.putAll(overrides);
        CoapsListener l = new CoapsListener(registry, TestSupport.runtime(data), access,
                Map.of("service.pid", "org.m2mgw.transport.coaps~test"),
                TestSupport.config(CoapsListenerConfig.class, cfg));
        setConsumer(l, consumer);
        l.addTrafficListener(events);
        access.addListener(l);
        return l;
    }

    static void setConsumer(CoapsListener l, Object consumer) {
        try {
            var f = CoapsListener.class.getDeclaredField("consumer");
            f.setAccessible(true);
            f.set(l, consumer);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void stop() {
        clients.forEach(CoapEndpoint::destroy);
        listener.deactivate();
    }

    Configuration clientConfig(CipherSuite... suites) {
        Configuration c = Configuration.createStandardWithoutFile();
        c.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        c.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 0);
        c.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, 400, TimeUnit.MILLISECONDS);
        c.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 1);
        c.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, suites);
        return c;
    }

    CoapEndpoint pskClient(String identity, byte[] key, CipherSuite suite) {
        Configuration c = clientConfig(suite);
        DTLSConnector dtls = new DTLSConnector(DtlsConnectorConfig.builder(c)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setAdvancedPskStore(new AdvancedSinglePskStore(identity, key)).build());
        return endpoint(c, dtls);
    }

    CoapEndpoint endpoint(Configuration c, DTLSConnector dtls) {
        CoapEndpoint ep = new CoapEndpoint.Builder().setConfiguration(c).setConnector(dtls).build();
        clients.add(ep);
        return ep;
    }

    CoapResponse post(CoapEndpoint ep, String path, String payload, int format) throws Exception {
        CoapClient client = new CoapClient("coaps://127.0.0.1:" + server.getPort() + "/" + path);
        client.setEndpoint(ep);
        client.setTimeout(4000L);
        try {
            return client.post(payload, format);
        } catch (java.io.IOException handshakeFailed) {
            // Californium reports a failed handshake as an exception: the device got no answer.
            return null;
        } finally {
            client.shutdown();
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(() -> what, condition);
    }

    static void await(java.util.function.Supplier<String> what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            Thread.sleep(20);
        }
    }

    void assertGoodDeviceStillWorks() throws Exception {
        CoapResponse r = post(pskClient("dev2", KEY2, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8),
                "telemetry/check", "{\"ok\":1}", ContentFormats.JSON);
        assertThat(r).as("good device after bad input").isNotNull();
        assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_PSK_WITH_AES_128_CCM_8", "TLS_PSK_WITH_AES_128_CCM",
        "TLS_PSK_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256"})
    void givenPskDevice_whenItPosts_thenMessageIsHandedOverAndAcknowledged(CipherSuite suite) throws Exception {
        CoapResponse r = post(pskClient("dev1", KEY1, suite), "telemetry/temp", "{\"t\":21.5}",
                ContentFormats.JSON);

        assertThat(r).isNotNull();
        assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(consumer.accepted).hasSize(1);
        DeviceMessage m = consumer.accepted.get(0);
        assertThat(m.deviceId()).isEqualTo("dev1");
        assertThat(m.resource()).isEqualTo("telemetry/temp");
        assertThat(m.contentFormat()).isEqualTo(ContentFormats.JSON);
        assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"t\":21.5}");
        assertThat(m.security().cipherSuite()).isEqualTo(suite.name());
        assertThat(m.security().connectionId()).as("CID negotiated").isTrue();
        await("handshake event", () -> events.count(TrafficEventType.HANDSHAKE_SUCCEEDED) == 1);
        assertThat(events.of(TrafficEventType.HANDSHAKE_SUCCEEDED).get(0).deviceId()).contains("dev1");
        await("bytes out reported", () -> events.count(TrafficEventType.BYTES_OUT) >= 1);
        TrafficEvent in = events.of(TrafficEventType.BYTES_IN).get(0);
        assertThat(in.deviceId()).contains("dev1");
        assertThat(in.bytes()).isGreaterThan("{\"t\":21.5}".length());
        assertThat(events.of(TrafficEventType.BYTES_OUT).get(0).deviceId()).contains("dev1");
    }

    @Test
    void givenADeviceThatPosted_whenTheSessionDirectoryIsAsked_thenItListsItsDtlsSession() throws Exception {
        assertThat(listener.sessions()).isEmpty();
        long before = System.currentTimeMillis();
        CoapResponse r = post(pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8), "telemetry",
                "{\"t\":1}", ContentFormats.JSON);
        assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
        java.util.List<org.m2mgw.api.session.SessionInfo> all = listener.sessions();
        assertThat(all).singleElement().satisfies(s -> {
            assertThat(s.deviceId()).isEqualTo("dev1");
            assertThat(s.protocol()).isEqualTo("coaps");
            assertThat(s.suite()).isEqualTo("TLS_PSK_WITH_AES_128_CCM_8");
            assertThat(s.resumed()).isFalse();
            assertThat(s.address()).get().satisfies(a -> assertThat(a.getAddress().isLoopbackAddress()).isTrue());
            assertThat(s.since().toEpochMilli()).isGreaterThanOrEqualTo(before - 1000);
            assertThat(s.lastSeen()).get().satisfies(t -> assertThat(t).isAfterOrEqualTo(s.since().minusSeconds(1)));
        });
        assertThat(listener.sessions("dev1")).hasSize(1);
        assertThat(listener.sessions("dev2")).isEmpty();
        assertThat(listener.protocol()).isEqualTo("coaps");
    }

    @Test
    void givenRawPublicKeyDevice_whenItPostsWithEcdheEcdsa_thenAccepted() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair device = g.generateKeyPair();
        registry.rpk("rpk1", device.getPublic().getEncoded(), "telemetry/*");

        Configuration c = clientConfig(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
        DTLSConnector dtls = new DTLSConnector(DtlsConnectorConfig.builder(c)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setCertificateIdentityProvider(new SingleCertificateProvider(device.getPrivate(), device.getPublic()))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder().setTrustAllRPKs().build())
                .build());
        CoapResponse r = post(endpoint(c, dtls), "telemetry", "21.5", ContentFormats.TEXT_PLAIN);

        assertThat(r).isNotNull();
        assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(consumer.accepted.get(0).deviceId()).isEqualTo("rpk1");
        assertThat(consumer.accepted.get(0).security().credentialType().name()).isEqualTo("RAW_PUBLIC_KEY");
    }

    @Test
    void givenUnregisteredRawPublicKey_thenHandshakeIsRefused() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair stranger = g.generateKeyPair();
        Configuration c = clientConfig(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
        DTLSConnector dtls = new DTLSConnector(DtlsConnectorConfig.builder(c)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setCertificateIdentityProvider(new SingleCertificateProvider(stranger.getPrivate(), stranger.getPublic()))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder().setTrustAllRPKs().build())
                .build());
        assertThat(post(endpoint(c, dtls), "telemetry", "1", ContentFormats.TEXT_PLAIN)).isNull();
        await("handshake failure", () -> events.count(TrafficEventType.HANDSHAKE_FAILED) == 1);
        assertThat(events.of(TrafficEventType.HANDSHAKE_FAILED).get(0).reason()).contains("access_denied");
        assertGoodDeviceStillWorks();
    }

    CoapEndpoint x509Client(KeyPair keys, X509Certificate... chain) {
        Configuration c = clientConfig(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
        DTLSConnector dtls = new DTLSConnector(DtlsConnectorConfig.builder(c)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setCertificateIdentityProvider(new SingleCertificateProvider(keys.getPrivate(), chain,
                        org.eclipse.californium.scandium.dtls.CertificateType.X_509))
                // the gateway answers with its raw public key
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder().setTrustAllRPKs().build())
                .build());
        return endpoint(c, dtls);
    }

    @Test
    void givenX509DeviceUnderATrustAnchor_whenItPosts_thenAccepted_andStrangersAreRefused() throws Exception {
        TestPki pki = new TestPki("CN=m2mgw test CA,O=Example");
        registry.anchors.add(pki.ca);
        registry.x509("plc-3", "CN=plc-3,O=Example", "telemetry/*");
        KeyPair plc = TestPki.keyPair();

        CoapResponse ok = post(x509Client(plc, pki.issue("CN=plc-3,O=Example", plc)), "telemetry", "1",
                ContentFormats.TEXT_PLAIN);
        assertThat(ok).isNotNull();
        assertThat(ok.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(consumer.accepted.get(0).deviceId()).isEqualTo("plc-3");
        assertThat(consumer.accepted.get(0).security().credentialType().name()).isEqualTo("X509");

        // Signed by the trusted CA but not registered: refused.
        KeyPair other = TestPki.keyPair();
        assertThat(post(x509Client(other, pki.issue("CN=unknown,O=Example", other)), "telemetry", "1",
                ContentFormats.TEXT_PLAIN)).isNull();
        // Registered subject, but from another CA: refused.
        TestPki rogue = new TestPki("CN=rogue CA");
        KeyPair fake = TestPki.keyPair();
        assertThat(post(x509Client(fake, rogue.issue("CN=plc-3,O=Example", fake)), "telemetry", "1",
                ContentFormats.TEXT_PLAIN)).isNull();
        assertThat(consumer.accepted).hasSize(1);
        await("two refusals", () -> events.count(TrafficEventType.HANDSHAKE_FAILED) >= 2);
        assertGoodDeviceStillWorks();
    }

    CoapResponse postX509(KeyPair keys, X509Certificate cert) throws Exception {
        return post(x509Client(keys, cert), "telemetry", "1", ContentFormats.TEXT_PLAIN);
    }

    static byte[] sha256(byte[] data) throws Exception {
        return java.security.MessageDigest.getInstance("SHA-256").digest(data);
    }

    @Test
    void givenTwoTrustedCas_whenTheOtherCaIssuesTheRegisteredSubject_thenRefused_butSubjectOnlyEntriesStillWork()
            throws Exception {
        TestPki caA = new TestPki("CN=Device CA A,O=Example");
        TestPki caB = new TestPki("CN=Device CA B,O=Example");
        registry.anchors.addAll(List.of(caA.ca, caB.ca));
        registry.x509From("plc-3", "CN=plc-3,O=Example", caA.name(), b -> b, "telemetry/*");
        registry.x509("old-plc", "CN=old-plc,O=Example", "telemetry/*");
        KeyPair plc = TestPki.keyPair();
        KeyPair impostor = TestPki.keyPair();

        CoapResponse ok = postX509(plc, caA.issue("CN=plc-3,O=Example", plc));
        assertThat(ok).isNotNull();
        assertThat(ok.getCode()).isEqualTo(ResponseCode.CHANGED);
        // Both CAs are trusted, and the subject is right, but plc-3 is bound to CA A.
        assertThat(postX509(impostor, caB.issue("CN=plc-3,O=Example", impostor))).as("CA B's plc-3").isNull();
        await("refusal", () -> events.count(TrafficEventType.HANDSHAKE_FAILED) >= 1);
        assertThat(events.of(TrafficEventType.HANDSHAKE_FAILED).get(0).reason()).contains("access_denied");
        assertThat(consumer.accepted).extracting(DeviceMessage::deviceId).containsExactly("plc-3");

        // An entry made before 2.0 (no issuer) still takes its subject from any trusted CA.
        KeyPair old = TestPki.keyPair();
        CoapResponse legacy = postX509(old, caB.issue("CN=old-plc,O=Example", old));
        assertThat(legacy).isNotNull();
        assertThat(legacy.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(consumer.accepted).extracting(DeviceMessage::deviceId).containsExactly("plc-3", "old-plc");
        assertGoodDeviceStillWorks();
    }

    @Test
    void givenADeviceBoundToACertificateOrKeyHash_thenOtherCertificatesOfItsCaWithItsSubjectAreRefused()
            throws Exception {
        TestPki ca = new TestPki("CN=Device CA A,O=Example");
        registry.anchors.add(ca.ca);
        KeyPair certKeys = TestPki.keyPair();
        X509Certificate pinnedCert = ca.issue("CN=pinned-cert", certKeys);
        KeyPair pinnedKey = TestPki.keyPair();
        byte[] certHash = sha256(pinnedCert.getEncoded());
        byte[] keyHash = sha256(pinnedKey.getPublic().getEncoded());
        registry.x509From("pinned-cert", "CN=pinned-cert", ca.name(), b -> b.certificateSha256(certHash), "telemetry/*");
        registry.x509From("pinned-key", "CN=pinned-key", ca.name(), b -> b.certificateSpkiSha256(keyHash), "telemetry/*");
        KeyPair other = TestPki.keyPair();

        assertThat(postX509(certKeys, pinnedCert).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(postX509(certKeys, ca.issue("CN=pinned-cert", certKeys))).as("another certificate").isNull();
        assertThat(postX509(pinnedKey, ca.issue("CN=pinned-key", pinnedKey)).getCode())
                .as("a renewed certificate for the pinned key").isEqualTo(ResponseCode.CHANGED);
        assertThat(postX509(other, ca.issue("CN=pinned-key", other))).as("a certificate for another key").isNull();
        assertThat(consumer.accepted).extracting(DeviceMessage::deviceId).containsExactly("pinned-cert", "pinned-key");
    }

    @Test
    void givenLiveX509Sessions_whenTheAnchorOfOneIssuerIsRemoved_thenOnlyTheSessionsItCoveredEnd() throws Exception {
        TestPki caA = new TestPki("CN=Device CA A,O=Example");
        TestPki caB = new TestPki("CN=Device CA B,O=Example");
        registry.anchors.addAll(List.of(caA.ca, caB.ca));
        registry.x509From("plc-a", "CN=plc-a", caA.name(), b -> b, "telemetry/*");
        registry.x509From("plc-b", "CN=plc-b", caB.name(), b -> b, "telemetry/*");
        KeyPair keysA = TestPki.keyPair();
        KeyPair keysB = TestPki.keyPair();
        CoapEndpoint a = x509Client(keysA, caA.issue("CN=plc-a", keysA));
        CoapEndpoint b = x509Client(keysB, caB.issue("CN=plc-b", keysB));
        CoapEndpoint p = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        assertThat(post(a, "telemetry", "1", ContentFormats.TEXT_PLAIN).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(post(b, "telemetry", "1", ContentFormats.TEXT_PLAIN).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(post(p, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
        await("three handshakes", () -> events.count(TrafficEventType.HANDSHAKE_SUCCEEDED) == 3);

        // The import file of the registry no longer lists CA A.
        registry.anchors.remove(caA.ca);
        listener.trustAnchorsChanged(registry.trustAnchors());
        await("plc-a's session ended", () -> events.count(TrafficEventType.SESSION_CLOSED) == 1);

        CoapResponse after = post(a, "telemetry", "1", ContentFormats.TEXT_PLAIN);
        assertThat(after == null || after.getCode() != ResponseCode.CHANGED).as("plc-a's session is over").isTrue();
        assertThat(post(b, "telemetry", "1", ContentFormats.TEXT_PLAIN).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(post(p, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).as("plc-b and dev1 kept their sessions")
                .isEqualTo(3);
        assertThat(events.of(TrafficEventType.SESSION_CLOSED)).singleElement().satisfies(e -> {
            assertThat(e.deviceId()).contains("plc-a");
            assertThat(e.reason()).contains("trust anchor");
        });
        assertThat(consumer.accepted).extracting(DeviceMessage::deviceId)
                .containsExactly("plc-a", "plc-b", "dev1", "plc-b", "dev1");
        // plc-a cannot come back either.
        assertThat(postX509(keysA, caA.issue("CN=plc-a", keysA))).isNull();
    }

    @Test
    void givenChains_whenCheckedAgainstAnchors_thenOnlyChainsThatValidateUnderThemPass() throws Exception {
        TestPki root = new TestPki("CN=Root,O=Example");
        TestPki sub = root.intermediate("CN=Issuing CA,O=Example");
        TestPki sameNameOtherKey = new TestPki("CN=Root,O=Example");
        KeyPair k = TestPki.keyPair();
        X509Certificate leaf = sub.issue("CN=d1", k);
        var withIntermediate = org.eclipse.californium.elements.auth.X509CertPath.fromCertificatesChain(leaf, sub.ca);
        var withRoot = org.eclipse.californium.elements.auth.X509CertPath.fromCertificatesChain(leaf, sub.ca, root.ca);
        var leafOnly = org.eclipse.californium.elements.auth.X509CertPath.fromCertificatesChain(leaf);

        assertThat(RegistryCredentials.chainValidates(withIntermediate, List.of(root.ca))).isTrue();
        assertThat(RegistryCredentials.chainValidates(withRoot, List.of(root.ca))).isTrue();
        assertThat(RegistryCredentials.chainValidates(leafOnly, List.of(sub.ca))).as("intermediate as anchor").isTrue();
        assertThat(RegistryCredentials.chainValidates(leafOnly, List.of(root.ca))).as("intermediate missing").isFalse();
        assertThat(RegistryCredentials.chainValidates(withIntermediate, List.of(sameNameOtherKey.ca)))
                .as("an anchor with the same name but another key").isFalse();
        assertThat(RegistryCredentials.chainValidates(withIntermediate, List.of())).isFalse();
        assertThat(RegistryCredentials.chainValidates(withIntermediate,
                List.of(new TestPki("CN=Other,O=Example").ca, root.ca))).isTrue();
    }

    @Test
    void givenNoDurableQueue_thenDeviceGets503WithMaxAge_andNothingIsAcknowledged() throws Exception {
        setConsumer(listener, null);
        CoapResponse r = post(pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8), "telemetry",
                "{}", ContentFormats.JSON);
        assertThat(r.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
        assertThat(r.getOptions().getMaxAge()).isEqualTo(30L);
    }

    @Test
    void givenQueueRefuses_thenDeviceGets503WithTheQueuesRetryHint() throws Exception {
        consumer.answer = m -> CompletableFuture.completedFuture(Acceptance.refused("queue full", 7));
        CoapResponse r = post(pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8), "telemetry",
                "{}", ContentFormats.JSON);
        assertThat(r.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
        assertThat(r.getOptions().getMaxAge()).isEqualTo(7L);
        assertThat(consumer.accepted).isEmpty();
    }

    @Test
    void givenQueueNeverAnswers_thenDeviceGets503AfterTheAcceptTimeout() throws Exception {
        consumer.answer = m -> new CompletableFuture<>();
        CoapResponse r = post(pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8), "telemetry",
                "{}", ContentFormats.JSON);
        assertThat(r.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
    }

    @Test
    void givenResourceNotAllowed_then403_andRejectionIsReported() throws Exception {
        CoapResponse r = post(pskClient("dev2", KEY2, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8), "events",
                "{}", ContentFormats.JSON);
        assertThat(r.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(consumer.accepted).isEmpty();
        TrafficEvent e = events.of(TrafficEventType.REQUEST_REJECTED).get(0);
        assertThat(e.deviceId()).contains("dev2");
        assertThat(e.reason()).contains("not allowed");
        assertGoodDeviceStillWorks();
    }

    @Test
    void givenUnsupportedContentFormat_then415() throws Exception {
        CoapResponse r = post(pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8), "telemetry",
                "<x/>", 41 /* application/xml */);
        assertThat(r.getCode()).isEqualTo(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
        assertGoodDeviceStillWorks();
    }

    @Test
    void givenOversizePayload_then413WithSize1() throws Exception {
        String big = "x".repeat(1025);
        CoapResponse r = post(pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8), "telemetry",
                big, ContentFormats.TEXT_PLAIN);
        assertThat(r.getCode()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
        assertThat(r.getOptions().getSize1()).isEqualTo(1024);
        assertThat(consumer.accepted).isEmpty();
        assertGoodDeviceStillWorks();
    }

    @Test
    void givenUnknownPskIdentity_thenHandshakeFailsWithReason() throws Exception {
        CoapResponse r = post(pskClient("nobody", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8), "telemetry",
                "{}", ContentFormats.JSON);
        assertThat(r).isNull();
        await("handshake failure event", () -> events.count(TrafficEventType.HANDSHAKE_FAILED) >= 1);
        TrafficEvent e = events.of(TrafficEventType.HANDSHAKE_FAILED).get(0);
        assertThat(e.reason()).isEqualTo("unknown PSK identity 'nobody'");
        assertThat(e.deviceId()).isEmpty();
        assertGoodDeviceStillWorks();
    }

    @Test
    void givenWrongKey_thenHandshakeFailsWithBadMac() throws Exception {
        CoapResponse r = post(pskClient("dev1", KEY2, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8), "telemetry",
                "{}", ContentFormats.JSON);
        assertThat(r).isNull();
        await("handshake failure event", () -> events.count(TrafficEventType.HANDSHAKE_FAILED) >= 1);
        assertThat(events.of(TrafficEventType.HANDSHAKE_FAILED).get(0).reason()).contains("bad MAC");
        assertThat(consumer.accepted).isEmpty();
        assertGoodDeviceStillWorks();
    }

    @Test
    void givenGarbageDatagrams_thenServerKeepsServing() throws Exception {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
            byte[][] junk = {new byte[0], {1, 2, 3}, new byte[1400],
                // a truncated ClientHello record header: handshake, DTLS 1.2, epoch 0, length 200
                {22, (byte) 0xfe, (byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 200, 1, 0}};
            for (byte[] j : junk) {
                s.send(new java.net.DatagramPacket(j, j.length, server));
            }
        }
        assertGoodDeviceStillWorks();
    }

    @Test
    void givenMalformedCoapInsideValidDtls_thenReportedAndOthersKeepWorking() throws Exception {
        Configuration c = clientConfig(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        DTLSConnector dtls = new DTLSConnector(DtlsConnectorConfig.builder(c)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setAdvancedPskStore(new AdvancedSinglePskStore("dev1", KEY1)).build());
        CoapEndpoint ep = endpoint(c, dtls);
        assertThat(post(ep, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);

        // CoAP version 1, CON, token length 0, POST, then an option with the reserved delta 15
        // (RFC 7252 section 3.1: a message format error).
        byte[] malformed = {0x40, 0x02, 0x12, 0x34, (byte) 0xf0, 0x00};
        dtls.send(org.eclipse.californium.elements.RawData.outbound(malformed,
                new org.eclipse.californium.elements.AddressEndpointContext(server), null, false));

        await("malformed input reported", () -> events.count(TrafficEventType.MALFORMED_INPUT) == 1);
        TrafficEvent e = events.of(TrafficEventType.MALFORMED_INPUT).get(0);
        assertThat(e.deviceId()).contains("dev1");
        assertThat(e.reason()).startsWith("malformed CoAP");
        assertThat(consumer.accepted).hasSize(1);
        assertThat(post(ep, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertGoodDeviceStillWorks();
    }

    @Test
    void givenDisabledDevice_thenItsSessionEndsAndItCannotReconnect() throws Exception {
        CoapEndpoint ep = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        assertThat(post(ep, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
        Device before = registry.device("dev1").orElseThrow();
        registry.setEnabled("dev1", false);
        listener.deviceChanged(Optional.of(before), registry.device("dev1"));

        CoapResponse r = post(ep, "telemetry", "{}", ContentFormats.JSON);
        assertThat(r == null || r.getCode() == ResponseCode.UNAUTHORIZED).as("no 2.04 after disable").isTrue();
        assertThat(consumer.accepted).hasSize(1);
        assertGoodDeviceStillWorks();
    }

    @Test
    void givenConnectionId_whenDeviceAddressChanges_thenSessionContinuesWithoutHandshake() throws Exception {
        try (UdpNat nat = new UdpNat(server)) {
            CoapEndpoint ep = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
            assertThat(post(ep, nat.address(), "telemetry", "{\"n\":1}").getCode()).isEqualTo(ResponseCode.CHANGED);
            int firstPort = nat.outsidePort();

            // The NAT mapping changes: the gateway now sees the device from another port.
            nat.rebind();
            assertThat(nat.outsidePort()).isNotEqualTo(firstPort);
            CoapResponse r = post(ep, nat.address(), "telemetry", "{\"n\":2}");

            assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
            assertThat(events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).as("full handshakes").isEqualTo(1);
            assertThat(events.count(TrafficEventType.SESSION_RESUMED)).as("resumptions").isZero();
            assertThat(events.of(TrafficEventType.ADDRESS_CHANGED)).hasSize(1);
            assertThat(events.of(TrafficEventType.ADDRESS_CHANGED).get(0).reason()).endsWith(":" + firstPort);
            assertThat(consumer.accepted).hasSize(2);
        }
    }

    @Test
    void givenADeviceThatHandshakesPostsAndResumes_thenEveryDatagramOnTheAirIsCountedForItByProtocol()
            throws Exception {
        try (UdpNat nat = new UdpNat(server)) {
            CoapEndpoint ep = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
            for (int i = 0; i < 3; i++) {
                assertThat(post(ep, nat.address(), "telemetry", "{\"n\":" + i + "}").getCode())
                        .isEqualTo(ResponseCode.CHANGED);
            }
            ((DTLSConnector) ep.getConnector()).forceResumeSessionFor(nat.address());
            assertThat(post(ep, nat.address(), "telemetry", "{\"n\":3}").getCode()).isEqualTo(ResponseCode.CHANGED);
            await("resumption", () -> events.count(TrafficEventType.SESSION_RESUMED) == 1);

            // what the relay carried, datagram for datagram, is what the listener counted
            await(() -> "all datagrams counted: relay up " + nat.datagramsUp + "/" + nat.bytesUp + " down "
                    + nat.datagramsDown + "/" + nat.bytesDown + ", counted " + listener.counters(), () -> {
                Map<String, Long> c = listener.counters();
                return sum(c, ".datagrams.in") == nat.datagramsUp.get()
                        && sum(c, ".datagrams.out") == nat.datagramsDown.get()
                        && sum(c, ".bytes.in") == nat.bytesUp.get() && sum(c, ".bytes.out") == nat.bytesDown.get();
            });
            Map<String, Long> c = listener.counters();
            assertThat(sum(c, ".bytes.in")).isEqualTo(nat.bytesUp.get());
            assertThat(sum(c, ".bytes.out")).isEqualTo(nat.bytesDown.get());
            assertThat(c).containsEntry("airtime.dtls-full-handshake.handshakes", 1L)
                    .containsEntry("airtime.dtls-resumption.handshakes", 1L)
                    .containsEntry("airtime.unattributed.datagrams", 0L);
            // PSK with CCM_8: flights of a few hundred bytes; the gateway's cookie exchange adds a round trip
            assertThat(c.get("airtime.dtls-full-handshake.bytes.in") + c.get("airtime.dtls-full-handshake.bytes.out"))
                    .isBetween(300L, 1500L);
            assertThat(c.get("airtime.dtls-resumption.bytes.in") + c.get("airtime.dtls-resumption.bytes.out"))
                    .isLessThan(c.get("airtime.dtls-full-handshake.bytes.in") + c.get("airtime.dtls-full-handshake.bytes.out"));
            // the device sends with the gateway's connection id (its first request after the resumption
            // shares a datagram with its Finished: the datagram counts for the resumption, the request's
            // record for the session); the gateway answers without one
            assertThat(c.get("airtime.dtls-records-with-cid.datagrams.in")).isGreaterThanOrEqualTo(3L);
            assertThat(c.get("airtime.dtls-records-with-cid.bytes.in")).isGreaterThanOrEqualTo(4 * 50L);
            assertThat(c.get("airtime.dtls-records.datagrams.out")).isGreaterThanOrEqualTo(4L);
        }
    }

    private static long sum(Map<String, Long> counters, String suffix) {
        return counters.entrySet().stream().filter(e -> e.getKey().startsWith("airtime.")
                && !e.getKey().startsWith("airtime.unattributed") && e.getKey().endsWith(suffix))
                .mapToLong(Map.Entry::getValue).sum();
    }

    @Test
    void givenRecordedRequest_whenReplayedOrTampered_thenDroppedReported_andNoDuplicateMessage() throws Exception {
        try (UdpNat nat = new UdpNat(server)) {
            CoapEndpoint ep = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
            assertThat(post(ep, nat.address(), "telemetry", "{\"n\":1}").getCode()).isEqualTo(ResponseCode.CHANGED);
            // The client's last datagram was its empty ACK or the request; replay the request by
            // posting once more and then replaying that record.
            assertThat(post(ep, nat.address(), "telemetry", "{\"n\":2}").getCode()).isEqualTo(ResponseCode.CHANGED);
            nat.replayLast();
            nat.replayLast();
            await("replays reported", () -> events.count(TrafficEventType.REPLAY_DROPPED) >= 1);
            assertThat(events.of(TrafficEventType.REPLAY_DROPPED).get(0).deviceId()).contains("dev1");

            nat.tamperLast();
            await("tampered record reported", () -> events.count(TrafficEventType.RECORD_MAC_FAILED) >= 1);
            assertThat(events.of(TrafficEventType.RECORD_MAC_FAILED).get(0).reason()).isEqualTo("on established session");
            assertThat(consumer.accepted).as("no duplicate from replays").hasSize(2);
            assertThat(post(ep, nat.address(), "telemetry", "{\"n\":3}").getCode()).isEqualTo(ResponseCode.CHANGED);
        }
    }

    @Test
    void givenCcm8Session_whenRecordsFailAuthenticationUpToTheIntegrityLimit_thenTheSessionIsClosedAndRecorded()
            throws Exception {
        org.m2mgw.crypto.internal.CryptoPolicyComponent policy = new org.m2mgw.crypto.internal.CryptoPolicyComponent(
                TestSupport.config(org.m2mgw.crypto.internal.PolicyConfig.class, Map.of()));
        org.m2mgw.crypto.internal.InventoryComponent inventory = new org.m2mgw.crypto.internal.InventoryComponent(
                registry, policy, TestSupport.runtime(data));
        for (String[] f : new String[][] {{"cryptoPolicy", "p"}, {"cryptoInventory", "i"}}) {
            var field = CoapsListener.class.getDeclaredField(f[0]);
            field.setAccessible(true);
            field.set(listener, f[1].equals("p") ? policy : inventory);
        }
        long limit = policy.limits("TLS_PSK_WITH_AES_128_CCM_8").orElseThrow().integrityFailures();
        assertThat(limit).as("RFC 9147-derived CCM_8 limit").isEqualTo(128);
        try (UdpNat nat = new UdpNat(server)) {
            CoapEndpoint ep = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
            assertThat(post(ep, nat.address(), "telemetry", "{\"n\":1}").getCode()).isEqualTo(ResponseCode.CHANGED);
            for (int i = 1; i < limit; i++) {
                nat.tamperLast();
            }
            await("forgeries below the limit", () -> events.count(TrafficEventType.RECORD_MAC_FAILED) >= limit - 1);
            assertThat(events.of(TrafficEventType.SESSION_CLOSED)).as("below the limit the session stays").isEmpty();
            assertThat(post(ep, nat.address(), "telemetry", "{\"n\":2}").getCode()).isEqualTo(ResponseCode.CHANGED);

            nat.tamperLast();
            await("session closed at the limit", () -> events.of(TrafficEventType.SESSION_CLOSED).stream()
                    .anyMatch(e -> e.cause() == org.m2mgw.api.traffic.FailureCause.POLICY));
            assertThat(events.of(TrafficEventType.SESSION_CLOSED).get(0).reason())
                    .contains(limit + " records failed authentication", "TLS_PSK_WITH_AES_128_CCM_8");
            assertThat(inventory.entry("dev1").orElseThrow().lastEvent())
                    .hasValueSatisfying(l -> assertThat(l).contains("integrity limit"));
            // The device recovers with a new handshake (a new key); others never noticed.
            long handshakes = events.count(TrafficEventType.HANDSHAKE_SUCCEEDED);
            ep.getConnector().stop();
            ((DTLSConnector) ep.getConnector()).clearConnectionState();
            ep.getConnector().start();
            assertThat(post(ep, nat.address(), "telemetry", "{\"n\":3}").getCode()).isEqualTo(ResponseCode.CHANGED);
            assertThat(events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).isEqualTo(handshakes + 1);
        }
        assertGoodDeviceStillWorks();
    }

    CoapResponse post(CoapEndpoint ep, InetSocketAddress via, String path, String json) throws Exception {
        CoapClient client = new CoapClient("coaps://127.0.0.1:" + via.getPort() + "/" + path);
        client.setEndpoint(ep);
        client.setTimeout(4000L);
        try {
            return client.post(json, ContentFormats.JSON);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void givenSession_whenDeviceResumes_thenAbbreviatedHandshakeIsCountedAsResumption() throws Exception {
        Configuration c = clientConfig(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        DTLSConnector dtls = new DTLSConnector(DtlsConnectorConfig.builder(c)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setAdvancedPskStore(new AdvancedSinglePskStore("dev1", KEY1)).build());
        CoapEndpoint ep = endpoint(c, dtls);
        assertThat(post(ep, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);

        dtls.forceResumeAllSessions();
        assertThat(post(ep, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);

        await("resumption event", () -> events.count(TrafficEventType.SESSION_RESUMED) == 1);
        assertThat(events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).isEqualTo(1);
    }

    @Test
    void givenEstablishedSessions_whenListenerRestarts_thenDevicesContinueWithoutHandshake() throws Exception {
        CoapEndpoint a = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        CoapEndpoint b = pskClient("dev2", KEY2, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        assertThat(post(a, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(post(b, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);

        // A bundle update or restart: the listener stops (saving) and a new one starts (restoring).
        listener.deactivate();
        assertThat(data.resolve("coaps").toFile().list()).anyMatch(f -> f.endsWith(".sessions"));
        TestSupport.Events after = new TestSupport.Events();
        listener = newListener(Map.of("listener_port", server.getPort()));
        listener.addTrafficListener(after);
        assertThat(data.resolve("coaps").toFile().list()).noneMatch(f -> f.endsWith(".sessions"));

        assertThat(post(a, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(post(b, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(after.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).as("new full handshakes").isZero();
        assertThat(after.count(TrafficEventType.SESSION_RESUMED)).as("resumptions").isZero();
        assertThat(consumer.accepted).hasSize(4);
    }

    @Test
    void givenCorruptSavedSessions_thenListenerStartsAndDevicesHandshakeAgain() throws Exception {
        CoapEndpoint a = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        assertThat(post(a, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
        listener.deactivate();
        java.io.File saved = java.util.Arrays.stream(data.resolve("coaps").toFile().listFiles())
                .filter(f -> f.getName().endsWith(".sessions")).findFirst().orElseThrow();
        java.nio.file.Files.write(saved.toPath(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});

        listener = newListener(Map.of("listener_port", server.getPort()));
        assertThat(listener.address()).isPresent();
        assertGoodDeviceStillWorks();
    }

    @Test
    void givenQuarantinedDevice_thenItsSessionEndsAndHandshakesAreRefused_untilLifted() throws Exception {
        CoapEndpoint ep = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        assertThat(post(ep, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);

        access.quarantine("dev1", java.time.Duration.ofMinutes(5), "flooding", "rule.flood");
        CoapResponse during = post(ep, "telemetry", "{}", ContentFormats.JSON);
        assertThat(during == null || during.getCode() == ResponseCode.UNAUTHORIZED).as("no 2.04 in quarantine").isTrue();
        // A new handshake is refused, with the reason.
        assertThat(post(pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8), "telemetry", "{}",
                ContentFormats.JSON)).isNull();
        await("refusal reported", () -> events.of(TrafficEventType.HANDSHAKE_FAILED).stream()
                .anyMatch(e -> e.reason().contains("quarantined")));
        assertThat(consumer.accepted).hasSize(1);
        assertGoodDeviceStillWorks();

        assertThat(access.lift(org.m2mgw.api.access.Restriction.Kind.QUARANTINE, "dev1")).isTrue();
        CoapResponse after = post(pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8), "telemetry", "{}",
                ContentFormats.JSON);
        assertThat(after.getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    @Test
    void givenThrottledDevice_thenExcessRequestsGet429_andOthersAreUnaffected() throws Exception {
        access.throttle("dev1", 1, java.time.Duration.ofMinutes(5), "too chatty", "operator");
        CoapEndpoint ep = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        int ok = 0;
        int throttled = 0;
        for (int i = 0; i < 5; i++) {
            ResponseCode code = post(ep, "telemetry", "{}", ContentFormats.JSON).getCode();
            if (code == ResponseCode.CHANGED) {
                ok++;
            } else if (code == ResponseCode.TOO_MANY_REQUESTS) {
                throttled++;
            }
        }
        assertThat(ok).isBetween(1, 3);
        assertThat(throttled).isGreaterThanOrEqualTo(2);
        assertGoodDeviceStillWorks();
    }

    @Test
    void givenBlockedAddress_thenNothingFromItIsProcessed() throws Exception {
        access.blockAddress("127.0.0.1", java.time.Duration.ofSeconds(30), "identity guessing", "rule.identity-guessing");
        assertThat(post(pskClient("dev2", KEY2, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8), "telemetry", "{}",
                ContentFormats.JSON)).isNull();
        assertThat(events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).isZero();
        access.lift(org.m2mgw.api.access.Restriction.Kind.BLOCK_ADDRESS, "127.0.0.1");
        assertGoodDeviceStillWorks();
    }

    @Test
    void givenBadListenerSettings_thenErrorsNameTheKeys() {
        CoapsListener bad = newListener(Map.of("listener_port", 70000,
                "dtls_cipher_suites", new String[] {"TLS_NOT_A_SUITE"}));
        try {
            assertThat(bad.status()).contains("listener.port must be between 0 and 65535: 70000")
                    .contains("dtls.cipher.suites: unknown or unsupported suite 'TLS_NOT_A_SUITE'");
            assertThat(bad.address()).isEmpty();
        } finally {
            bad.deactivate();
        }
    }

    @Test
    void givenPortInUse_thenStatusSaysSoAndNothingCrashes() {
        CoapsListener second = newListener(Map.of("listener_port", server.getPort()));
        try {
            assertThat(second.status()).startsWith("failed: cannot listen on udp");
        } finally {
            second.deactivate();
        }
    }

    /** Posts with the Uri-Path options given one by one, as a device on the wire can send them. */
    org.eclipse.californium.core.coap.Response postSegments(CoapEndpoint ep, String... segments) throws Exception {
        org.eclipse.californium.core.coap.Request r = org.eclipse.californium.core.coap.Request.newPost();
        r.setURI("coaps://127.0.0.1:" + server.getPort());
        for (String segment : segments) {
            r.getOptions().addUriPath(segment);
        }
        r.setPayload("{}");
        r.getOptions().setContentFormat(ContentFormats.JSON);
        if (!ep.isStarted()) {
            ep.start();
        }
        r.send(ep);
        return r.waitForResponse(4000);
    }

    @Test
    void givenResourceNamesOutsideTheAlphabet_thenEachGets400_andNothingIsQueued() throws Exception {
        CoapEndpoint ep = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        String[][] bad = {{"telemetry", ".."}, {"telemetry", "."}, {"telemetry", "", "x"}, {"telemetry", "a#"},
            {"telemetry", "x".repeat(65)}, {"telemetry", "a", "b", "c", "d", "e", "f", "g", "h"},
            {"telemetry", "tab\tname"}, {"telemetry", "nul\0name"}};
        for (String[] segments : bad) {
            org.eclipse.californium.core.coap.Response r = postSegments(ep, segments);
            assertThat(r).as(String.join("/", segments)).isNotNull();
            assertThat(r.getCode()).as(String.join("/", segments)).isEqualTo(ResponseCode.BAD_REQUEST);
        }
        assertThat(consumer.accepted).isEmpty();
        assertThat(events.of(TrafficEventType.REQUEST_REJECTED)).hasSize(bad.length)
                .allSatisfy(e -> assertThat(e.resource()).isEmpty());
        assertThat(postSegments(ep, "telemetry", "room-1", "temp_2").getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    @Test
    void givenTheCloudSideRejectsAMessage_thenTheDeviceGetsTheMatching4xx_notA204() throws Exception {
        CoapEndpoint ep = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        Object[][] cases = {
            {org.m2mgw.api.message.Acceptance.Refusal.NO_ROUTE, ResponseCode.NOT_FOUND},
            {org.m2mgw.api.message.Acceptance.Refusal.BAD_PAYLOAD, ResponseCode.BAD_REQUEST},
            {org.m2mgw.api.message.Acceptance.Refusal.UNSUPPORTED_FORMAT, ResponseCode.UNSUPPORTED_CONTENT_FORMAT},
            {org.m2mgw.api.message.Acceptance.Refusal.TOO_LARGE, ResponseCode.REQUEST_ENTITY_TOO_LARGE}};
        for (Object[] c : cases) {
            org.m2mgw.api.message.Acceptance a = org.m2mgw.api.message.Acceptance.rejected(
                    (org.m2mgw.api.message.Acceptance.Refusal) c[0], "test " + c[0]);
            consumer.answer = m -> java.util.concurrent.CompletableFuture.completedFuture(a);
            CoapResponse r = post(ep, "telemetry", "{}", ContentFormats.JSON);
            assertThat(r.getCode()).as(c[0].toString()).isEqualTo(c[1]);
        }
    }

    @Test
    void givenOneDeviceHandshakingAgainAndAgainFromNewPorts_thenItHoldsOneConnection_andOthersStillGetIn()
            throws Exception {
        listener.deactivate();
        listener = newListener(Map.of("listener_port", server.getPort(), "dtls_max_connections", 40));
        // Each new client endpoint is a new source port and a full handshake, as a device that reboots
        // in a loop (or an attacker holding one device's key) would make. 45 > 40 slots; Scandium
        // itself refuses more than 50 handshakes in quick succession, so the test stays below that.
        for (int i = 0; i < 45; i++) {
            CoapEndpoint again = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
            assertThat(post(again, "telemetry", "{}", ContentFormats.JSON).getCode()).as("handshake " + i)
                    .isEqualTo(ResponseCode.CHANGED);
            // left open: a device that reboots sends no close_notify
        }
        assertThat(events.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).isEqualTo(45);
        CoapEndpoint other = pskClient("dev2", KEY2, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        CoapResponse r = post(other, "telemetry", "{}", ContentFormats.JSON);
        assertThat(r).as("another device still gets a connection").isNotNull();
        assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(listener.counters()).containsEntry("connections.superseded", 44L);

        // The superseded connections are not saved either: a restart does not bring them back.
        listener.deactivate();
        listener = newListener(Map.of("listener_port", server.getPort(), "dtls_max_connections", 40));
        assertThat(listener.counters()).containsEntry("connections.restored", 2L);
        assertThat(post(other, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    @Test
    void givenAPskRotatedWhileTheListenerWasStopped_thenTheRestoredOldSessionNoLongerWorks() throws Exception {
        CoapEndpoint a = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        CoapEndpoint b = pskClient("dev2", KEY2, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        assertThat(post(a, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(post(b, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
        listener.deactivate();

        // The operator rotates dev1's leaked key in the import file and starts the gateway again.
        registry.secrets.put("dev1", "a-brand-new-key!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        TestSupport.Events after = new TestSupport.Events();
        listener = newListener(Map.of("listener_port", server.getPort()));
        listener.addTrafficListener(after);

        CoapResponse old = post(a, "telemetry", "{}", ContentFormats.JSON);
        assertThat(old == null || old.getCode() != ResponseCode.CHANGED)
                .as("the session made with the old key is gone").isTrue();
        assertThat(post(b, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(after.count(TrafficEventType.HANDSHAKE_SUCCEEDED)).as("dev2 kept its session").isZero();
        assertThat(listener.counters()).containsEntry("connections.restored.dropped", 1L);
    }

    @Test
    void givenAHandshakeLimitOnTheDevicesAddress_thenItsSessionGoesOn_butNewHandshakesAreRationed()
            throws Exception {
        CoapEndpoint a = pskClient("dev1", KEY1, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        assertThat(post(a, "telemetry", "{}", ContentFormats.JSON).getCode()).isEqualTo(ResponseCode.CHANGED);

        // One ClientHello per 100 s: the first of the next handshake passes, the one after the cookie not.
        access.limitHandshakes(java.net.InetAddress.getByName("127.0.0.1"), 0.01, java.time.Duration.ofMinutes(5),
                "identity guessing behind this address", "rule.identity-guessing");
        assertThat(post(a, "telemetry", "{}", ContentFormats.JSON).getCode()).as("the established session")
                .isEqualTo(ResponseCode.CHANGED);
        assertThat(post(pskClient("dev2", KEY2, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8), "telemetry", "{}",
                ContentFormats.JSON)).as("a new handshake from the address").isNull();
        assertThat(listener.counters().get("handshakes.limited")).isPositive();

        access.lift(org.m2mgw.api.access.Restriction.Kind.LIMIT_HANDSHAKES, "127.0.0.1");
        assertGoodDeviceStillWorks();
    }
}
