package org.m2mgw.support.coap;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.ResourceNames;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.Acceptance.Refusal;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.DeviceMessageConsumer;
import org.m2mgw.api.message.SecuritySummary;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * The request pipeline shared by the device resources: who is the device, may it use this
 * resource, is the payload acceptable, and has the durable queue taken the message. A device gets
 * 2.04 only after the queue accepted its message; otherwise 5.03 with Max-Age, so it retries.
 */
public final class DeviceRequests {
    /**
     * Accepted Content-Formats. A request without the option is accepted too (many constrained
     * devices omit it) and travels as undefined; the cloud side passes it through unchanged.
     */
    static final Set<Integer> SUPPORTED_FORMATS = Set.of(ContentFormats.UNDEFINED, ContentFormats.TEXT_PLAIN,
            ContentFormats.JSON, ContentFormats.CBOR, ContentFormats.SENML_JSON, ContentFormats.SENML_CBOR);

    private final DevicePeers peers;
    private final TrafficReporter traffic;
    private final Supplier<DeviceMessageConsumer> consumer;
    private final RequestLimits settings;
    private final DeviceAccessControl access;

    public DeviceRequests(DevicePeers peers, TrafficReporter traffic,
            Supplier<DeviceMessageConsumer> consumer, RequestLimits settings, DeviceAccessControl access) {
        this.peers = peers;
        this.traffic = traffic;
        this.consumer = consumer;
        this.settings = settings;
        this.access = access;
    }

    /** The authenticated, enabled device behind an exchange, or empty after answering 4.01. */
    public Optional<Device> authenticate(CoapExchange exchange, String path) {
        Request request = exchange.advanced().getRequest();
        InetSocketAddress peer = exchange.getSourceSocketAddress();
        Optional<Device> device = peers.device(request);
        if (device.isEmpty() || !device.get().enabled() || access.isQuarantined(device.get().deviceId())) {
            String reason = device.isEmpty() ? "unknown device"
                    : !device.get().enabled() ? "device is disabled" : "device is quarantined";
            FailureCause cause = device.isEmpty() ? FailureCause.UNKNOWN_IDENTITY
                    : !device.get().enabled() ? FailureCause.ACCESS_DENIED : FailureCause.QUARANTINED;
            traffic.reject(TrafficEventType.REQUEST_REJECTED, cause, device.map(Device::deviceId).orElse(null),
                    peer, reason, path);
            exchange.respond(ResponseCode.UNAUTHORIZED);
            return Optional.empty();
        }
        InetSocketAddress previous = peers.previousAddress(request);
        if (previous != null) {
            traffic.report(TrafficEventType.ADDRESS_CHANGED, device.get().deviceId(), peer,
                    "from " + TrafficReporter.address(previous), null, 0);
        }
        return device;
    }

    /** Handles a POST or PUT of device data. */
    public void handleData(CoapExchange exchange) {
        String raw = exchange.advanced().getRequest().getOptions().getUriPathString();
        // An invalid name is never echoed into events, logs or topics.
        String invalid = ResourceNames.problem(raw);
        String path = invalid == null ? raw : null;
        Optional<Device> found = authenticate(exchange, path);
        if (found.isEmpty()) {
            return;
        }
        Device device = found.get();
        InetSocketAddress peer = exchange.getSourceSocketAddress();
        if (invalid != null) {
            traffic.reject(TrafficEventType.REQUEST_REJECTED, FailureCause.MALFORMED, device.deviceId(), peer,
                    invalid, null);
            exchange.respond(ResponseCode.BAD_REQUEST, invalid + " (allowed: 1 to 8 segments of A-Z a-z 0-9 . _ ~ -)");
            return;
        }
        if (!access.tryAcquire(device.deviceId())) {
            traffic.reject(TrafficEventType.REQUEST_REJECTED, FailureCause.ACCESS_DENIED, device.deviceId(), peer,
                    "device is throttled", path);
            Response r = new Response(ResponseCode.TOO_MANY_REQUESTS);
            r.getOptions().setMaxAge(1);
            exchange.respond(r);
            return;
        }
        if (!device.mayUse(path)) {
            refuse(exchange, ResponseCode.FORBIDDEN, FailureCause.ACCESS_DENIED, device, peer, path,
                    "resource not allowed for device");
            return;
        }
        int format = exchange.getRequestOptions().getContentFormat();
        if (!SUPPORTED_FORMATS.contains(format)) {
            refuse(exchange, ResponseCode.UNSUPPORTED_CONTENT_FORMAT, FailureCause.MALFORMED, device, peer, path,
                    "unsupported content format " + format);
            return;
        }
        byte[] payload = exchange.getRequestPayload();
        if (payload.length > settings.maxPayloadBytes()) {
            traffic.reject(TrafficEventType.REQUEST_REJECTED, FailureCause.MALFORMED, device.deviceId(), peer,
                    "payload of " + payload.length + " bytes exceeds coap.max.payload.bytes", path);
            Response r = new Response(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
            r.getOptions().setSize1(settings.maxPayloadBytes());
            exchange.respond(r);
            return;
        }
        DeviceMessageConsumer sink = consumer.get();
        if (sink == null) {
            unavailable(exchange, device, peer, path, "no durable queue is available");
            return;
        }
        DeviceMessage message = DeviceMessage.builder()
                .messageId(UUID.randomUUID().toString())
                .deviceId(device.deviceId())
                .resource(path)
                .contentFormat(format)
                .payload(payload)
                .receivedAt(Instant.now())
                .security(peers.summary(exchange.advanced().getRequest()))
                .build();
        CompletableFuture<Acceptance> accepted;
        try {
            accepted = sink.accept(message).toCompletableFuture();
        } catch (RuntimeException e) {
            unavailable(exchange, device, peer, path, "durable queue failed: " + e);
            return;
        }
        accepted.orTimeout(settings.acceptTimeoutMs(), TimeUnit.MILLISECONDS).whenComplete((a, error) -> {
            if (error == null && a != null && a.isAccepted()) {
                traffic.report(TrafficEventType.REQUEST, device.deviceId(), peer, null, path, payload.length);
                exchange.respond(ResponseCode.CHANGED);
            } else if (error == null && a != null && a.refusal().orElse(Refusal.UNAVAILABLE) != Refusal.UNAVAILABLE) {
                // final: the message itself cannot be delivered, so the device must not retry it
                Refusal refusal = a.refusal().get();
                ResponseCode code = switch (refusal) {
                    case NO_ROUTE -> ResponseCode.NOT_FOUND;
                    case TOO_LARGE -> ResponseCode.REQUEST_ENTITY_TOO_LARGE;
                    case UNSUPPORTED_FORMAT -> ResponseCode.UNSUPPORTED_CONTENT_FORMAT;
                    default -> ResponseCode.BAD_REQUEST;
                };
                traffic.reject(TrafficEventType.REQUEST_REJECTED,
                        refusal == Refusal.NO_ROUTE ? FailureCause.ACCESS_DENIED : FailureCause.MALFORMED,
                        device.deviceId(), peer, "refused by the cloud connection: " + a.reason(), path);
                exchange.respond(code, a.reason());
            } else if (error == null && a != null) {
                unavailable(exchange, device, peer, path, "refused by the durable queue: " + a.reason(),
                        Math.max(1, a.retryAfterSeconds()));
            } else {
                unavailable(exchange, device, peer, path, "durable queue did not accept in time ("
                        + (error == null ? "no answer" : error.getClass().getSimpleName()) + ")");
            }
        });
    }

    /**
     * Answers 4.05 to a method the resource does not support, after the same authentication as
     * every request, and reports it: a device that explores what it may do is a signal.
     */
    public void refuseMethod(CoapExchange exchange) {
        String raw = exchange.advanced().getRequest().getOptions().getUriPathString();
        String path = ResourceNames.problem(raw) == null ? raw : null;
        Optional<Device> found = authenticate(exchange, path);
        if (found.isEmpty()) {
            return;
        }
        refuse(exchange, ResponseCode.METHOD_NOT_ALLOWED, FailureCause.NO_SUCH_RESOURCE, found.get(),
                exchange.getSourceSocketAddress(), path, "method " + exchange.getRequestCode() + " not allowed");
    }

    private void refuse(CoapExchange exchange, ResponseCode code, FailureCause cause, Device device,
            InetSocketAddress peer, String path, String reason) {
        traffic.reject(TrafficEventType.REQUEST_REJECTED, cause, device.deviceId(), peer, reason, path);
        exchange.respond(code);
    }

    private void unavailable(CoapExchange exchange, Device device, InetSocketAddress peer, String path,
            String reason) {
        unavailable(exchange, device, peer, path, reason, settings.retryAfterSeconds());
    }

    private void unavailable(CoapExchange exchange, Device device, InetSocketAddress peer, String path,
            String reason, int retryAfter) {
        traffic.reject(TrafficEventType.REQUEST_REJECTED, FailureCause.UNAVAILABLE, device.deviceId(), peer, reason,
                path);
        Response r = new Response(ResponseCode.SERVICE_UNAVAILABLE);
        r.getOptions().setMaxAge(retryAfter);
        exchange.respond(r);
    }
}
