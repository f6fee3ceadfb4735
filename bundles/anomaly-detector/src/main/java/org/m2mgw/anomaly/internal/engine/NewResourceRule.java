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
    /** A resource new to several devices within this long is a fleet change (a firmware rollout). */
    static final long ROLLOUT_WINDOW_MS = 24 * 3_600_000L;
    private static final int MAX_TRACKED = 256;

    /** When did a resource first become new to some device, and to how many since; guarded by itself. */
    private final Map<String, long[]> newTo = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > MAX_TRACKED;
        }
    };
    private final AggregateState gateway;

    NewResourceRule(EngineSettings settings, AlertRaiser alerts, AggregateState gateway) {
        super(Detector.NEW_RESOURCE, settings, alerts);
        this.gateway = gateway;
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
        int devices = rollout(resource, t);
        if (devices >= 2) {
            // the second device to start using it within a day: a fleet change, told once for the gateway
            if (devices == 2) {
                Map<String, Double> g = new LinkedHashMap<>();
                g.put("observed", 2.0);
                g.put("window.seconds", ROLLOUT_WINDOW_MS / 1000.0);
                synchronized (gateway) {
                    raise(out, gateway, 1.0, String.format(Locale.ROOT, "resource '%s' became new to a second device "
                            + "(%s) within a day: a firmware rollout? Devices that start using it in the next 24 h are "
                            + "not reported one by one", Subjects.shorten(resource), d.id), g, t);
                }
            }
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

    /** @return to how many devices the resource became new within the rollout window, this one included */
    private int rollout(String resource, long t) {
        synchronized (newTo) {
            long[] seen = newTo.get(resource);
            if (seen == null || t - seen[0] >= ROLLOUT_WINDOW_MS) {
                seen = new long[] {t, 0};
                newTo.put(resource, seen);
            }
            seen[1]++;
            return (int) Math.min(Integer.MAX_VALUE, seen[1]);
        }
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
