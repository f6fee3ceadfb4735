package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code rule.slow-failures}: records that fail their MAC, replays and malformed input on one
 * device's session, a few at a time but steadily: too slow for {@code rule.replay-storm}'s minute,
 * but an honest session has none. Alerts when about the last half hour holds {@value #THRESHOLD}.
 */
final class SlowFailuresRule extends Rule {
    static final double THRESHOLD = 8;

    SlowFailuresRule(EngineSettings settings, AlertRaiser alerts) {
        super(Detector.SLOW_FAILURES, settings, alerts);
    }

    void check(DeviceState d, long t, List<Finding> out) {
        double n = d.slowFailures(t);
        if (n < THRESHOLD || coolingDown(d, t)) {
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("observed", n);
        f.put("baseline", 0.0);
        f.put("threshold", THRESHOLD);
        f.put("window.seconds", DeviceState.SLOW_FAILURES_TAU_MS / 1000.0);
        Map<String, Double> all = d.features(t);
        f.put("mac.failures.total", all.get("mac.failures.total"));
        f.put("replays.total", all.get("replays.total"));
        f.put("malformed.total", all.get("malformed.total"));
        String reason = String.format(Locale.ROOT, "%.1f forged, replayed or malformed records on the device's "
                + "session in about 30 min (feature security.failures.30m, usual 0, threshold %.0f)", n, THRESHOLD);
        raise(out, d, n / THRESHOLD, reason, f, t);
    }
}
