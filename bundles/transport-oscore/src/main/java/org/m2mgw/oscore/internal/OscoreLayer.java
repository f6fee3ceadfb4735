package org.m2mgw.oscore.internal;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.network.stack.AbstractLayer;
import org.eclipse.californium.elements.Definition;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.MapBasedEndpointContext;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEventType;
import org.m2mgw.oscore.internal.oscore.EchoFreshness;
import org.m2mgw.oscore.internal.oscore.InboundRequest;
import org.m2mgw.oscore.internal.oscore.OscoreContext;
import org.m2mgw.oscore.internal.oscore.OscoreException;
import org.m2mgw.oscore.internal.oscore.OscoreServer;
import org.m2mgw.oscore.internal.oscore.RequestBinding;
import org.m2mgw.support.coap.TrafficReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OSCORE for the gateway's resources (RFC 8613 section 8.2 and 8.3): a request with an OSCORE
 * option is decrypted and verified against the device's security context, and continues up the
 * stack as the inner request, carrying the device in its source context; its response is protected
 * on the way down. A request without OSCORE reaches only {@code /.well-known/edhoc}; any other gets
 * 4.01. An EDHOC + OSCORE request (RFC 9668, EDHOC option 21) first completes the EDHOC handshake
 * with the message_3 it carries. Every refusal is answered unprotected with the code the RFC
 * prescribes, counted, and reported as a traffic event.
 */
final class OscoreLayer extends AbstractLayer {
    private static final Logger LOG = LoggerFactory.getLogger(OscoreLayer.class);

    /** The device a decrypted request came from (non-critical: not used to match the response's endpoint). */
    static final Definition<String> DEVICE = new Definition<>(MapBasedEndpointContext.KEY_PREFIX_NONE_CRITICAL
            + "M2MGW_DEVICE", String.class, MapBasedEndpointContext.ATTRIBUTE_DEFINITIONS);
    /** The suite (AEAD) of the context that decrypted it. */
    static final Definition<String> SUITE = new Definition<>(MapBasedEndpointContext.KEY_PREFIX_NONE_CRITICAL
            + "M2MGW_OSCORE_SUITE", String.class, MapBasedEndpointContext.ATTRIBUTE_DEFINITIONS);
    /** EDHOC option (RFC 9668 section 3.1): critical, empty. */
    static final int EDHOC_OPTION = 21;
    static final org.eclipse.californium.core.coap.option.EmptyOptionDefinition EDHOC =
            new org.eclipse.californium.core.coap.option.EmptyOptionDefinition(EDHOC_OPTION, "EDHOC");
    /** The standard options and the EDHOC option, which Californium does not know. */
    static final org.eclipse.californium.core.coap.option.OptionRegistry OPTIONS =
            new org.eclipse.californium.core.coap.option.MapBasedOptionRegistry(
                    org.eclipse.californium.core.coap.option.StandardOptionRegistry.getDefaultOptionRegistry(), EDHOC);

    /** Completes EDHOC with the message_3 of a combined request and installs the new context. */
    interface CombinedRequests {
        /**
         * @param connectionIdR the gateway's connection identifier: the request's kid
         * @param message3 EDHOC message_3
         * @param peer the device's address
         * @throws OscoreException (4.00 or 4.01) if the handshake does not complete
         */
        void complete(byte[] connectionIdR, byte[] message3, InetSocketAddress peer) throws OscoreException;
    }

    private final ContextTable contexts;
    private final TrafficReporter traffic;
    private final EchoFreshness echo;
    private final CombinedRequests combined;
    private final OscoreAirtime airtime;
    /** The binding of each decrypted request, until the exchange is collected. */
    private final Map<Exchange, RequestBinding> bindings = Collections.synchronizedMap(new WeakHashMap<>());
    /** The outer request of each decrypted one, for the response's endpoint. */
    private final Map<Exchange, Request> outers = Collections.synchronizedMap(new WeakHashMap<>());

    OscoreLayer(ContextTable contexts, TrafficReporter traffic, EchoFreshness echo, CombinedRequests combined,
            OscoreAirtime airtime) {
        this.contexts = contexts;
        this.traffic = traffic;
        this.echo = echo;
        this.combined = combined;
        this.airtime = airtime;
    }

    @Override
    public void receiveRequest(Exchange exchange, Request request) {
        InetSocketAddress peer = request.getSourceContext().getPeerAddress();
        if (!request.getOptions().hasOscore()) {
            if (EdhocResource.PATH.equals(request.getOptions().getUriPathString())) {
                super.receiveRequest(exchange, request);
                return;
            }
            airtime.inbound(null, request);
            traffic.reject(TrafficEventType.REQUEST_REJECTED, FailureCause.UNKNOWN_IDENTITY, null, peer,
                    "request without OSCORE", null);
            Response r = new Response(ResponseCode.UNAUTHORIZED);
            r.setPayload("OSCORE required");
            exchange.sendResponse(r);
            return;
        }
        if (request.getOptions().hasBlock1() || request.getOptions().hasBlock2()) {
            // Outer block-wise (RFC 8613 section 4.1.3.4.2) is for proxies; a device splits its request
            // with inner Block options, inside the protection.
            airtime.inbound(null, request);
            traffic.reject(TrafficEventType.MALFORMED_INPUT, FailureCause.MALFORMED, null, peer,
                    "OSCORE request with outer block-wise transfer", null);
            Response r = new Response(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
            r.setPayload("outer block-wise transfer of OSCORE messages is not supported; use inner Block options");
            exchange.sendResponse(r);
            return;
        }
        try {
            if (request.getOptions().hasOption(EDHOC_OPTION)) {
                completeEdhoc(request, peer);
            }
            InboundRequest in = OscoreServer.unprotectRequest(request, contexts);
            RequestBinding binding = in.binding();
            OscoreContext ctx = binding.context();
            ContextTable.Entry entry = contexts.entry(ctx).orElse(null);
            String device = entry == null ? null : entry.deviceId();
            if (entry != null) {
                entry.seen(peer, System.currentTimeMillis());
            }
            airtime.inbound(device, request);
            if (device == null) {
                throw new OscoreException(OscoreException.Reason.CONTEXT_NOT_FOUND, "context was just replaced");
            }
            bindings.put(exchange, binding);
            outers.put(exchange, request);
            if (ctx.needsFreshness()) {
                java.util.Optional<Response> challenge = echo.requireFresh(in);
                if (challenge.isPresent()) {
                    traffic.reject(TrafficEventType.REQUEST_REJECTED, FailureCause.REPLAY, device, peer,
                            "first request after a restart: freshness proven with Echo (RFC 9175)", null);
                    exchange.sendResponse(challenge.get());
                    return;
                }
            }
            Request inner = in.request();
            inner.setType(request.getType());
            inner.setMID(request.getMID());
            inner.setToken(request.getToken());
            EndpointContext source = MapBasedEndpointContext.addEntries(request.getSourceContext(),
                    new MapBasedEndpointContext.Attributes().add(DEVICE, device)
                            .add(SUITE, entry.suite()));
            inner.setSourceContext(source);
            inner.setBytes(request.getBytes());
            exchange.setRequest(inner);
            exchange.setCurrentRequest(inner);
            super.receiveRequest(exchange, inner);
        } catch (OscoreException e) {
            refuse(exchange, request, peer, e);
        }
    }

    private void completeEdhoc(Request request, InetSocketAddress peer) throws OscoreException {
        byte[] kid = org.m2mgw.oscore.internal.oscore.OscoreOption.decode(request.getOptions().getOscore()).kid();
        CombinedPayload split = CombinedPayload.split(request.getPayload());
        combined.complete(kid, split.message3(), peer);
        request.setPayload(split.rest());
        request.getOptions().clearOtherOption(EDHOC_OPTION);
    }

    private void refuse(Exchange exchange, Request request, InetSocketAddress peer, OscoreException e) {
        TrafficEventType type;
        FailureCause cause;
        switch (e.reason()) {
            case DECRYPTION_FAILED -> {
                type = TrafficEventType.RECORD_MAC_FAILED;
                cause = FailureCause.BAD_MAC;
            }
            case REPLAY -> {
                type = TrafficEventType.REPLAY_DROPPED;
                cause = FailureCause.REPLAY;
            }
            case CONTEXT_NOT_FOUND -> {
                type = TrafficEventType.REQUEST_REJECTED;
                cause = FailureCause.UNKNOWN_IDENTITY;
            }
            case MISSING_OPTION, BAD_OPTION, MALFORMED_INNER -> {
                type = TrafficEventType.MALFORMED_INPUT;
                cause = FailureCause.MALFORMED;
            }
            default -> {
                type = TrafficEventType.REQUEST_REJECTED;
                cause = FailureCause.UNAVAILABLE;
            }
        }
        airtime.inbound(null, request);
        traffic.reject(type, cause, null, peer, "OSCORE: " + e.getMessage(), null);
        exchange.sendResponse(e.toResponse(request));
    }

    @Override
    public void sendResponse(Exchange exchange, Response response) {
        RequestBinding binding = bindings.get(exchange);
        if (binding == null) {
            airtime.outbound(null, exchange, response);
            super.sendResponse(exchange, response);
            return;
        }
        Request outer = outers.get(exchange);
        Response protectedResponse;
        try {
            protectedResponse = OscoreServer.protectResponse(binding, response, binding.requiresNewPartialIv());
        } catch (OscoreException e) {
            LOG.warn("OSCORE: cannot protect a response ({}); answering {} unprotected", e.getMessage(),
                    e.reason().name());
            protectedResponse = e.toResponse(outer == null ? exchange.getRequest() : outer);
        }
        protectedResponse.setType(response.getType());
        if (response.getMID() != Response.NONE) {
            protectedResponse.setMID(response.getMID());
        }
        protectedResponse.setToken(response.getToken());
        protectedResponse.setDestinationContext(outer != null ? outer.getSourceContext()
                : response.getDestinationContext());
        if (outer != null) {
            // the layers below match the response with the request that came on the wire
            exchange.setCurrentRequest(outer);
        }
        exchange.setCurrentResponse(protectedResponse);
        ContextTable.Entry e = contexts.entry(binding.context()).orElse(null);
        airtime.outbound(e == null ? null : e.deviceId(), exchange, protectedResponse);
        super.sendResponse(exchange, protectedResponse);
    }
}
