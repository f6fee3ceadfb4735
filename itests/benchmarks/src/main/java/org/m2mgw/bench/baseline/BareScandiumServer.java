package org.m2mgw.bench.baseline;

import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Security;
import java.security.spec.ECGenParameterSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.MessageDeliverer;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedMultiPskStore;
import org.m2mgw.bench.loadgen.Fleet;

/**
 * The transport ceiling: a Californium CoAPS server with no gateway code. It knows the same
 * PSKs, uses the gateway's default DTLS settings (CCM_8 first, HelloVerifyRequest cookies for
 * PSK, CIDs, anti-replay, session ids for resumption) and answers every request at once
 * (2.04 for POST, 2.05 for GET).
 *
 * <p>Arguments: port, then a registry import file or {@code --generate N PREFIX SEED}; then
 * {@code --bc-ec} (Bouncy Castle for ECDHE and ECDSA, as the gateway's crypto-bc) and {@code --also
 * FILE} (the PSK devices of a second import file too).
 */
public final class BareScandiumServer {

    private BareScandiumServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        boolean generated = args[1].equals("--generate");
        Fleet fleet = generated
                ? Fleet.generate(Integer.parseInt(args[2]), args[3], args[4])
                : Fleet.read(Path.of(args[1]));
        List<PublicKey> rpks = generated ? List.of() : Fleet.readRpkPublicKeys(Path.of(args[1]));
        int also = List.of(args).indexOf("--also");
        if (also > 0) {
            fleet = fleet.plus(Fleet.read(Path.of(args[also + 1])));
        }
        if (List.of(args).contains("--bc-ec")) {
            // as the gateway with its crypto-bc bundle: Bouncy Castle for ECDHE and ECDSA only
            Security.insertProviderAt(BouncyCastleEc.provider(), 1);
        }
        CoapServer server = start(port, fleet, rpks);
        System.out.printf("bare scandium server on udp/%d with %d PSK and %d raw public key devices; EC provider %s%n",
                port, fleet.size(), rpks.size(), java.security.Signature.getInstance("SHA256withECDSA").getProvider()
                        .getName());
        Runtime.getRuntime().addShutdownHook(new Thread(server::destroy));
        Thread.currentThread().join();
    }

    public static CoapServer start(int port, Fleet fleet) {
        return start(port, fleet, List.of());
    }

    /**
     * @param rpks devices' raw public keys: when not empty, the server also offers
     *        TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 with a P-256 raw public key of its own and trusts
     *        exactly these keys (the gateway finds a device's key in its registry)
     */
    public static CoapServer start(int port, Fleet fleet, List<PublicKey> rpks) {
        CoapConfig.register();
        DtlsConfig.register();
        UdpConfig.register();
        Configuration cfg = Configuration.createStandardWithoutFile();
        cfg.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
        List<CipherSuite> suites = new java.util.ArrayList<>(List.of(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8,
                CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256, CipherSuite.TLS_PSK_WITH_AES_128_CCM,
                CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256));
        if (!rpks.isEmpty()) {
            suites.add(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
            cfg.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NEEDED);
        }
        cfg.set(DtlsConfig.DTLS_CIPHER_SUITES, suites);
        cfg.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 6);
        cfg.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 200_000);
        cfg.set(DtlsConfig.DTLS_STALE_CONNECTION_THRESHOLD, 86_400L, TimeUnit.SECONDS);
        cfg.set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST, true);
        cfg.set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST_FOR_PSK, true);
        cfg.set(DtlsConfig.DTLS_USE_ANTI_REPLAY_FILTER, true);
        cfg.set(DtlsConfig.DTLS_SERVER_USE_SESSION_ID, true);
        cfg.set(DtlsConfig.DTLS_REMOVE_STALE_DOUBLE_PRINCIPALS, true); // as the gateway
        // as the gateway: the default deduplicator holds every exchange for 247 s and runs out of
        // heap under this load
        cfg.set(CoapConfig.DEDUPLICATOR, CoapConfig.DEDUPLICATOR_PEERS_MARK_AND_SWEEP);
        cfg.set(CoapConfig.PEERS_MARK_AND_SWEEP_MESSAGES, 16);
        AdvancedMultiPskStore psk = new AdvancedMultiPskStore();
        for (Fleet.Device d : fleet.devices()) {
            psk.setKey(d.identity(), d.key());
        }
        DtlsConnectorConfig.Builder builder = DtlsConnectorConfig.builder(cfg)
                .setAddress(new InetSocketAddress(port))
                .setAdvancedPskStore(psk);
        if (!rpks.isEmpty()) {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                KeyPair own = g.generateKeyPair();
                List<CertificateType> rpk = List.of(CertificateType.RAW_PUBLIC_KEY);
                builder.setCertificateIdentityProvider(new SingleCertificateProvider(own.getPrivate(), own.getPublic()))
                        .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                                .setTrustedRPKs(rpks.stream().map(RawPublicKeyIdentity::new)
                                        .toArray(RawPublicKeyIdentity[]::new))
                                .setSupportedCertificateTypes(rpk).build());
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        DtlsConnectorConfig dtls = builder.build();
        CoapServer server = new CoapServer(cfg);
        server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(cfg).setConnector(new DTLSConnector(dtls))
                .build());
        server.setMessageDeliverer(new MessageDeliverer() {
            @Override
            public void deliverRequest(Exchange exchange) {
                exchange.sendResponse(new Response(exchange.getRequest().getCode()
                        == org.eclipse.californium.core.coap.CoAP.Code.GET ? ResponseCode.CONTENT : ResponseCode.CHANGED));
            }

            @Override
            public void deliverResponse(Exchange exchange, Response response) {
            }
        });
        server.start();
        if (!server.getEndpoints().get(0).isStarted()) {
            server.destroy();
            throw new IllegalStateException("udp/" + port + " cannot be bound");
        }
        return server;
    }
}
