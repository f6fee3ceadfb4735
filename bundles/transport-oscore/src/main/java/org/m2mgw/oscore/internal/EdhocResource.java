package org.m2mgw.oscore.internal;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEventType;
import org.m2mgw.oscore.internal.edhoc.ConnectionId;
import org.m2mgw.oscore.internal.edhoc.EdhocCoap;
import org.m2mgw.oscore.internal.edhoc.EdhocException;
import org.m2mgw.oscore.internal.edhoc.EdhocResponder;
import org.m2mgw.oscore.internal.edhoc.EdhocSession;
import org.m2mgw.support.coap.TrafficReporter;

/**
 * {@code /.well-known/edhoc}: the EDHOC responder over CoAP (RFC 9528 Appendix A.2). A POST whose
 * payload starts with CBOR {@code true} carries message_1 and is answered 2.04 with message_2; one
 * that starts with the gateway's C_R carries message_3, and its 2.04 says that the device's OSCORE
 * context is installed. Errors are answered 4.00 with an EDHOC error message (content format
 * application/edhoc+cbor-seq), counted and reported. The bytes of each handshake count for its
 * device once it is known (energy accounting); a handshake that fails counts for none.
 */
final class EdhocResource extends CoapResource {
    static final String PATH = ".well-known/edhoc";

    /** Makes an OSCORE context from a completed handshake. */
    interface Installer {
        /** @return null when installed, or why not (the device was disabled meanwhile, a policy refused the suite) */
        String install(EdhocSession session, InetSocketAddress peer);
    }

    private final EdhocResponder responder;
    private final RegistryResolver resolver;
    private final Installer installer;
    private final TrafficReporter traffic;
    private final OscoreAirtime airtime;
    /** Bytes of handshakes waiting for message_3, by C_R: [datagrams in, bytes in, datagrams out, bytes out]. */
    private final Map<ConnectionId, long[]> pendingBytes = new ConcurrentHashMap<>();

    EdhocResource(EdhocResponder responder, RegistryResolver resolver, Installer installer, TrafficReporter traffic,
            OscoreAirtime airtime) {
        super("edhoc");
        this.responder = responder;
        this.resolver = resolver;
        this.installer = installer;
        this.traffic = traffic;
        this.airtime = airtime;
        getAttributes().setTitle("EDHOC responder (RFC 9528)");
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        Request request = exchange.advanced().getRequest();
        InetSocketAddress peer = exchange.getSourceSocketAddress();
        int in = OscoreAirtime.received(request);
        EdhocCoap.RequestBody body;
        try {
            body = EdhocCoap.parseCoapRequestBody(exchange.getRequestPayload());
        } catch (EdhocException e) {
            fail(exchange, peer, e, null, in);
            return;
        }
        if (body.kind() == EdhocCoap.Kind.MESSAGE_1) {
            try {
                EdhocResponder.Message2 m2 = responder.processMessage1(body.message());
                Response r = response(ResponseCode.CHANGED, m2.message());
                pendingBytes.put(m2.connectionIdR(), new long[] {1, in, 1, OscoreAirtime.size(r, request)});
                trimPending();
                exchange.respond(r);
            } catch (EdhocException e) {
                fail(exchange, peer, e, null, in);
            }
            return;
        }
        ConnectionId cR = body.connectionIdR();
        try {
            EdhocSession session = responder.processMessage3(cR, body.message(), false);
            String refused = installer.install(session, peer);
            if (refused != null) {
                airtime.meter().unattributed(1, in);
                traffic.reject(TrafficEventType.HANDSHAKE_FAILED, FailureCause.POLICY, session.peerSubject(), peer,
                        "EDHOC: " + refused, null);
                pendingBytes.remove(cR);
                exchange.respond(ResponseCode.UNAUTHORIZED, refused);
                return;
            }
            Response r = new Response(ResponseCode.CHANGED);
            String device = session.peerSubject();
            long[] p = pendingBytes.remove(cR);
            if (p != null) {
                airtime.meter().add(device, OscoreAirtime.EDHOC, true, p[0], p[1]);
                airtime.meter().add(device, OscoreAirtime.EDHOC, false, p[2], p[3]);
            }
            airtime.meter().add(device, OscoreAirtime.EDHOC, true, 1, in);
            airtime.meter().add(device, OscoreAirtime.EDHOC, false, 1, OscoreAirtime.size(r, request));
            airtime.meter().handshake(device, OscoreAirtime.EDHOC);
            traffic.report(TrafficEventType.HANDSHAKE_SUCCEEDED, device, peer, "EDHOC method "
                    + session.method().value() + " suite " + session.suite().id(), null, 0);
            exchange.respond(r);
        } catch (EdhocException e) {
            fail(exchange, peer, e, cR, in);
        }
    }

    /**
     * @return the bytes of a handshake that waits for message_3 ([datagrams in, bytes in, datagrams
     *     out, bytes out]), which its caller now owns: an EDHOC + OSCORE request completes it elsewhere
     */
    long[] takePending(ConnectionId cR) {
        return pendingBytes.remove(cR);
    }

    private void fail(CoapExchange exchange, InetSocketAddress peer, EdhocException e, ConnectionId cR, int in) {
        long[] p = cR == null ? null : pendingBytes.remove(cR);
        long datagrams = 1 + (p == null ? 0 : p[0] + p[2]);
        long bytes = in + (p == null ? 0 : p[1] + p[3]);
        String why = resolver.takeRefusal();
        FailureCause cause = switch (e.reason()) {
            case UNKNOWN_CREDENTIAL -> FailureCause.UNKNOWN_IDENTITY;
            case MAC_FAILED, DECRYPT_FAILED -> FailureCause.BAD_MAC;
            case UNSUPPORTED_SUITE, UNSUPPORTED_METHOD -> FailureCause.POLICY;
            case EXPIRED, UNKNOWN_SESSION -> FailureCause.TIMEOUT;
            default -> FailureCause.MALFORMED;
        };
        traffic.reject(TrafficEventType.HANDSHAKE_FAILED, cause, null, peer,
                "EDHOC: " + e.getMessage() + (why == null ? "" : " (" + why + ")"), null);
        Response r = e.errorMessage().map(m -> response(ResponseCode.BAD_REQUEST, m))
                .orElseGet(() -> new Response(ResponseCode.BAD_REQUEST));
        airtime.meter().unattributed(datagrams + 1, bytes + OscoreAirtime.size(r, exchange.advanced().getRequest()));
        exchange.respond(r);
    }

    private static Response response(ResponseCode code, byte[] payload) {
        Response r = new Response(code);
        r.setPayload(payload);
        r.getOptions().setContentFormat(EdhocCoap.CONTENT_FORMAT_EDHOC);
        return r;
    }

    /** Keeps the byte counts of abandoned handshakes from growing without bound. */
    private void trimPending() {
        int max = Math.max(1000, responder.pendingCount() * 2);
        if (pendingBytes.size() > max) {
            long[] gone = {0, 0};
            pendingBytes.entrySet().removeIf(e -> {
                if (pendingBytes.size() <= max / 2) {
                    return false;
                }
                gone[0] += e.getValue()[0] + e.getValue()[2];
                gone[1] += e.getValue()[1] + e.getValue()[3];
                return true;
            });
            airtime.meter().unattributed(gone[0], gone[1]);
        }
    }
}
