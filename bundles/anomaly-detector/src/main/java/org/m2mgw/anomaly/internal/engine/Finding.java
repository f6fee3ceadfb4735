package org.m2mgw.anomaly.internal.engine;

import java.time.Duration;
import java.util.Objects;
import org.m2mgw.api.alert.Alert;

/**
 * An alert and the action the engine suggests for it. The action always applies to the alert's
 * subject: {@link Action#THROTTLE} and {@link Action#QUARANTINE} only come with a device, and
 * {@link Action#BLOCK_ADDRESS} only with an IP address; a configured action that does not fit the
 * subject becomes {@link Action#LOG}, so that an IP a device shares (NAT) is never blocked for one
 * device's behaviour.
 *
 * @param alert the alert, to be published whatever the action
 * @param action what to do
 * @param duration for how long; {@link Duration#ZERO} for {@link Action#LOG}
 * @param throttleRatePerSecond the request rate to allow for {@link Action#THROTTLE}; 0 otherwise
 */
public record Finding(Alert alert, Action action, Duration duration, double throttleRatePerSecond) {

    public Finding {
        Objects.requireNonNull(alert, "alert");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(duration, "duration");
    }

    /** @return the detector that raised the alert, e.g. {@code rule.flood} */
    public String detector() {
        return alert.detector();
    }

    /** @return the device id or IP address the alert and the action are about */
    public String subject() {
        return alert.subject();
    }
}
