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
    /** Event property: what the subject is, a {@link SubjectKind} name ({@code String}). @since 1.1 */
    public static final String PROP_SUBJECT_KIND = "alert.subject.kind";
    /** Event property: when it was raised, ISO-8601 ({@code String}). @since 1.1 */
    public static final String PROP_TIME = "alert.time";
    /** Event property: the action taken, e.g. {@code quarantine} or {@code none} ({@code String}). @since 1.1 */
    public static final String PROP_ACTION = "alert.action";
    /** Event property: the features that drove it ({@code Map<String, Double>}). @since 1.1 */
    public static final String PROP_FEATURES = "alert.features";

    /**
     * What an alert is about.
     *
     * @since 1.1
     */
    public enum SubjectKind {
        /** A registered device; the subject is its device id. */
        DEVICE,
        /** A source IP address (unauthenticated traffic); the subject is the address without port. */
        ADDRESS,
        /**
         * A network prefix, for traffic spread over many addresses of it; the subject is the prefix in
         * CIDR notation, e.g. {@code 198.51.100.0/24} or {@code 2001:db8:0:0:0:0:0:0/64}.
         *
         * @since 1.2
         */
        PREFIX,
        /**
         * The whole gateway, for what is visible only over all devices and addresses together; the
         * subject is {@code gateway}.
         *
         * @since 1.2
         */
        GATEWAY
    }

    private final String id;
    private final String subject;
    private final SubjectKind subjectKind;
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
        this(id, subject, SubjectKind.DEVICE, detector, severity, score, reason, features, time);
    }

    /**
     * @param id a unique id
     * @param subject the device id, or the source IP address (no port) for unauthenticated traffic
     * @param subjectKind what the subject is
     * @param detector the detector or rule that raised it
     * @param severity how urgent it is
     * @param score the detector's score; its scale is the detector's
     * @param reason the reason in words
     * @param features the feature values that drove the score, by feature name
     * @param time when it was raised
     * @since 1.1
     */
    public Alert(String id, String subject, SubjectKind subjectKind, String detector, AlertSeverity severity,
            double score, String reason, Map<String, Double> features, Instant time) {
        this.id = Objects.requireNonNull(id, "id");
        this.subject = Objects.requireNonNull(subject, "subject");
        this.subjectKind = Objects.requireNonNull(subjectKind, "subjectKind");
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

    /** @return what the subject is @since 1.1 */
    public SubjectKind subjectKind() {
        return subjectKind;
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

    /**
     * The Event Admin properties of this alert, every one named by a {@code PROP_*} constant.
     *
     * @param action the action taken, e.g. {@code quarantine}, or {@code none}
     * @return a new mutable map
     * @since 1.1
     */
    public Map<String, Object> toEventProperties(String action) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(PROP_ID, id);
        p.put(PROP_SUBJECT, subject);
        p.put(PROP_SUBJECT_KIND, subjectKind.name());
        p.put(PROP_DETECTOR, detector);
        p.put(PROP_SEVERITY, severity.name());
        p.put(PROP_SCORE, score);
        p.put(PROP_REASON, reason);
        p.put(PROP_TIME, time.toString());
        p.put(PROP_ACTION, action == null ? "none" : action);
        p.put(PROP_FEATURES, new LinkedHashMap<>(features));
        return p;
    }

    /**
     * Reads an alert back from Event Admin properties written by {@link #toEventProperties(String)}.
     *
     * @param property the event's property lookup, e.g. {@code event::getProperty}
     * @return the alert
     * @throws IllegalArgumentException if a required property is missing or has the wrong type
     * @since 1.1
     */
    public static Alert fromEventProperties(java.util.function.Function<String, Object> property) {
        try {
            Object kind = property.apply(PROP_SUBJECT_KIND);
            Object score = property.apply(PROP_SCORE);
            Object time = property.apply(PROP_TIME);
            Map<String, Double> features = new LinkedHashMap<>();
            if (property.apply(PROP_FEATURES) instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    if (v instanceof Number n) {
                        features.put(String.valueOf(k), n.doubleValue());
                    }
                });
            }
            return new Alert((String) property.apply(PROP_ID), (String) property.apply(PROP_SUBJECT),
                    kind == null ? SubjectKind.DEVICE : SubjectKind.valueOf(kind.toString()),
                    (String) property.apply(PROP_DETECTOR),
                    AlertSeverity.valueOf(String.valueOf(property.apply(PROP_SEVERITY))),
                    score instanceof Number n ? n.doubleValue() : Double.NaN,
                    (String) property.apply(PROP_REASON), features,
                    time == null ? Instant.now() : Instant.parse(time.toString()));
        } catch (ClassCastException | NullPointerException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("not an alert event: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "Alert[" + severity + " " + subject + " by " + detector + ": " + reason + "]";
    }
}
