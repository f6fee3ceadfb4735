package org.m2mgw.cloud.internal;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.cloud.internal.queue.QueuedMessage;
import org.m2mgw.codec.PayloadException;
import org.m2mgw.support.Text;

/** What the {@link Publisher} sends, and where: device messages made into publications, and the broker's port. */
final class Publications {

    private Publications() {
    }

    /** Makes a device message into its publication, as its route says. */
    static Lane.Outgoing of(QueuedMessage q, CloudSettings s) throws Lane.Unpublishable {
        DeviceMessage m;
        try {
            m = q.message();
        } catch (IllegalArgumentException e) {
            throw new Lane.Unpublishable("the queue entry cannot be read: " + e.getMessage());
        }
        Routes.Route r = s.routes().match(m.resource()).orElseThrow(() -> new Lane.Unpublishable(
                "no route for resource '" + Text.printable(m.resource(), 200) + "' (routes changed since it was taken)"));
        byte[] payload;
        try {
            payload = r.encoder().encode(m, s.gatewayId());
        } catch (PayloadException e) {
            throw new Lane.Unpublishable("cannot be encoded as " + r.encoder().id() + ": " + e.reason());
        }
        if (payload.length > s.limits().publishMaxBytes()) {
            throw new Lane.Unpublishable(payload.length + " bytes once encoded, more than publish.max.bytes ("
                    + s.limits().publishMaxBytes() + ")");
        }
        return new Lane.Outgoing(Routes.topic(r.topicTemplate(), s.topicPrefix(), s.gatewayId(), m.deviceId(),
                m.resource()), payload, r.qos());
    }

    /** @return whether a TCP connection to the broker's host and port succeeds (and is closed at once) */
    static boolean portAnswers(String brokerUrl, int timeoutMs) {
        try (Socket socket = new Socket()) {
            URI u = new URI(brokerUrl);
            int port = u.getPort() > 0 ? u.getPort() : switch (u.getScheme()) {
                case "ssl" -> 8883;
                case "ws" -> 80;
                case "wss" -> 443;
                default -> 1883;
            };
            socket.connect(new InetSocketAddress(u.getHost(), port), timeoutMs);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
