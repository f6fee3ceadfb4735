package org.m2mgw.support.coap;

import org.m2mgw.support.Json;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.m2mgw.api.command.Command;
import org.m2mgw.api.command.CommandQueue;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * {@code GET /commands}: a sleepy device fetches the commands queued for it when it wakes up.
 * The answer is a JSON array of {@code {"id", "cf", "payload" (base64), "expires"}}, oldest
 * first. The device confirms each command with {@code DELETE /commands/<id>}; until then it stays
 * queued (at-least-once delivery) unless it expires.
 */
public final class CommandsResource extends CoapResource {
    static final int MAX_PER_FETCH = 4;

    private final DeviceRequests requests;
    private final Supplier<CommandQueue> queue;
    private final TrafficReporter traffic;
    private final RequestLimits settings;

    public CommandsResource(DeviceRequests requests, Supplier<CommandQueue> queue, TrafficReporter traffic,
            RequestLimits settings) {
        super("commands");
        this.requests = requests;
        this.queue = queue;
        this.traffic = traffic;
        this.settings = settings;
        getAttributes().setTitle("commands queued for the device");
    }

    @Override
    public Resource getChild(String name) {
        Resource child = super.getChild(name);
        return child != null ? child : this;
    }

    private Optional<Device> device(CoapExchange exchange) {
        String raw = exchange.advanced().getRequest().getOptions().getUriPathString();
        String path = org.m2mgw.api.device.ResourceNames.isValid(raw) ? raw : null;
        Optional<Device> device = requests.authenticate(exchange, path);
        if (device.isPresent() && !device.get().mayUse("commands")) {
            traffic.reject(TrafficEventType.REQUEST_REJECTED, org.m2mgw.api.traffic.FailureCause.ACCESS_DENIED,
                    device.get().deviceId(),
                    exchange.getSourceSocketAddress(), "resource not allowed for device", path);
            exchange.respond(ResponseCode.FORBIDDEN);
            return Optional.empty();
        }
        return device;
    }

    private CommandQueue queueOrUnavailable(CoapExchange exchange) {
        CommandQueue q = queue.get();
        if (q == null) {
            Response r = new Response(ResponseCode.SERVICE_UNAVAILABLE);
            r.getOptions().setMaxAge(settings.retryAfterSeconds());
            exchange.respond(r);
        }
        return q;
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        Optional<Device> device = device(exchange);
        if (device.isEmpty()) {
            return;
        }
        CommandQueue q = queueOrUnavailable(exchange);
        if (q == null) {
            return;
        }
        List<Command> pending = q.peek(device.get().deviceId(), MAX_PER_FETCH);
        StringBuilder json = new StringBuilder("[");
        for (Command c : pending) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append("{\"id\":");
            Json.appendQuoted(json, c.commandId()).append(",\"cf\":")
                    .append(c.contentFormat()).append(",\"payload\":\"")
                    .append(Base64.getEncoder().encodeToString(c.payload())).append("\",\"expires\":\"")
                    .append(c.expiresAt()).append("\"}");
        }
        json.append(']');
        exchange.respond(ResponseCode.CONTENT, json.toString().getBytes(StandardCharsets.UTF_8),
                ContentFormats.JSON);
    }

    @Override
    public void handleDELETE(CoapExchange exchange) {
        Optional<Device> device = device(exchange);
        if (device.isEmpty()) {
            return;
        }
        List<String> path = exchange.advanced().getRequest().getOptions().getUriPath();
        if (path.size() != 2) {
            exchange.respond(ResponseCode.BAD_REQUEST, "DELETE /commands/<id>");
            return;
        }
        CommandQueue q = queueOrUnavailable(exchange);
        if (q == null) {
            return;
        }
        q.delivered(device.get().deviceId(), List.of(path.get(1)));
        exchange.respond(ResponseCode.DELETED);
    }

}
