package org.m2mgw.anomaly.internal.engine;

/**
 * Counts of several kinds of events over the last minute, in O(1) time and a few ints each: the
 * current minute plus the previous one, weighted by how much of it still lies in the last 60 s (the
 * usual sliding-window approximation). Not thread-safe: its owner locks.
 */
final class MinuteCounts {
    static final long MINUTE_MS = 60_000;

    private final int[] current;
    private final int[] previous;
    private long start = Long.MIN_VALUE;

    MinuteCounts(int kinds) {
        current = new int[kinds];
        previous = new int[kinds];
    }

    /** @return whole minutes that ended between the current minute's start and {@code t} */
    long minutesEnded(long t) {
        return start == Long.MIN_VALUE || t < start ? 0 : (t - start) / MINUTE_MS;
    }

    /** @return the count of the current (not yet ended) minute */
    int currentCount(int kind) {
        return current[kind];
    }

    /** Moves the minutes forward to {@code t}; an earlier {@code t} (events out of order) stays in the current one. */
    void advance(long t) {
        if (start == Long.MIN_VALUE) {
            start = t;
            return;
        }
        long ended = minutesEnded(t);
        if (ended == 0) {
            return;
        }
        if (ended == 1) {
            System.arraycopy(current, 0, previous, 0, current.length);
        } else {
            java.util.Arrays.fill(previous, 0);
        }
        java.util.Arrays.fill(current, 0);
        start += ended * MINUTE_MS;
    }

    void add(int kind) {
        if (current[kind] != Integer.MAX_VALUE) {
            current[kind]++;
        }
    }

    /** @return the estimated count of {@code kind} in the 60 s before {@code t} */
    double lastMinute(int kind, long t) {
        if (start == Long.MIN_VALUE) {
            return 0;
        }
        long ended = minutesEnded(t);
        if (ended >= 2) {
            return 0;
        }
        if (ended == 1) {
            double f = Math.min(1, (double) (t - start - MINUTE_MS) / MINUTE_MS);
            return current[kind] * (1 - f);
        }
        double f = Math.max(0, (double) (t - start) / MINUTE_MS);
        return previous[kind] * (1 - f) + current[kind];
    }
}
