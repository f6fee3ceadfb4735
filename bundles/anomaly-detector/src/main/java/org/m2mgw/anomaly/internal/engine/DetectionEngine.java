package org.m2mgw.anomaly.internal.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * Turns {@link TrafficEvent}s into {@link Finding}s: streaming features per device and per source
 * address, rules on them, and a Random Cut Forest over per-device windows. Time is the events' own
 * time, so that replayed or simulated traffic behaves as live traffic does; nothing here starts a
 * thread or reads the clock.
 *
 * <p>The engine itself only dispatches: each event updates its device's and source address's state
 * and goes to the {@link Rule}s it concerns, one class per detector, which raise their alerts through
 * the {@link AlertRaiser}.
 *
 * <p>Thread-safe: transports call {@link #onEvent(TrafficEvent)} from many threads. Each subject's
 * state has its own lock and the subject tables are striped; only the forest is shared, it is reached
 * at most once per device window, and no thread waits for it (see {@link RcfScorer}). A call may
 * therefore return a forest finding about another device than its event's.
 */
public final class DetectionEngine {

    private final EngineSettings settings;
    private final long windowMs;
    private final EventClock clock = new EventClock();
    private final SubjectTable<DeviceState> devices;
    private final SubjectTable<AddressState> addresses;
    private final AlertRaiser alerts;

    private final FloodRule flood;
    private final RateChangeRule rateChange;
    private final SizeJumpRule sizeJump;
    private final NewResourceRule newResource;
    private final IdentityGuessingRule identityGuessing;
    private final HandshakeFloodRule handshakeFlood;
    private final ReplayStormRule replayStorm;
    private final RateDriftRule rateDrift;
    private final SessionChurnRule sessionChurn;
    private final AccessProbingRule accessProbing;
    private final IdentitySplitRule identitySplit;
    private final SlowFailuresRule slowFailures;
    private final SpreadRule spread;
    /** The whole gateway's view; its monitor guards it. */
    private final AggregateState gateway;
    private final SubjectTable<AggregateState> prefixes;
    /** {@code null} when {@code rcf.enabled} is false. */
    private final RcfRule rcf;

    /** @param settings thresholds and limits */
    public DetectionEngine(EngineSettings settings) {
        this.settings = settings;
        this.windowMs = settings.windowSeconds() * 1000L;
        this.devices = new SubjectTable<>(settings.maxTrackedSubjects());
        this.addresses = new SubjectTable<>(settings.maxTrackedAddresses());
        this.alerts = new AlertRaiser(settings, this::addressInUse);
        this.flood = new FloodRule(settings, alerts);
        this.rateChange = new RateChangeRule(settings, alerts);
        this.sizeJump = new SizeJumpRule(settings, alerts);

        this.identityGuessing = new IdentityGuessingRule(settings, alerts);
        this.handshakeFlood = new HandshakeFloodRule(settings, alerts);
        this.replayStorm = new ReplayStormRule(settings, alerts);
        this.rateDrift = new RateDriftRule(settings, alerts);
        this.sessionChurn = new SessionChurnRule(settings, alerts);
        this.accessProbing = new AccessProbingRule(settings, alerts);
        this.identitySplit = new IdentitySplitRule(settings, alerts);
        this.slowFailures = new SlowFailuresRule(settings, alerts);
        this.spread = new SpreadRule(settings, alerts);
        this.gateway = new AggregateState(AggregateState.GATEWAY, org.m2mgw.api.alert.Alert.SubjectKind.GATEWAY);
        this.prefixes = new SubjectTable<>(Math.max(16, settings.maxTrackedAddresses() / 4));
        this.newResource = new NewResourceRule(settings, alerts, gateway);
        this.rcf = settings.rcfEnabled() ? new RcfRule(settings, alerts, clock::latest) : null;
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
        clock.event(t);
        List<Finding> out = new ArrayList<>(0);
        String ip = Subjects.ipOf(e);
        TrafficEventType type = e.type();
        String deviceId = e.deviceId().orElse(null);
        if (deviceId != null) {
            DeviceState d = devices.getOrCreate(deviceId, id -> new DeviceState(id, t));
            float[] vector;
            synchronized (d) {
                vector = deviceEvent(d, e, t, ip, out);
            }
            if (vector != null) {
                rcf.submit(d, vector, out);
            }
            // Handshakes of registered devices do not count toward the address rules: those are for
            // unauthenticated traffic, and an address may be a NAT in front of many honest devices.
        } else if (!Subjects.UNKNOWN.equals(ip)) {
            AddressState a = addresses.getOrCreate(ip, k -> new AddressState(k, t));
            synchronized (a) {
                addressEvent(a, e, t, out);
            }
        }
        int kind = aggregateKind(e, deviceId != null);
        if (kind >= 0) {
            aggregate(gateway, e, kind, ip, t, out);
            String prefix = deviceId == null ? AggregateState.prefixOf(e.sourceIp()) : null;
            if (prefix != null && !Subjects.UNKNOWN.equals(ip)) {
                AggregateState p = prefixes.getOrCreate(prefix,
                        k -> new AggregateState(k, org.m2mgw.api.alert.Alert.SubjectKind.PREFIX));
                aggregate(p, e, kind, ip, t, out);
            }
        }
        return out;
    }

    /**
     * @return the {@link AggregateState} kind an event counts toward, or -1: failures only, as
     *     ordinary traffic is judged per device
     */
    private static int aggregateKind(TrafficEvent e, boolean device) {
        return switch (e.type()) {
            case HANDSHAKE_FAILED -> device ? -1 : AggregateState.AUTH_FAILURES;
            case RECORD_MAC_FAILED, REPLAY_DROPPED, MALFORMED_INPUT -> device ? AggregateState.DEVICE_SECURITY
                    : AggregateState.SECURITY;
            case REQUEST_REJECTED -> probe(e) ? AggregateState.PROBES : -1;
            default -> -1;
        };
    }

    /** @return whether a refused request asked for something the device may not have, rather than too much */
    private static boolean probe(TrafficEvent e) {
        return e.cause() == FailureCause.NO_SUCH_RESOURCE
                || e.cause() == FailureCause.ACCESS_DENIED && !THROTTLED.equals(e.reason())
                        && !DISABLED.equals(e.reason());
    }

    /** The reasons the transports give for refusals that are about the device's state, not what it asked for. */
    static final String THROTTLED = "device is throttled";
    static final String DISABLED = "device is disabled";

    private void aggregate(AggregateState a, TrafficEvent e, int kind, String ip, long t, List<Finding> out) {
        synchronized (a) {
            a.observe(t);
            a.add(kind);
            if (!Subjects.UNKNOWN.equals(ip)) {
                a.addresses60.add(ip.hashCode(), t);
            }
            if (kind == AggregateState.AUTH_FAILURES && e.cause() == FailureCause.UNKNOWN_IDENTITY) {
                String identity = e.claimedIdentity().orElse(e.reason());
                a.add(AggregateState.UNKNOWN_IDENTITIES);
                a.identities10.add(identity.hashCode(), t);
                a.identities60.add(identity.hashCode(), t);
                spread.check(a, AggregateState.UNKNOWN_IDENTITIES, t, out);
            }
            spread.check(a, kind, t, out);
        }
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
        clock.advance(t);
        List<Finding> out = new ArrayList<>(0);
        for (int i = 0; i < devices.stripeCount(); i++) {
            for (DeviceState d : devices.snapshot(i)) {
                float[] vector;
                synchronized (d) {
                    vector = closeWindowIfDue(d, t);
                }
                if (vector != null) {
                    rcf.submit(d, vector, out);
                }
            }
        }
        if (rcf != null) {
            rcf.drain(out);
        }
        return out;
    }

    /** @return events seen, alerts by detector, actions, tracked subjects and forest statistics */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("events", clock.events());
        m.put("events.per.second", Math.round(clock.eventsPerSecond()));
        int trackedDevices = devices.size();
        int trackedAddresses = addresses.size();
        m.put("tracked.subjects", (long) trackedDevices + trackedAddresses);
        m.put("tracked.devices", (long) trackedDevices);
        m.put("tracked.addresses", (long) trackedAddresses);
        m.put("tracked.prefixes", (long) prefixes.size());
        m.put("evicted.devices", devices.evictions());
        m.put("evicted.addresses", addresses.evictions());
        alerts.putCounters(m);
        if (rcf != null) {
            rcf.putCounters(m);
        }
        return m;
    }

    /**
     * @param subject a device id or an IP address
     * @return its current features by name, as of the latest event time; empty when it is not tracked
     */
    public Map<String, Double> features(String subject) {
        long now = clock.latest();
        DeviceState d = devices.find(subject);
        if (d != null) {
            synchronized (d) {
                return Collections.unmodifiableMap(d.features(Math.max(now, d.lastSeen)));
            }
        }
        if (AggregateState.GATEWAY.equals(subject)) {
            synchronized (gateway) {
                return Collections.unmodifiableMap(gateway.features(now));
            }
        }
        AggregateState p = prefixes.find(subject);
        if (p != null) {
            synchronized (p) {
                return Collections.unmodifiableMap(p.features(now));
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
        String before = d.ip;
        long ended = d.observe(t, ip, flood.suspiciousPerMinute(d));
        if (ended > 0) {
            rateDrift.minutesEnded(d, ended, t, out);
            d.learnChurn(t, SessionChurnRule.suspicious(d));
        }
        if (before != null && !before.equals(d.ip)) {
            identitySplit.check(d, t, out);
        }
        float[] vector = closeWindowIfDue(d, t);
        d.openWindow(t);
        switch (e.type()) {
            case REQUEST -> request(d, e, t, out);
            case REQUEST_REJECTED -> {
                d.count(DeviceState.REJECTED);
                flood.check(d, t, out);
                if (probe(e)) {
                    d.refused(e.resource().orElse(null), t);
                    accessProbing.check(d, t, out);
                }
            }
            case HANDSHAKE_SUCCEEDED, SESSION_RESUMED -> {
                d.count(DeviceState.HANDSHAKES);
                handshakeFlood.checkDevice(d, t, out);
                d.churned(t);
                sessionChurn.check(d, t, out);
            }
            case SESSION_CLOSED -> {
                d.churned(t);
                sessionChurn.check(d, t, out);
            }
            case HANDSHAKE_FAILED -> {
                d.count(DeviceState.HANDSHAKE_FAILURES);
                handshakeFlood.checkDevice(d, t, out);
            }
            case RECORD_MAC_FAILED -> {
                d.count(DeviceState.MAC_FAILURES);
                replayStorm.checkDevice(d, t, out);
                d.slowFailure(t);
                slowFailures.check(d, t, out);
            }
            case REPLAY_DROPPED -> {
                d.count(DeviceState.REPLAYS);
                replayStorm.checkDevice(d, t, out);
                d.slowFailure(t);
                slowFailures.check(d, t, out);
            }
            case MALFORMED_INPUT -> {
                d.count(DeviceState.MALFORMED);
                d.slowFailure(t);
                slowFailures.check(d, t, out);
            }
            case ADDRESS_CHANGED -> d.count(DeviceState.ADDRESS_CHANGES);
            default -> {
                // BYTES_IN, BYTES_OUT: counted as events only
            }
        }
        return vector;
    }

    /**
     * Ends the device's window if it is due at {@code t}. Callers hold the device's monitor.
     *
     * @return the window's vector when the forest is to score it, else {@code null}
     */
    private float[] closeWindowIfDue(DeviceState d, long t) {
        if (!d.windowDue(t, windowMs)) {
            return null;
        }
        float[] v = d.closeWindow();
        return rcf != null && d.warmedUp(settings, t) ? v : null;
    }

    private void request(DeviceState d, TrafficEvent e, long t, List<Finding> out) {
        long bytes = Math.max(0, e.bytes());
        String resource = e.resource().orElse(null);
        if (d.backlog(t)) {
            // held back by an outage: its content is judged, its arrival is no new rate
            d.backlogRequest(t);
            sizeJump.check(d, bytes, resource, t, out);
            newResource.check(d, resource, bytes, t, out);
            return;
        }
        d.request(t, bytes);
        // in this order: each rule sees what the ones before it learned (size, resources, intervals)
        flood.check(d, t, out);
        rateChange.checkShortWindow(d, t, out);
        sizeJump.check(d, bytes, resource, t, out);
        newResource.check(d, resource, bytes, t, out);
        rateChange.checkInterval(d, t, out);
    }

    // --- addresses ---

    private void addressEvent(AddressState a, TrafficEvent e, long t, List<Finding> out) {
        a.observe(t);
        switch (e.type()) {
            case HANDSHAKE_FAILED -> {
                a.count(AddressState.HANDSHAKES);
                a.count(AddressState.FAILURES);
                String reason = e.reason();
                if (e.cause() == FailureCause.UNKNOWN_IDENTITY) {
                    a.count(AddressState.UNKNOWN_IDENTITIES);
                    String identity = e.claimedIdentity().orElse(null);
                    a.unknownIdentity(identity, t);
                    identityGuessing.check(a, identity, t, out);
                }
                handshakeFlood.checkAddress(a, reason, t, out);
            }
            case HANDSHAKE_SUCCEEDED, SESSION_RESUMED -> {
                a.count(AddressState.HANDSHAKES);
                handshakeFlood.checkAddress(a, null, t, out);
            }
            case RECORD_MAC_FAILED -> a.count(AddressState.MAC_FAILURES);
            case REPLAY_DROPPED -> {
                a.count(AddressState.REPLAYS);
                replayStorm.checkAddress(a, t, out);
            }
            case MALFORMED_INPUT -> a.count(AddressState.MALFORMED);
            default -> {
                // the rest concerns devices
            }
        }
    }

    /** A day: how long an address counts as in use by registered devices after their last traffic from it. */
    static final long ADDRESS_IN_USE_MS = 24 * 3600 * 1000L;

    /**
     * @return whether a registered device's latest traffic came from {@code ip} within the last day.
     *         A scan of the tracked devices: it runs only when an address rule wants a block, at most
     *         once per address and cooldown.
     */
    boolean addressInUse(String ip, long t) {
        for (int i = 0; i < devices.stripeCount(); i++) {
            for (DeviceState d : devices.snapshot(i)) {
                if (ip.equals(d.ip) && t - d.lastSeen < ADDRESS_IN_USE_MS) {
                    return true;
                }
            }
        }
        return false;
    }

}
