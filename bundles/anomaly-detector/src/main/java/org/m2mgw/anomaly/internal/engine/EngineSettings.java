package org.m2mgw.anomaly.internal.engine;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.m2mgw.support.config.Metatype;

/**
 * Thresholds and limits of the {@link DetectionEngine}. Every value is checked when the settings are
 * created; a bad one gives an {@link IllegalArgumentException} whose message names its configuration
 * key. {@link #from(Map)} reads configuration properties (as OSGi Configuration Admin hands them
 * over) and {@link #toProperties()} writes them back.
 *
 * @param warmupSeconds how long a device must be known before rules that compare it with its own
 *     history (relative flood, size jump, new resource, rate change) and RCF consider it
 *     ({@value #WARMUP_SECONDS}, default 600)
 * @param warmupEvents how many requests a device must have sent for the same
 *     ({@value #WARMUP_EVENTS}, default 20)
 * @param windowSeconds length of a device's feature window; each window of activity gives one RCF
 *     vector ({@value #WINDOW_SECONDS}, default 10)
 * @param floodRequestsPerMinute requests (accepted or refused) per minute from one device above which
 *     it floods, whatever its history ({@value #FLOOD_REQUESTS_PER_MINUTE}, default 600)
 * @param floodBaselineFactor after warm-up, a device also floods above this multiple of its own
 *     requests per minute ({@value #FLOOD_BASELINE_FACTOR}, default 10)
 * @param floodMinRequestsPerMinute ...but never below this many per minute
 *     ({@value #FLOOD_MIN_REQUESTS_PER_MINUTE}, default 60)
 * @param identityFailuresPerMinute handshakes failed for an unknown PSK identity per minute from one IP
 *     that count as identity guessing ({@value #IDENTITY_FAILURES_PER_MINUTE}, default 10)
 * @param identityDistinct ...provided at least this many different identities were tried within a
 *     minute ({@value #IDENTITY_DISTINCT}, default 3)
 * @param handshakeFloodPerMinute handshake attempts (full, resumed or failed) per minute from one IP
 *     ({@value #HANDSHAKE_FLOOD_PER_MINUTE}, default 240; an IP may be a NAT for many devices)
 * @param handshakeFailuresPerMinute failed handshakes per minute from one IP, other than unknown
 *     identities, e.g. a PSK guessed for a known identity ({@value #HANDSHAKE_FAILURES_PER_MINUTE},
 *     default 20)
 * @param deviceHandshakesPerMinute handshakes per minute of one device
 *     ({@value #DEVICE_HANDSHAKES_PER_MINUTE}, default 20)
 * @param replayStormPerMinute replayed plus MAC-failed records per minute for a device or an IP
 *     ({@value #REPLAY_STORM_PER_MINUTE}, default 20)
 * @param sizeJumpSigmas a payload this many standard deviations above the device's mean size is a
 *     jump ({@value #SIZE_JUMP_SIGMAS}, default 6)
 * @param sizeJumpMinBytes ...if it is also at least this large ({@value #SIZE_JUMP_MIN_BYTES},
 *     default 256)
 * @param newResourceEnabled whether a resource a warmed-up device never used before raises an alert
 *     ({@value #NEW_RESOURCE_ENABLED}, default true)
 * @param rateChangeFactor a periodic device reporting this many times faster or slower than it learned
 *     changed its rate ({@value #RATE_CHANGE_FACTOR}, default 5)
 * @param rateChangeMaxCv a device is periodic when the coefficient of variation of its report
 *     intervals is at most this ({@value #RATE_CHANGE_MAX_CV}, default 0.5)
 * @param rcfEnabled whether Random Cut Forest scores device windows ({@value #RCF_ENABLED}, default true)
 * @param rcfThreshold RCF score at or above which a window is anomalous ({@value #RCF_THRESHOLD},
 *     default 4.0; windows of the normal synthetic fleets, about 600,000 of them, stayed below 3.6)
 * @param rcfWarmupWindows vectors the forest learns before it may alert ({@value #RCF_WARMUP_WINDOWS},
 *     default 2500, about ten times its sample: a forest that has just filled its sample still
 *     over-scores ordinary windows)
 * @param rcfTrees trees in the forest ({@value #RCF_TREES}, default 50)
 * @param rcfSampleSize points each tree keeps ({@value #RCF_SAMPLE_SIZE}, default 256)
 * @param rcfMaxVectorsPerSecond most vectors scored per second of event time; the rest are skipped
 *     and counted, to bound CPU ({@value #RCF_MAX_VECTORS_PER_SECOND}, default 2000)
 * @param rcfSeed random seed of the forest, so that runs can be repeated ({@value #RCF_SEED},
 *     default 42)
 * @param cooldownSeconds a detector alerts at most once per subject in this time
 *     ({@value #COOLDOWN_SECONDS}, default 300)
 * @param maxTrackedSubjects most devices tracked; the least recently seen is forgotten first. Source
 *     addresses are tracked separately, at most a quarter of this, so that traffic from many
 *     addresses cannot flush learned device history ({@value #MAX_TRACKED_SUBJECTS}, default 100000)
 * @param allowlist device ids and IP addresses whose alerts never carry an action other than LOG
 *     ({@value #ALLOWLIST}, comma separated, default empty)
 * @param actionDurationSeconds how long a suggested restriction lasts ({@value #ACTION_DURATION_SECONDS},
 *     default 900)
 * @param throttleRatePerSecond the request rate a throttle allows, at least; a device whose baseline
 *     is higher keeps twice its baseline ({@value #THROTTLE_RATE_PER_SECOND}, default 1.0)
 * @param handshakeLimitPerSecond the ClientHellos per second left to an address that registered
 *     devices use, where a rule wanted to block it ({@value #HANDSHAKE_LIMIT_PER_SECOND}, default 4.0)
 * @param actions the action per detector, keys {@code action.<detector>}: {@code action.rule.flood}
 *     (throttle), {@code action.rule.identity-guessing} and {@code action.rule.handshake-flood}
 *     (block-address), all others log
 */
public record EngineSettings(int warmupSeconds, int warmupEvents, int windowSeconds,
        int floodRequestsPerMinute, double floodBaselineFactor, int floodMinRequestsPerMinute,
        int identityFailuresPerMinute, int identityDistinct, int handshakeFloodPerMinute,
        int handshakeFailuresPerMinute, int deviceHandshakesPerMinute, int replayStormPerMinute,
        double sizeJumpSigmas, int sizeJumpMinBytes, boolean newResourceEnabled, double rateChangeFactor,
        double rateChangeMaxCv, boolean rcfEnabled, double rcfThreshold, int rcfWarmupWindows, int rcfTrees,
        int rcfSampleSize, int rcfMaxVectorsPerSecond, long rcfSeed, int cooldownSeconds,
        int maxTrackedSubjects, Set<String> allowlist, int actionDurationSeconds, double throttleRatePerSecond,
        double handshakeLimitPerSecond, Map<Detector, Action> actions) {

    public static final String WARMUP_SECONDS = "detector.warmup.seconds";
    public static final String WARMUP_EVENTS = "detector.warmup.events";
    public static final String WINDOW_SECONDS = "detector.window.seconds";
    public static final String FLOOD_REQUESTS_PER_MINUTE = "rule.flood.requests.per.minute";
    public static final String FLOOD_BASELINE_FACTOR = "rule.flood.baseline.factor";
    public static final String FLOOD_MIN_REQUESTS_PER_MINUTE = "rule.flood.min.requests.per.minute";
    public static final String IDENTITY_FAILURES_PER_MINUTE = "rule.identity.guessing.failures.per.minute";
    public static final String IDENTITY_DISTINCT = "rule.identity.guessing.distinct.identities";
    public static final String HANDSHAKE_FLOOD_PER_MINUTE = "rule.handshake.flood.per.minute";
    public static final String HANDSHAKE_FAILURES_PER_MINUTE = "rule.handshake.failures.per.minute";
    public static final String DEVICE_HANDSHAKES_PER_MINUTE = "rule.device.handshakes.per.minute";
    public static final String REPLAY_STORM_PER_MINUTE = "rule.replay.storm.per.minute";
    public static final String SIZE_JUMP_SIGMAS = "rule.size.jump.sigmas";
    public static final String SIZE_JUMP_MIN_BYTES = "rule.size.jump.min.bytes";
    public static final String NEW_RESOURCE_ENABLED = "rule.new.resource.enabled";
    public static final String RATE_CHANGE_FACTOR = "rule.rate.change.factor";
    public static final String RATE_CHANGE_MAX_CV = "rule.rate.change.max.cv";
    public static final String RCF_ENABLED = "rcf.enabled";
    public static final String RCF_THRESHOLD = "rcf.threshold";
    public static final String RCF_WARMUP_WINDOWS = "rcf.warmup.windows";
    public static final String RCF_TREES = "rcf.trees";
    public static final String RCF_SAMPLE_SIZE = "rcf.sample.size";
    public static final String RCF_MAX_VECTORS_PER_SECOND = "rcf.max.vectors.per.second";
    public static final String RCF_SEED = "rcf.random.seed";
    public static final String COOLDOWN_SECONDS = "alert.cooldown.seconds";
    public static final String MAX_TRACKED_SUBJECTS = "max.tracked.subjects";
    public static final String ALLOWLIST = "allowlist";
    public static final String ACTION_DURATION_SECONDS = "action.duration.seconds";
    public static final String THROTTLE_RATE_PER_SECOND = "action.throttle.rate.per.second";
    public static final String HANDSHAKE_LIMIT_PER_SECOND = "action.handshake.limit.per.second";


    public EngineSettings {
        range(WARMUP_SECONDS, warmupSeconds);
        range(WARMUP_EVENTS, warmupEvents);
        range(WINDOW_SECONDS, windowSeconds);
        range(FLOOD_REQUESTS_PER_MINUTE, floodRequestsPerMinute);
        range(FLOOD_BASELINE_FACTOR, floodBaselineFactor);
        range(FLOOD_MIN_REQUESTS_PER_MINUTE, floodMinRequestsPerMinute);
        range(IDENTITY_FAILURES_PER_MINUTE, identityFailuresPerMinute);
        range(IDENTITY_DISTINCT, identityDistinct);
        range(HANDSHAKE_FLOOD_PER_MINUTE, handshakeFloodPerMinute);
        range(HANDSHAKE_FAILURES_PER_MINUTE, handshakeFailuresPerMinute);
        range(DEVICE_HANDSHAKES_PER_MINUTE, deviceHandshakesPerMinute);
        range(REPLAY_STORM_PER_MINUTE, replayStormPerMinute);
        range(SIZE_JUMP_SIGMAS, sizeJumpSigmas);
        range(SIZE_JUMP_MIN_BYTES, sizeJumpMinBytes);
        range(RATE_CHANGE_FACTOR, rateChangeFactor);
        range(RATE_CHANGE_MAX_CV, rateChangeMaxCv);
        range(RCF_THRESHOLD, rcfThreshold);
        range(RCF_TREES, rcfTrees);
        range(RCF_SAMPLE_SIZE, rcfSampleSize);
        if (rcfWarmupWindows < rcfSampleSize || rcfWarmupWindows > 10_000_000) {
            throw new IllegalArgumentException(RCF_WARMUP_WINDOWS + " must be between " + RCF_SAMPLE_SIZE
                    + " (" + rcfSampleSize + ") and 10000000: " + rcfWarmupWindows);
        }
        range(RCF_MAX_VECTORS_PER_SECOND, rcfMaxVectorsPerSecond);
        range(COOLDOWN_SECONDS, cooldownSeconds);
        range(MAX_TRACKED_SUBJECTS, maxTrackedSubjects);
        range(ACTION_DURATION_SECONDS, actionDurationSeconds);
        range(THROTTLE_RATE_PER_SECOND, throttleRatePerSecond);
        range(HANDSHAKE_LIMIT_PER_SECOND, handshakeLimitPerSecond);
        if (allowlist == null) {
            throw new IllegalArgumentException(ALLOWLIST + " must not be null");
        }
        allowlist = Collections.unmodifiableSet(new TreeSet<>(allowlist));
        EnumMap<Detector, Action> all = new EnumMap<>(Detector.class);
        for (Detector d : Detector.values()) {
            Action a = actions == null ? null : actions.get(d);
            all.put(d, a == null ? d.defaultAction() : a);
        }
        actions = Collections.unmodifiableMap(all);
    }

    /** @return the defaults documented on each component */
    public static EngineSettings defaults() {
        return from(Map.of());
    }

    /**
     * @param properties configuration properties by key; missing keys take their defaults, unknown
     *     keys (such as {@code service.pid}) are ignored. Values may be numbers, booleans or their text;
     *     {@value #ALLOWLIST} may also be a {@code String[]} or a collection.
     * @return the settings
     * @throws IllegalArgumentException naming the key of the first bad value
     */
    public static EngineSettings from(Map<String, ?> properties) {
        Map<String, ?> p = properties;
        EnumMap<Detector, Action> actions = new EnumMap<>(Detector.class);
        for (Detector d : Detector.values()) {
            Object v = p.get(d.actionKey());
            actions.put(d, Action.parse(d.actionKey(), v == null ? defaultOf(d.actionKey()) : v.toString()));
        }
        return new EngineSettings(
                integer(p, WARMUP_SECONDS),
                integer(p, WARMUP_EVENTS),
                integer(p, WINDOW_SECONDS),
                integer(p, FLOOD_REQUESTS_PER_MINUTE),
                decimal(p, FLOOD_BASELINE_FACTOR),
                integer(p, FLOOD_MIN_REQUESTS_PER_MINUTE),
                integer(p, IDENTITY_FAILURES_PER_MINUTE),
                integer(p, IDENTITY_DISTINCT),
                integer(p, HANDSHAKE_FLOOD_PER_MINUTE),
                integer(p, HANDSHAKE_FAILURES_PER_MINUTE),
                integer(p, DEVICE_HANDSHAKES_PER_MINUTE),
                integer(p, REPLAY_STORM_PER_MINUTE),
                decimal(p, SIZE_JUMP_SIGMAS),
                integer(p, SIZE_JUMP_MIN_BYTES),
                bool(p, NEW_RESOURCE_ENABLED),
                decimal(p, RATE_CHANGE_FACTOR),
                decimal(p, RATE_CHANGE_MAX_CV),
                bool(p, RCF_ENABLED),
                decimal(p, RCF_THRESHOLD),
                integer(p, RCF_WARMUP_WINDOWS),
                integer(p, RCF_TREES),
                integer(p, RCF_SAMPLE_SIZE),
                integer(p, RCF_MAX_VECTORS_PER_SECOND),
                longInteger(p, RCF_SEED),
                integer(p, COOLDOWN_SECONDS),
                integer(p, MAX_TRACKED_SUBJECTS),
                names(p, ALLOWLIST),
                integer(p, ACTION_DURATION_SECONDS),
                decimal(p, THROTTLE_RATE_PER_SECOND),
                decimal(p, HANDSHAKE_LIMIT_PER_SECOND),
                actions);
    }

    /** @return every setting by its configuration key, in the form {@link #from(Map)} reads */
    public Map<String, Object> toProperties() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(WARMUP_SECONDS, warmupSeconds);
        m.put(WARMUP_EVENTS, warmupEvents);
        m.put(WINDOW_SECONDS, windowSeconds);
        m.put(FLOOD_REQUESTS_PER_MINUTE, floodRequestsPerMinute);
        m.put(FLOOD_BASELINE_FACTOR, floodBaselineFactor);
        m.put(FLOOD_MIN_REQUESTS_PER_MINUTE, floodMinRequestsPerMinute);
        m.put(IDENTITY_FAILURES_PER_MINUTE, identityFailuresPerMinute);
        m.put(IDENTITY_DISTINCT, identityDistinct);
        m.put(HANDSHAKE_FLOOD_PER_MINUTE, handshakeFloodPerMinute);
        m.put(HANDSHAKE_FAILURES_PER_MINUTE, handshakeFailuresPerMinute);
        m.put(DEVICE_HANDSHAKES_PER_MINUTE, deviceHandshakesPerMinute);
        m.put(REPLAY_STORM_PER_MINUTE, replayStormPerMinute);
        m.put(SIZE_JUMP_SIGMAS, sizeJumpSigmas);
        m.put(SIZE_JUMP_MIN_BYTES, sizeJumpMinBytes);
        m.put(NEW_RESOURCE_ENABLED, newResourceEnabled);
        m.put(RATE_CHANGE_FACTOR, rateChangeFactor);
        m.put(RATE_CHANGE_MAX_CV, rateChangeMaxCv);
        m.put(RCF_ENABLED, rcfEnabled);
        m.put(RCF_THRESHOLD, rcfThreshold);
        m.put(RCF_WARMUP_WINDOWS, rcfWarmupWindows);
        m.put(RCF_TREES, rcfTrees);
        m.put(RCF_SAMPLE_SIZE, rcfSampleSize);
        m.put(RCF_MAX_VECTORS_PER_SECOND, rcfMaxVectorsPerSecond);
        m.put(RCF_SEED, rcfSeed);
        m.put(COOLDOWN_SECONDS, cooldownSeconds);
        m.put(MAX_TRACKED_SUBJECTS, maxTrackedSubjects);
        m.put(ALLOWLIST, String.join(",", allowlist));
        m.put(ACTION_DURATION_SECONDS, actionDurationSeconds);
        m.put(THROTTLE_RATE_PER_SECOND, throttleRatePerSecond);
        m.put(HANDSHAKE_LIMIT_PER_SECOND, handshakeLimitPerSecond);
        actions.forEach((d, a) -> m.put(d.actionKey(), a.configName()));
        return m;
    }

    /**
     * @param key a configuration key
     * @param value its new value
     * @return these settings with one value changed and checked
     */
    public EngineSettings with(String key, Object value) {
        Map<String, Object> m = toProperties();
        if (!m.containsKey(key)) {
            throw new IllegalArgumentException("unknown key: " + key);
        }
        m.put(key, value);
        return from(m);
    }

    /** @return the action configured for the detector */
    public Action action(Detector d) {
        return actions.get(d);
    }

    /** @return how long a suggested restriction lasts */
    public Duration actionDuration() {
        return Duration.ofSeconds(actionDurationSeconds);
    }

    /** @return the most source addresses tracked */
    int maxTrackedAddresses() {
        return Math.max(250, maxTrackedSubjects / 4);
    }

    /**
     * The detector's metatype, generated from {@code AnomalyConfig}: the one definition of every
     * key's default and range. A key missing from it is a build error, found by the first test.
     */
    static final Metatype METATYPE = Metatype.of(EngineSettings.class, "org.m2mgw.anomaly");

    private static String defaultOf(String key) {
        return METATYPE.attribute(key).map(Metatype.Attribute::defaultValue)
                .orElseThrow(() -> new IllegalStateException(key + " is not declared in the detector's metatype"));
    }

    private static int integer(Map<String, ?> p, String key) {
        long v = longInteger(p, key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key + " is out of range: " + v);
        }
        return (int) v;
    }

    private static long longInteger(Map<String, ?> p, String key) {
        Object v = p.get(key);
        if (v == null) {
            v = defaultOf(key);
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number: '" + v + "'");
        }
    }

    private static double decimal(Map<String, ?> p, String key) {
        Object v = p.get(key);
        if (v == null) {
            v = defaultOf(key);
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number: '" + v + "'");
        }
    }

    private static boolean bool(Map<String, ?> p, String key) {
        Object v = p.get(key);
        if (v == null) {
            v = defaultOf(key);
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String t = v.toString().trim().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("false")) {
            return Boolean.parseBoolean(t);
        }
        throw new IllegalArgumentException(key + " must be true or false: '" + v + "'");
    }

    private static Set<String> names(Map<String, ?> p, String key) {
        Object v = p.get(key);
        Set<String> out = new TreeSet<>();
        if (v == null) {
            return out;
        }
        if (v instanceof String[] array) {
            for (String s : array) {
                addNames(out, s);
            }
        } else if (v instanceof Collection<?> c) {
            for (Object o : c) {
                addNames(out, String.valueOf(o));
            }
        } else {
            addNames(out, v.toString());
        }
        return out;
    }

    private static void addNames(Set<String> out, String text) {
        for (String s : text.split("[,\\s]+")) {
            if (!s.isEmpty()) {
                out.add(Subjects.normalizeAllowed(s));
            }
        }
    }

    private static void range(String key, double value) {
        String problem = METATYPE.problem(key, value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }
}
