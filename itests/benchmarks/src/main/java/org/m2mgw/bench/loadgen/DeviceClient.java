package org.m2mgw.bench.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * One simulated device: its own UDP socket and DTLS connector, with the PSK of its identity or
 * its key pair as its raw public key (the server's raw public key is trusted, whichever it is:
 * there is no server authentication with a PSK either), and a CoAP endpoint. Executors are shared
 * between all devices of a run, so a device costs one receiver thread and a socket.
 */
public final class DeviceClient implements AutoCloseable {

    /** What one request ended with. */
    public record Outcome(ResponseCode code, long latencyNanos, boolean handshake, Throwable error) {
        public boolean success() {
            return code != null && code.isSuccess();
        }
    }

    private final Fleet.Device device;
    private final DTLSConnector connector;
    private final CoapEndpoint endpoint;
    private final URI target;
    private final InetSocketAddress peer;

    public DeviceClient(Fleet.Device device, URI target, Configuration cfg, ScheduledExecutorService executor,
            ScheduledExecutorService secondary, String bindAddress) throws IOException {
        this(device, target, cfg, executor, secondary, new InetSocketAddress(bindAddress, 0));
    }

    /** A device bound to a given local address and port (many devices need many addresses). */
    public DeviceClient(Fleet.Device device, URI target, Configuration cfg, ScheduledExecutorService executor,
            ScheduledExecutorService secondary, InetSocketAddress bind) throws IOException {
        this.device = device;
        this.target = target;
        this.peer = new InetSocketAddress(target.getHost(), target.getPort() < 0 ? 5684 : target.getPort());
        DtlsConnectorConfig.Builder dtls = DtlsConnectorConfig.builder(cfg).setAddress(bind);
        if (device.rpk()) {
            dtls.setCertificateIdentityProvider(new SingleCertificateProvider(device.keyPair().getPrivate(),
                    device.keyPair().getPublic()))
                    .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder().setTrustAllRPKs()
                            .setSupportedCertificateTypes(java.util.List.of(CertificateType.RAW_PUBLIC_KEY)).build());
        } else {
            dtls.setAdvancedPskStore(new AdvancedSinglePskStore(device.identity(), device.key()));
        }
        connector = new DTLSConnector(dtls.build());
        connector.setExecutor(executor);
        endpoint = new CoapEndpoint.Builder().setConfiguration(cfg).setConnector(connector).build();
        endpoint.setExecutors(executor, secondary);
        endpoint.start();
    }

    /** Forgets the DTLS session, so the next request makes a full handshake. */
    public void forgetSession() {
        connector.clearConnectionState();
    }

    /** Keeps the session but makes the next request resume it (abbreviated handshake). */
    public void resumeNext() {
        connector.forceResumeSessionFor(peer);
    }

    /** Sends one confirmable POST (or GET when payload is null) and completes with its outcome. */
    public CompletableFuture<Outcome> send(String path, byte[] payload, int contentFormat, Stats stats) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        Request req = payload == null ? Request.newGet() : Request.newPost();
        req.setURI(target.resolve("/" + path));
        if (payload != null) {
            req.setPayload(payload);
            req.getOptions().setContentFormat(contentFormat);
        }
        long t0 = System.nanoTime();
        boolean[] handshake = new boolean[1];
        req.addMessageObserver(new MessageObserverAdapter() {
            @Override
            public void onResponse(Response response) {
                done.complete(new Outcome(response.getCode(), System.nanoTime() - t0, handshake[0], null));
            }

            @Override
            public void onConnecting() {
                handshake[0] = true;
            }

            @Override
            public void onRetransmission() {
                if (stats != null) {
                    stats.coapRetransmissions.increment();
                }
            }

            @Override
            public void onDtlsRetransmission(int flight) {
                if (stats != null) {
                    stats.dtlsRetransmissions.increment();
                }
            }

            @Override
            protected void failed() {
                done.complete(new Outcome(null, System.nanoTime() - t0, handshake[0],
                        req.getSendError() != null ? req.getSendError() : new IOException(
                                req.isTimedOut() ? "timeout" : req.isRejected() ? "rejected" : "cancelled")));
            }

            @Override
            public void onContextEstablished(EndpointContext context) {
            }
        });
        endpoint.sendRequest(req);
        return done;
    }

    @Override
    public void close() {
        endpoint.destroy();
    }
}
