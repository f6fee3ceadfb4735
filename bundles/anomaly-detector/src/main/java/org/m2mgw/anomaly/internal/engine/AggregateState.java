package org.m2mgw.anomaly.internal.engine;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m2mgw.api.alert.Alert;

/**
 * What the whole gateway, or one network prefix, sees of the traffic that fails: counts per minute
 * over the last hour, the distinct identities and addresses involved, and slowly learned baselines.
 * Attacks spread thin over many addresses, or slow enough that no address or device stands out, are
 * visible here. Callers hold its monitor while they read or update it.
 */
final class AggregateState extends SubjectState {
    /** Handshakes that failed without a device: unknown identities, wrong keys. */
    static final int AUTH_FAILURES = 0;
    /** Unknown identities tried (events; the distinct ones are counted apart). */
    static final int UNKNOWN_IDENTITIES = 1;
    /** Records that failed their MAC, replays and malformed input from addresses without a device. */
    static final int SECURITY = 2;
    /** The same from registered devices' sessions: injected on the path, or a device's key misused. */
    static final int DEVICE_SECURITY = 3;
    /** Requests refused for an unknown resource, a method or a resource not allowed. */
    static final int PROBES = 4;
    static final int KINDS = 5;
    static final String[] KIND_NAMES = {"handshake.failures", "unknown.identities", "security.failures",
        "device.security.failures", "refused.requests"};

    static final String GATEWAY = "gateway";
    /** A day of minutes: the baseline's memory. */
    private static final double BASELINE_ALPHA = 1.0 / 1440;
    private static final int DISTINCT_CAP = 256;

    final String subject;
    final Alert.SubjectKind kind;
    private final MinuteRing ring = new MinuteRing(KINDS);
    private final int[] closed = new int[KINDS];
    private final double[] baseline = new double[KINDS];
    private final boolean[] elevated = new boolean[KINDS];
    private long learnedMinutes;
    final DistinctWindow identities10 = new DistinctWindow(10 * MinuteCounts.MINUTE_MS, DISTINCT_CAP);
    final DistinctWindow identities60 = new DistinctWindow(60 * MinuteCounts.MINUTE_MS, DISTINCT_CAP);
    final DistinctWindow addresses60 = new DistinctWindow(60 * MinuteCounts.MINUTE_MS, DISTINCT_CAP);

    AggregateState(String subject, Alert.SubjectKind kind) {
        this.subject = subject;
        this.kind = kind;
    }

    /** Moves to {@code t}'s minute; each kind's baseline learns the minute that ended unless it was elevated. */
    void observe(long t) {
        long ended = ring.roll(t, closed);
        if (ended == 0) {
            return;
        }
        for (int k = 0; k < KINDS; k++) {
            if (!elevated[k]) {
                baseline[k] += BASELINE_ALPHA * (closed[k] - baseline[k]);
            }
            // the empty minutes in between teach zeros
            long empty = Math.min(ended - 1, 100_000);
            if (empty > 0 && !elevated[k]) {
                baseline[k] *= Math.pow(1 - BASELINE_ALPHA, empty);
            }
        }
        learnedMinutes += ended;
    }

    void add(int kind) {
        ring.add(kind);
    }

    int sum(int kind, int minutes) {
        return ring.sum(kind, minutes);
    }

    /** @return the usual count per minute of {@code kind}, learned over about a day, frozen while elevated */
    double baselinePerMinute(int kind) {
        return baseline[kind];
    }

    /** Marks a kind as elevated (or no longer), so that an attack does not become its baseline. */
    void elevated(int kind, boolean on) {
        elevated[kind] = on;
    }

    long learnedMinutes() {
        return learnedMinutes;
    }

    Map<String, Double> features(long t) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < KINDS; k++) {
            m.put(KIND_NAMES[k] + ".10m", (double) ring.sum(k, 10));
            m.put(KIND_NAMES[k] + ".60m", (double) ring.sum(k, 60));
            m.put(KIND_NAMES[k] + ".baseline.per.minute", baseline[k]);
        }
        m.put("unknown.identities.distinct.10m", (double) identities10.size(t));
        m.put("unknown.identities.distinct.60m", (double) identities60.size(t));
        m.put("failing.addresses.distinct.60m", (double) addresses60.size(t));
        return m;
    }

    /**
     * @return the prefix an address belongs to for aggregation, in CIDR notation: /24 for IPv4, /64
     *     for IPv6; {@code null} for an address that is not an IP literal
     */
    static String prefixOf(InetAddress ip) {
        if (ip == null) {
            return null;
        }
        byte[] b = ip.getAddress();
        int bits = ip instanceof Inet4Address ? 24 : 64;
        for (int i = bits / 8; i < b.length; i++) {
            b[i] = 0;
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
