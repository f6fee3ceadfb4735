package org.m2mgw.cloud.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.m2mgw.cloud.internal.mqtt.LinkSettings;
import org.m2mgw.cloud.internal.queue.FullPolicy;
import org.m2mgw.cloud.internal.queue.QueueOptions;
import org.m2mgw.cloud.internal.tls.TlsGroups;
import org.m2mgw.cloud.internal.tls.UplinkTls;
import org.m2mgw.support.config.Metatype;

/** Validated settings of one cloud connection; every error names its configuration key. */
record CloudSettings(String brokerUrl, boolean mqttVersion5, String gatewayId, String topicPrefix,
        Routes routes, Optional<Routes.CommandTopic> commandTopic, int commandExpirySeconds,
        int commandQueueMax, QueueOptions queueOptions, int publishWindow, int reconnectMinSeconds,
        int reconnectMaxSeconds, LinkSettings linkSettings, String alertTopic, QueueOptions alertQueueOptions,
        Limits limits, UplinkTls tls, String cryptoTopic) {

    /**
     * The bounds that findings of the security review added.
     *
     * @param publishMaxBytes largest encoded message taken from a device
     * @param publishMaxAttempts refusals of one entry before it is parked as a dead letter
     * @param deadLetterMaxCount most dead letters kept
     * @param deadLetterMaxBytes most bytes of dead letters kept
     * @param commandMaxBytes largest command payload taken
     * @param commandTotalMax most commands queued for all devices
     */
    record Limits(int publishMaxBytes, int publishMaxAttempts, int deadLetterMaxCount, long deadLetterMaxBytes,
            int commandMaxBytes, int commandTotalMax) {
    }

    /** The connection's metatype: the one definition of its keys, defaults and ranges. */
    static final Metatype METATYPE = Metatype.of(CloudConfig.class, CloudConnection.FACTORY_PID);

    static CloudSettings from(CloudConfig c, String gatewayId, String name) {
        // types, ranges and options come from the metatype; what it cannot say is checked below
        List<String> errors = new ArrayList<>(METATYPE.problems(c));
        String url = c.broker_url() == null ? "" : c.broker_url().trim();
        boolean tls = false;
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? "" : u.getScheme();
            if (!List.of("tcp", "ssl", "ws", "wss").contains(scheme) || u.getHost() == null) {
                errors.add("broker.url '" + url + "' must look like tcp://host:1883 or ssl://host:8883");
            }
            tls = scheme.equals("ssl") || scheme.equals("wss");
        } catch (java.net.URISyntaxException e) {
            errors.add("broker.url '" + url + "' cannot be parsed: " + e.getReason());
        }
        String version = c.mqtt_version() == null ? "5" : c.mqtt_version().trim();
        if (!version.equals("5") && !version.equals("3.1.1")) {
            errors.add("mqtt.version must be 5 or 3.1.1, not '" + version + "'");
        }
        String clientId = c.client_id() == null ? "" : c.client_id().replace("{gateway}", gatewayId).replace("{name}", name);
        if (clientId.isBlank() || clientId.length() > 128) {
            errors.add("client.id must give 1..128 characters");
        }
        String prefix = c.topic_prefix() == null ? "" : c.topic_prefix();
        String prefixProblem = prefix.isEmpty() ? null : Routes.templateProblem("topic.prefix", prefix, false);
        if (prefixProblem != null) {
            errors.add(prefixProblem.replace("topic template", "topic prefix"));
        }
        Routes routes = null;
        try {
            routes = Routes.parse(c.routes());
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        Optional<Routes.CommandTopic> commandTopic = Optional.empty();
        String ct = c.command_topic() == null ? "" : c.command_topic().trim();
        if (!ct.isEmpty()) {
            try {
                commandTopic = Optional.of(new Routes.CommandTopic(ct, c.topic_prefix(), gatewayId));
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        QueueOptions queue = null;
        try {
            queue = QueueOptions.defaults().withMaxMessages(c.queue_max_messages())
                    .withMaxBytes((long) c.queue_max_mbytes() << 20)
                    .withFullPolicy(FullPolicy.valueOf(c.queue_full_policy().trim().toUpperCase()))
                    .withRetryAfterSeconds(c.queue_retry_after_seconds());
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage().startsWith("No enum constant")
                    ? "queue.full.policy must be REFUSE or DROP_OLDEST, not '" + c.queue_full_policy() + "'"
                    : e.getMessage());
        }
        String alertTopic = c.alert_topic() == null ? "" : c.alert_topic().trim();
        String alertProblem = Routes.templateProblem("alert.topic", alertTopic, false);
        if (!alertTopic.isEmpty() && alertProblem != null) {
            errors.add(alertProblem);
        } else if (alertTopic.contains("{device}")) {
            errors.add("alert.topic: {device} is not replaced in this topic");
        }
        String cryptoTopic = c.crypto_topic() == null ? "" : c.crypto_topic().trim();
        String cryptoProblem = Routes.templateProblem("crypto.topic", cryptoTopic, false);
        if (!cryptoTopic.isEmpty() && cryptoProblem != null) {
            errors.add(cryptoProblem);
        } else if (cryptoTopic.contains("{device}")) {
            errors.add("crypto.topic: {device} is not replaced in this topic");
        }
        QueueOptions alertQueue = null;
        try {
            // Alerts are small: small segments, and the oldest goes when full (the detector cannot retry).
            alertQueue = QueueOptions.defaults().withSegmentBytes(1 << 20).withMaxRecordBytes(64 << 10)
                    .withMaxMessages(c.alert_queue_max_messages())
                    .withMaxBytes((long) c.alert_queue_max_mbytes() << 20).withFullPolicy(FullPolicy.DROP_OLDEST);
        } catch (IllegalArgumentException e) {
            errors.add("alert.queue: " + e.getMessage());
        }
        if (c.reconnect_max_seconds() < c.reconnect_min_seconds()) {
            errors.add("reconnect.max.seconds must not be below reconnect.min.seconds");
        }
        if (c.session_expiry_seconds() < 0 || c.session_expiry_seconds() > 4_294_967_295L) {
            errors.add("session.expiry.seconds " + c.session_expiry_seconds() + " is out of range 0..4294967295");
        }
        // Checked for tcp:// too: a bad list is an error before anyone switches to ssl://.
        TlsGroups groups = null;
        try {
            groups = TlsGroups.parse(c.tls_groups());
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        UplinkTls.Choice provider = null;
        try {
            provider = UplinkTls.Choice.parse(c.tls_provider());
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        UplinkTls uplinkTls = null;
        if (tls && errors.isEmpty()) {
            try {
                uplinkTls = uplinkTls(c, name, url, groups, provider);
            } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
                errors.add(e instanceof IllegalArgumentException ? e.getMessage() : "tls: " + e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        char[] password = c.password() == null || c.password().isEmpty() ? null : c.password().toCharArray();
        LinkSettings link = new LinkSettings(url, clientId, c.username(), password, c.keepalive_seconds(),
                c.clean_start(), c.session_expiry_seconds(), 10, uplinkTls == null ? null : uplinkTls.socketFactory(),
                c.tls_hostname_verification(),
                Math.max(c.publish_window(), 10));
        return new CloudSettings(url, version.equals("5"), gatewayId, c.topic_prefix(), routes, commandTopic,
                c.command_expiry_seconds(), c.command_queue_max(), queue, c.publish_window(),
                c.reconnect_min_seconds(), c.reconnect_max_seconds(), link,
                alertTopic.isEmpty() ? null : alertTopic.replace("{prefix}", c.topic_prefix()).replace("{gateway}", gatewayId),
                alertQueue, new Limits(c.publish_max_bytes(), c.publish_max_attempts(), c.deadletter_max_count(),
                        (long) c.deadletter_max_mbytes() << 20, c.command_max_bytes(), c.command_total_max()),
                uplinkTls, cryptoTopic.isEmpty() ? null
                        : cryptoTopic.replace("{prefix}", c.topic_prefix()).replace("{gateway}", gatewayId));
    }

    /** The TLS side: the stores, the provider and the groups (see {@link UplinkTls}). */
    private static UplinkTls uplinkTls(CloudConfig c, String name, String url, TlsGroups groups,
            UplinkTls.Choice provider) throws IOException, GeneralSecurityException {
        KeyStore trust = null;
        String t = c.tls_truststore_path() == null ? "" : c.tls_truststore_path().trim();
        if (!t.isEmpty()) {
            trust = load(Path.of(t), c.tls_truststore_password(), "tls.truststore.path");
        }
        KeyStore keys = null;
        String k = c.tls_keystore_path() == null ? "" : c.tls_keystore_path().trim();
        if (!k.isEmpty()) {
            keys = load(Path.of(k), c.tls_keystore_password(), "tls.keystore.path");
        }
        return UplinkTls.create(name, url, groups, provider, trust, keys, password(c.tls_keystore_password()));
    }

    private static char[] password(String p) {
        return p == null ? new char[0] : p.toCharArray();
    }

    private static KeyStore load(Path path, String password, String key) throws IOException, GeneralSecurityException {
        if (!Files.isReadable(path)) {
            throw new IOException(key + " '" + path + "' is not a readable file");
        }
        // PKCS12 reads JKS too on current JDKs (keystore.type.compat).
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            ks.load(in, password(password));
        } catch (IOException e) {
            throw new IOException(key + " '" + path + "' cannot be read (wrong password or format): "
                    + e.getMessage(), e);
        }
        return ks;
    }
}
