package org.m2mgw.anomaly.internal.engine;

import java.util.Arrays;

/**
 * The distinct values (by hash) seen in a tumbling window, up to a cap: how many different
 * identities, addresses or resources a subject used lately. Not thread-safe: its owner locks.
 */
final class DistinctWindow {
    private final long windowMs;
    private final int cap;
    private int[] hashes;
    private int size;
    private int events;
    private long since = Long.MIN_VALUE;

    DistinctWindow(long windowMs, int cap) {
        this.windowMs = windowMs;
        this.cap = cap;
    }

    /** @return whether the value was new in the current window */
    boolean add(int hash, long t) {
        expire(t);
        if (events != Integer.MAX_VALUE) {
            events++;
        }
        for (int i = 0; i < size; i++) {
            if (hashes[i] == hash) {
                return false;
            }
        }
        if (size == cap) {
            return false;
        }
        if (hashes == null) {
            hashes = new int[Math.min(8, cap)];
        } else if (hashes.length == size) {
            hashes = Arrays.copyOf(hashes, Math.min(cap, size * 2));
        }
        hashes[size++] = hash;
        return true;
    }

    /** @return distinct values in the window that is current at {@code t}, at most the cap */
    int size(long t) {
        expire(t);
        return size;
    }

    /** @return values added in the window that is current at {@code t}, repeats included */
    int events(long t) {
        expire(t);
        return events;
    }

    private void expire(long t) {
        if (since == Long.MIN_VALUE || t - since >= windowMs) {
            size = 0;
            events = 0;
            since = t;
        }
    }
}
