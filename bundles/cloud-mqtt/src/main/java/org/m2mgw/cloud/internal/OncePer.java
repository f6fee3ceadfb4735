package org.m2mgw.cloud.internal;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Says whether something is worth logging: yes the first time for a key, then no until the period
 * has passed. Holds at most {@code maxKeys} keys, so a flood of distinct keys (devices) cannot grow
 * it without bound; past that, keys whose period is over are forgotten, and if none is, new keys
 * are not logged (they are still counted by the caller).
 */
final class OncePer {
    private final long periodNanos;
    private final int maxKeys;
    private final LongSupplier nanoClock;
    private final Map<String, Long> last = new HashMap<>();

    OncePer(long periodNanos, int maxKeys, LongSupplier nanoClock) {
        this.periodNanos = periodNanos;
        this.maxKeys = maxKeys;
        this.nanoClock = nanoClock;
    }

    /** Once a minute per key, up to 10,000 keys, on {@link System#nanoTime()}. */
    static OncePer minute() {
        return new OncePer(60_000_000_000L, 10_000, System::nanoTime);
    }

    /** @return whether to log now for {@code key} */
    synchronized boolean allow(String key) {
        long now = nanoClock.getAsLong();
        Long before = last.get(key);
        if (before != null && now - before < periodNanos) {
            return false;
        }
        if (before == null && last.size() >= maxKeys) {
            for (Iterator<Long> i = last.values().iterator(); i.hasNext();) {
                if (now - i.next() >= periodNanos) {
                    i.remove();
                }
            }
            if (last.size() >= maxKeys) {
                return false;
            }
        }
        last.put(key, now);
        return true;
    }
}
