package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code rule.session-churn}: a device making and ending sessions (full handshakes, resumptions,
 * closed sessions) much more often than it usually does, though below the absolute per-minute limit
 * of {@code rule.handshake-flood}: sessions torn down on the path, a device stuck in a reconnect
 * loop, or a second holder of its key. Judged over about 10 minutes against the device's own usual
 * count, learned over about six hours; a sleepy device that resumes at every wake has a high usual
 * count and is judged by it.
 */
final class SessionChurnRule extends Rule {
    static final double FACTOR = 4;
    static final double MIN_CHURN = 8;
    static final long MIN_LEARNED_MINUTES = 60;

    SessionChurnRule(EngineSettings settings, AlertRaiser alerts) {
        super(Detector.SESSION_CHURN, settings, alerts);
    }

    /** @return the churn that alerts: {@value #FACTOR} times the usual plus 2, and at least {@value #MIN_CHURN} */
    static double threshold(DeviceState d) {
        return Math.max(MIN_CHURN, FACTOR * d.churnBaseline + 2);
    }

    /** @return churn above which a minute does not teach the baseline */
    static double suspicious(DeviceState d) {
        return Math.max(MIN_CHURN / 2, 2 * d.churnBaseline + 2);
    }

    void check(DeviceState d, long t, List<Finding> out) {
        double c = d.churn(t);
        double threshold = threshold(d);
        if (c < threshold || d.churnMinutes < MIN_LEARNED_MINUTES || !d.warmedUp(settings, t) || coolingDown(d, t)) {
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("observed", c);
        f.put("baseline", d.churnBaseline);
        f.put("threshold", threshold);
        f.put("window.seconds", DeviceState.CHURN_TAU_MS / 1000);
        f.put("handshakes.total", d.features(t).get("handshakes.total"));
        String reason = String.format(Locale.ROOT, "%.1f handshakes and closed sessions in about 10 min, usually %.1f "
                + "(learned over %.1f h; feature session.churn.10m, threshold %.1f)", c, d.churnBaseline,
                d.churnMinutes / 60.0, threshold);
        raise(out, d, c / threshold, reason, f, t);
    }
}
