package org.m2mgw.access.internal;

import java.time.Clock;

/** A token bucket holding at most one second's worth of requests (and at least one). */
final class TokenBucket {
    private final double rate;
    private final Clock clock;
    private double tokens;
    private long last;

    TokenBucket(double rate, Clock clock) {
        this.rate = rate;
        this.clock = clock;
        this.tokens = Math.max(1, rate);
        this.last = clock.millis();
    }

    synchronized boolean tryTake() {
        long now = clock.millis();
        tokens = Math.min(Math.max(1, rate), tokens + (now - last) * rate / 1000.0);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
