package org.m2mgw.bench.baseline;

import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.MessageDeliverer;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.JceProviderUtil;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * Full ECDHE_ECDSA handshakes per second (TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, P-256 raw public
 * keys on both sides, cookies on) between Scandium clients and a Scandium server in one JVM, with
 * the JCE provider Californium is told to use: run it once with
 * {@code -DCALIFORNIUM_JCE_PROVIDER=SYSTEM} (the JDK's) and once with {@code =BC} (Bouncy Castle)
 * to compare them (or pass SYSTEM or BC as the third argument). Arguments: seconds to measure
 * (default 10), clients (default 16), provider.
 */
public final class EcdsaHandshakes {

    private EcdsaHandshakes() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        if (args.length > 2) {
            // before any Californium class reads it
            System.setProperty("CALIFORNIUM_JCE_PROVIDER", args[2]);
        }
        JceProviderUtil.init();
        CoapConfig.register();
        DtlsConfig.register();
        UdpConfig.register();
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp256r1"));
        List<CipherSuite> suites = List.of(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
        List<CertificateType> rpk = List.of(CertificateType.RAW_PUBLIC_KEY);

        Configuration scfg = Configuration.createStandardWithoutFile();
        scfg.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
        scfg.set(DtlsConfig.DTLS_CIPHER_SUITES, suites);
        scfg.set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST, true);
        scfg.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, org.eclipse.californium.elements.config.CertificateAuthenticationMode.NEEDED);
        scfg.set(DtlsConfig.DTLS_REMOVE_STALE_DOUBLE_PRINCIPALS, true);
        scfg.set(CoapConfig.DEDUPLICATOR, CoapConfig.DEDUPLICATOR_PEERS_MARK_AND_SWEEP);
        KeyPair server = kpg.generateKeyPair();
        DTLSConnector sc = new DTLSConnector(DtlsConnectorConfig.builder(scfg)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setCertificateIdentityProvider(new SingleCertificateProvider(server.getPrivate(), server.getPublic()))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder().setTrustAllRPKs()
                        .setSupportedCertificateTypes(rpk).build())
                .build());
        CoapServer coap = new CoapServer(scfg);
        coap.addEndpoint(new CoapEndpoint.Builder().setConfiguration(scfg).setConnector(sc).build());
        coap.setMessageDeliverer(new MessageDeliverer() {
            @Override
            public void deliverRequest(Exchange exchange) {
                exchange.sendResponse(new Response(ResponseCode.CONTENT));
            }

            @Override
            public void deliverResponse(Exchange exchange, Response response) {
            }
        });
        coap.start();
        int port = sc.getAddress().getPort();

        Configuration ccfg = Configuration.createStandardWithoutFile();
        ccfg.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        ccfg.set(DtlsConfig.DTLS_CIPHER_SUITES, suites);
        ccfg.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        ccfg.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        ccfg.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
        List<DTLSConnector> connectors = new ArrayList<>();
        List<CoapEndpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            KeyPair kp = kpg.generateKeyPair();
            DTLSConnector c = new DTLSConnector(DtlsConnectorConfig.builder(ccfg)
                    .setAddress(new InetSocketAddress("127.0.0.1", 0))
                    .setCertificateIdentityProvider(new SingleCertificateProvider(kp.getPrivate(), kp.getPublic()))
                    .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder().setTrustAllRPKs()
                            .setSupportedCertificateTypes(rpk).build())
                    .build());
            CoapEndpoint e = new CoapEndpoint.Builder().setConfiguration(ccfg).setConnector(c).build();
            e.start();
            connectors.add(c);
            endpoints.add(e);
        }
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            DTLSConnector c = connectors.get(i);
            CoapEndpoint e = endpoints.get(i);
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    c.clearConnectionState();
                    CompletableFuture<Boolean> f = new CompletableFuture<>();
                    Request r = Request.newGet();
                    r.setURI("coaps://127.0.0.1:" + port + "/hs");
                    r.addMessageObserver(new MessageObserverAdapter() {
                        @Override
                        public void onResponse(Response response) {
                            f.complete(response.isSuccess());
                        }

                        @Override
                        protected void failed() {
                            f.complete(false);
                        }
                    });
                    e.sendRequest(r);
                    try {
                        boolean ok = f.get(30, TimeUnit.SECONDS);
                        if (measuring.get()) {
                            (ok ? done : failed).incrementAndGet();
                        }
                    } catch (Exception ex) {
                        failed.incrementAndGet();
                    }
                }
            });
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        Thread.sleep(3000);
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        measuring.set(false);
        double rate = done.get() / ((System.nanoTime() - t0) / 1e9);
        stop.set(true);
        String provider = JceProviderUtil.usesBouncyCastle() ? "Bouncy Castle " + JceProviderUtil.getProviderVersion()
                : "JDK " + System.getProperty("java.version");
        System.out.printf(Locale.ROOT, "ECDHE_ECDSA full handshakes/s with %s: %.0f (%d clients, %d s, %d failed)%n",
                provider, rate, clients, seconds, failed.get());
        System.out.printf(Locale.ROOT, "RESULT %.1f%n", rate);
        System.exit(0);
    }
}
