package org.m2mgw.cloud.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Metatype of one cloud connection (a factory configuration: one instance per cloud). */
@ObjectClassDefinition(id = CloudConnection.FACTORY_PID, name = "MQTT cloud connection",
        description = "Publishes device messages to an MQTT broker through a durable on-disk queue "
                + "(nothing acknowledged to a device is lost), and carries commands back to devices.")
@interface CloudConfig {

    @AttributeDefinition(name = "broker.url", description = "tcp://host:1883 or ssl://host:8883. "
            + "Default: tcp://127.0.0.1:1883 (the embedded broker of the standalone distro).")
    String broker_url() default "tcp://127.0.0.1:1883";

    @AttributeDefinition(name = "mqtt.version", description = "MQTT protocol version. Use 3.1.1 "
            + "for brokers that need it (the embedded broker, Kapua, some managed hubs). Default: 5.",
            options = {@Option(label = "MQTT 5", value = "5"), @Option(label = "MQTT 3.1.1", value = "3.1.1")})
    String mqtt_version() default "5";

    @AttributeDefinition(name = "client.id", description = "MQTT client id; {gateway} and {name} "
            + "are replaced by the gateway id and this connection's name. Default: {gateway}-{name}.")
    String client_id() default "{gateway}-{name}";

    @AttributeDefinition(name = "username", description = "User name, empty for none. Default: empty.",
            required = false)
    String username() default "";

    @AttributeDefinition(name = "password", description = "Password, empty for none.",
            type = AttributeType.PASSWORD, required = false)
    String password() default "";

    @AttributeDefinition(name = "keepalive.seconds", description = "MQTT keep-alive, 5..3600. "
            + "Default: 30.", min = "5", max = "3600")
    int keepalive_seconds() default 30;

    @AttributeDefinition(name = "clean.start", description = "Start a new MQTT session at each "
            + "connect. Default: false.")
    boolean clean_start() default false;

    @AttributeDefinition(name = "session.expiry.seconds", description = "MQTT 5 session expiry, "
            + "0..4294967295. Default: 86400.", min = "0")
    long session_expiry_seconds() default 86_400;

    @AttributeDefinition(name = "topic.prefix", description = "Replaces {prefix} in topic "
            + "templates. Default: m2mgw.")
    String topic_prefix() default "m2mgw";

    @AttributeDefinition(name = "routes", description = "One route per entry: "
            + "'<resource rule> <topic template> <encoder> <qos>'. Rules as for devices "
            + "(telemetry/* matches telemetry and below); templates use {prefix}, {gateway}, {device}, "
            + "{resource}, with {resource} (which may span several levels) after {device}, and no MQTT "
            + "wildcards; encoders: json, kura-protobuf, raw; qos 0 or 1. The first matching route "
            + "wins; a message no route matches is refused (CoAP 4.04) and counted. Default: telemetry "
            + "and events as JSON at QoS 1.")
    String[] routes() default {"telemetry/* {prefix}/{gateway}/{device}/{resource} json 1",
        "events/* {prefix}/{gateway}/{device}/{resource} json 1"};

    @AttributeDefinition(name = "command.topic", description = "Topic template the gateway "
            + "subscribes to for commands; {device} becomes the wildcard '+'; no other wildcards, no "
            + "{resource}. Empty disables commands. Default: {prefix}/{gateway}/{device}/commands.",
            required = false)
    String command_topic() default "{prefix}/{gateway}/{device}/commands";

    @AttributeDefinition(name = "alert.topic", description = "Topic for alerts from the anomaly "
            + "detector, as JSON at QoS 1; {prefix} and {gateway} are replaced; no wildcards. Empty "
            + "disables. Alerts wait in their own durable queue (alert.queue.*) while the broker is "
            + "unreachable, and are published in the order raised. Default: {prefix}/{gateway}/alerts.",
            required = false)
    String alert_topic() default "{prefix}/{gateway}/alerts";

    @AttributeDefinition(name = "crypto.topic", description = "Topic for the crypto inventory summary "
            + "(devices by status, quantum-vulnerable credentials, findings, uplinks) as JSON at QoS 1, "
            + "every hour and soon after a change; {prefix} and {gateway} are replaced; no wildcards. "
            + "Only the latest summary is kept while the broker is away. Empty disables. "
            + "Default: {prefix}/{gateway}/crypto.", required = false)
    String crypto_topic() default "{prefix}/{gateway}/crypto";

    @AttributeDefinition(name = "alert.queue.max.messages", description = "Most alerts kept on disk "
            + "while they cannot be published; when full, the oldest goes (counted and logged). "
            + "10..1000000. Default: 10000.", min = "10", max = "1000000")
    int alert_queue_max_messages() default 10_000;

    @AttributeDefinition(name = "alert.queue.max.mbytes", description = "Most megabytes of alerts "
            + "kept on disk, 1..1024. Default: 8.", min = "1", max = "1024")
    int alert_queue_max_mbytes() default 8;

    @AttributeDefinition(name = "command.expiry.seconds", description = "How long a command waits "
            + "for its device, 1..31536000. Default: 86400.", min = "1", max = "31536000")
    int command_expiry_seconds() default 86_400;

    @AttributeDefinition(name = "command.queue.max", description = "Most commands queued per "
            + "device, 1..1000. Default: 16.", min = "1", max = "1000")
    int command_queue_max() default 16;

    @AttributeDefinition(name = "command.total.max", description = "Most commands queued for all "
            + "devices together; more are refused (counted and logged). 1..1000000. Default: 10000.",
            min = "1", max = "1000000")
    int command_total_max() default 10_000;

    @AttributeDefinition(name = "command.max.bytes", description = "Largest command payload taken "
            + "from the cloud, in bytes; larger ones are refused (counted and logged). 1..65536. "
            + "Default: 8192.", min = "1", max = "65536")
    int command_max_bytes() default 8192;

    @AttributeDefinition(name = "queue.max.messages", description = "Most messages in the "
            + "durable queue, 1..10000000. Default: 250000.", min = "1", max = "10000000")
    int queue_max_messages() default 250_000;

    @AttributeDefinition(name = "queue.max.mbytes", description = "Most megabytes in the durable "
            + "queue, 1..1048576. Default: 64.", min = "1", max = "1048576")
    int queue_max_mbytes() default 64;

    @AttributeDefinition(name = "queue.full.policy", description = "When the queue is full: "
            + "refuse new messages (devices get 5.03 and retry; nothing is lost) or drop the oldest "
            + "(counted and logged). Default: refuse.",
            options = {@Option(label = "refuse new messages", value = "REFUSE"),
                @Option(label = "drop the oldest", value = "DROP_OLDEST")})
    String queue_full_policy() default "REFUSE";

    @AttributeDefinition(name = "queue.retry.after.seconds", description = "Retry hint given to "
            + "devices when the queue is full, 1..86400. Default: 30.", min = "1", max = "86400")
    int queue_retry_after_seconds() default 30;

    @AttributeDefinition(name = "publish.window", description = "Messages in flight to the "
            + "broker at once, 1..10000. Default: 256.", min = "1", max = "10000")
    int publish_window() default 256;

    @AttributeDefinition(name = "publish.max.bytes", description = "Largest message payload, once "
            + "encoded for its route, that is taken from a device; a larger one is refused (CoAP "
            + "4.13) and counted. 256..16777216. Default: 262144.", min = "256", max = "16777216")
    int publish_max_bytes() default 262_144;

    @AttributeDefinition(name = "publish.max.attempts", description = "How often the broker may "
            + "refuse the same message before it is moved to the dead letters (a broker that drops "
            + "the connection right after receiving it, twice, counts as refusing it). 1..1000. "
            + "Default: 5.", min = "1", max = "1000")
    int publish_max_attempts() default 5;

    @AttributeDefinition(name = "deadletter.max.count", description = "Most dead letters kept "
            + "(messages and alerts the broker would not take, for the operator to retry or "
            + "delete); when full, the oldest goes (counted, logged, shown in the status). "
            + "1..100000. Default: 1000.", min = "1", max = "100000")
    int deadletter_max_count() default 1000;

    @AttributeDefinition(name = "deadletter.max.mbytes", description = "Most megabytes of dead "
            + "letters kept; when full, the oldest go. 1..1024. Default: 16.", min = "1", max = "1024")
    int deadletter_max_mbytes() default 16;

    @AttributeDefinition(name = "reconnect.min.seconds", description = "First reconnect delay; "
            + "it doubles up to reconnect.max.seconds. 1..3600. Default: 1.", min = "1", max = "3600")
    int reconnect_min_seconds() default 1;

    @AttributeDefinition(name = "reconnect.max.seconds", description = "Longest delay between "
            + "two connection attempts, 1..3600. While the broker is unreachable its port is also "
            + "probed (a TCP connect) about once a second, and the connection is attempted as soon as "
            + "the port answers. Default: 60.", min = "1", max = "3600")
    int reconnect_max_seconds() default 60;

    @AttributeDefinition(name = "tls.truststore.path", description = "PKCS#12 or JKS truststore "
            + "with the broker's CA, for ssl:// URLs. Empty: the JVM's default CAs.", required = false)
    String tls_truststore_path() default "";

    @AttributeDefinition(name = "tls.truststore.password", description = "Truststore password.",
            type = AttributeType.PASSWORD, required = false)
    String tls_truststore_password() default "";

    @AttributeDefinition(name = "tls.keystore.path", description = "PKCS#12 keystore with the "
            + "gateway's client key and certificate, for mutual TLS. Empty: no client certificate.",
            required = false)
    String tls_keystore_path() default "";

    @AttributeDefinition(name = "tls.keystore.password", description = "Keystore password.",
            type = AttributeType.PASSWORD, required = false)
    String tls_keystore_password() default "";

    @AttributeDefinition(name = "tls.hostname.verification", description = "Check that the "
            + "broker's certificate names the host in broker.url. Default: true.")
    boolean tls_hostname_verification() default true;

    @AttributeDefinition(name = "tls.groups", description = "Key-exchange groups offered to the broker "
            + "for ssl:// URLs, most preferred first, comma separated. X25519MLKEM768 is the hybrid "
            + "post-quantum group (X25519 with ML-KEM-768): traffic recorded today stays confidential "
            + "even if quantum computers later break X25519. Brokers that do not know it get x25519 or "
            + "secp256r1; keep secp256r1, without it a broker with a P-256 (ECDSA) certificate fails the "
            + "handshake. Also known: x448, secp384r1, secp521r1, brainpoolP256r1tls13, "
            + "brainpoolP384r1tls13, brainpoolP512r1tls13, ffdhe2048..ffdhe8192, SecP256r1MLKEM768, "
            + "SecP384r1MLKEM1024, MLKEM512, MLKEM768, MLKEM1024. An unknown or repeated name is an error. "
            + "Applied by Bouncy Castle's JSSE (see tls.provider); post-quantum groups only means no "
            + "classical fallback. Default: X25519MLKEM768,x25519,secp256r1.")
    String tls_groups() default "X25519MLKEM768,x25519,secp256r1";

    @AttributeDefinition(name = "tls.provider", description = "Who does TLS for ssl:// URLs. auto: "
            + "Bouncy Castle's JSSE (the bctls bundle) when it is installed, which applies tls.groups; "
            + "otherwise the JDK, with its default classical groups and one warning in the log. bcjsse: "
            + "Bouncy Castle's JSSE or no connection. jdk: the JDK, tls.groups not applied. "
            + "Default: auto.",
            options = {@Option(label = "auto", value = "auto"),
                @Option(label = "Bouncy Castle JSSE", value = "bcjsse"),
                @Option(label = "JDK", value = "jdk")})
    String tls_provider() default "auto";
}
