package org.m2mgw.cloud.internal;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.m2mgw.api.alert.Alert;
import org.m2mgw.cloud.internal.queue.DurableQueue;
import org.m2mgw.support.Json;
import org.osgi.service.event.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the alerts raised on Event Admin ({@link Alert#TOPIC}) into a connection's alert queue, as
 * JSON, for the {@link Publisher} to publish on the alert topic. The queue is durable like the
 * device messages' (finding 6 of the security review), with its own bounds: alerts raised while the
 * broker is away survive a restart, and are published in the order raised (they share one ordering
 * key, so one is in flight at a time). When the queue is full the oldest alert goes, counted.
 * {@link #json} is the one place that writes that JSON.
 */
final class AlertPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(AlertPublisher.class);

    /** The ordering key of every alert in the queue: one lane, published in order. */
    static final String KEY = "alerts";

    private final String name;
    private final String gatewayId;
    private final DurableQueue queue;
    private final Runnable wake;
    private final LongAdder refused = new LongAdder();

    /**
     * @param name the connection's short name, for the log
     * @param gatewayId the gateway's id, written into every alert
     * @param queue the alert queue
     * @param wake wakes the publisher
     */
    AlertPublisher(String name, String gatewayId, DurableQueue queue, Runnable wake) {
        this.name = name;
        this.gatewayId = gatewayId;
        this.queue = queue;
        this.wake = wake;
    }

    /** @return alerts the queue could not take (closed, storage error) */
    long refused() {
        return refused.sum();
    }

    /** Queues the alert an Event Admin event carries for publication; ignores other events. */
    void publish(Event event) {
        Alert alert;
        try {
            alert = Alert.fromEventProperties(event::getProperty);
        } catch (IllegalArgumentException e) {
            LOG.warn("Cloud connection {}: event on {} is not an alert, not published: {}", name, event.getTopic(),
                    e.getMessage());
            return;
        }
        Object action = event.getProperty(Alert.PROP_ACTION);
        String json = json(alert, action == null ? null : action.toString(), gatewayId);
        // Event Admin's thread does not wait for the disk: the outcome is logged if it is bad.
        queue.offerRecord(KEY, json.getBytes(StandardCharsets.UTF_8)).whenComplete((a, e) -> {
            if (e != null || !a.isAccepted()) {
                refused.increment();
                LOG.error("Cloud connection {}: alert {} could not be stored, it is lost: {}", name, alert.id(),
                        e != null ? e.toString() : a.reason());
            }
            wake.run();
        });
    }

    /**
     * The alert as the cloud sees it: {@code gateway}, {@code id}, {@code subject},
     * {@code subjectKind}, {@code detector}, {@code severity}, {@code reason}, {@code time},
     * {@code action} (left out if {@code null}), {@code score} (left out if not finite) and
     * {@code features} (those with finite values).
     *
     * @param alert the alert
     * @param action the action taken, e.g. {@code quarantine} or {@code none}; may be {@code null}
     * @param gatewayId the gateway's id
     * @return one JSON object
     */
    static String json(Alert alert, String action, String gatewayId) {
        StringBuilder b = new StringBuilder(256).append('{');
        field(b, "gateway", gatewayId);
        field(b.append(','), "id", alert.id());
        field(b.append(','), "subject", alert.subject());
        field(b.append(','), "subjectKind", alert.subjectKind().name());
        field(b.append(','), "detector", alert.detector());
        field(b.append(','), "severity", alert.severity().name());
        field(b.append(','), "reason", alert.reason());
        field(b.append(','), "time", alert.time().toString());
        if (action != null) {
            field(b.append(','), "action", action);
        }
        if (Double.isFinite(alert.score())) {
            b.append(",\"score\":").append(alert.score());
        }
        b.append(",\"features\":{");
        boolean first = true;
        for (Map.Entry<String, Double> f : alert.features().entrySet()) {
            if (Double.isFinite(f.getValue())) {
                Json.appendQuoted(b.append(first ? "" : ","), f.getKey()).append(':').append(f.getValue().doubleValue());
                first = false;
            }
        }
        return b.append("}}").toString();
    }

    private static void field(StringBuilder b, String key, String value) {
        Json.appendQuoted(b, key).append(':');
        Json.appendQuoted(b, value);
    }
}
