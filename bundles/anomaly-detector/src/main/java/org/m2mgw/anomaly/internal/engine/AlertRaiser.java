package org.m2mgw.anomaly.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import org.m2mgw.api.alert.Alert;
import org.m2mgw.api.alert.AlertSeverity;

/**
 * Turns what a {@link Rule} found into a {@link Finding}: starts the detector's cooldown for the
 * subject, picks the configured action unless the allowlist or the kind of subject rules it out,
 * sets the severity, and counts alerts and actions.
 *
 * <p>Thread-safe; callers hold the subject's monitor, as the cooldown is the subject's state.
 */
final class AlertRaiser {
    private final EngineSettings settings;
    private final long cooldownMs;
    private final Duration actionDuration;
    private final LongAdder[] alertsBy = adders(Detector.values().length);
    private final LongAdder[] actionsBy = adders(Action.values().length);

    /** Whether registered devices used an address lately, at a time: such an address is never blocked. */
    interface AddressUse {
        boolean inUse(String ip, long t);
    }

    private final AddressUse addressUse;

    AlertRaiser(EngineSettings settings) {
        this(settings, (ip, t) -> false);
    }

    AlertRaiser(EngineSettings settings, AddressUse addressUse) {
        this.addressUse = addressUse;
        this.settings = settings;
        this.cooldownMs = settings.cooldownSeconds() * 1000L;
        this.actionDuration = settings.actionDuration();
    }

    /**
     * Raises an alert about a device.
     *
     * @param throttleRate the request rate to allow if the action is {@link Action#THROTTLE}
     */
    void raise(List<Finding> out, DeviceState d, Detector detector, double score, String reason,
            Map<String, Double> features, long t, double throttleRate) {
        raise(out, d, d.id, true, d.ip, detector, score, reason, features, t, throttleRate);
    }

    /** Raises an alert about a source address. */
    void raise(List<Finding> out, AddressState a, Detector detector, double score, String reason,
            Map<String, Double> features, long t) {
        raise(out, a, a.ip, false, null, detector, score, reason, features, t, settings.handshakeLimitPerSecond());
    }

    /** Raises an alert about the gateway or a prefix: always {@link Action#LOG}, nobody is cut off by it. */
    void raise(List<Finding> out, AggregateState a, Detector detector, double score, String reason,
            Map<String, Double> features, long t) {
        a.startCooldown(detector, t, cooldownMs);
        AlertSeverity severity = detector.baseSeverity();
        Alert alert = new Alert(UUID.randomUUID().toString(), a.subject, a.kind, detector.id(), severity, score, reason,
                features, Instant.ofEpochMilli(t));
        out.add(new Finding(alert, Action.LOG, Duration.ZERO, 0));
        alertsBy[detector.ordinal()].increment();
        actionsBy[Action.LOG.ordinal()].increment();
    }

    /** @param deviceIp the device's latest source address, {@code null} for an address or when not known */
    private void raise(List<Finding> out, SubjectState state, String subject, boolean device, String deviceIp,
            Detector detector, double score, String reason, Map<String, Double> features, long t,
            double throttleRate) {
        state.startCooldown(detector, t, cooldownMs);
        Action action = settings.action(detector);
        if (settings.allowlist().contains(subject)
                || device && action == Action.BLOCK_ADDRESS
                || !device && (action == Action.THROTTLE || action == Action.QUARANTINE)
                || device && deviceIp != null && settings.allowlist().contains(deviceIp)) {
            action = Action.LOG;
        }
        if (!device && action == Action.BLOCK_ADDRESS && addressUse.inUse(subject, t)) {
            // Registered devices use this address (a NAT): ration its new handshakes instead, so
            // the neighbours keep their sessions.
            action = Action.LIMIT_HANDSHAKES;
        }
        AlertSeverity severity = detector.baseSeverity();
        if (action == Action.QUARANTINE) {
            severity = AlertSeverity.CRITICAL;
        } else if (action != Action.LOG
                || detector == Detector.RCF && score >= 2 * settings.rcfThreshold()) {
            severity = max(severity, AlertSeverity.WARNING);
        }
        Alert alert = new Alert(UUID.randomUUID().toString(), subject,
                device ? Alert.SubjectKind.DEVICE : Alert.SubjectKind.ADDRESS, detector.id(), severity, score, reason,
                features, Instant.ofEpochMilli(t));
        out.add(new Finding(alert, action, action == Action.LOG ? Duration.ZERO : actionDuration,
                action == Action.THROTTLE || action == Action.LIMIT_HANDSHAKES ? throttleRate : 0));
        alertsBy[detector.ordinal()].increment();
        actionsBy[action.ordinal()].increment();
    }

    /** Adds {@code alerts.<detector>} for each detector, {@code alerts} and {@code actions.<action>}, in this order. */
    void putCounters(Map<String, Long> m) {
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
    }

    private static AlertSeverity max(AlertSeverity a, AlertSeverity b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }
}
