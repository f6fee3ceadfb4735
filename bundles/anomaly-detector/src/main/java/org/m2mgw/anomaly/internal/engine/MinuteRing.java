package org.m2mgw.anomaly.internal.engine;

/**
 * Counts of several kinds of events per minute over the last hour: sums over the last 10 and 60
 * minutes for rules that look at slow attacks. An int per kind and minute, so it is kept only for
 * the few aggregate subjects (the gateway, network prefixes), not for every device. Not
 * thread-safe: its owner locks.
 */
final class MinuteRing {
    static final int MINUTES = 60;

    private final int[][] counts;
    /** The current minute, as minutes since the epoch; {@code Long.MIN_VALUE} before the first event. */
    private long minute = Long.MIN_VALUE;

    MinuteRing(int kinds) {
        counts = new int[kinds][MINUTES];
    }

    /**
     * Moves to the minute of {@code t}, clearing the minutes that passed; an earlier {@code t} stays in
     * the current minute.
     *
     * @param closed receives, per kind, the count of the minute that just ended; untouched when none did
     * @return how many minutes ended (0 when {@code t} is in the current one)
     */
    long roll(long t, int[] closed) {
        long m = Math.floorDiv(t, MinuteCounts.MINUTE_MS);
        if (minute == Long.MIN_VALUE) {
            minute = m;
            return 0;
        }
        if (m <= minute) {
            return 0;
        }
        long ended = m - minute;
        if (closed != null) {
            for (int k = 0; k < counts.length; k++) {
                closed[k] = counts[k][slot(minute)];
            }
        }
        long clear = Math.min(ended, MINUTES);
        for (long i = 1; i <= clear; i++) {
            int s = slot(minute + i);
            for (int[] c : counts) {
                c[s] = 0;
            }
        }
        minute = m;
        return ended;
    }

    void add(int kind) {
        int s = slot(minute);
        if (counts[kind][s] != Integer.MAX_VALUE) {
            counts[kind][s]++;
        }
    }

    /** @return the count of {@code kind} in the current minute and the {@code minutes - 1} before it */
    int sum(int kind, int minutes) {
        if (minute == Long.MIN_VALUE) {
            return 0;
        }
        long total = 0;
        for (int i = 0; i < Math.min(minutes, MINUTES); i++) {
            total += counts[kind][slot(minute - i)];
        }
        return (int) Math.min(Integer.MAX_VALUE, total);
    }

    private static int slot(long minute) {
        return (int) Math.floorMod(minute, (long) MINUTES);
    }
}
