package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Too many handshakes in the last minute: from a source address, {@code rule.handshake.flood.per.minute}
 * attempts or {@code rule.handshake.failures.per.minute} failures, not counting unknown identities
 * (the {@link IdentityGuessingRule}'s); for a device, {@code rule.device.handshakes.per.minute}
 * handshakes and failures together.
 */
final class HandshakeFloodRule extends Rule {

    HandshakeFloodRule(EngineSettings settings, AlertRaiser alerts) {
        super(Detector.HANDSHAKE_FLOOD, settings, alerts);
    }

    /** Checks a device after one of its handshakes, succeeded, resumed or failed, was counted. */
    void checkDevice(DeviceState d, long t, List<Finding> out) {
        double n = d.lastMinute(DeviceState.HANDSHAKES, t) + d.lastMinute(DeviceState.HANDSHAKE_FAILURES, t);
        if (n < settings.deviceHandshakesPerMinute() || coolingDown(d, t)) {
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("handshakes.last.minute", d.lastMinute(DeviceState.HANDSHAKES, t));
        f.put("handshake.failures.last.minute", d.lastMinute(DeviceState.HANDSHAKE_FAILURES, t));
        raise(out, d, n / settings.deviceHandshakesPerMinute(),
                String.format(Locale.ROOT, "device %s made %.0f handshakes in the last minute, above the limit of %d",
                        d.id, n, settings.deviceHandshakesPerMinute()),
                f, t);
    }

    /**
     * Checks an address after a handshake from it was counted.
     *
     * @param failure the failed handshake's reason, {@code null} when it succeeded or was resumed
     */
    void checkAddress(AddressState a, String failure, long t, List<Finding> out) {
        // unknown identities have their own rule; counting them here too would alert twice
        double unknown = a.lastMinute(AddressState.UNKNOWN_IDENTITIES, t);
        double attempts = a.lastMinute(AddressState.HANDSHAKES, t) - unknown;
        double failures = a.lastMinute(AddressState.FAILURES, t) - unknown;
        boolean flood = attempts >= settings.handshakeFloodPerMinute();
        boolean failing = failures >= settings.handshakeFailuresPerMinute();
        if (!flood && !failing || coolingDown(a, t)) {
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("handshakes.last.minute", attempts);
        f.put("handshake.failures.last.minute", a.lastMinute(AddressState.FAILURES, t));
        f.put("unknown.identities.last.minute", a.lastMinute(AddressState.UNKNOWN_IDENTITIES, t));
        String reason;
        double score;
        if (flood) {
            reason = String.format(Locale.ROOT, "%s made %.0f handshake attempts in the last minute, above the limit of %d",
                    a.ip, attempts, settings.handshakeFloodPerMinute());
            score = attempts / settings.handshakeFloodPerMinute();
        } else {
            reason = String.format(Locale.ROOT, "%s failed %.0f handshakes in the last minute, above the limit of %d%s",
                    a.ip, failures, settings.handshakeFailuresPerMinute(),
                    failure == null ? "" : "; latest: " + Subjects.shorten(failure));
            score = failures / settings.handshakeFailuresPerMinute();
        }
        raise(out, a, score, reason, f, t);
    }
}
