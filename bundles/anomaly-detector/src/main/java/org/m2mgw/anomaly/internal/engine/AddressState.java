package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Streaming features of one source IP address: handshakes and the failures that carry no device.
 * Callers hold its monitor while they read or update it.
 */
final class AddressState extends SubjectState {
    static final int HANDSHAKES = 0;
    static final int FAILURES = 1;
    static final int UNKNOWN_IDENTITIES = 2;
    static final int MAC_FAILURES = 3;
    static final int REPLAYS = 4;
    static final int MALFORMED = 5;
    private static final int KINDS = 6;
    private static final String[] KIND_NAMES = {"handshakes", "handshake.failures", "unknown.identities",
        "mac.failures", "replays", "malformed"};
    static final int MAX_IDENTITIES = 64;

    final String ip;
    final long firstSeen;
    long lastSeen;
    long events;
    private final int[] totals = new int[KINDS];
    private final MinuteCounts minute = new MinuteCounts(KINDS);

    /** Hashes of the identities tried since {@link #identitiesSince}; a tumbling one-minute set. */
    private int[] identities;
    private int identityCount;
    private long identitiesSince = Long.MIN_VALUE;
    private boolean unnamedIdentity;


    AddressState(String ip, long t) {
        this.ip = ip;
        this.firstSeen = t;
        this.lastSeen = t;
    }

    void observe(long t) {
        events++;
        if (t > lastSeen) {
            lastSeen = t;
        }
        minute.advance(t);
    }

    void count(int kind) {
        minute.add(kind);
        if (totals[kind] != Integer.MAX_VALUE) {
            totals[kind]++;
        }
    }

    double lastMinute(int kind, long t) {
        return minute.lastMinute(kind, t);
    }

    /** @param identity the identity tried, {@code null} when the reason did not name it */
    void unknownIdentity(String identity, long t) {
        if (identitiesSince == Long.MIN_VALUE || t - identitiesSince >= MinuteCounts.MINUTE_MS) {
            identityCount = 0;
            unnamedIdentity = false;
            identitiesSince = t;
        }
        if (identity == null) {
            unnamedIdentity = true;
            return;
        }
        int h = identity.hashCode();
        for (int i = 0; i < identityCount; i++) {
            if (identities[i] == h) {
                return;
            }
        }
        if (identityCount == MAX_IDENTITIES) {
            return;
        }
        if (identities == null) {
            identities = new int[8];
        } else if (identities.length == identityCount) {
            identities = java.util.Arrays.copyOf(identities, Math.min(MAX_IDENTITIES, identityCount * 2));
        }
        identities[identityCount++] = h;
    }

    /** @return different identities tried within the current minute, at most {@value #MAX_IDENTITIES} */
    int distinctIdentities() {
        return identityCount;
    }

    /** @return whether some failure of the current minute did not name its identity */
    boolean unnamedIdentity() {
        return unnamedIdentity;
    }

    Map<String, Double> features(long t) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("age.seconds", (t - firstSeen) / 1000.0);
        m.put("events", (double) events);
        for (int k = 0; k < KINDS; k++) {
            m.put(KIND_NAMES[k] + ".last.minute", minute.lastMinute(k, t));
            m.put(KIND_NAMES[k] + ".total", (double) totals[k]);
        }
        m.put("identities.distinct", (double) identityCount);
        return m;
    }
}
