package org.m2mgw.anomaly.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Metatype of the anomaly detector: the settings an operator tunes most. Every other key of the
 * detection engine (see README, "Anomaly detection") can be set through Config Admin as well.
 */
@ObjectClassDefinition(id = AnomalyDetector.PID, name = "Anomaly detector",
        description = "Watches device traffic and the security layer (handshakes, MAC failures, replays, "
                + "identities) for floods, guessing, exfiltration-like and changed behaviour; raises alerts "
                + "and can throttle, quarantine or block.")
@interface AnomalyConfig {

    @AttributeDefinition(name = "detector.enabled", description = "Run detection. Default: true.")
    boolean detector_enabled() default true;

    @AttributeDefinition(name = "detector.warmup.seconds", description = "Learning time per device "
            + "before baseline-relative rules may alert, 0..86400. Default: 600.", min = "0", max = "86400")
    int detector_warmup_seconds() default 600;

    @AttributeDefinition(name = "rule.flood.requests.per.minute", description = "Requests per minute "
            + "from one device that always count as a flood. Default: 600.", min = "1")
    int rule_flood_requests_per_minute() default 600;

    @AttributeDefinition(name = "rule.identity.guessing.failures.per.minute", description = "Unknown "
            + "PSK identities per minute from one address that count as guessing. Default: 10.", min = "1")
    int rule_identity_guessing_failures_per_minute() default 10;

    @AttributeDefinition(name = "rule.handshake.flood.per.minute", description = "Handshake attempts "
            + "per minute from one address that count as a storm. Default: 240.", min = "1")
    int rule_handshake_flood_per_minute() default 240;

    @AttributeDefinition(name = "rule.replay.storm.per.minute", description = "Replayed or forged "
            + "records per minute that count as a storm. Default: 20.", min = "1")
    int rule_replay_storm_per_minute() default 20;

    @AttributeDefinition(name = "rcf.enabled", description = "Run the Random Cut Forest detector over "
            + "per-device feature vectors. Default: true.")
    boolean rcf_enabled() default true;

    @AttributeDefinition(name = "rcf.threshold", description = "Anomaly score above which the forest "
            + "alerts. Default: 4.0.")
    double rcf_threshold() default 4.0;

    @AttributeDefinition(name = "alert.cooldown.seconds", description = "The same detector alerts "
            + "again for the same subject only after this long. Default: 300.", min = "0")
    int alert_cooldown_seconds() default 300;

    @AttributeDefinition(name = "allowlist", description = "Device ids and IP addresses whose alerts "
            + "never lead to an action (alerts are still raised).", required = false)
    String[] allowlist() default {};

    @AttributeDefinition(name = "action.rule.flood", description = "Action on a message flood.",
            options = {@Option(label = "log", value = "log"), @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine")})
    String action_rule_flood() default "throttle";

    @AttributeDefinition(name = "action.rule.identity-guessing", description = "Action on PSK identity "
            + "guessing from an address.",
            options = {@Option(label = "log", value = "log"), @Option(label = "block the address", value = "block-address")})
    String action_rule_identity$_$guessing() default "block-address";

    @AttributeDefinition(name = "action.duration.seconds", description = "How long an automatic "
            + "action lasts, 1..604800. Default: 900.", min = "1", max = "604800")
    int action_duration_seconds() default 900;

    @AttributeDefinition(name = "action.throttle.rate.per.second", description = "Request rate left "
            + "to a throttled device. Default: 1.")
    double action_throttle_rate_per_second() default 1;
}
