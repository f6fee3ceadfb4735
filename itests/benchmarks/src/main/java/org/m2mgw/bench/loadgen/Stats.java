package org.m2mgw.bench.loadgen;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/** Counters and latency samples of one measured phase; thread-safe. */
public final class Stats {
    private long[] latenciesNanos = new long[1 << 16];
    private int count;
    final LongAdder ok = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder coapRetransmissions = new LongAdder();
    final LongAdder dtlsRetransmissions = new LongAdder();
    final LongAdder handshakes = new LongAdder();
    /** When the last answer of a successful request arrived, and the longest time without one. */
    private long lastAnswer = System.nanoTime();
    private long maxGapNanos;

    synchronized void latency(long nanos) {
        long now = System.nanoTime();
        maxGapNanos = Math.max(maxGapNanos, now - lastAnswer);
        lastAnswer = now;
        if (count == latenciesNanos.length) {
            latenciesNanos = Arrays.copyOf(latenciesNanos, count * 2);
        }
        latenciesNanos[count++] = nanos;
    }

    /**
     * Counts one request's outcome.
     *
     * @param error why it failed (the future's exception or the request's error), null if it was answered
     * @param success whether the answer was a success (2.xx)
     */
    void count(Throwable error, boolean success, long latencyNanos, boolean handshake) {
        if (error != null) {
            errors.increment();
            if ("timeout".equals(error.getMessage())) {
                timeouts.increment();
            }
        } else if (success) {
            ok.increment();
            latency(latencyNanos);
            if (handshake) {
                handshakes.increment();
            }
        } else {
            refused.increment();
        }
    }

    /** @return the result over {@code seconds} of measurement */
    public synchronized Result result(String name, double seconds) {
        long[] sorted = Arrays.copyOf(latenciesNanos, count);
        Arrays.sort(sorted);
        return new Result(name, ok.sum(), seconds, ok.sum() / seconds,
                percentileMs(sorted, 0.50), percentileMs(sorted, 0.99), percentileMs(sorted, 0.999),
                errors.sum(), timeouts.sum(), refused.sum(), coapRetransmissions.sum(), dtlsRetransmissions.sum(),
                handshakes.sum(), sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6,
                maxGapNanos / 1e6);
    }

    private static double percentileMs(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /**
     * What one phase measured. Latencies in milliseconds; refused = 4.xx/5.xx answers; maxMs is
     * the longest a successful request waited for its answer, maxGapMs the longest time in which
     * no successful request got its answer (from the start of the measurement).
     */
    public record Result(String name, long ok, double seconds, double perSecond, double p50Ms, double p99Ms,
            double p999Ms, long errors, long timeouts, long refused, long coapRetransmissions,
            long dtlsRetransmissions, long handshakes, double maxMs, double maxGapMs) {

        public String line() {
            return String.format("%-28s %10.0f/s  ok=%d  p50=%.2f ms  p99=%.2f ms  p99.9=%.2f ms  errors=%d "
                    + "(timeouts=%d, refused=%d)  retransmissions coap=%d dtls=%d", name, perSecond, ok, p50Ms,
                    p99Ms, p999Ms, errors, timeouts, refused, coapRetransmissions, dtlsRetransmissions);
        }
    }
}
