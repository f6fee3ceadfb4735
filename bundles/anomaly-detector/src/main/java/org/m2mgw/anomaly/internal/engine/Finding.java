package org.m2mgw.anomaly.internal.engine;

import java.time.Duration;
import java.util.Objects;
import org.m2mgw.api.alert.Alert;

/**
 * An alert and the action the engine suggests for it.
 *
 * @param alert the alert, to be published whatever the action
 * @param action what to do
 * @param target what the action applies to: the device id for {@link Action#THROTTLE} and
 *     {@link Action#QUARANTINE}, the IP address for {@link Action#BLOCK_ADDRESS}, the alert's subject
 *     for {@link Action#LOG}
 * @param duration for how long; {@link Duration#ZERO} for {@link Action#LOG}
 * @param throttleRatePerSecond the request rate to allow for {@link Action#THROTTLE}; 0 otherwise
 */
public record Finding(Alert alert, Action action, String target, Duration duration, double throttleRatePerSecond) {

    public Finding {
        Objects.requireNonNull(alert, "alert");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(duration, "duration");
    }

    /** @return the detector that raised the alert, e.g. {@code rule.flood} */
    public String detector() {
        return alert.detector();
    }

    /** @return the device id or address the alert is about */
    public String subject() {
        return alert.subject();
    }
}
