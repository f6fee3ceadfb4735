package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A warmed-up device using a resource it never used before, when {@code rule.new.resource.enabled}.
 * It also teaches the device its resources, whether enabled or not.
 */
final class NewResourceRule extends Rule {

    NewResourceRule(EngineSettings settings, AlertRaiser alerts) {
        super(Detector.NEW_RESOURCE, settings, alerts);
    }

    /**
     * Learns an accepted request's resource and checks it.
     *
     * @param resource the resource, {@code null} when the request named none
     * @param bytes its payload size, not negative
     */
    void check(DeviceState d, String resource, long bytes, long t, List<Finding> out) {
        if (resource == null || !d.learnResource(resource) || !d.warmedUp(settings, t)
                || !settings.newResourceEnabled() || coolingDown(d, t)) {
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("resources.seen", (double) d.resourceCount());
        f.put("age.seconds", (t - d.firstSeen) / 1000.0);
        f.put("payload.size", (double) bytes);
        raise(out, d, 1.0,
                String.format(Locale.ROOT, "device %s used resource '%s' for the first time, after %s of history with %d other resource%s",
                        d.id, Subjects.shorten(resource), age(t - d.firstSeen), d.resourceCount() - 1,
                        d.resourceCount() == 2 ? "" : "s"),
                f, t);
    }

    private static String age(long millis) {
        long s = millis / 1000;
        if (s < 3600) {
            return (s / 60) + " min";
        }
        if (s < 2 * 86_400) {
            return String.format(Locale.ROOT, "%.1f h", s / 3600.0);
        }
        return (s / 86_400) + " days";
    }
}
