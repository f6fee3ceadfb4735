package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code rule.spread}: failures that no single address or device shows, but the whole gateway or a
 * network prefix does: identity guessing or key probing from many addresses, each trying once;
 * forged records sprayed over many sessions; resource probing spread over devices; or any of these
 * slow enough to stay under the per-minute rules. Each kind is judged over the last 10 and the last
 * 60 minutes against a floor and against its baseline (learned over about a day and frozen while the
 * kind is elevated, so that a slow attack does not teach itself as normal).
 */
final class SpreadRule extends Rule {
    /** Per kind: the least count over 10 minutes that alerts. */
    static final int[] FLOOR_10M = {15, 6, 20, 15, 10};
    /** Per kind: the least count over 60 minutes that alerts. */
    static final int[] FLOOR_60M = {20, 10, 30, 25, 20};
    /** The count must also be this many times the baseline's (plus one) over the same span. */
    static final double BASELINE_FACTOR = 4;

    SpreadRule(EngineSettings settings, AlertRaiser alerts) {
        super(Detector.SPREAD, settings, alerts);
    }

    void check(AggregateState a, int kind, long t, List<Finding> out) {
        int n10 = kind == AggregateState.UNKNOWN_IDENTITIES ? a.identities10.size(t) : a.sum(kind, 10);
        int n60 = kind == AggregateState.UNKNOWN_IDENTITIES ? a.identities60.size(t) : a.sum(kind, 60);
        double base = a.baselinePerMinute(kind);
        a.elevated(kind, n60 >= FLOOR_60M[kind] / 2.0);
        if (coolingDown(a, t)) {
            return;
        }
        boolean fast = n10 >= FLOOR_10M[kind] && n10 >= BASELINE_FACTOR * (base * 10 + 1);
        boolean slow = !fast && n60 >= FLOOR_60M[kind] && n60 >= BASELINE_FACTOR * (base * 60 + 1);
        if (!fast && !slow) {
            return;
        }
        int minutes = fast ? 10 : 60;
        int observed = fast ? n10 : n60;
        double expected = base * minutes;
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("observed", (double) observed);
        f.put("baseline", expected);
        f.put("threshold", Math.max(fast ? FLOOR_10M[kind] : FLOOR_60M[kind], BASELINE_FACTOR * (expected + 1)));
        f.put("window.seconds", minutes * 60.0);
        f.put("addresses.distinct.60m", (double) a.addresses60.size(t));
        f.putAll(a.features(t));
        String what = switch (kind) {
            case AggregateState.AUTH_FAILURES -> "failed handshakes without a registered device";
            case AggregateState.UNKNOWN_IDENTITIES -> "different unknown identities tried";
            case AggregateState.SECURITY -> "forged, replayed or malformed records without a device";
            case AggregateState.DEVICE_SECURITY -> "forged, replayed or malformed records on devices' sessions";
            default -> "refused requests (unknown resources, methods, resources not allowed)";
        };
        String where = a.kind == org.m2mgw.api.alert.Alert.SubjectKind.GATEWAY ? "over the whole gateway"
                : "from prefix " + a.subject;
        String reason = String.format(Locale.ROOT, "%d %s %s in %d min, from %d address(es); usual %.1f in %d min "
                + "(feature %s, baseline learned over %d min)", observed, what, where, minutes,
                a.addresses60.size(t), expected, minutes, AggregateState.KIND_NAMES[kind] + "." + minutes + "m",
                a.learnedMinutes());
        raise(out, a, observed / Math.max(1.0, f.get("threshold")), reason, f, t);
    }
}
