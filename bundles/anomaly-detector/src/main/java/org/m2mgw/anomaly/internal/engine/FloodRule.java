package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A device sending more requests (accepted or refused) in the last minute than
 * {@code rule.flood.requests.per.minute}, or, once warmed up, {@code rule.flood.baseline.factor}
 * times its own baseline and at least {@code rule.flood.min.requests.per.minute}.
 */
final class FloodRule extends Rule {

    FloodRule(EngineSettings settings, AlertRaiser alerts) {
        super(Detector.FLOOD, settings, alerts);
    }

    /**
     * @return requests per minute above which a minute teaches the device's baseline only slowly: half
     *     what would flood it, so that a flood does not become its usual
     */
    double suspiciousPerMinute(DeviceState d) {
        double base = Math.max(d.baselinePerMinute(),
                settings.floodMinRequestsPerMinute() / settings.floodBaselineFactor());
        return base * settings.floodBaselineFactor() / 2;
    }

    /** Checks a device after a request of it, accepted or refused, was counted. */
    void check(DeviceState d, long t, List<Finding> out) {
        double n = d.requestsLastMinute(t);
        if (n < settings.floodMinRequestsPerMinute() && n < settings.floodRequestsPerMinute() || coolingDown(d, t)) {
            return;
        }
        boolean warm = d.warmedUp(settings, t);
        double base = d.baselinePerMinute();
        double relative = settings.floodBaselineFactor() * base;
        boolean overLimit = n >= settings.floodRequestsPerMinute();
        boolean overBaseline = warm && n >= settings.floodMinRequestsPerMinute() && n >= relative;
        if (!overLimit && !overBaseline) {
            return;
        }
        String reason = String.format(Locale.ROOT, "device %s sent %.0f requests in the last minute", d.id, n);
        if (warm) {
            reason += String.format(Locale.ROOT, ", %.0fx its baseline of %s", n / Math.max(base, 0.01),
                    perMinute(base));
        }
        if (overLimit) {
            reason += ", above the limit of " + settings.floodRequestsPerMinute();
        }
        double score = Math.max(n / settings.floodRequestsPerMinute(), overBaseline ? n / relative : 0);
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("requests.last.minute", n);
        f.put("requests.baseline.per.minute", base);
        f.put("rejections.last.minute", d.lastMinute(DeviceState.REJECTED, t));
        // A throttle keeps twice what the device usually sends, so that its normal data still flows.
        double rate = Math.max(settings.throttleRatePerSecond(), 2 * base / 60);
        raise(out, d, score, reason, f, t, rate);
    }
}
