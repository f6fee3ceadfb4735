package org.m2mgw.anomaly.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Metatype of the anomaly detector: every key the detector reads, with its default and range. The
 * generated {@code OSGI-INF/metatype/org.m2mgw.anomaly.xml} is the one definition: the detection
 * engine takes its defaults and ranges from it ({@code EngineSettings}), and the docs and the Kura
 * snapshot are checked against it. Every action key offers every action; one that does not fit the
 * subject (a block for a device, a quarantine for an address) is carried out as log.
 */
@ObjectClassDefinition(id = AnomalyDetector.PID, name = "Anomaly detector",
        description = "Watches device traffic and the security layer (handshakes, MAC failures, replays, "
                + "identities) for floods, guessing, exfiltration-like and changed behaviour; raises alerts "
                + "and can throttle, quarantine or block.")
@interface AnomalyConfig {

    @AttributeDefinition(name = "detector.enabled", description = "Run detection. Default: true.")
    boolean detector_enabled() default true;

    @AttributeDefinition(name = "detector.warmup.seconds", description = "How long a device must be known before rules that compare it with its own history "
            + "(relative flood, size jump, new resource, rate change) and the forest consider it, "
            + "0..2592000. Default: 600.", min = "0", max = "2592000")
    int detector_warmup_seconds() default 600;

    @AttributeDefinition(name = "detector.warmup.events", description = "How many requests a device must have sent before those rules consider it, 1..1000000. "
            + "Default: 20.", min = "1", max = "1000000")
    int detector_warmup_events() default 20;

    @AttributeDefinition(name = "detector.window.seconds", description = "Length of a device's feature window; each window of activity gives the forest one vector, "
            + "1..3600. Default: 10.", min = "1", max = "3600")
    int detector_window_seconds() default 10;

    @AttributeDefinition(name = "rule.flood.requests.per.minute", description = "Requests per minute from one device that always count as a flood, 1..10000000. Default: "
            + "600.", min = "1", max = "10000000")
    int rule_flood_requests_per_minute() default 600;

    @AttributeDefinition(name = "rule.flood.baseline.factor", description = "After warm-up, a device also floods above this multiple of its own requests per minute, "
            + "2..1000. Default: 10.", min = "2", max = "1000")
    double rule_flood_baseline_factor() default 10;

    @AttributeDefinition(name = "rule.flood.min.requests.per.minute", description = "...but never below this many requests per minute, 1..10000000. Default: 60.", min = "1", max = "10000000")
    int rule_flood_min_requests_per_minute() default 60;

    @AttributeDefinition(name = "rule.identity.guessing.failures.per.minute", description = "Handshakes failed for an unknown PSK identity per minute from one address that count as "
            + "guessing, 1..1000000. Default: 10.", min = "1", max = "1000000")
    int rule_identity_guessing_failures_per_minute() default 10;

    @AttributeDefinition(name = "rule.identity.guessing.distinct.identities", description = "...provided at least this many different identities were tried within a minute, 1..64. "
            + "Default: 3.", min = "1", max = "64")
    int rule_identity_guessing_distinct_identities() default 3;

    @AttributeDefinition(name = "rule.handshake.flood.per.minute", description = "Handshake attempts (full, resumed or failed) per minute from one address that count as a "
            + "storm; an address may be a NAT for many devices, 1..10000000. Default: 240.", min = "1", max = "10000000")
    int rule_handshake_flood_per_minute() default 240;

    @AttributeDefinition(name = "rule.handshake.failures.per.minute", description = "Failed handshakes per minute from one address other than unknown identities (e.g. a wrong "
            + "key for a known identity), 1..10000000. Default: 20.", min = "1", max = "10000000")
    int rule_handshake_failures_per_minute() default 20;

    @AttributeDefinition(name = "rule.device.handshakes.per.minute", description = "Handshakes per minute of one device that count as a storm, 1..10000000. Default: 20.", min = "1", max = "10000000")
    int rule_device_handshakes_per_minute() default 20;

    @AttributeDefinition(name = "rule.replay.storm.per.minute", description = "Replayed plus MAC-failed records per minute for a device or an address that count as a "
            + "storm, 1..10000000. Default: 20.", min = "1", max = "10000000")
    int rule_replay_storm_per_minute() default 20;

    @AttributeDefinition(name = "rule.size.jump.sigmas", description = "A payload this many standard deviations above the device's mean size is a jump, 1..1000. "
            + "Default: 6.", min = "1", max = "1000")
    double rule_size_jump_sigmas() default 6;

    @AttributeDefinition(name = "rule.size.jump.min.bytes", description = "...if it is also at least this many bytes, 0..1073741824. Default: 256.", min = "0", max = "1073741824")
    int rule_size_jump_min_bytes() default 256;

    @AttributeDefinition(name = "rule.new.resource.enabled", description = "Alert when a warmed-up device uses a resource it never used before. Default: true.")
    boolean rule_new_resource_enabled() default true;

    @AttributeDefinition(name = "rule.rate.change.factor", description = "A periodic device reporting this many times faster or slower than it learned changed its "
            + "rate, 1.5..1000. Default: 5.", min = "1.5", max = "1000")
    double rule_rate_change_factor() default 5;

    @AttributeDefinition(name = "rule.rate.change.max.cv", description = "A device counts as periodic when the coefficient of variation of its report intervals is "
            + "at most this, 0.01..10. Default: 0.5.", min = "0.01", max = "10")
    double rule_rate_change_max_cv() default 0.5;

    @AttributeDefinition(name = "rcf.enabled", description = "Run the Random Cut Forest detector over per-device feature vectors. Default: true.")
    boolean rcf_enabled() default true;

    @AttributeDefinition(name = "rcf.threshold", description = "Forest score at or above which a window is anomalous, 0.5..100. Default: 4.0.", min = "0.5", max = "100")
    double rcf_threshold() default 4.0;

    @AttributeDefinition(name = "rcf.warmup.windows", description = "Vectors the forest learns before it may alert; at least rcf.sample.size, at most "
            + "10000000. Default: 2500.", min = "32", max = "10000000")
    int rcf_warmup_windows() default 2500;

    @AttributeDefinition(name = "rcf.trees", description = "Trees in the forest, 10..500. Default: 50.", min = "10", max = "500")
    int rcf_trees() default 50;

    @AttributeDefinition(name = "rcf.sample.size", description = "Points each tree keeps, 32..4096. Default: 256.", min = "32", max = "4096")
    int rcf_sample_size() default 256;

    @AttributeDefinition(name = "rcf.max.vectors.per.second", description = "Most vectors scored per second; the rest are skipped and counted, to bound CPU, "
            + "1..1000000. Default: 2000.", min = "1", max = "1000000")
    int rcf_max_vectors_per_second() default 2000;

    @AttributeDefinition(name = "rcf.random.seed", description = "Random seed of the forest, so that runs can be repeated. Default: 42.")
    long rcf_random_seed() default 42L;

    @AttributeDefinition(name = "alert.cooldown.seconds", description = "The same detector alerts again for the same subject only after this long, 0..604800. "
            + "Default: 300.", min = "0", max = "604800")
    int alert_cooldown_seconds() default 300;

    @AttributeDefinition(name = "max.tracked.subjects", description = "Most devices tracked (the least recently seen is forgotten first); addresses are tracked "
            + "separately, at most a quarter of this, 1000..10000000. Default: 100000.", min = "1000", max = "10000000")
    int max_tracked_subjects() default 100000;

    @AttributeDefinition(name = "allowlist", description = "Device ids and IP addresses whose alerts never lead to an action (alerts are still "
            + "raised).", required = false)
    String[] allowlist() default {};

    @AttributeDefinition(name = "action.duration.seconds", description = "How long an automatic action lasts, 1..2592000. Default: 900.", min = "1", max = "2592000")
    int action_duration_seconds() default 900;

    @AttributeDefinition(name = "action.throttle.rate.per.second", description = "Request rate left to a throttled device, at least; a device whose baseline is higher "
            + "keeps twice its baseline, 0.001..1000000. Default: 1.0.", min = "0.001", max = "1000000")
    double action_throttle_rate_per_second() default 1.0;

    @AttributeDefinition(name = "action.handshake.limit.per.second", description = "Where a rule would "
            + "block an address that registered devices used in the last day (a NAT), the address's new "
            + "handshakes are rationed to this many ClientHellos per second instead (a handshake with a "
            + "cookie exchange sends two), and its devices' sessions go on, 0.01..1000. Default: 4.0.",
            min = "0.01", max = "1000")
    double action_handshake_limit_per_second() default 4.0;

    @AttributeDefinition(name = "action.rule.flood", description = "Action on a message flood from a device. Default: throttle.",
            options = {@Option(label = "log", value = "log"),
                @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine"),
                @Option(label = "block the address", value = "block-address")})
    String action_rule_flood() default "throttle";

    @AttributeDefinition(name = "action.rule.identity-guessing", description = "Action on PSK identity guessing from an address. Default: block-address.",
            options = {@Option(label = "log", value = "log"),
                @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine"),
                @Option(label = "block the address", value = "block-address")})
    String action_rule_identity$_$guessing() default "block-address";

    @AttributeDefinition(name = "action.rule.handshake-flood", description = "Action on a handshake storm (block-address for an address, throttle or quarantine for a "
            + "device). Default: block-address.",
            options = {@Option(label = "log", value = "log"),
                @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine"),
                @Option(label = "block the address", value = "block-address")})
    String action_rule_handshake$_$flood() default "block-address";

    @AttributeDefinition(name = "action.rule.replay-storm", description = "Action on a replay or forgery storm. Replays can be injected by anyone on the path: "
            + "acting on them can cut off an innocent device. Default: log.",
            options = {@Option(label = "log", value = "log"),
                @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine"),
                @Option(label = "block the address", value = "block-address")})
    String action_rule_replay$_$storm() default "log";

    @AttributeDefinition(name = "action.rule.size-jump", description = "Action on a payload size jump. Default: log.",
            options = {@Option(label = "log", value = "log"),
                @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine"),
                @Option(label = "block the address", value = "block-address")})
    String action_rule_size$_$jump() default "log";

    @AttributeDefinition(name = "action.rule.new-resource", description = "Action on a device using a new resource. Default: log.",
            options = {@Option(label = "log", value = "log"),
                @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine"),
                @Option(label = "block the address", value = "block-address")})
    String action_rule_new$_$resource() default "log";

    @AttributeDefinition(name = "action.rule.rate-change", description = "Action on a changed reporting rate. Default: log.",
            options = {@Option(label = "log", value = "log"),
                @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine"),
                @Option(label = "block the address", value = "block-address")})
    String action_rule_rate$_$change() default "log";

    @AttributeDefinition(name = "action.rule.rate-drift", description = "Action on a device's request rate rising slowly and staying up "
            + "(CUSUM against a day-long baseline). Default: log.",
            options = {@Option(label = "log", value = "log"),
                @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine"),
                @Option(label = "block the address", value = "block-address")})
    String action_rule_rate$_$drift() default "log";

    @AttributeDefinition(name = "action.rule.access-probing", description = "Action on a device whose requests are refused for "
            + "resources it has no business with (unknown, method, not allowed). Default: log.",
            options = {@Option(label = "log", value = "log"),
                @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine"),
                @Option(label = "block the address", value = "block-address")})
    String action_rule_access$_$probing() default "log";

    @AttributeDefinition(name = "action.rule.identity-split", description = "Action on one device identity in use from two "
            + "addresses at once (a cloned device or a stolen key). Default: log.",
            options = {@Option(label = "log", value = "log"),
                @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine"),
                @Option(label = "block the address", value = "block-address")})
    String action_rule_identity$_$split() default "log";

    @AttributeDefinition(name = "action.rule.slow-failures", description = "Action on forged, replayed or malformed records on a "
            + "device's session, few but steady. Anyone on the path can cause them. Default: log.",
            options = {@Option(label = "log", value = "log"),
                @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine"),
                @Option(label = "block the address", value = "block-address")})
    String action_rule_slow$_$failures() default "log";

    @AttributeDefinition(name = "action.rule.session-churn", description = "Action on a device making and ending sessions much "
            + "more often than it usually does. Default: log.",
            options = {@Option(label = "log", value = "log"),
                @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine"),
                @Option(label = "block the address", value = "block-address")})
    String action_rule_session$_$churn() default "log";

    @AttributeDefinition(name = "action.rule.spread", description = "Action on failures spread over a network prefix or the whole "
            + "gateway. Always logged: no single device or address can be acted on.",
            options = {@Option(label = "log", value = "log")})
    String action_rule_spread() default "log";

    @AttributeDefinition(name = "action.rcf", description = "Action on a Random Cut Forest anomaly. Default: log.",
            options = {@Option(label = "log", value = "log"),
                @Option(label = "throttle", value = "throttle"),
                @Option(label = "quarantine", value = "quarantine"),
                @Option(label = "block the address", value = "block-address")})
    String action_rcf() default "log";
}
