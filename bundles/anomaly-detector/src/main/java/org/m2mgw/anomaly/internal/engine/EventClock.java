package org.m2mgw.anomaly.internal.engine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's time, which is the latest event time (or tick) it was given, never the wall clock;
 * and the count and rate of events in that time. Thread-safe.
 */
final class EventClock {
    private final LongAdder events = new LongAdder();
    private final AtomicLong latest = new AtomicLong(Long.MIN_VALUE);
    private final long[] rateSeconds = new long[16];
    private final long[] rateEvents = new long[16];

    EventClock() {
        java.util.Arrays.fill(rateSeconds, Long.MIN_VALUE);
    }

    /** Counts an event and moves the time forward to {@code t} if it is later. */
    void event(long t) {
        events.increment();
        advance(t);
    }

    /** Moves the time forward to {@code t} if it is later. */
    void advance(long t) {
        long prev = latest.get();
        while (t > prev) {
            if (latest.compareAndSet(prev, t)) {
                if (prev == Long.MIN_VALUE || t / 1000 != prev / 1000) {
                    sampleRate(t / 1000);
                }
                return;
            }
            prev = latest.get();
        }
    }

    /** @return the latest time, in epoch milliseconds; {@link Long#MIN_VALUE} before the first */
    long latest() {
        return latest.get();
    }

    /** @return events counted */
    long events() {
        return events.sum();
    }

    private void sampleRate(long second) {
        long n = events.sum();
        synchronized (rateSeconds) {
            int i = (int) Math.floorMod(second, (long) rateSeconds.length);
            rateSeconds[i] = second;
            rateEvents[i] = n;
        }
    }

    /** @return events per second of event time over about the last 10 s */
    double eventsPerSecond() {
        long now = latest.get();
        if (now == Long.MIN_VALUE) {
            return 0;
        }
        long second = now / 1000;
        synchronized (rateSeconds) {
            int newest = -1;
            int oldest = -1;
            for (int i = 0; i < rateSeconds.length; i++) {
                long s = rateSeconds[i];
                if (s == Long.MIN_VALUE || s > second || second - s > 10) {
                    continue;
                }
                if (newest < 0 || s > rateSeconds[newest]) {
                    newest = i;
                }
                if (oldest < 0 || s < rateSeconds[oldest]) {
                    oldest = i;
                }
            }
            if (newest < 0 || newest == oldest) {
                return 0;
            }
            return (double) (rateEvents[newest] - rateEvents[oldest]) / (rateSeconds[newest] - rateSeconds[oldest]);
        }
    }
}
