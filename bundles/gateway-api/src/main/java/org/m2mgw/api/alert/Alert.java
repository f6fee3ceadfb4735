package org.m2mgw.api.alert;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An alert raised by a detector about a device or a source address. It carries the score, the
 * features that drove it and a reason in words, so that an operator can act on it without
 * reading code.
 *
 * <p>Alerts are also posted to Event Admin under {@link #TOPIC}, with the properties named by
 * the {@code PROP_*} constants.
 *
 * @since 0.1
 */
public final class Alert {
    /** The Event Admin topic alerts are posted to. */
    public static final String TOPIC = "org/m2mgw/alert/RAISED";
    /** Event property: the alert id ({@code String}). */
    public static final String PROP_ID = "alert.id";
    /** Event property: the subject, a device id or address ({@code String}). */
    public static final String PROP_SUBJECT = "alert.subject";
    /** Event property: the severity name ({@code String}). */
    public static final String PROP_SEVERITY = "alert.severity";
    /** Event property: the score ({@code Double}). */
    public static final String PROP_SCORE = "alert.score";
    /** Event property: the reason in words ({@code String}). */
    public static final String PROP_REASON = "alert.reason";
    /** Event property: the detector that raised it ({@code String}). */
    public static final String PROP_DETECTOR = "alert.detector";

    private final String id;
    private final String subject;
    private final String detector;
    private final AlertSeverity severity;
    private final double score;
    private final String reason;
    private final Map<String, Double> features;
    private final Instant time;

    /**
     * @param id a unique id
     * @param subject the device id, or the source address for unauthenticated traffic
     * @param detector the detector or rule that raised it
     * @param severity how urgent it is
     * @param score the detector's score; its scale is the detector's
     * @param reason the reason in words
     * @param features the feature values that drove the score, by feature name
     * @param time when it was raised
     */
    public Alert(String id, String subject, String detector, AlertSeverity severity, double score,
            String reason, Map<String, Double> features, Instant time) {
        this.id = Objects.requireNonNull(id, "id");
        this.subject = Objects.requireNonNull(subject, "subject");
        this.detector = Objects.requireNonNull(detector, "detector");
        this.severity = Objects.requireNonNull(severity, "severity");
        this.score = score;
        this.reason = Objects.requireNonNull(reason, "reason");
        this.features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
        this.time = Objects.requireNonNull(time, "time");
    }

    /** @return the unique id */
    public String id() {
        return id;
    }

    /** @return the device id or source address */
    public String subject() {
        return subject;
    }

    /** @return the detector or rule that raised it */
    public String detector() {
        return detector;
    }

    /** @return how urgent it is */
    public AlertSeverity severity() {
        return severity;
    }

    /** @return the score */
    public double score() {
        return score;
    }

    /** @return the reason in words */
    public String reason() {
        return reason;
    }

    /** @return the features that drove it, unmodifiable */
    public Map<String, Double> features() {
        return features;
    }

    /** @return when it was raised */
    public Instant time() {
        return time;
    }

    @Override
    public String toString() {
        return "Alert[" + severity + " " + subject + " by " + detector + ": " + reason + "]";
    }
}
