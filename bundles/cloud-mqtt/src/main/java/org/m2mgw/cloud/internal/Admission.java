package org.m2mgw.cloud.internal;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.m2mgw.api.device.ResourceNames;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.Acceptance.Refusal;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.codec.PayloadException;
import org.m2mgw.support.Text;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, before a device message enters the durable queue, whether it can be delivered at all
 * (finding 1 of the security review): a device is acknowledged only for what will be published. A
 * message that cannot be is refused for good with a code the transport maps to a CoAP 4.xx, counted
 * by code, and logged at most once per device and code per minute.
 *
 * <p>The check encodes the message once with its route's encoder; the publisher encodes it again
 * when it publishes (the queue keeps the device's message, not the encoding, so that a route change
 * applies to what is queued).
 */
final class Admission {
    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
    /** Room a queue record needs besides the payload (ids, security summary), generously. */
    private static final int RECORD_OVERHEAD = 1024;

    private final String name;
    private final CloudSettings s;
    private final Map<Refusal, LongAdder> rejected = new EnumMap<>(Refusal.class);
    private final OncePer logged = OncePer.minute();
    private final LongAdder encoderErrors = new LongAdder();

    Admission(String name, CloudSettings s) {
        this.name = name;
        this.s = s;
        for (Refusal r : Refusal.values()) {
            if (r != Refusal.UNAVAILABLE) {
                rejected.put(r, new LongAdder());
            }
        }
    }

    /**
     * @param m a message offered by a transport
     * @return the final refusal, or empty if the message can be delivered
     */
    Optional<Acceptance> check(DeviceMessage m) {
        String resourceProblem = ResourceNames.problem(m.resource());
        if (resourceProblem != null) {
            return reject(m, Refusal.INVALID_RESOURCE, resourceProblem);
        }
        Optional<Routes.Route> route = s.routes().match(m.resource());
        if (route.isEmpty()) {
            return reject(m, Refusal.NO_ROUTE, "no route for resource '" + m.resource() + "'");
        }
        Routes.Route r = route.get();
        if (!r.takes(m.contentFormat())) {
            return reject(m, Refusal.UNSUPPORTED_FORMAT, "Content-Format " + m.contentFormat()
                    + " is not one the '" + r.encoder().id() + "' route takes");
        }
        long limit = Math.min(s.limits().publishMaxBytes(), s.queueOptions().maxRecordBytes() - RECORD_OVERHEAD);
        if (m.payloadLength() > limit && r.encoder().id().equals("raw")) {
            // no need to encode to know
            return tooLarge(m, m.payloadLength(), limit);
        }
        byte[] encoded;
        try {
            encoded = r.encoder().encode(m, s.gatewayId());
        } catch (PayloadException e) {
            return reject(m, Refusal.BAD_PAYLOAD, e.reason() + " (as " + r.encoder().id() + ")");
        } catch (RuntimeException e) {
            // an encoder bug this payload sets off: it would fail the same way at publish time
            return reject(m, Refusal.BAD_PAYLOAD, "the " + r.encoder().id() + " encoder failed: " + e);
        } catch (LinkageError | StackOverflowError e) {
            // the gateway's fault, not the message's (e.g. bundles of mismatched versions): the
            // device keeps the message and retries
            encoderErrors.increment();
            if (logged.allow("encoder\u0000" + r.encoder().id())) {
                LOG.error("Cloud connection {}: the {} encoder fails, messages for its routes are refused with "
                        + "a retry (logged once a minute)", name, r.encoder().id(), e);
            }
            return Optional.of(Acceptance.refused("the gateway cannot encode messages as " + r.encoder().id()
                    + " now", s.queueOptions().retryAfterSeconds()));
        }
        if (encoded.length > limit || m.payloadLength() > limit) {
            return tooLarge(m, Math.max(encoded.length, m.payloadLength()), limit);
        }
        return Optional.empty();
    }

    private Optional<Acceptance> tooLarge(DeviceMessage m, long size, long limit) {
        return reject(m, Refusal.TOO_LARGE, size + " bytes once encoded, more than the " + limit
                + " bytes allowed (publish.max.bytes)");
    }

    private Optional<Acceptance> reject(DeviceMessage m, Refusal code, String reason) {
        rejected.get(code).increment();
        String device = Text.printable(m.deviceId(), 200);
        if (logged.allow(code + "\u0000" + m.deviceId())) {
            LOG.warn("Cloud connection {}: message from device '{}' refused ({}): {} (logged once a minute per "
                    + "device and reason)", name, device, code, reason);
        }
        return Optional.of(Acceptance.rejected(code, reason));
    }

    /**
     * @return {@code rejected.<code>} for each refusal code, e.g. {@code rejected.no_route}, and
     *     {@code refused.encoder.errors}: messages refused with a retry because an encoder failed
     */
    Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        rejected.forEach((code, n) -> out.put("rejected." + code.name().toLowerCase(Locale.ROOT), n.sum()));
        out.put("refused.encoder.errors", encoderErrors.sum());
        return out;
    }
}
