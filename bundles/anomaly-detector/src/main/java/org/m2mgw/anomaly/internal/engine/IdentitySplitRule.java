package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code rule.identity-split}: one device identity active from two addresses at once. A device
 * behind a NAT that rebinds moves to a new address once; two holders of the same key (a cloned
 * device, a stolen PSK) take turns and the traffic flips back and forth. Alerts at {@value #FLIPS}
 * moves back to an address used within the last 5 minutes, in 10 minutes.
 */
final class IdentitySplitRule extends Rule {
    static final int FLIPS = 3;

    IdentitySplitRule(EngineSettings settings, AlertRaiser alerts) {
        super(Detector.IDENTITY_SPLIT, settings, alerts);
    }

    void check(DeviceState d, long t, List<Finding> out) {
        int flips = d.flips(t);
        if (flips < FLIPS || coolingDown(d, t)) {
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("observed", (double) flips);
        f.put("baseline", 0.0);
        f.put("threshold", (double) FLIPS);
        f.put("window.seconds", DeviceState.FLIPS_WINDOW_MS / 1000.0);
        f.put("address.changes.total", d.features(t).get("address.changes.total"));
        String reason = String.format(Locale.ROOT, "identity in use from two addresses at once: traffic moved back "
                + "and forth %d times in 10 min between %s and %s (feature address.flips.10m, usual 0, threshold %d)",
                flips, d.ip, Subjects.shorten(d.otherIp), FLIPS);
        raise(out, d, flips / (double) FLIPS, reason, f, t);
    }
}
