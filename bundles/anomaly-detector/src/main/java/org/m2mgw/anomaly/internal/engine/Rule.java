package org.m2mgw.anomaly.internal.engine;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One detection rule, the only one that raises its {@link Detector}'s alerts. A rule judges a
 * subject's state at an event's time and adds what it raises to the findings of that event; its
 * methods take the state, the time (the event's, in epoch milliseconds) and the findings list.
 *
 * <p>One instance serves every subject and thread and keeps no state of its own: callers hold the
 * subject's monitor, so a rule reads and updates the state freely. Alerts go through the
 * {@link AlertRaiser}, which also starts the detector's cooldown for the subject.
 */
abstract class Rule {
    protected final EngineSettings settings;
    private final Detector detector;
    private final AlertRaiser alerts;

    Rule(Detector detector, EngineSettings settings, AlertRaiser alerts) {
        this.detector = detector;
        this.settings = settings;
        this.alerts = alerts;
    }

    /** @return whether this rule alerted about the subject too recently to alert again at {@code t} */
    final boolean coolingDown(SubjectState s, long t) {
        return s.coolingDown(detector, t);
    }

    final void raise(List<Finding> out, DeviceState d, double score, String reason, Map<String, Double> features,
            long t) {
        alerts.raise(out, d, detector, score, reason, features, t, 0);
    }

    /** @param throttleRate the request rate to allow if the configured action is {@link Action#THROTTLE} */
    final void raise(List<Finding> out, DeviceState d, double score, String reason, Map<String, Double> features,
            long t, double throttleRate) {
        alerts.raise(out, d, detector, score, reason, features, t, throttleRate);
    }

    final void raise(List<Finding> out, AddressState a, double score, String reason, Map<String, Double> features,
            long t) {
        alerts.raise(out, a, detector, score, reason, features, t);
    }

    final void raise(List<Finding> out, AggregateState a, double score, String reason, Map<String, Double> features,
            long t) {
        alerts.raise(out, a, detector, score, reason, features, t);
    }

    /** @return a rate per minute for a reason: whole numbers from 10 up, one decimal below */
    static String perMinute(double v) {
        return v >= 10 ? String.format(Locale.ROOT, "%.0f/min", v) : String.format(Locale.ROOT, "%.1f/min", v);
    }
}
