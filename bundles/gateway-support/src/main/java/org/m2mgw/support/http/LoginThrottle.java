package org.m2mgw.support.http;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Slows down password guessing on the console, per client address: after {@code freeAttempts}
 * failed logins, each further failure locks the address out for a back-off that doubles from
 * {@code initialBackoffMs} up to {@code maxBackoffMs}. During the back-off a login is refused at
 * once, without checking the password (so a guess learns nothing), and no thread waits. A
 * successful login forgets the address; so does a quiet {@code forgetAfterMs} after its last
 * failure.
 *
 * <p>The table holds at most {@code maxEntries} addresses: when it is full, the address whose
 * last failure is the oldest is forgotten first (counted as evicted).
 *
 * <p>The password check runs under the table's lock, so that parallel guesses from one address
 * cannot all slip in before the first failure is recorded. It is a hash comparison of a few
 * microseconds.
 */
public final class LoginThrottle {
    public static final int FREE_ATTEMPTS = 5;
    static final long INITIAL_BACKOFF_MS = 2_000;
    static final long MAX_BACKOFF_MS = 5 * 60_000;
    static final long FORGET_AFTER_MS = 15 * 60_000;
    static final int MAX_ENTRIES = 1024;

    public enum Verdict {
        /** The credentials were checked and are right. */
        ACCEPTED,
        /** The credentials were checked and are wrong. */
        REFUSED,
        /** The address is in its back-off: the credentials were not checked. */
        THROTTLED
    }

    /**
     * @param verdict what happened
     * @param backoffMs for {@code THROTTLED}, how long the back-off still lasts; for
     *        {@code REFUSED}, the back-off this failure started, or 0
     * @param failures the failures recorded for the address so far
     */
    public record Result(Verdict verdict, long backoffMs, int failures) {
    }

    private static final class Entry {
        int failures;
        long lastFailure;
        long blockedUntil;
    }

    private final int freeAttempts;
    private final long initialBackoffMs;
    private final long maxBackoffMs;
    private final long forgetAfterMs;
    private final int maxEntries;
    private final LongSupplier clockMs;
    /** In order of last failure, oldest first: a failure moves its address to the end. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private long throttled;
    private long evicted;

    public LoginThrottle() {
        this(FREE_ATTEMPTS, INITIAL_BACKOFF_MS, MAX_BACKOFF_MS, FORGET_AFTER_MS, MAX_ENTRIES,
                () -> System.nanoTime() / 1_000_000);
    }

    LoginThrottle(int freeAttempts, long initialBackoffMs, long maxBackoffMs, long forgetAfterMs, int maxEntries,
            LongSupplier clockMs) {
        if (freeAttempts < 1 || initialBackoffMs < 1 || maxBackoffMs < initialBackoffMs
                || forgetAfterMs < maxBackoffMs || maxEntries < 1) {
            throw new IllegalArgumentException("inconsistent login back-off settings");
        }
        this.freeAttempts = freeAttempts;
        this.initialBackoffMs = initialBackoffMs;
        this.maxBackoffMs = maxBackoffMs;
        this.forgetAfterMs = forgetAfterMs;
        this.maxEntries = maxEntries;
        this.clockMs = clockMs;
    }

    /**
     * Checks a login from {@code address}, unless the address is in its back-off.
     *
     * @param address the client's address
     * @param credentialsValid checks the credentials; called at most once, under the lock
     */
    public synchronized Result attempt(String address, BooleanSupplier credentialsValid) {
        long now = clockMs.getAsLong();
        forgetExpired(now);
        Entry e = entries.get(address);
        if (e != null && expired(e, now)) {
            entries.remove(address);
            e = null;
        }
        if (e != null && now < e.blockedUntil) {
            throttled++;
            return new Result(Verdict.THROTTLED, e.blockedUntil - now, e.failures);
        }
        if (credentialsValid.getAsBoolean()) {
            if (e != null) {
                entries.remove(address);
            }
            return new Result(Verdict.ACCEPTED, 0, 0);
        }
        if (e == null) {
            if (entries.size() >= maxEntries) {
                Iterator<String> oldest = entries.keySet().iterator();
                oldest.next();
                oldest.remove();
                evicted++;
            }
            e = new Entry();
        } else {
            entries.remove(address); // re-inserted below, at the end
        }
        e.failures++;
        e.lastFailure = now;
        long backoff = backoffMs(e.failures);
        if (backoff > 0) {
            e.blockedUntil = now + backoff;
        }
        entries.put(address, e);
        return new Result(Verdict.REFUSED, backoff, e.failures);
    }

    /** @return the back-off after the {@code failures}-th failure in a row */
    long backoffMs(int failures) {
        if (failures < freeAttempts) {
            return 0;
        }
        int doublings = Math.min(failures - freeAttempts, 30);
        return Math.min(initialBackoffMs << doublings, maxBackoffMs);
    }

    private boolean expired(Entry e, long now) {
        return now - e.lastFailure >= forgetAfterMs && now >= e.blockedUntil;
    }

    /** Forgets addresses from the oldest on; the order is that of last failure. */
    private void forgetExpired(long now) {
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            if (!expired(it.next().getValue(), now)) {
                return;
            }
            it.remove();
        }
    }

    /** @return how many addresses are in their back-off now */
    public synchronized int lockedOut() {
        long now = clockMs.getAsLong();
        int n = 0;
        for (Entry e : entries.values()) {
            if (now < e.blockedUntil) {
                n++;
            }
        }
        return n;
    }

    /** @return how many addresses the table remembers */
    public synchronized int tracked() {
        return entries.size();
    }

    /** @return logins refused unchecked because of a back-off, since start */
    public synchronized long throttled() {
        return throttled;
    }

    /** @return addresses forgotten early because the table was full, since start */
    public synchronized long evicted() {
        return evicted;
    }
}
