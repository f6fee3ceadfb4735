package org.m2mgw.cloud.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.m2mgw.api.alert.Alert;
import org.m2mgw.api.command.Command;
import org.m2mgw.api.command.CommandQueue;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.DeviceMessageConsumer;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.cloud.internal.queue.DurableQueue;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cloud connection: takes device messages over into a durable queue (so a device is
 * acknowledged only once its message is on disk, and only if it can be delivered), publishes them
 * to an MQTT broker in order per device, removes them only after the broker's PUBACK, parks what
 * the broker will never take as dead letters, publishes alerts from their own durable queue, and
 * queues commands from the cloud for devices to fetch. A configuration change restarts the
 * connection; what is on disk survives.
 *
 * <p>This class is the component: configuration, lifecycle and the services. The work is done by
 * {@link Admission} (what is taken), the {@link Publisher} and its {@link Lane}s (the MQTT side),
 * {@link DeadLetters}, {@link DeviceCommandQueue} (commands for devices), {@link AlertPublisher}
 * and the {@link DurableQueue}s.
 *
 * <p>Files, in {@code <data>/cloud-mqtt/<name>/}: {@code queue/}, {@code alerts/},
 * {@code deadletters.log}, {@code commands.bin}.
 */
@Component(configurationPid = CloudConnection.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = {ConfigurableComponent.class, DeviceMessageConsumer.class, CommandQueue.class,
            StatusProvider.class, EventHandler.class, DeadLetterAdmin.class},
        property = {EventConstants.EVENT_TOPIC + "=" + Alert.TOPIC,
            EventConstants.EVENT_TOPIC + "=" + CloudConnection.CRYPTO_TOPIC})
@Designate(ocd = CloudConfig.class, factory = true)
public class CloudConnection implements ConfigurableComponent, DeviceMessageConsumer, CommandQueue, StatusProvider,
        EventHandler, DeadLetterAdmin {
    static final String FACTORY_PID = "org.m2mgw.cloud.mqtt";
    /** Event Admin topic of the crypto inventory's summaries (posted by the crypto-policy bundle). */
    static final String CRYPTO_TOPIC = "org/m2mgw/crypto/INVENTORY";

    /** The crypto inventory, when there is one: told what protects this uplink at each connection. */
    private volatile org.m2mgw.api.crypto.CryptoInventory cryptoInventory;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            unbind = "unbindCryptoInventory")
    void bindCryptoInventory(org.m2mgw.api.crypto.CryptoInventory inventory) {
        cryptoInventory = inventory;
        if (parts != null) {
            parts.publisher().reportTls();
        }
    }

    void unbindCryptoInventory(org.m2mgw.api.crypto.CryptoInventory inventory) {
        if (cryptoInventory == inventory) {
            cryptoInventory = null;
        }
    }
    private static final Logger LOG = LoggerFactory.getLogger(CloudConnection.class);

    /** The device registry, when there is one: commands are then taken only for devices it knows. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile DeviceRegistry registry;

    private final String name;
    private final String configError;
    /** The parts of a running connection; {@code null} when it could not start. */
    private final Parts parts;

    /** What a running connection is made of. */
    private record Parts(CloudSettings settings, DurableQueue queue, DurableQueue alertQueue, DeadLetters deadLetters,
            CommandStore commandStore, DeviceCommandQueue commands, Admission admission, Publisher publisher,
            AlertPublisher alerts) {
    }

    @Activate
    public CloudConnection(@Reference GatewayRuntime runtime, Map<String, Object> properties, CloudConfig config) {
        this(runtime, properties, config, LinkFactory.PAHO);
    }

    /** Seam for tests: {@code links} makes the MQTT links. */
    CloudConnection(GatewayRuntime runtime, Map<String, Object> properties, CloudConfig config, LinkFactory links) {
        Object pid = properties.get("service.pid");
        this.name = shortName(pid == null ? FACTORY_PID : pid.toString());
        CloudSettings s = null;
        String error = null;
        try {
            s = CloudSettings.from(config, runtime.gatewayId(), name);
        } catch (IllegalArgumentException e) {
            error = e.getMessage();
            LOG.error("Cloud connection {} not started, invalid configuration: {}", name, error);
        }
        Parts p = null;
        if (s != null) {
            Path dir = runtime.dataDirectory("cloud-mqtt").resolve(name);
            try {
                p = open(s, dir, links);
            } catch (IOException | RuntimeException e) {
                error = "durable storage unavailable in " + dir + ": " + e.getMessage();
                LOG.error("Cloud connection {}: {}", name, error);
            }
        }
        this.configError = error;
        this.parts = p;
        if (p != null) {
            String uplinkName = pid == null ? FACTORY_PID : pid.toString();
            p.publisher().onTls = (version, group) -> {
                org.m2mgw.api.crypto.CryptoInventory inv = cryptoInventory;
                if (inv != null) {
                    inv.uplink(new org.m2mgw.api.crypto.UplinkEntry(uplinkName, version, "", group, java.time.Instant.now()));
                }
            };
            p.publisher().start();
        }
    }

    private Parts open(CloudSettings s, Path dir, LinkFactory links) throws IOException {
        Files.createDirectories(dir);
        DurableQueue q = null;
        DurableQueue aq = null;
        DeadLetters dl = null;
        try {
            q = new DurableQueue(dir.resolve("queue"), s.queueOptions());
            aq = s.alertTopic() == null ? null : new DurableQueue(dir.resolve("alerts"), s.alertQueueOptions());
            CloudSettings.Limits lim = s.limits();
            dl = new DeadLetters(dir.resolve("deadletters.log"), lim.deadLetterMaxCount(), lim.deadLetterMaxBytes());
        } catch (IOException | RuntimeException e) {
            closeAll(q, aq, dl, null);
            throw e;
        }
        CommandStore cs = null;
        try {
            cs = new CommandStore(dir.resolve("commands.bin"), s.commandQueueMax(), s.limits().commandTotalMax(),
                    s.limits().commandMaxBytes(), Instant::now);
        } catch (IOException | RuntimeException e) {
            // Commands are not worth stopping device messages for: they are refused until a restart.
            LOG.error("Cloud connection {}: command store unavailable, commands are refused: {}", name, e.toString());
        }
        DeviceCommandQueue commands = new DeviceCommandQueue(name, cs, s, () -> registry);
        Publisher publisher = new Publisher(name, s, q, aq, dl, commands::fromCloud, links);
        AlertPublisher alerts = aq == null ? null : new AlertPublisher(name, s.gatewayId(), aq, publisher::wake);
        return new Parts(s, q, aq, dl, cs, commands, new Admission(name, s), publisher, alerts);
    }

    private static void closeAll(DurableQueue q, DurableQueue aq, DeadLetters dl, CommandStore cs) {
        for (AutoCloseable c : new AutoCloseable[] {q, aq, dl, cs}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("Closing {} failed: {}", c, e.toString());
                }
            }
        }
    }

    static String shortName(String pid) {
        int tilde = pid.indexOf('~');
        String n = tilde >= 0 ? pid.substring(tilde + 1) : pid;
        return n.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    @Deactivate
    void deactivate() {
        if (parts != null) {
            parts.publisher().stop();
            closeAll(parts.queue(), parts.alertQueue(), parts.deadLetters(), parts.commandStore());
        }
    }

    // --- DeviceMessageConsumer ---

    @Override
    public CompletionStage<Acceptance> accept(DeviceMessage message) {
        if (parts == null) {
            return CompletableFuture.completedFuture(Acceptance.refused(
                    "cloud connection " + name + " is not running: " + configError, 60));
        }
        Optional<Acceptance> rejected = parts.admission().check(message);
        if (rejected.isPresent()) {
            return CompletableFuture.completedFuture(rejected.get());
        }
        CompletableFuture<Acceptance> f = parts.queue().offer(message);
        parts.publisher().wake();
        return f;
    }

    // --- alerts ---

    /** Queues alerts from Event Admin for the alert topic. */
    @Override
    public void handleEvent(Event event) {
        if (CRYPTO_TOPIC.equals(event.getTopic())) {
            Object json = event.getProperty("json");
            if (parts != null && parts.settings().cryptoTopic() != null && json instanceof String j) {
                parts.publisher().publishStatus(parts.settings().cryptoTopic(), j.getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        if (parts != null && parts.alerts() != null) {
            parts.alerts().publish(event);
        }
    }

    // --- CommandQueue: commands from the cloud for devices ---

    @Override
    public boolean offer(Command command) {
        return parts != null && parts.commands().offer(command);
    }

    @Override
    public List<Command> peek(String deviceId, int max) {
        return parts == null ? List.of() : parts.commands().peek(deviceId, max);
    }

    @Override
    public void delivered(String deviceId, List<String> commandIds) {
        if (parts != null) {
            parts.commands().delivered(deviceId, commandIds);
        }
    }

    @Override
    public int pending(String deviceId) {
        return parts == null ? 0 : parts.commands().pending(deviceId);
    }

    // --- dead letters ---

    @Override
    public String connectionName() {
        return name;
    }

    @Override
    public List<Summary> deadLetters() {
        return parts == null ? List.of() : parts.deadLetters().list().stream().map(l -> new Summary(l.id(),
                l.kind().name(), l.key(), l.parkedAt(), l.reason(), l.record().length)).toList();
    }

    @Override
    public boolean deadLettersFull() {
        return parts != null && parts.deadLetters().full();
    }

    @Override
    public String retryDeadLetter(long id) {
        Optional<DeadLetters.Letter> letter = parts == null ? Optional.empty() : parts.deadLetters().get(id);
        if (letter.isEmpty()) {
            return "no such dead letter";
        }
        DeadLetters.Letter l = letter.get();
        DurableQueue target = l.kind() == DeadLetters.Kind.ALERT ? parts.alertQueue() : parts.queue();
        if (target == null) {
            return "not retried: alerts are not published (alert.topic is empty)";
        }
        try {
            Acceptance a = target.offerRecord(l.key(), l.record()).get(30, TimeUnit.SECONDS);
            if (!a.isAccepted()) {
                return "not retried: " + a.reason();
            }
            parts.deadLetters().remove(id);
            parts.publisher().wake();
            return "put back at the end of its queue";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not retried: interrupted";
        } catch (Exception e) {
            return "not retried: " + e;
        }
    }

    @Override
    public boolean deleteDeadLetter(long id) {
        try {
            return parts != null && parts.deadLetters().remove(id);
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete dead letter #" + id + ": " + e.getMessage(), e);
        }
    }

    // --- status ---

    /**
     * @return the key-exchange group of the live uplink's TLS, as the broker chose it (read from its
     *     ServerHello), e.g. {@code X25519MLKEM768}; empty when not connected, not over TLS, or not
     *     seen. The status line says the same, and the counter {@code tls.post.quantum} is 1 for a
     *     post-quantum group and 0 for a classical one.
     */
    public Optional<String> tlsGroup() {
        return parts == null ? Optional.empty() : parts.publisher().tlsGroup();
    }

    @Override
    public String statusName() {
        return FACTORY_PID + "~" + name;
    }

    @Override
    public boolean ready() {
        Parts p = parts;
        return p != null && p.publisher().connected();
    }

    @Override
    public String statusLine() {
        if (parts == null) {
            return "not running: " + configError;
        }
        String line = parts.publisher().state();
        int dead = parts.deadLetters().size();
        if (dead > 0) {
            line += "; " + dead + " dead letter" + (dead == 1 ? "" : "s")
                    + (parts.deadLetters().full() ? " (store full, the oldest go)" : "");
        }
        return parts.commandStore() == null ? line + "; command store unavailable" : line;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        if (parts == null) {
            return out;
        }
        DurableQueue q = parts.queue();
        out.put("queued", (long) q.size());
        out.put("queued.bytes", q.bytes());
        out.put("in.flight", (long) parts.publisher().inFlightCount());
        q.counters().forEach((k, v) -> out.put("queue." + k, v));
        out.putAll(parts.admission().counters());
        out.putAll(parts.publisher().counters());
        out.putAll(parts.deadLetters().counters());
        DurableQueue aq = parts.alertQueue();
        if (aq != null) {
            out.put("alerts.queued", (long) aq.size());
            out.put("alerts.queued.bytes", aq.bytes());
            out.put("alerts.dropped", aq.counters().get("dropped"));
            out.put("alerts.refused", parts.alerts().refused());
        }
        out.putAll(parts.commands().counters());
        return out;
    }
}
