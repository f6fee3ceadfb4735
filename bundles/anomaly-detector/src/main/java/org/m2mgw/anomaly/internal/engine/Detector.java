package org.m2mgw.anomaly.internal.engine;

import org.m2mgw.api.alert.AlertSeverity;

/** The engine's detectors, with the name alerts carry and their least severity. */
public enum Detector {
    FLOOD("rule.flood", AlertSeverity.WARNING, Action.THROTTLE),
    IDENTITY_GUESSING("rule.identity-guessing", AlertSeverity.WARNING, Action.BLOCK_ADDRESS),
    HANDSHAKE_FLOOD("rule.handshake-flood", AlertSeverity.WARNING, Action.BLOCK_ADDRESS),
    // Replays and bad MACs can be injected by anyone who sees the traffic; acting on them by
    // default would hand an attacker a way to cut off an innocent device.
    REPLAY_STORM("rule.replay-storm", AlertSeverity.WARNING, Action.LOG),
    SIZE_JUMP("rule.size-jump", AlertSeverity.INFO, Action.LOG),
    NEW_RESOURCE("rule.new-resource", AlertSeverity.INFO, Action.LOG),
    RATE_CHANGE("rule.rate-change", AlertSeverity.INFO, Action.LOG),
    RATE_DRIFT("rule.rate-drift", AlertSeverity.INFO, Action.LOG),
    ACCESS_PROBING("rule.access-probing", AlertSeverity.WARNING, Action.LOG),
    IDENTITY_SPLIT("rule.identity-split", AlertSeverity.WARNING, Action.LOG),
    SLOW_FAILURES("rule.slow-failures", AlertSeverity.WARNING, Action.LOG),
    SESSION_CHURN("rule.session-churn", AlertSeverity.INFO, Action.LOG),
    // Over the gateway or a prefix: always logged, as no one subject can be acted on.
    SPREAD("rule.spread", AlertSeverity.WARNING, Action.LOG),
    RCF("rcf", AlertSeverity.INFO, Action.LOG);

    private final String id;
    private final AlertSeverity severity;
    private final Action defaultAction;

    Detector(String id, AlertSeverity severity, Action defaultAction) {
        this.id = id;
        this.severity = severity;
        this.defaultAction = defaultAction;
    }

    /** @return the name alerts carry, e.g. {@code rule.flood} */
    public String id() {
        return id;
    }

    /** @return the severity of its alerts when no action raises it */
    public AlertSeverity baseSeverity() {
        return severity;
    }

    /** @return the action used when {@link #actionKey()} is not configured */
    public Action defaultAction() {
        return defaultAction;
    }

    /** @return the configuration key of its action, e.g. {@code action.rule.flood} */
    public String actionKey() {
        return "action." + id;
    }
}
