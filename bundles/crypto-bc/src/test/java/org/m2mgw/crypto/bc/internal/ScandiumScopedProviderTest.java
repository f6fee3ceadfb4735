package org.m2mgw.crypto.bc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ScandiumScopedProviderTest {
    private final Provider bc = new BouncyCastleProvider();
    private Provider scoped;

    @BeforeEach
    void install() throws Exception {
        BouncyCastleCrypto.selfTest(bc);
        scoped = new ScandiumScopedProvider(bc);
        Security.addProvider(bc);
        Security.insertProviderAt(scoped, 1);
    }

    @AfterEach
    void remove() {
        Security.removeProvider(scoped.getName());
        Security.removeProvider(bc.getName());
    }

    /** Runs the call on a thread of a group named like Scandium's. */
    static <T> T onScandiumThread(Callable<T> call) throws Exception {
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = new Thread(new ThreadGroup(ScandiumScopedProvider.SCANDIUM_THREAD_GROUP), () -> {
            try {
                out.set(call.call());
            } catch (Exception e) {
                out.set(e);
            }
        }, "DTLS-Worker-test");
        t.start();
        t.join();
        if (out.get() instanceof Exception e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T value = (T) out.get();
        return value;
    }

    static List<String> providersOfScandiumsAlgorithms() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair k = g.generateKeyPair();
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(k.getPrivate());
        ka.doPhase(k.getPublic(), true);
        ka.generateSecret();
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(k.getPrivate());
        Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
        return List.of(g.getProvider().getName(), ka.getProvider().getName(), s.getProvider().getName(),
                aes.getProvider().getName(), java.security.KeyFactory.getInstance("EC").getProvider().getName());
    }

    @Test
    void scandiumsThreadsGetBouncyCastlesEllipticCurves_andTheJdksAes() throws Exception {
        assertThat(onScandiumThread(ScandiumScopedProviderTest::providersOfScandiumsAlgorithms))
                .containsExactly("BC-DTLS", "BC-DTLS", "BC-DTLS", "SunJCE", "SunEC");
        assertThat(onScandiumThread(() -> KeyAgreement.getInstance("ECDH")).getClass().getName())
                .isEqualTo(KeyAgreement.class.getName());
    }

    @Test
    void everyOtherThreadGetsWhatItGotBefore() throws Exception {
        assertThat(providersOfScandiumsAlgorithms()).containsExactly("SunEC", "SunEC", "SunEC", "SunJCE", "SunEC");
        assertThat(new java.security.SecureRandom().getProvider().getName()).isNotEqualTo("BC");
    }

    @Test
    void jdkKeysWorkWithTheLentSignature() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", "SunEC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair k = g.generateKeyPair();
        byte[] msg = "server key exchange".getBytes();
        byte[] sig = onScandiumThread(() -> {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(k.getPrivate());
            s.update(msg);
            assertThat(s.getProvider().getName()).isEqualTo("BC-DTLS");
            return s.sign();
        });
        Signature v = Signature.getInstance("SHA256withECDSA", "SunEC");
        v.initVerify(k.getPublic());
        v.update(msg);
        assertThat(v.verify(sig)).isTrue();
    }

    /** JSSE, as Jetty and Paho use it, completes handshakes on both kinds of thread. */
    @Test
    void jsseHandshakesStillComplete() throws Exception {
        SSLContext ctx = tlsContext();
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            assertThat(handshake(ctx, protocol)).isEqualTo(protocol);
            assertThat(onScandiumThread(() -> handshake(ctx, protocol))).isEqualTo(protocol);
        }
    }

    @Test
    void removalRestoresTheProviderList() {
        List<String> with = names();
        remove();
        assertThat(with.get(0)).isEqualTo("BC-DTLS");
        assertThat(with.get(with.size() - 1)).isEqualTo("BC");
        assertThat(names()).doesNotContain("BC-DTLS", "BC");
    }

    private static List<String> names() {
        List<String> out = new ArrayList<>();
        Arrays.stream(Security.getProviders()).forEach(p -> out.add(p.getName()));
        return out;
    }

    private static SSLContext tlsContext() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", "SunEC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair k = g.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        long now = System.currentTimeMillis();
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                name, BigInteger.ONE, new Date(now - 60_000), new Date(now + 3_600_000), name, k.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate())));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", k.getPrivate(), "pw".toCharArray(), new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, "pw".toCharArray());
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("c", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** One in-memory handshake; @return the protocol negotiated */
    private static String handshake(SSLContext ctx, String protocol) throws Exception {
        SSLEngine client = ctx.createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        client.setEnabledProtocols(new String[] {protocol});
        SSLEngine server = ctx.createSSLEngine();
        server.setUseClientMode(false);
        server.setEnabledProtocols(new String[] {protocol});
        int size = 1 << 17;
        ByteBuffer c2s = ByteBuffer.allocate(size), s2c = ByteBuffer.allocate(size);
        ByteBuffer empty = ByteBuffer.allocate(0), sink = ByteBuffer.allocate(size);
        client.beginHandshake();
        server.beginHandshake();
        for (int i = 0; i < 200 && !(done(client) && done(server)); i++) {
            step(client, empty, c2s, s2c, sink);
            step(server, empty, s2c, c2s, sink);
        }
        assertThat(done(client) && done(server)).as("handshake done").isTrue();
        return client.getSession().getProtocol();
    }

    private static boolean done(SSLEngine e) {
        HandshakeStatus s = e.getHandshakeStatus();
        return s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED;
    }

    private static void step(SSLEngine e, ByteBuffer app, ByteBuffer out, ByteBuffer in, ByteBuffer sink)
            throws Exception {
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) {
            task.run();
        }
        e.wrap(app, out);
        in.flip();
        e.unwrap(in, sink);
        in.compact();
        while ((task = e.getDelegatedTask()) != null) {
            task.run();
        }
    }
}
