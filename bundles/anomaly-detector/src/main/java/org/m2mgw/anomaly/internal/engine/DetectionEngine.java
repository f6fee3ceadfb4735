package org.m2mgw.anomaly.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.m2mgw.api.alert.Alert;
import org.m2mgw.api.alert.AlertSeverity;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * Turns {@link TrafficEvent}s into {@link Finding}s: streaming features per device and per source
 * address, rules on them, and a Random Cut Forest over per-device windows. Time is the events' own
 * time, so that replayed or simulated traffic behaves as live traffic does; nothing here starts a
 * thread or reads the clock.
 *
 * <p>Thread-safe: transports call {@link #onEvent(TrafficEvent)} from many threads. Each subject's
 * state has its own lock and the subject tables are striped; only the forest is shared, it is reached
 * at most once per device window, and no thread waits for it (see {@link RcfScorer}). A call may
 * therefore return a forest finding about another device than its event's.
 */
public final class DetectionEngine {

    private final EngineSettings settings;
    private final SubjectTable<DeviceState> devices;
    private final SubjectTable<AddressState> addresses;
    private final RcfScorer rcf;
    private final long windowMs;
    private final long cooldownMs;
    private final Duration actionDuration;

    private final LongAdder events = new LongAdder();
    private final LongAdder[] alertsBy = adders(Detector.values().length);
    private final LongAdder[] actionsBy = adders(Action.values().length);
    private final AtomicLong latest = new AtomicLong(Long.MIN_VALUE);
    private final long[] rateSeconds = new long[16];
    private final long[] rateEvents = new long[16];

    /** @param settings thresholds and limits */
    public DetectionEngine(EngineSettings settings) {
        this.settings = settings;
        this.devices = new SubjectTable<>(settings.maxTrackedSubjects());
        this.addresses = new SubjectTable<>(settings.maxTrackedAddresses());
        this.rcf = settings.rcfEnabled() ? new RcfScorer(settings) : null;
        this.windowMs = settings.windowSeconds() * 1000L;
        this.cooldownMs = settings.cooldownSeconds() * 1000L;
        this.actionDuration = settings.actionDuration();
        java.util.Arrays.fill(rateSeconds, Long.MIN_VALUE);
    }

    /** @return the settings in use */
    public EngineSettings settings() {
        return settings;
    }

    /**
     * Learns from one event and checks the rules it concerns.
     *
     * @param e the event; its time is the engine's time
     * @return the findings it caused, usually none
     */
    public List<Finding> onEvent(TrafficEvent e) {
        long t = e.time().toEpochMilli();
        events.increment();
        advanceClock(t);
        List<Finding> out = new ArrayList<>(0);
        String ip = Subjects.hostOf(e.sourceAddress());
        TrafficEventType type = e.type();
        String deviceId = e.deviceId().orElse(null);
        if (deviceId != null) {
            DeviceState d = devices.getOrCreate(deviceId, id -> new DeviceState(id, t));
            float[] vector;
            synchronized (d) {
                vector = deviceEvent(d, e, t, ip, out);
            }
            if (vector != null) {
                score(d, vector, out);
            }
            if (isHandshake(type) && !Subjects.UNKNOWN.equals(ip)) {
                AddressState a = addresses.getOrCreate(ip, k -> new AddressState(k, t));
                synchronized (a) {
                    addressEvent(a, e, t, out);
                }
            }
        } else if (!Subjects.UNKNOWN.equals(ip)) {
            AddressState a = addresses.getOrCreate(ip, k -> new AddressState(k, t));
            synchronized (a) {
                addressEvent(a, e, t, out);
            }
        }
        return out;
    }

    /**
     * Ends the device windows that are due at {@code now} although their devices fell silent, and
     * scores them. Call it every few seconds; without it a window is scored at its device's next event.
     *
     * @param now the current time, in the events' time base
     * @return the findings, usually none
     */
    public List<Finding> tick(Instant now) {
        long t = now.toEpochMilli();
        advanceClock(t);
        List<Finding> out = new ArrayList<>(0);
        for (int i = 0; i < devices.stripeCount(); i++) {
            for (DeviceState d : devices.snapshot(i)) {
                float[] vector = null;
                synchronized (d) {
                    if (d.windowDue(t, windowMs)) {
                        float[] v = d.closeWindow();
                        if (rcf != null && d.warmedUp(settings, t)) {
                            vector = v;
                        }
                    }
                }
                if (vector != null) {
                    score(d, vector, out);
                }
            }
        }
        if (rcf != null) {
            report(rcf.drain(latest.get()), out);
        }
        return out;
    }

    /** @return events seen, alerts by detector, actions, tracked subjects and forest statistics */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("events", events.sum());
        m.put("events.per.second", Math.round(eventsPerSecond()));
        int trackedDevices = devices.size();
        int trackedAddresses = addresses.size();
        m.put("tracked.subjects", (long) trackedDevices + trackedAddresses);
        m.put("tracked.devices", (long) trackedDevices);
        m.put("tracked.addresses", (long) trackedAddresses);
        m.put("evicted.devices", devices.evictions());
        m.put("evicted.addresses", addresses.evictions());
        long total = 0;
        for (Detector d : Detector.values()) {
            long n = alertsBy[d.ordinal()].sum();
            total += n;
            m.put("alerts." + d.id(), n);
        }
        m.put("alerts", total);
        for (Action a : Action.values()) {
            m.put("actions." + a.configName(), actionsBy[a.ordinal()].sum());
        }
        if (rcf != null) {
            m.put("rcf.vectors.learned", rcf.learned());
            m.put("rcf.vectors.scored", rcf.scored());
            m.put("rcf.vectors.skipped", rcf.skipped());
        }
        return m;
    }

    /**
     * @param subject a device id or an IP address
     * @return its current features by name, as of the latest event time; empty when it is not tracked
     */
    public Map<String, Double> features(String subject) {
        long now = latest.get();
        DeviceState d = devices.find(subject);
        if (d != null) {
            synchronized (d) {
                return Collections.unmodifiableMap(d.features(Math.max(now, d.lastSeen)));
            }
        }
        AddressState a = addresses.find(Subjects.normalizeAllowed(subject));
        if (a != null) {
            synchronized (a) {
                return Collections.unmodifiableMap(a.features(Math.max(now, a.lastSeen)));
            }
        }
        return Map.of();
    }

    // --- devices ---

    private float[] deviceEvent(DeviceState d, TrafficEvent e, long t, String ip, List<Finding> out) {
        double base = Math.max(d.baselinePerMinute(),
                settings.floodMinRequestsPerMinute() / settings.floodBaselineFactor());
        d.observe(t, ip, base * settings.floodBaselineFactor() / 2);
        float[] vector = null;
        if (d.windowDue(t, windowMs)) {
            float[] v = d.closeWindow();
            if (rcf != null && d.warmedUp(settings, t)) {
                vector = v;
            }
        }
        d.openWindow(t);
        switch (e.type()) {
            case REQUEST -> request(d, e, t, out);
            case REQUEST_REJECTED -> {
                d.count(DeviceState.REJECTED);
                checkFlood(d, t, out);
            }
            case HANDSHAKE_SUCCEEDED, SESSION_RESUMED -> {
                d.count(DeviceState.HANDSHAKES);
                checkDeviceHandshakes(d, t, out);
            }
            case HANDSHAKE_FAILED -> {
                d.count(DeviceState.HANDSHAKE_FAILURES);
                checkDeviceHandshakes(d, t, out);
            }
            case RECORD_MAC_FAILED -> {
                d.count(DeviceState.MAC_FAILURES);
                checkDeviceReplays(d, t, out);
            }
            case REPLAY_DROPPED -> {
                d.count(DeviceState.REPLAYS);
                checkDeviceReplays(d, t, out);
            }
            case MALFORMED_INPUT -> d.count(DeviceState.MALFORMED);
            case ADDRESS_CHANGED -> d.count(DeviceState.ADDRESS_CHANGES);
            default -> {
                // SESSION_CLOSED, BYTES_IN, BYTES_OUT: counted as events only
            }
        }
        return vector;
    }

    private void request(DeviceState d, TrafficEvent e, long t, List<Finding> out) {
        long bytes = Math.max(0, e.bytes());
        d.request(t, bytes);
        checkFlood(d, t, out);
        checkShortRate(d, t, out);
        boolean warm = d.warmedUp(settings, t);

        boolean jump = false;
        if (warm && d.sizeCount() >= settings.warmupEvents() && bytes >= settings.sizeJumpMinBytes()) {
            double z = (bytes - d.sizeMean()) / d.sizeSpread();
            jump = z >= settings.sizeJumpSigmas();
            if (jump && !d.coolingDown(Detector.SIZE_JUMP, t)) {
                Map<String, Double> f = new LinkedHashMap<>();
                f.put("payload.size", (double) bytes);
                f.put("payload.size.mean", d.sizeMean());
                f.put("payload.size.stddev", d.sizeSigma());
                f.put("payload.size.z", z);
                raise(out, d, Detector.SIZE_JUMP, d.id, true, z / settings.sizeJumpSigmas(),
                        String.format(Locale.ROOT, "device %s sent %d bytes to %s, usually %.0f ± %.0f bytes (%.0f sigma)",
                                d.id, bytes, Subjects.shorten(e.resource().orElse("?")), d.sizeMean(), d.sizeSigma(), z),
                        f, t, 0);
            }
        }
        d.learnSize(bytes, jump);

        String resource = e.resource().orElse(null);
        if (resource != null && d.learnResource(resource) && warm && settings.newResourceEnabled()
                && !d.coolingDown(Detector.NEW_RESOURCE, t)) {
            Map<String, Double> f = new LinkedHashMap<>();
            f.put("resources.seen", (double) d.resourceCount());
            f.put("age.seconds", (t - d.firstSeen) / 1000.0);
            f.put("payload.size", (double) bytes);
            raise(out, d, Detector.NEW_RESOURCE, d.id, true, 1.0,
                    String.format(Locale.ROOT, "device %s used resource '%s' for the first time, after %s of history with %d other resource%s",
                            d.id, Subjects.shorten(resource), age(t - d.firstSeen), d.resourceCount() - 1,
                            d.resourceCount() == 2 ? "" : "s"),
                    f, t, 0);
        }

        double interval = d.reportInterval(t);
        if (!Double.isNaN(interval)) {
            // Regular intervals prove a rhythm only over enough time: a bursty device's first burst is
            // regular too, and the long silence after it is not learned at once (see learnInterval).
            boolean periodic = d.intervals() >= 8 && d.learnedSeconds() >= settings.warmupSeconds()
                    && d.intervalCv() <= settings.rateChangeMaxCv();
            double usual = d.intervalMean();
            double cv = d.intervalCv();
            d.learnInterval(interval, settings.rateChangeFactor());
            if (warm && periodic && !d.coolingDown(Detector.RATE_CHANGE, t)) {
                double recent = d.intervalRecent();
                String change = null;
                double ratio = 0;
                if (recent * settings.rateChangeFactor() <= usual) {
                    ratio = usual / recent;
                    change = String.format(Locale.ROOT, "now reports every %.1f s, usually every %.1f s (%.0fx faster)",
                            recent, usual, ratio);
                } else if (d.lateStreak() == 2) {
                    ratio = interval / usual;
                    change = String.format(Locale.ROOT, "reported twice in a row after %.0f s, usually every %.1f s (%.0fx slower)",
                            interval, usual, ratio);
                }
                if (change != null) {
                    Map<String, Double> f = new LinkedHashMap<>();
                    f.put("report.interval", interval);
                    f.put("report.interval.recent", recent);
                    f.put("report.interval.mean", usual);
                    f.put("report.interval.cv", cv);
                    raise(out, d, Detector.RATE_CHANGE, d.id, true, ratio / settings.rateChangeFactor(),
                            "device " + d.id + " " + change, f, t, 0);
                }
            }
        }
    }

    /**
     * A device whose rate over about the last 10 s is {@code rule.rate.change.factor} times its
     * learned per-minute baseline, and at least twice {@code rule.flood.min.requests.per.minute}:
     * a device reporting much more often, too often for its reports to be told apart (they then
     * look like one burst to the interval check), or a slow ramp. The floor keeps bursty devices,
     * whose bursts are short, out of it.
     */
    private void checkShortRate(DeviceState d, long t, List<Finding> out) {
        if (!d.warmedUp(settings, t) || d.coolingDown(Detector.RATE_CHANGE, t)) {
            return;
        }
        double base = d.baselinePerMinute();
        double recent = d.shortRatePerMinute(t);
        double floor = 2 * settings.floodMinRequestsPerMinute();
        if (base <= 0 || recent < floor || recent < settings.rateChangeFactor() * base) {
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("requests.per.minute.recent", recent);
        f.put("requests.baseline.per.minute", base);
        f.put("requests.last.minute", d.requestsLastMinute(t));
        raise(out, d, Detector.RATE_CHANGE, d.id, true, recent / (settings.rateChangeFactor() * base),
                String.format(Locale.ROOT, "device %s sends %.0f requests per minute over the last ~10 s, %.0fx its "
                        + "usual %s", d.id, recent, recent / base, perMinute(base)), f, t, 0);
    }

    private void checkFlood(DeviceState d, long t, List<Finding> out) {
        double n = d.requestsLastMinute(t);
        if (n < settings.floodMinRequestsPerMinute() && n < settings.floodRequestsPerMinute()
                || d.coolingDown(Detector.FLOOD, t)) {
            return;
        }
        boolean warm = d.warmedUp(settings, t);
        double base = d.baselinePerMinute();
        double relative = settings.floodBaselineFactor() * base;
        boolean overLimit = n >= settings.floodRequestsPerMinute();
        boolean overBaseline = warm && n >= settings.floodMinRequestsPerMinute() && n >= relative;
        if (!overLimit && !overBaseline) {
            return;
        }
        String reason = String.format(Locale.ROOT, "device %s sent %.0f requests in the last minute", d.id, n);
        if (warm) {
            reason += String.format(Locale.ROOT, ", %.0fx its baseline of %s", n / Math.max(base, 0.01),
                    perMinute(base));
        }
        if (overLimit) {
            reason += ", above the limit of " + settings.floodRequestsPerMinute();
        }
        double score = Math.max(n / settings.floodRequestsPerMinute(), overBaseline ? n / relative : 0);
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("requests.last.minute", n);
        f.put("requests.baseline.per.minute", base);
        f.put("rejections.last.minute", d.lastMinute(DeviceState.REJECTED, t));
        // A throttle keeps twice what the device usually sends, so that its normal data still flows.
        double rate = Math.max(settings.throttleRatePerSecond(), 2 * base / 60);
        raise(out, d, Detector.FLOOD, d.id, true, score, reason, f, t, rate);
    }

    private void checkDeviceHandshakes(DeviceState d, long t, List<Finding> out) {
        double n = d.lastMinute(DeviceState.HANDSHAKES, t) + d.lastMinute(DeviceState.HANDSHAKE_FAILURES, t);
        if (n < settings.deviceHandshakesPerMinute() || d.coolingDown(Detector.HANDSHAKE_FLOOD, t)) {
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("handshakes.last.minute", d.lastMinute(DeviceState.HANDSHAKES, t));
        f.put("handshake.failures.last.minute", d.lastMinute(DeviceState.HANDSHAKE_FAILURES, t));
        raise(out, d, Detector.HANDSHAKE_FLOOD, d.id, true, n / settings.deviceHandshakesPerMinute(),
                String.format(Locale.ROOT, "device %s made %.0f handshakes in the last minute, above the limit of %d",
                        d.id, n, settings.deviceHandshakesPerMinute()),
                f, t, 0);
    }

    private void checkDeviceReplays(DeviceState d, long t, List<Finding> out) {
        double replays = d.lastMinute(DeviceState.REPLAYS, t);
        double mac = d.lastMinute(DeviceState.MAC_FAILURES, t);
        if (replays + mac < settings.replayStormPerMinute() || d.coolingDown(Detector.REPLAY_STORM, t)) {
            return;
        }
        replayStorm(out, d, "device " + d.id, d.id, true, replays, mac, t);
    }

    // --- addresses ---

    private void addressEvent(AddressState a, TrafficEvent e, long t, List<Finding> out) {
        a.observe(t);
        switch (e.type()) {
            case HANDSHAKE_FAILED -> {
                a.count(AddressState.HANDSHAKES);
                a.count(AddressState.FAILURES);
                String reason = e.reason();
                if (Subjects.isUnknownIdentity(reason)) {
                    a.count(AddressState.UNKNOWN_IDENTITIES);
                    String identity = Subjects.identityOf(reason);
                    a.unknownIdentity(identity, t);
                    checkIdentityGuessing(a, identity, t, out);
                }
                checkHandshakeFlood(a, reason, t, out);
            }
            case HANDSHAKE_SUCCEEDED, SESSION_RESUMED -> {
                a.count(AddressState.HANDSHAKES);
                checkHandshakeFlood(a, null, t, out);
            }
            case RECORD_MAC_FAILED -> a.count(AddressState.MAC_FAILURES);
            case REPLAY_DROPPED -> {
                a.count(AddressState.REPLAYS);
                checkAddressReplays(a, t, out);
            }
            case MALFORMED_INPUT -> a.count(AddressState.MALFORMED);
            default -> {
                // the rest concerns devices
            }
        }
    }

    private void checkIdentityGuessing(AddressState a, String identity, long t, List<Finding> out) {
        double n = a.lastMinute(AddressState.UNKNOWN_IDENTITIES, t);
        int distinct = a.distinctIdentities();
        if (n < settings.identityFailuresPerMinute()
                || distinct < settings.identityDistinct() && !a.unnamedIdentity()
                || a.coolingDown(Detector.IDENTITY_GUESSING, t)) {
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("unknown.identities.last.minute", n);
        f.put("identities.distinct", (double) distinct);
        f.put("handshake.failures.last.minute", a.lastMinute(AddressState.FAILURES, t));
        String reason = String.format(Locale.ROOT,
                "%s failed %.0f handshakes with unknown PSK identities in the last minute (%s%d different%s), above the limit of %d",
                a.ip, n, distinct == AddressState.MAX_IDENTITIES ? "at least " : "", distinct,
                identity == null ? "" : ", latest '" + Subjects.shorten(identity) + "'",
                settings.identityFailuresPerMinute());
        raise(out, a, Detector.IDENTITY_GUESSING, a.ip, false, n / settings.identityFailuresPerMinute(), reason, f,
                t, 0);
    }

    private void checkHandshakeFlood(AddressState a, String failure, long t, List<Finding> out) {
        // unknown identities have their own rule; counting them here too would alert twice
        double unknown = a.lastMinute(AddressState.UNKNOWN_IDENTITIES, t);
        double attempts = a.lastMinute(AddressState.HANDSHAKES, t) - unknown;
        double failures = a.lastMinute(AddressState.FAILURES, t) - unknown;
        boolean flood = attempts >= settings.handshakeFloodPerMinute();
        boolean failing = failures >= settings.handshakeFailuresPerMinute();
        if (!flood && !failing || a.coolingDown(Detector.HANDSHAKE_FLOOD, t)) {
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("handshakes.last.minute", attempts);
        f.put("handshake.failures.last.minute", a.lastMinute(AddressState.FAILURES, t));
        f.put("unknown.identities.last.minute", a.lastMinute(AddressState.UNKNOWN_IDENTITIES, t));
        String reason;
        double score;
        if (flood) {
            reason = String.format(Locale.ROOT, "%s made %.0f handshake attempts in the last minute, above the limit of %d",
                    a.ip, attempts, settings.handshakeFloodPerMinute());
            score = attempts / settings.handshakeFloodPerMinute();
        } else {
            reason = String.format(Locale.ROOT, "%s failed %.0f handshakes in the last minute, above the limit of %d%s",
                    a.ip, failures, settings.handshakeFailuresPerMinute(),
                    failure == null ? "" : "; latest: " + Subjects.shorten(failure));
            score = failures / settings.handshakeFailuresPerMinute();
        }
        raise(out, a, Detector.HANDSHAKE_FLOOD, a.ip, false, score, reason, f, t, 0);
    }

    private void checkAddressReplays(AddressState a, long t, List<Finding> out) {
        // Without a device, a MAC failure is a handshake's Finished failing: a wrong key, which the
        // handshake rule counts (the transport reports it as a failed handshake too), not tampering.
        double replays = a.lastMinute(AddressState.REPLAYS, t);
        if (replays < settings.replayStormPerMinute() || a.coolingDown(Detector.REPLAY_STORM, t)) {
            return;
        }
        replayStorm(out, a, a.ip, a.ip, false, replays, 0, t);
    }

    private void replayStorm(List<Finding> out, SubjectState s, String who, String subject, boolean device,
            double replays, double mac, long t) {
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("replays.last.minute", replays);
        f.put("mac.failures.last.minute", mac);
        raise(out, s, Detector.REPLAY_STORM, subject, device, (replays + mac) / settings.replayStormPerMinute(),
                device ? String.format(Locale.ROOT,
                        "%s had %.0f replayed or tampered records in the last minute (%.0f replays, %.0f MAC failures), above the limit of %d",
                        who, replays + mac, replays, mac, settings.replayStormPerMinute())
                        : String.format(Locale.ROOT, "%s sent %.0f replayed records in the last minute, above the limit of %d",
                                who, replays, settings.replayStormPerMinute()),
                f, t, 0);
    }

    // --- forest ---

    private void score(DeviceState d, float[] vector, List<Finding> out) {
        report(rcf.submit(d, vector, latest.get()), out);
    }

    private void report(List<RcfScorer.Anomaly> anomalies, List<Finding> out) {
        for (RcfScorer.Anomaly a : anomalies) {
            DeviceState d = a.device();
            synchronized (d) {
                long t = Math.max(d.lastSeen, latest.get());
                if (!d.coolingDown(Detector.RCF, t)) {
                    rcfAlert(d, a, t, out);
                }
            }
        }
    }

    private void rcfAlert(DeviceState d, RcfScorer.Anomaly a, long t, List<Finding> out) {
        float[] vector = a.vector();
        double[] attribution = a.attribution();
        Map<String, Double> f = new LinkedHashMap<>();
        for (int i = 0; i < vector.length; i++) {
            f.put(DeviceState.VECTOR_NAMES[i], (double) vector[i]);
        }
        Integer[] order = new Integer[vector.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(attribution[y], attribution[x]));
        StringBuilder why = new StringBuilder();
        for (int k = 0; k < 2; k++) {
            int i = order[k];
            f.put("attribution." + DeviceState.VECTOR_NAMES[i], attribution[i]);
            why.append(k == 0 ? "" : " and ").append(DeviceState.VECTOR_NAMES[i])
                    .append(String.format(Locale.ROOT, " (%.2f)", vector[i]));
        }
        raise(out, d, Detector.RCF, d.id, true, a.score(),
                String.format(Locale.ROOT,
                        "device %s behaved unlike what the forest learned in its last %d s window (score %.2f, threshold %.2f), mostly in %s",
                        d.id, settings.windowSeconds(), a.score(), settings.rcfThreshold(), why),
                f, t, 0);
    }

    // --- alerts ---

    private void raise(List<Finding> out, SubjectState state, Detector detector, String subject, boolean device,
            double score, String reason, Map<String, Double> features, long t, double throttleRate) {
        state.startCooldown(detector, t, cooldownMs);
        Action action = settings.action(detector);
        if (settings.allowlist().contains(subject)
                || device && action == Action.BLOCK_ADDRESS
                || !device && (action == Action.THROTTLE || action == Action.QUARANTINE)
                || device && allowlistedAddress(state)) {
            action = Action.LOG;
        }
        AlertSeverity severity = detector.baseSeverity();
        if (action == Action.QUARANTINE) {
            severity = AlertSeverity.CRITICAL;
        } else if (action != Action.LOG
                || detector == Detector.RCF && score >= 2 * settings.rcfThreshold()) {
            severity = max(severity, AlertSeverity.WARNING);
        }
        Alert alert = new Alert(UUID.randomUUID().toString(), subject, detector.id(), severity, score, reason,
                features, Instant.ofEpochMilli(t));
        out.add(new Finding(alert, action, action == Action.LOG ? Duration.ZERO : actionDuration,
                action == Action.THROTTLE ? throttleRate : 0));
        alertsBy[detector.ordinal()].increment();
        actionsBy[action.ordinal()].increment();
    }

    private boolean allowlistedAddress(SubjectState state) {
        return state instanceof DeviceState d && d.ip != null && settings.allowlist().contains(d.ip);
    }

    private static AlertSeverity max(AlertSeverity a, AlertSeverity b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static boolean isHandshake(TrafficEventType type) {
        return type == TrafficEventType.HANDSHAKE_SUCCEEDED || type == TrafficEventType.SESSION_RESUMED
                || type == TrafficEventType.HANDSHAKE_FAILED;
    }

    private static String perMinute(double v) {
        return v >= 10 ? String.format(Locale.ROOT, "%.0f/min", v) : String.format(Locale.ROOT, "%.1f/min", v);
    }

    private static String age(long millis) {
        long s = millis / 1000;
        if (s < 3600) {
            return (s / 60) + " min";
        }
        if (s < 2 * 86_400) {
            return String.format(Locale.ROOT, "%.1f h", s / 3600.0);
        }
        return (s / 86_400) + " days";
    }

    // --- global rate ---

    private void advanceClock(long t) {
        long prev = latest.get();
        while (t > prev) {
            if (latest.compareAndSet(prev, t)) {
                if (prev == Long.MIN_VALUE || t / 1000 != prev / 1000) {
                    sampleRate(t / 1000);
                }
                return;
            }
            prev = latest.get();
        }
    }

    private void sampleRate(long second) {
        long n = events.sum();
        synchronized (rateSeconds) {
            int i = (int) Math.floorMod(second, (long) rateSeconds.length);
            rateSeconds[i] = second;
            rateEvents[i] = n;
        }
    }

    /** @return events per second of event time over about the last 10 s */
    private double eventsPerSecond() {
        long now = latest.get();
        if (now == Long.MIN_VALUE) {
            return 0;
        }
        long second = now / 1000;
        synchronized (rateSeconds) {
            int newest = -1;
            int oldest = -1;
            for (int i = 0; i < rateSeconds.length; i++) {
                long s = rateSeconds[i];
                if (s == Long.MIN_VALUE || s > second || second - s > 10) {
                    continue;
                }
                if (newest < 0 || s > rateSeconds[newest]) {
                    newest = i;
                }
                if (oldest < 0 || s < rateSeconds[oldest]) {
                    oldest = i;
                }
            }
            if (newest < 0 || newest == oldest) {
                return 0;
            }
            return (double) (rateEvents[newest] - rateEvents[oldest]) / (rateSeconds[newest] - rateSeconds[oldest]);
        }
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }
}
