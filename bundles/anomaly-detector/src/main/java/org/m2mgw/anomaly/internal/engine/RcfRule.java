package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A device window that the Random Cut Forest scores at {@code rcf.threshold} or more; the reason
 * names the two features that contributed most. The forest is shared by every device and thread
 * (see {@link RcfScorer}), so a call may report anomalies of other devices than the one it submitted:
 * unlike the other rules, this one takes each such device's monitor itself, and its callers hold none.
 */
final class RcfRule extends Rule {
    private final RcfScorer scorer;
    private final LongSupplier latest;

    /** @param latest the engine's time: the latest event time, in epoch milliseconds */
    RcfRule(EngineSettings settings, AlertRaiser alerts, LongSupplier latest) {
        super(Detector.RCF, settings, alerts);
        this.scorer = new RcfScorer(settings);
        this.latest = latest;
    }

    /** Scores a device's closed window, and whatever else is queued unless another thread is scoring. */
    void submit(DeviceState d, float[] vector, List<Finding> out) {
        report(scorer.submit(d, vector, latest.getAsLong()), out);
    }

    /** Scores what is queued, unless another thread is doing so. */
    void drain(List<Finding> out) {
        report(scorer.drain(latest.getAsLong()), out);
    }

    /** Adds {@code rcf.vectors.learned}, {@code rcf.vectors.scored} and {@code rcf.vectors.skipped}. */
    void putCounters(Map<String, Long> m) {
        m.put("rcf.vectors.learned", scorer.learned());
        m.put("rcf.vectors.scored", scorer.scored());
        m.put("rcf.vectors.skipped", scorer.skipped());
    }

    private void report(List<RcfScorer.Anomaly> anomalies, List<Finding> out) {
        for (RcfScorer.Anomaly a : anomalies) {
            DeviceState d = a.device();
            synchronized (d) {
                long t = Math.max(d.lastSeen, latest.getAsLong());
                if (!coolingDown(d, t)) {
                    alert(d, a, t, out);
                }
            }
        }
    }

    private void alert(DeviceState d, RcfScorer.Anomaly a, long t, List<Finding> out) {
        float[] vector = a.vector();
        double[] attribution = a.attribution();
        Map<String, Double> f = new LinkedHashMap<>();
        for (int i = 0; i < vector.length; i++) {
            f.put(DeviceState.VECTOR_NAMES[i], (double) vector[i]);
        }
        Integer[] order = new Integer[vector.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(attribution[y], attribution[x]));
        StringBuilder why = new StringBuilder();
        for (int k = 0; k < 2; k++) {
            int i = order[k];
            f.put("attribution." + DeviceState.VECTOR_NAMES[i], attribution[i]);
            why.append(k == 0 ? "" : " and ").append(DeviceState.VECTOR_NAMES[i])
                    .append(String.format(Locale.ROOT, " (%.2f)", vector[i]));
        }
        raise(out, d, a.score(),
                String.format(Locale.ROOT,
                        "device %s behaved unlike what the forest learned in its last %d s window (score %.2f, threshold %.2f), mostly in %s",
                        d.id, settings.windowSeconds(), a.score(), settings.rcfThreshold(), why),
                f, t);
    }
}
