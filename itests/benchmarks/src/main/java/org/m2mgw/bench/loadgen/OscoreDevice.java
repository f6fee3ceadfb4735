package org.m2mgw.bench.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.option.EmptyOptionDefinition;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.m2mgw.oscore.internal.cbor.CborWriter;
import org.m2mgw.oscore.internal.edhoc.CipherSuite;
import org.m2mgw.oscore.internal.edhoc.ConnectionId;
import org.m2mgw.oscore.internal.edhoc.CredentialResolver;
import org.m2mgw.oscore.internal.edhoc.EdhocCoap;
import org.m2mgw.oscore.internal.edhoc.EdhocException;
import org.m2mgw.oscore.internal.edhoc.EdhocInitiator;
import org.m2mgw.oscore.internal.edhoc.EdhocMethod;
import org.m2mgw.oscore.internal.oscore.OscoreClient;
import org.m2mgw.oscore.internal.oscore.OscoreContext;
import org.m2mgw.oscore.internal.oscore.OscoreException;
import org.m2mgw.oscore.internal.oscore.ProtectedRequest;

/**
 * One simulated OSCORE device: its own UDP socket (a plain CoAP endpoint, executors shared with
 * the other devices), EDHOC with the gateway at {@code /.well-known/edhoc} as the initiator
 * (method 3, static Diffie-Hellman both ways, cipher suite 2, a one-byte C_I), and OSCORE requests
 * on the context it derived. The device flow of the transport's own OscoreListenerTest.
 */
public final class OscoreDevice implements AutoCloseable {

    /** The EDHOC option (RFC 9668 section 3.1): critical, empty. */
    static final EmptyOptionDefinition EDHOC_OPTION = new EmptyOptionDefinition(21, "EDHOC");
    private static final String WELL_KNOWN = ".well-known/edhoc";
    /** C_I: 0x0b encodes as a one-byte CBOR integer, as the published EDHOC sizes assume. */
    private static final byte C_I = 0x0b;

    static {
        CoapConfig.register();
        UdpConfig.register();
    }

    /**
     * Sizes of the EDHOC messages themselves (no CoAP framing, no C_R prefix, no {@code true}).
     *
     * @param message3 0 when message_3 went inside the first OSCORE request (RFC 9668)
     * @param connectionIdR bytes of the gateway's C_R as encoded in message_2 (1 when it is a one-byte
     *     CBOR integer, as the published sizes assume)
     */
    public record EdhocSizes(int message1, int message2, int message3, int connectionIdR) {
        public int total() {
            return message1 + message2 + message3;
        }
    }

    private final EdhocDevices.Device device;
    private final CredentialResolver gateway;
    private final InetSocketAddress server;
    private final CoapEndpoint endpoint;
    private volatile OscoreContext context;

    /**
     * @param server where the device sends: the gateway's OSCORE listener, or a relay in front of it
     */
    public OscoreDevice(EdhocDevices.Device device, CredentialResolver gateway, InetSocketAddress server,
            Configuration cfg, ScheduledExecutorService executor, ScheduledExecutorService secondary) throws IOException {
        this.device = device;
        this.gateway = gateway;
        this.server = server;
        endpoint = new CoapEndpoint.Builder().setConfiguration(cfg)
                .setInetSocketAddress(new InetSocketAddress(server.getAddress(), 0)).build();
        if (executor != null) {
            endpoint.setExecutors(executor, secondary);
        }
        endpoint.start();
    }

    /** The devices' CoAP configuration: one receiver and one sender thread per device, as DTLS devices have. */
    public static Configuration clientConfiguration() {
        Configuration cfg = Configuration.createStandardWithoutFile();
        cfg.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, 1);
        cfg.set(UdpConfig.UDP_SENDER_THREAD_COUNT, 1);
        cfg.set(UdpConfig.UDP_RECEIVE_BUFFER_SIZE, 64 * 1024);
        cfg.set(UdpConfig.UDP_SEND_BUFFER_SIZE, 64 * 1024);
        cfg.set(CoapConfig.ACK_TIMEOUT, 2000, TimeUnit.MILLISECONDS);
        cfg.set(CoapConfig.MAX_RETRANSMIT, 2);
        cfg.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
        return cfg;
    }

    public EdhocDevices.Device device() {
        return device;
    }

    /** @return whether EDHOC made a context */
    public boolean hasContext() {
        return context != null;
    }

    private EdhocInitiator initiator() {
        return new EdhocInitiator(EdhocInitiator.Config.builder().method(EdhocMethod.of(3).orElseThrow())
                .suites(List.of(CipherSuite.SUITE_2)).credential(device.credential())
                .connectionId(ConnectionId.of(new byte[] {C_I})).build(), EdhocDevices.AEADS::get, gateway);
    }

    /**
     * EDHOC in two round trips: message_1 answered 2.04 with message_2, then message_3 (after the
     * gateway's C_R) answered 2.04; then the OSCORE context is derived.
     *
     * @return the sizes of the three messages
     * @throws IOException when the gateway does not answer or refuses
     */
    public EdhocSizes edhoc() throws IOException, EdhocException {
        EdhocInitiator initiator = initiator();
        byte[] m1 = initiator.message1();
        Response r2 = call(edhocRequest(EdhocCoap.message1Body(m1)), "message_1");
        EdhocInitiator.Message3 m3 = initiator.processMessage2(r2.getPayload());
        call(edhocRequest(EdhocCoap.message3Body(m3.session().connectionIdR(), m3.message())), "message_3");
        context = derive(m3);
        return new EdhocSizes(m1.length, r2.getPayloadSize(), m3.message().length,
                m3.session().connectionIdR().encode().length);
    }

    /**
     * EDHOC + OSCORE (RFC 9668): message_1 and message_2 as in {@link #edhoc}, then message_3 inside
     * the first OSCORE request (the EDHOC option, message_3 as a CBOR byte string before the
     * ciphertext), which carries {@code payload} to {@code path}.
     *
     * @return the sizes of message_1 and message_2 (message_3 0: it is in the request)
     * @throws IOException when the gateway does not answer, refuses, or the request is not answered 2.xx
     */
    public EdhocSizes edhocCombined(String path, byte[] payload, int contentFormat) throws IOException, EdhocException {
        EdhocInitiator initiator = initiator();
        byte[] m1 = initiator.message1();
        Response r2 = call(edhocRequest(EdhocCoap.message1Body(m1)), "message_1");
        EdhocInitiator.Message3 m3 = initiator.processMessage2(r2.getPayload());
        OscoreContext ctx = derive(m3);
        try {
            ProtectedRequest p = OscoreClient.protectRequest(ctx, inner(path, payload, contentFormat));
            Request combined = p.request();
            combined.getOptions().addOption(new Option(EDHOC_OPTION));
            byte[] body = CborWriter.encodeBytes(m3.message());
            byte[] ciphertext = combined.getPayload();
            byte[] all = Arrays.copyOf(body, body.length + ciphertext.length);
            System.arraycopy(ciphertext, 0, all, body.length, ciphertext.length);
            combined.setPayload(all);
            Response r = OscoreClient.unprotectResponse(p.binding(), call(combined, "EDHOC + OSCORE request"));
            if (!r.getCode().isSuccess()) {
                throw new IOException(device.id() + ": EDHOC + OSCORE request answered " + r.getCode());
            }
        } catch (OscoreException e) {
            throw new IOException(device.id() + ": EDHOC + OSCORE request: " + e.getMessage(), e);
        }
        context = ctx;
        return new EdhocSizes(m1.length, r2.getPayloadSize(), 0, m3.session().connectionIdR().encode().length);
    }

    private static OscoreContext derive(EdhocInitiator.Message3 m3) {
        org.m2mgw.oscore.internal.edhoc.OscoreParameters p = m3.session().oscore();
        return OscoreContext.derive(p.toOscore(), EdhocDevices.AEADS.get(p.aeadAlgorithm()));
    }

    private static Request edhocRequest(byte[] body) {
        Request r = Request.newPost();
        r.getOptions().setUriPath(WELL_KNOWN);
        r.setPayload(body);
        return r;
    }

    private static Request inner(String path, byte[] payload, int contentFormat) {
        Request inner = Request.newPost();
        inner.getOptions().setUriPath(path).setContentFormat(contentFormat);
        inner.setPayload(payload);
        return inner;
    }

    /** Sends a request (CON) and waits for its response; fails unless it is a success. */
    private Response call(Request r, String what) throws IOException {
        r.setDestinationContext(new AddressEndpointContext(server));
        r.setType(CoAP.Type.CON);
        endpoint.sendRequest(r);
        Response resp;
        try {
            resp = r.waitForResponse(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (resp == null) {
            throw new IOException(device.id() + ": no answer to EDHOC " + what + " within 10 s"
                    + (r.getSendError() != null ? " (" + r.getSendError() + ")" : ""));
        }
        if (!resp.getCode().isSuccess()) {
            throw new IOException(device.id() + ": EDHOC " + what + " answered " + resp.getCode() + " "
                    + resp.getPayloadString());
        }
        return resp;
    }

    /** Sends one OSCORE-protected confirmable POST and completes with its (decrypted) outcome. */
    public CompletableFuture<DeviceClient.Outcome> post(String path, byte[] payload, int contentFormat, Stats stats) {
        CompletableFuture<DeviceClient.Outcome> done = new CompletableFuture<>();
        long t0 = System.nanoTime();
        ProtectedRequest p;
        try {
            p = OscoreClient.protectRequest(context, inner(path, payload, contentFormat));
        } catch (OscoreException | RuntimeException e) {
            done.complete(new DeviceClient.Outcome(null, 0, false, e));
            return done;
        }
        Request outer = p.request();
        outer.setDestinationContext(new AddressEndpointContext(server));
        outer.setType(CoAP.Type.CON);
        outer.addMessageObserver(new MessageObserverAdapter() {
            @Override
            public void onResponse(Response response) {
                try {
                    ResponseCode code = OscoreClient.unprotectResponse(p.binding(), response).getCode();
                    done.complete(new DeviceClient.Outcome(code, System.nanoTime() - t0, false, null));
                } catch (OscoreException | RuntimeException e) {
                    // an unprotected error (4.01 context not found, 4.00 decryption failed...)
                    done.complete(new DeviceClient.Outcome(null, System.nanoTime() - t0, false,
                            new IOException("answer " + response.getCode() + " " + response.getPayloadString()
                                    + ": " + e.getMessage())));
                }
            }

            @Override
            public void onRetransmission() {
                if (stats != null) {
                    stats.coapRetransmissions.increment();
                }
            }

            @Override
            protected void failed() {
                done.complete(new DeviceClient.Outcome(null, System.nanoTime() - t0, false,
                        outer.getSendError() != null ? outer.getSendError() : new IOException(
                                outer.isTimedOut() ? "timeout" : outer.isRejected() ? "rejected" : "cancelled")));
            }
        });
        endpoint.sendRequest(outer);
        return done;
    }

    @Override
    public void close() {
        endpoint.destroy();
    }
}
