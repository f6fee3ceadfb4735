package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Streaming features of one authenticated device, O(1) per event in a few hundred bytes. Callers
 * hold its monitor while they read or update it.
 */
final class DeviceState extends SubjectState {
    static final int REQUESTS = 0;
    static final int REJECTED = 1;
    static final int HANDSHAKES = 2;
    static final int HANDSHAKE_FAILURES = 3;
    static final int MAC_FAILURES = 4;
    static final int REPLAYS = 5;
    static final int MALFORMED = 6;
    static final int ADDRESS_CHANGES = 7;
    private static final int KINDS = 8;
    private static final String[] KIND_NAMES = {"requests", "rejections", "handshakes", "handshake.failures",
        "mac.failures", "replays", "malformed", "address.changes"};

    static final int MAX_RESOURCES = 32;
    static final int VECTOR_DIMENSIONS = 7;
    static final String[] VECTOR_NAMES = {"window.requests.vs.usual", "window.payload.size.z",
        "report.interval.cv", "window.security.failures", "window.rejections", "window.extra.handshakes",
        "window.extra.address.resource.changes"};

    private static final double FAST_TAU_S = 10;
    private static final double SLOW_TAU_S = 300;
    /** Per closed minute: about an hour of memory. */
    private static final double BASELINE_ALPHA = 1.0 / 60;
    /** Minutes far above the baseline still teach it, slowly, so that a lasting change is learned. */
    private static final double SUSPICIOUS_DAMPING = 1.0 / 8;
    private static final double SIZE_ALPHA = 1.0 / 64;
    private static final double INTERVAL_ALPHA = 1.0 / 32;
    private static final double RECENT_ALPHA = 0.5;
    private static final double USUAL_WINDOW_ALPHA = 1.0 / 16;
    /**
     * The forest cuts a dimension in proportion to its range, so these weights make records that failed
     * their MAC, replays and malformed input (and, less, refused requests) count for more than the
     * ordinary ups and downs of traffic.
     */
    private static final double SECURITY_WEIGHT = 3;
    private static final double REJECTION_WEIGHT = 2;
    /**
     * Requests closer than this belong to one report (a device posting several resources at once), or
     * closer than a quarter of the learned interval for devices that report every few seconds.
     */
    static final long REPORT_GAP_MS = 1000;

    final String id;
    String ip;
    final long firstSeen;
    long lastSeen;
    long events;
    long requests;
    private final int[] totals = new int[KINDS];
    private final MinuteCounts minute = new MinuteCounts(KINDS);

    private long rateAt = Long.MIN_VALUE;
    private double fast;
    private double slow;
    private double slowBytes;

    private double baselineSum;
    private double baselineWeight;

    private long sizeN;
    private double sizeMean;
    private double sizeVar;

    private long lastRequest = Long.MIN_VALUE;
    private long lastReport = Long.MIN_VALUE;
    private long intervals;
    private double learnedSeconds;
    private double intervalMean;
    private double intervalVar;
    private double intervalRecent;
    private int lateStreak;
    /** Time constant of the short-term request rate. */
    static final long SHORT_TAU_MS = 10_000;
    private double shortCount;
    private long shortRateAt = Long.MIN_VALUE;
    /** Since when the short-term rate has been high without a break ({@code Long.MIN_VALUE}: it is not). */
    private long shortHighSince = Long.MIN_VALUE;

    private int[] resources;
    private int resourceCount;
    private boolean resourceOverflow;

    private long windowStart = Long.MIN_VALUE;
    private int wRequests;
    private int wRejected;
    private long wBytes;
    private int wSecurity;
    private int wHandshakes;
    private int wOther;
    private double usualWindow = -1;

    DeviceState(String id, long t) {
        this.id = id;
        this.firstSeen = t;
        this.lastSeen = t;
    }

    /**
     * Records that an event happened at {@code t} and rolls the minute counts, teaching the baseline
     * each minute that ended.
     *
     * @param suspiciousPerMinute a minute with more requests than this teaches the baseline slowly
     */
    long observe(long t, String address, double suspiciousPerMinute) {
        events++;
        long previousSeen = lastSeen;
        if (t > lastSeen) {
            lastSeen = t;
        }
        if (!Subjects.UNKNOWN.equals(address)) {
            if (ip != null && !ip.equals(address)) {
                switched(address, previousSeen, t);
            }
            ip = address;
        }
        long ended = minute.minutesEnded(t);
        if (ended > 0) {
            int closed = minute.currentCount(REQUESTS) + minute.currentCount(REJECTED);
            closedMinute = closed;
            learnBaseline(closed, closed > suspiciousPerMinute ? BASELINE_ALPHA * SUSPICIOUS_DAMPING : BASELINE_ALPHA);
            long empty = Math.min(ended - 1, 100_000);
            if (empty > 0) {
                double keep = Math.pow(1 - BASELINE_ALPHA, empty);
                baselineSum *= keep;
                baselineWeight = baselineWeight * keep + (1 - keep);
            }
        }
        minute.advance(t);
        return ended;
    }

    // --- backlog after a silence ---

    /** A silence must be this many times the device's usual interval before what follows counts as backlog. */
    static final int BACKLOG_GAP_FACTOR = 4;
    static final long BACKLOG_MIN_GAP_MS = 60_000;
    /** Backlog is what arrives within this long after the silence ends. */
    static final long BACKLOG_WINDOW_MS = 60_000;
    static final int MAX_BACKLOG = 1000;
    private int backlog;
    private long backlogUntil = Long.MIN_VALUE;

    /**
     * Whether a request is backlog: after a silence of several usual intervals (the device, its
     * network or the gateway was down), a device sends what it held back, at once. Up to as many
     * requests as its usual interval fits into the silence, within a minute of its end, are backlog:
     * they are counted and their content judged, but they are no new rate.
     */
    boolean backlog(long t) {
        if (lastRequest != Long.MIN_VALUE && intervals >= 2 && t > lastRequest) {
            double usualMs = Math.max(intervalMean * 1000, 1000);
            long gap = t - lastRequest;
            if (gap >= Math.max(BACKLOG_GAP_FACTOR * usualMs, BACKLOG_MIN_GAP_MS)) {
                backlog = (int) Math.min(MAX_BACKLOG, gap / usualMs);
                backlogUntil = t + BACKLOG_WINDOW_MS;
            }
        }
        if (backlog > 0 && t <= backlogUntil) {
            backlog--;
            return true;
        }
        backlog = 0;
        return false;
    }

    /** Counts a backlog request: totals and sizes, not the rates, windows or intervals. */
    void backlogRequest(long t) {
        requests++;
        if (totals[REQUESTS] != Integer.MAX_VALUE) {
            totals[REQUESTS]++;
        }
        if (t > lastRequest) {
            lastRequest = t;
        }
        lastReport = Math.max(lastReport, t);
        backlogged++;
    }

    long backlogged;

    // --- session churn: handshakes and closed sessions against the device's own habit ---

    static final double CHURN_TAU_MS = 10 * 60_000.0;
    private double churn;
    private long churnAt = Long.MIN_VALUE;
    /** The usual {@link #churn(long)}, learned at each minute's end over about six hours. */
    double churnBaseline;
    long churnMinutes;

    /** Counts a full handshake, resumption or closed session. */
    void churned(long t) {
        churn = churn(t) + 1;
        churnAt = Math.max(t, churnAt);
    }

    /** @return handshakes and closed sessions of about the last 10 minutes (decaying, time constant 10 min) */
    double churn(long t) {
        if (churnAt == Long.MIN_VALUE) {
            return 0;
        }
        return t > churnAt ? churn * Math.exp(-(t - churnAt) / CHURN_TAU_MS) : churn;
    }

    /** Learns the churn at a minute's end, unless it is far above the usual (then it is not taught). */
    void learnChurn(long t, double suspicious) {
        double c = churn(t);
        if (churnMinutes > 0 && c > suspicious) {
            return;
        }
        churnMinutes++;
        double alpha = Math.max(1.0 / churnMinutes, 1.0 / 360);
        churnBaseline += alpha * (c - churnBaseline);
    }

    // --- one identity, two addresses ---

    /** How long an address a device left still counts as in use by it. */
    static final long SPLIT_WINDOW_MS = 5 * 60_000L;
    /** Back-and-forth switches are counted over this tumbling window. */
    static final long FLIPS_WINDOW_MS = 10 * 60_000L;
    /** The address the device used before its current one, and when it last did. */
    String otherIp;
    private long otherSeen = Long.MIN_VALUE;
    private int flips;
    private long flipsSince = Long.MIN_VALUE;

    /**
     * The device's traffic moved to {@code address}. A move back to the address it used within the
     * last few minutes is a flip: a NAT rebinding moves once, two holders of one key flip all the time.
     */
    private void switched(String address, long previousSeen, long t) {
        if (flipsSince == Long.MIN_VALUE || t - flipsSince >= FLIPS_WINDOW_MS) {
            flips = 0;
            flipsSince = t;
        }
        if (address.equals(otherIp) && t - otherSeen < SPLIT_WINDOW_MS) {
            flips++;
        }
        otherIp = ip;
        otherSeen = previousSeen;
    }

    /** @return back-and-forth moves between two addresses in the current 10-minute window */
    int flips(long t) {
        return flipsSince == Long.MIN_VALUE || t - flipsSince >= FLIPS_WINDOW_MS ? 0 : flips;
    }

    // --- refused requests ---

    /** Resources refused to the device (unknown, method, not allowed), allocated at the first refusal. */
    private DistinctWindow refused;

    /** Counts a refused request for {@code resource} ({@code null}: an invalid name). */
    void refused(String resource, long t) {
        if (refused == null) {
            refused = new DistinctWindow(10 * 60_000L, 16);
        }
        refused.add(resource == null ? 0 : resource.hashCode(), t);
    }

    /** @return different resources refused in the current 10-minute window */
    int refusedResources(long t) {
        return refused == null ? 0 : refused.size(t);
    }

    /** @return refused requests in the current 10-minute window */
    int refusedRequests(long t) {
        return refused == null ? 0 : refused.events(t);
    }

    // --- security failures over half an hour ---

    static final double SLOW_FAILURES_TAU_MS = 30 * 60_000.0;
    private double slowFailures;
    private long slowFailuresAt = Long.MIN_VALUE;

    /** Counts a record that failed its MAC, a replay or malformed input into a half-hour decaying sum. */
    void slowFailure(long t) {
        slowFailures = slowFailures(t) + 1;
        slowFailuresAt = Math.max(t, slowFailuresAt);
    }

    /** @return security failures of about the last half hour (exponentially decaying, time constant 30 min) */
    double slowFailures(long t) {
        if (slowFailuresAt == Long.MIN_VALUE) {
            return 0;
        }
        return t > slowFailuresAt ? slowFailures * Math.exp(-(t - slowFailuresAt) / SLOW_FAILURES_TAU_MS)
                : slowFailures;
    }

    // --- drift: a CUSUM of requests per minute against a slowly learned baseline ---

    /** Requests (accepted and refused) of the minute that ended last. */
    int closedMinute;
    double driftMean;
    double driftVar;
    long driftMinutes;
    double cusum;
    /** Since when the CUSUM has been above zero without a break. */
    long cusumSince = Long.MIN_VALUE;
    /** Requests and minutes since the CUSUM last rose from zero. */
    long episodeRequests;
    int episodeMinutes;
    double episodeRecent;
    /** Whether this episode was already alerted. */
    boolean driftAlerted;
    /** Since when the baseline has been frozen because the CUSUM is high. */
    long frozenSince = Long.MIN_VALUE;

    private void learnBaseline(double count, double alpha) {
        baselineSum = baselineSum * (1 - alpha) + alpha * count;
        baselineWeight = baselineWeight * (1 - alpha) + alpha;
    }

    /** @return the request rate of about the last 10 s, per minute */
    double shortRatePerMinute(long t) {
        if (shortRateAt == Long.MIN_VALUE) {
            return 0;
        }
        double c = t > shortRateAt ? shortCount * Math.exp(-(t - shortRateAt) / (double) SHORT_TAU_MS) : shortCount;
        return c * 60_000.0 / SHORT_TAU_MS;
    }

    /**
     * Tracks how long the short-term rate has been high without a break.
     *
     * @return for how many milliseconds, up to {@code t}, the rate was high at every check; 0 when it is
     *     not high now
     */
    long shortHighFor(boolean high, long t) {
        if (!high) {
            shortHighSince = Long.MIN_VALUE;
            return 0;
        }
        if (shortHighSince == Long.MIN_VALUE) {
            shortHighSince = t;
        }
        return t - shortHighSince;
    }

    /** @return requests (accepted or refused) per minute this device usually sends; 0 before its first minute ends */
    double baselinePerMinute() {
        return baselineWeight > 0 ? baselineSum / baselineWeight : 0;
    }

    void count(int kind) {
        minute.add(kind);
        if (totals[kind] != Integer.MAX_VALUE) {
            totals[kind]++;
        }
        switch (kind) {
            case REJECTED -> {
                wRequests++;
                wRejected++;
            }
            case HANDSHAKES, HANDSHAKE_FAILURES -> wHandshakes++;
            case MAC_FAILURES, REPLAYS, MALFORMED -> wSecurity++;
            case ADDRESS_CHANGES -> wOther++;
            default -> {
                // requests are counted by request()
            }
        }
    }

    double lastMinute(int kind, long t) {
        return minute.lastMinute(kind, t);
    }

    /** @return accepted plus refused requests in the last minute */
    double requestsLastMinute(long t) {
        return minute.lastMinute(REQUESTS, t) + minute.lastMinute(REJECTED, t);
    }

    /** Counts an accepted request of {@code bytes} payload bytes in the rates and the window. */
    void request(long t, long bytes) {
        requests++;
        minute.add(REQUESTS);
        // requests in the last ~10 s: an exponentially decaying count (time constant SHORT_TAU_MS)
        if (shortRateAt != Long.MIN_VALUE && t > shortRateAt) {
            shortCount *= Math.exp(-(t - shortRateAt) / (double) SHORT_TAU_MS);
        }
        shortRateAt = Math.max(t, shortRateAt);
        shortCount += 1;
        if (totals[REQUESTS] != Integer.MAX_VALUE) {
            totals[REQUESTS]++;
        }
        decayRates(t);
        fast++;
        slow++;
        slowBytes += bytes;
        wRequests++;
        wBytes += bytes;
    }

    private void decayRates(long t) {
        if (rateAt != Long.MIN_VALUE && t > rateAt) {
            double dt = (t - rateAt) / 1000.0;
            fast *= Math.exp(-dt / FAST_TAU_S);
            double k = Math.exp(-dt / SLOW_TAU_S);
            slow *= k;
            slowBytes *= k;
        }
        if (rateAt == Long.MIN_VALUE || t > rateAt) {
            rateAt = t;
        }
    }

    private double decayed(double v, long t, double tau) {
        return rateAt == Long.MIN_VALUE || t <= rateAt ? v : v * Math.exp(-(t - rateAt) / 1000.0 / tau);
    }

    // --- payload sizes ---

    long sizeCount() {
        return sizeN;
    }

    double sizeMean() {
        return sizeMean;
    }

    double sizeSigma() {
        return sizeN < 2 ? 0 : Math.sqrt(sizeVar);
    }

    /** @return the spread used to judge a size: never below a tenth of the mean or 4 bytes */
    double sizeSpread() {
        return Math.max(sizeSigma(), Math.max(0.1 * sizeMean, 4));
    }

    /** @param damped whether the size looked anomalous, so that it teaches the mean only slowly */
    void learnSize(long bytes, boolean damped) {
        sizeN++;
        double alpha = Math.max(1.0 / sizeN, SIZE_ALPHA);
        if (damped) {
            alpha *= SUSPICIOUS_DAMPING;
        }
        double diff = bytes - sizeMean;
        double incr = alpha * diff;
        sizeMean += incr;
        sizeVar = (1 - alpha) * (sizeVar + diff * incr);
    }

    // --- report intervals ---

    /**
     * @return the interval in seconds since the previous report when this request starts a new one;
     *     NaN when it belongs to the current report (or is the first)
     */
    double reportInterval(long t) {
        long previousRequest = lastRequest;
        if (t > lastRequest) {
            lastRequest = t;
        }
        if (previousRequest == Long.MIN_VALUE) {
            lastReport = t;
            return Double.NaN;
        }
        long gap = intervals < 2 ? REPORT_GAP_MS : Math.min(REPORT_GAP_MS, (long) (intervalMean * 250));
        if (t - previousRequest < gap) {
            return Double.NaN;
        }
        double interval = (t - lastReport) / 1000.0;
        lastReport = t;
        return interval;
    }

    long intervals() {
        return intervals;
    }

    /** @return the time the learned intervals cover, in seconds */
    double learnedSeconds() {
        return learnedSeconds;
    }

    double intervalMean() {
        return intervalMean;
    }

    double intervalRecent() {
        return intervalRecent;
    }

    int lateStreak() {
        return lateStreak;
    }

    /** @return the coefficient of variation of report intervals; small for periodic devices */
    double intervalCv() {
        return intervalMean > 0 ? Math.sqrt(intervalVar) / intervalMean : Double.POSITIVE_INFINITY;
    }

    /**
     * Learns a report interval. One interval far longer than usual (an outage, a lost report) is not
     * learned; two in a row are, because then the device really changed.
     *
     * @param lateFactor an interval this many times the mean is late
     */
    void learnInterval(double interval, double lateFactor) {
        intervalRecent = intervals == 0 ? interval : intervalRecent + RECENT_ALPHA * (interval - intervalRecent);
        if (intervals >= 2 && interval > lateFactor * intervalMean) {
            lateStreak++;
            if (lateStreak < 2) {
                return;
            }
        } else {
            lateStreak = 0;
        }
        intervals++;
        learnedSeconds += interval;
        double alpha = Math.max(1.0 / intervals, INTERVAL_ALPHA);
        double diff = interval - intervalMean;
        double incr = alpha * diff;
        intervalMean += incr;
        intervalVar = (1 - alpha) * (intervalVar + diff * incr);
    }

    // --- resources ---

    /** @return whether the resource is new to this device; false once more than {@value #MAX_RESOURCES} were seen */
    boolean learnResource(String resource) {
        int h = resource.hashCode();
        for (int i = 0; i < resourceCount; i++) {
            if (resources[i] == h) {
                return false;
            }
        }
        if (resourceCount == MAX_RESOURCES) {
            resourceOverflow = true;
            return false;
        }
        if (resources == null) {
            resources = new int[4];
        } else if (resources.length == resourceCount) {
            resources = java.util.Arrays.copyOf(resources, Math.min(MAX_RESOURCES, resourceCount * 2));
        }
        resources[resourceCount++] = h;
        if (requests > 1) {
            wOther++;
        }
        return true;
    }

    int resourceCount() {
        return resourceCount;
    }

    boolean resourceOverflow() {
        return resourceOverflow;
    }

    // --- warm-up ---

    boolean warmedUp(EngineSettings s, long t) {
        return requests >= s.warmupEvents() && t - firstSeen >= s.warmupSeconds() * 1000L;
    }

    // --- windows ---

    /** Opens a window at {@code t} if none is open. */
    void openWindow(long t) {
        if (windowStart == Long.MIN_VALUE) {
            windowStart = t;
        }
    }

    boolean windowDue(long t, long windowMs) {
        return windowStart != Long.MIN_VALUE && t - windowStart >= windowMs;
    }

    /**
     * Ends the open window.
     *
     * @return its feature vector, dimensions named by {@link #VECTOR_NAMES}, each between -8 and about
     *     20. Rates and sizes are relative to the device's own history, so that one forest serves
     *     devices of every kind: absolute values would make a rare kind of device (a sleepy one, say)
     *     look anomalous just for being rare.
     */
    float[] closeWindow() {
        float[] v = new float[VECTOR_DIMENSIONS];
        double usual = usualWindow < 0 ? wRequests : usualWindow;
        int accepted = wRequests - wRejected;
        double meanSize = accepted > 0 ? (double) wBytes / accepted : 0;
        v[0] = (float) clamp(log2((wRequests + 1) / (usual + 1)), -8, 8);
        v[1] = (float) (accepted > 0 && sizeN >= 2 ? clamp((meanSize - sizeMean) / sizeSpread(), -8, 8) : 0);
        v[2] = (float) (intervals >= 2 ? log2p(Math.min(intervalCv(), 8)) : 0);
        v[3] = (float) (SECURITY_WEIGHT * log2p(wSecurity));
        v[4] = (float) (REJECTION_WEIGHT * log2p(wRejected));
        // A resumption or a NAT rebinding is ordinary life for a device, and two can fall in one window
        // by chance; only more count.
        v[5] = (float) log2p(Math.max(0, wHandshakes - 2));
        v[6] = (float) log2p(Math.max(0, wOther - 2));
        if (usualWindow < 0) {
            usualWindow = wRequests;
        } else {
            // a flood must not become the usual, or its end would look like the anomaly
            double alpha = wRequests > 4 * (usualWindow + 1) ? USUAL_WINDOW_ALPHA * SUSPICIOUS_DAMPING : USUAL_WINDOW_ALPHA;
            usualWindow += alpha * (wRequests - usualWindow);
        }
        windowStart = Long.MIN_VALUE;
        wRequests = 0;
        wRejected = 0;
        wBytes = 0;
        wSecurity = 0;
        wHandshakes = 0;
        wOther = 0;
        return v;
    }

    private static double log2p(double x) {
        return log2(1 + x);
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** @return the features the console shows, by name, as of {@code t} */
    Map<String, Double> features(long t) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("age.seconds", (t - firstSeen) / 1000.0);
        m.put("events", (double) events);
        m.put("rate.10s.per.second", decayed(fast, t, FAST_TAU_S) / FAST_TAU_S);
        m.put("rate.5m.per.second", decayed(slow, t, SLOW_TAU_S) / SLOW_TAU_S);
        m.put("bytes.5m.per.second", decayed(slowBytes, t, SLOW_TAU_S) / SLOW_TAU_S);
        m.put("requests.last.minute", requestsLastMinute(t));
        m.put("requests.baseline.per.minute", baselinePerMinute());
        m.put("payload.size.mean", sizeMean);
        m.put("payload.size.stddev", sizeSigma());
        m.put("report.interval.mean", intervalMean);
        m.put("report.interval.stddev", Math.sqrt(intervalVar));
        m.put("report.interval.recent", intervalRecent);
        for (int k = 0; k < KINDS; k++) {
            m.put(KIND_NAMES[k] + ".last.minute", minute.lastMinute(k, t));
            m.put(KIND_NAMES[k] + ".total", (double) totals[k]);
        }
        m.put("resources.seen", (double) resourceCount);
        m.put("refused.resources.10m", (double) refusedResources(t));
        m.put("refused.requests.10m", (double) refusedRequests(t));
        m.put("address.flips.10m", (double) flips(t));
        m.put("security.failures.30m", slowFailures(t));
        m.put("drift.baseline.per.minute", driftMean);
        m.put("drift.baseline.stddev", Math.sqrt(Math.max(0, driftVar)));
        m.put("drift.cusum", cusum);
        m.put("backlog.requests.total", (double) backlogged);
        m.put("session.churn.10m", churn(t));
        m.put("session.churn.baseline.10m", churnBaseline);
        m.put("resources.overflow", resourceOverflow ? 1.0 : 0.0);
        return m;
    }
}
