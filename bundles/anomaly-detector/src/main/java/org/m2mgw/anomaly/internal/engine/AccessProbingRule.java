package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code rule.access-probing}: a device whose requests are refused for resources it has no business
 * with: unknown resources (4.04), methods a resource does not support (4.05), resources not allowed
 * to it (4.03). A device's firmware asks for what it was built to ask for; a device that explores,
 * or a stolen key in other hands, asks for other things, often at the device's usual rate, below
 * every rate rule. Alerts at {@value #DISTINCT} different refused resources, or {@value #REPEATED}
 * refusals, within 10 minutes.
 */
final class AccessProbingRule extends Rule {
    static final int DISTINCT = 3;
    static final int REPEATED = 10;

    AccessProbingRule(EngineSettings settings, AlertRaiser alerts) {
        super(Detector.ACCESS_PROBING, settings, alerts);
    }

    void check(DeviceState d, long t, List<Finding> out) {
        int distinct = d.refusedResources(t);
        int count = d.refusedRequests(t);
        if (distinct < DISTINCT && count < REPEATED || coolingDown(d, t)) {
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("observed", (double) (distinct >= DISTINCT ? distinct : count));
        f.put("baseline", 0.0);
        f.put("threshold", (double) (distinct >= DISTINCT ? DISTINCT : REPEATED));
        f.put("window.seconds", 600.0);
        f.put("refused.resources.10m", (double) distinct);
        f.put("refused.requests.10m", (double) count);
        f.put("requests.baseline.per.minute", d.baselinePerMinute());
        String reason = String.format(Locale.ROOT, "%d request(s) refused for %d different resource(s) in 10 min "
                + "(unknown resource, method or not allowed; feature refused.%s.10m, usual 0, threshold %d)",
                count, distinct, distinct >= DISTINCT ? "resources" : "requests",
                distinct >= DISTINCT ? DISTINCT : REPEATED);
        raise(out, d, Math.max(distinct / (double) DISTINCT, count / (double) REPEATED), reason, f, t);
    }
}
