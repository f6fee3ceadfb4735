package org.m2mgw.anomaly.internal.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * State per subject, at most {@code capacity} of them: the least recently seen is forgotten first.
 * The table is split into stripes, each an access-ordered {@link LinkedHashMap} under its own lock,
 * so that threads reporting different devices rarely wait for each other; eviction is therefore least
 * recently seen per stripe, which is close to global LRU for well-spread keys. Callers lock the
 * returned state themselves: no stripe lock is held while a state is updated.
 */
final class SubjectTable<S> {

    private final Stripe<S>[] stripes;
    private final int mask;

    @SuppressWarnings({"unchecked", "rawtypes"})
    SubjectTable(int capacity) {
        int count = Integer.highestOneBit(Math.max(1, Math.min(64, capacity / 256)));
        int perStripe = Math.max(1, capacity / count);
        stripes = new Stripe[count];
        for (int i = 0; i < count; i++) {
            stripes[i] = new Stripe<>(perStripe);
        }
        mask = count - 1;
    }

    private Stripe<S> stripe(String key) {
        int h = key.hashCode();
        h ^= (h >>> 16);
        h *= 0x85ebca6b;
        h ^= (h >>> 13);
        return stripes[h & mask];
    }

    /** @return the subject's state, created when new; marks it as seen */
    S getOrCreate(String key, Function<String, S> factory) {
        Stripe<S> s = stripe(key);
        synchronized (s) {
            S v = s.get(key);
            if (v == null) {
                v = factory.apply(key);
                s.put(key, v);
            }
            return v;
        }
    }

    /** @return the subject's state, or {@code null} when it is not tracked */
    S find(String key) {
        Stripe<S> s = stripe(key);
        synchronized (s) {
            return s.getOrDefault(key, null);
        }
    }

    int size() {
        int n = 0;
        for (Stripe<S> s : stripes) {
            synchronized (s) {
                n += s.size();
            }
        }
        return n;
    }

    long evictions() {
        long n = 0;
        for (Stripe<S> s : stripes) {
            synchronized (s) {
                n += s.evicted;
            }
        }
        return n;
    }

    /** @return the states of one stripe, copied under its lock; {@code i} below {@link #stripeCount()} */
    List<S> snapshot(int i) {
        Stripe<S> s = stripes[i];
        synchronized (s) {
            return new ArrayList<>(s.values());
        }
    }

    int stripeCount() {
        return stripes.length;
    }

    private static final class Stripe<S> extends LinkedHashMap<String, S> {
        private static final long serialVersionUID = 1L;
        private final int capacity;
        long evicted;

        Stripe(int capacity) {
            super(16, 0.75f, true);
            this.capacity = capacity;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, S> eldest) {
            if (size() > capacity) {
                evicted++;
                return true;
            }
            return false;
        }
    }
}
