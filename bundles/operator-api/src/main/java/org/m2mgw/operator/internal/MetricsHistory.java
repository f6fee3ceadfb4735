package org.m2mgw.operator.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's history: a fixed set of series, each a ring of (time, value) points, one point
 * per sample (every {@value #INTERVAL_SECONDS} s). Its size depends on the series set and the
 * number of points only, never on the number of devices: {@code SERIES.size() * points} points.
 *
 * <p>Rates are computed from the difference of two samples of the totals; a total that went down
 * (its bundle restarted) counts from zero. The age of the oldest queued message is an upper bound:
 * the time since the queue was last seen empty, because the queue does not report its oldest
 * entry's time (NaN, shown as null, until the queue has been seen empty once).
 */
final class MetricsHistory {
    static final int INTERVAL_SECONDS = 10;
    static final List<String> SERIES = List.of("messagesIn", "messagesOut", "handshakes", "handshakeFailures",
            "queueDepth", "queueOldestAgeSeconds", "cloudConnected", "alerts");

    /**
     * Totals since start, summed over the status providers, at one instant.
     *
     * @param cloudConnected 1 if every cloud connection is connected, 0 if one is not, NaN if there is none
     */
    record Totals(long messagesIn, long messagesOut, long handshakes, long handshakeFailures, long queueDepth,
            double cloudConnected, long alerts) {
    }

    /** The rates of the last interval. */
    record Rates(long timeMs, double messagesIn, double messagesOut, double handshakes, double handshakeFailures) {
    }

    /** One fixed-size ring of points. */
    static final class Ring {
        private long[] times;
        private double[] values;
        private int next;
        private int count;

        Ring(int capacity) {
            times = new long[capacity];
            values = new double[capacity];
        }

        void add(long t, double v) {
            times[next] = t;
            values[next] = v;
            next = (next + 1) % times.length;
            count = Math.min(count + 1, times.length);
        }

        int size() {
            return count;
        }

        int capacity() {
            return times.length;
        }

        /** @return the points not older than {@code fromMs}, oldest first, as [time, value] */
        List<double[]> since(long fromMs) {
            List<double[]> out = new ArrayList<>();
            for (int i = count - 1; i >= 0; i--) {
                int at = Math.floorMod(next - 1 - i, times.length);
                if (times[at] >= fromMs) {
                    out.add(new double[] {times[at], values[at]});
                }
            }
            return out;
        }

        Ring resized(int capacity) {
            Ring r = new Ring(capacity);
            for (double[] p : since(Long.MIN_VALUE)) {
                r.add((long) p[0], p[1]);
            }
            return r;
        }
    }

    private final Map<String, Ring> series = new LinkedHashMap<>();
    private Totals previous;
    private long previousMs;
    private long lastEmptyMs = -1;
    private Rates rates;

    MetricsHistory(int points) {
        for (String s : SERIES) {
            series.put(s, new Ring(points));
        }
    }

    synchronized void resize(int points) {
        series.replaceAll((k, r) -> r.capacity() == points ? r : r.resized(points));
    }

    /** Adds one sample taken at {@code nowMs}. */
    synchronized void sample(long nowMs, Totals t) {
        if (t.queueDepth() == 0) {
            lastEmptyMs = nowMs;
        }
        double oldestAge = t.queueDepth() == 0 ? 0 : lastEmptyMs < 0 ? Double.NaN : (nowMs - lastEmptyMs) / 1000.0;
        if (previous != null && nowMs > previousMs) {
            double secs = (nowMs - previousMs) / 1000.0;
            double in = delta(previous.messagesIn(), t.messagesIn()) / secs;
            double out = delta(previous.messagesOut(), t.messagesOut()) / secs;
            double hs = delta(previous.handshakes(), t.handshakes()) / secs;
            double hf = delta(previous.handshakeFailures(), t.handshakeFailures()) / secs;
            rates = new Rates(nowMs, in, out, hs, hf);
            series.get("messagesIn").add(nowMs, in);
            series.get("messagesOut").add(nowMs, out);
            series.get("handshakes").add(nowMs, hs);
            series.get("handshakeFailures").add(nowMs, hf);
            series.get("alerts").add(nowMs, delta(previous.alerts(), t.alerts()));
        }
        series.get("queueDepth").add(nowMs, t.queueDepth());
        series.get("queueOldestAgeSeconds").add(nowMs, oldestAge);
        series.get("cloudConnected").add(nowMs, t.cloudConnected());
        previous = t;
        previousMs = nowMs;
    }

    private static long delta(long before, long now) {
        return now >= before ? now - before : now;
    }

    /** @return the rates over the last interval, or null before the second sample */
    synchronized Rates rates() {
        return rates;
    }

    /** @return every series' points not older than {@code fromMs} */
    synchronized Map<String, List<double[]>> since(long fromMs) {
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        series.forEach((k, r) -> out.put(k, r.since(fromMs)));
        return out;
    }

    /** @return the points held over all series (for the bound checks) */
    synchronized long pointsHeld() {
        long n = 0;
        for (Ring r : series.values()) {
            n += r.size();
        }
        return n;
    }

    /** @return the points the rings can hold over all series */
    synchronized long capacity() {
        long n = 0;
        for (Ring r : series.values()) {
            n += r.capacity();
        }
        return n;
    }
}
