package org.m2mgw.cloud.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.m2mgw.api.command.Command;
import org.m2mgw.api.command.CommandQueue;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.DeviceMessageConsumer;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.cloud.internal.mqtt.LinkSettings;
import org.m2mgw.cloud.internal.mqtt.MqttLink;
import org.m2mgw.cloud.internal.mqtt.PahoV3Link;
import org.m2mgw.cloud.internal.mqtt.PahoV5Link;
import org.m2mgw.cloud.internal.queue.DurableQueue;
import org.m2mgw.cloud.internal.queue.QueuedMessage;
import org.m2mgw.codec.PayloadException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cloud connection: takes device messages over into a durable queue (so a device is
 * acknowledged only once its message is on disk), publishes them to an MQTT broker in order per
 * device, removes them only after the broker's PUBACK, and queues commands from the cloud for
 * devices to fetch. A configuration change restarts the connection; the queue on disk survives.
 */
@Component(configurationPid = CloudConnection.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = {ConfigurableComponent.class, DeviceMessageConsumer.class, CommandQueue.class,
            StatusProvider.class, org.osgi.service.event.EventHandler.class},
        property = org.osgi.service.event.EventConstants.EVENT_TOPIC + "=" + org.m2mgw.api.alert.Alert.TOPIC)
@Designate(ocd = CloudConfig.class, factory = true)
public class CloudConnection implements ConfigurableComponent, DeviceMessageConsumer, CommandQueue, StatusProvider,
        org.osgi.service.event.EventHandler {
    static final String FACTORY_PID = "org.m2mgw.cloud.mqtt";
    private static final Logger LOG = LoggerFactory.getLogger(CloudConnection.class);

    private final String name;
    private final GatewayRuntime runtime;
    private final CloudSettings settings;
    private final DurableQueue queue;
    private final CommandStore commands;
    private final Publisher publisher;
    private final String configError;

    @Activate
    public CloudConnection(@Reference GatewayRuntime runtime, Map<String, Object> properties, CloudConfig config) {
        this.runtime = runtime;
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
        DurableQueue q = null;
        CommandStore c = null;
        if (s != null) {
            Path dir = runtime.dataDirectory("cloud-mqtt").resolve(name);
            try {
                java.nio.file.Files.createDirectories(dir);
                q = new DurableQueue(dir.resolve("queue"), s.queueOptions());
                c = new CommandStore(dir.resolve("commands.bin"), s.commandQueueMax(), Instant::now);
            } catch (IOException | RuntimeException e) {
                error = "durable queue unavailable in " + dir + ": " + e.getMessage();
                LOG.error("Cloud connection {}: {}", name, error);
                if (q != null) {
                    q.close();
                    q = null;
                }
            }
        }
        this.settings = s;
        this.queue = q;
        this.commands = c;
        this.configError = error;
        this.publisher = q == null ? null : new Publisher(name, s, q, this::commandArrived);
        if (publisher != null) {
            publisher.start();
        }
    }

    static String shortName(String pid) {
        int tilde = pid.indexOf('~');
        String n = tilde >= 0 ? pid.substring(tilde + 1) : pid;
        return n.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    @Deactivate
    void deactivate() {
        if (publisher != null) {
            publisher.stop();
        }
        if (queue != null) {
            queue.close();
        }
    }

    // --- DeviceMessageConsumer ---

    @Override
    public CompletionStage<Acceptance> accept(DeviceMessage message) {
        if (queue == null) {
            return CompletableFuture.completedFuture(Acceptance.refused(
                    "cloud connection " + name + " is not running: " + configError, 60));
        }
        CompletableFuture<Acceptance> f = queue.offer(message);
        publisher.wake();
        return f;
    }

    // --- alerts ---

    /** Publishes alerts from Event Admin to the alert topic. */
    @Override
    public void handleEvent(org.osgi.service.event.Event event) {
        if (publisher == null || settings.alertTopic() == null) {
            return;
        }
        StringBuilder json = new StringBuilder("{\"gateway\":").append(quote(settings.gatewayId()));
        for (String key : new String[] {org.m2mgw.api.alert.Alert.PROP_ID, org.m2mgw.api.alert.Alert.PROP_SUBJECT,
            org.m2mgw.api.alert.Alert.PROP_DETECTOR, org.m2mgw.api.alert.Alert.PROP_SEVERITY,
            org.m2mgw.api.alert.Alert.PROP_REASON, "alert.time", "alert.action"}) {
            Object v = event.getProperty(key);
            if (v != null) {
                json.append(',').append(quote(key.substring("alert.".length()))).append(':').append(quote(v.toString()));
            }
        }
        Object score = event.getProperty(org.m2mgw.api.alert.Alert.PROP_SCORE);
        if (score instanceof Number n && Double.isFinite(n.doubleValue())) {
            json.append(",\"score\":").append(n.doubleValue());
        }
        Object features = event.getProperty("alert.features");
        if (features instanceof Map<?, ?> f) {
            json.append(",\"features\":{");
            boolean first = true;
            for (Map.Entry<?, ?> e : f.entrySet()) {
                if (e.getValue() instanceof Number n && Double.isFinite(n.doubleValue())) {
                    json.append(first ? "" : ",").append(quote(e.getKey().toString())).append(':').append(n.doubleValue());
                    first = false;
                }
            }
            json.append('}');
        }
        json.append('}');
        publisher.offerAlert(settings.alertTopic(), json.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    // --- downlink ---

    private void commandArrived(String deviceId, byte[] payload) {
        Instant now = Instant.now();
        int cf = looksLikeJson(payload) ? ContentFormats.JSON : ContentFormats.OCTET_STREAM;
        Command c = new Command(UUID.randomUUID().toString(), deviceId, cf, payload, now,
                now.plusSeconds(settings.commandExpirySeconds()));
        boolean stored;
        try {
            stored = commands.offer(c);
        } catch (RuntimeException e) {
            // Never throw into the MQTT client's thread: it would drop the connection.
            publisher.countCommandDropped();
            LOG.error("Cloud connection {}: command for device {} could not be stored: {}", name, deviceId,
                    e.getMessage());
            return;
        }
        if (!stored) {
            publisher.countCommandDropped();
            LOG.warn("Cloud connection {}: command for device {} refused, its queue holds {} commands "
                    + "(command.queue.max)", name, deviceId, settings.commandQueueMax());
        }
    }

    private static boolean looksLikeJson(byte[] p) {
        for (byte b : p) {
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                continue;
            }
            return b == '{' || b == '[';
        }
        return false;
    }

    @Override
    public boolean offer(Command command) {
        return commands != null && commands.offer(command);
    }

    @Override
    public List<Command> peek(String deviceId, int max) {
        return commands == null ? List.of() : commands.peek(deviceId, max);
    }

    @Override
    public void delivered(String deviceId, List<String> commandIds) {
        if (commands != null) {
            commands.delivered(deviceId, commandIds);
        }
    }

    @Override
    public int pending(String deviceId) {
        return commands == null ? 0 : commands.pending(deviceId);
    }

    // --- status ---

    @Override
    public String statusName() {
        return FACTORY_PID + "~" + name;
    }

    @Override
    public String statusLine() {
        if (publisher == null) {
            return "not running: " + configError;
        }
        return publisher.state();
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        if (queue != null) {
            out.put("queued", (long) queue.size());
            out.put("queued.bytes", queue.bytes());
            out.put("in.flight", (long) (publisher == null ? 0 : publisher.inFlightCount()));
            queue.counters().forEach((k, v) -> out.put("queue." + k, v));
        }
        if (publisher != null) {
            out.putAll(publisher.counters());
        }
        if (commands != null) {
            out.put("commands.pending", (long) commands.total());
        }
        return out;
    }

    /** The publishing loop: connects, publishes the queue in order, reconnects with backoff. */
    static final class Publisher {
        private static final int MAX_LOGGED_RESOURCES = 1000;

        private final String name;
        private final CloudSettings s;
        private final DurableQueue queue;
        private final java.util.function.BiConsumer<String, byte[]> commandSink;
        private final Object signal = new Object();
        private final LongAdder published = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final LongAdder unrouted = new LongAdder();
        private final LongAdder unencodable = new LongAdder();
        private final LongAdder connects = new LongAdder();
        private final LongAdder commandsReceived = new LongAdder();
        private final LongAdder commandsDropped = new LongAdder();
        private final LongAdder alertsPublished = new LongAdder();
        private final LongAdder alertsDropped = new LongAdder();
        private final java.util.ArrayDeque<Map.Entry<String, byte[]>> alerts = new java.util.ArrayDeque<>();
        private static final int MAX_ALERTS = 1000;
        private final java.util.Set<String> loggedUnrouted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final AtomicInteger consecutiveFailures = new AtomicInteger();
        private volatile long pauseUntilNanos;
        private volatile boolean running = true;
        private volatile String state = "starting";
        private volatile MqttLink link;
        /** Sequences in flight on the current link; replaced at each connection. */
        private volatile java.util.Set<Long> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private Thread thread;

        Publisher(String name, CloudSettings s, DurableQueue queue,
                java.util.function.BiConsumer<String, byte[]> commandSink) {
            this.name = name;
            this.s = s;
            this.queue = queue;
            this.commandSink = commandSink;
        }

        void start() {
            thread = new Thread(this::run, "m2mgw-cloud-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            running = false;
            wake();
            MqttLink l = link;
            if (l != null) {
                l.close();
            }
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void wake() {
            synchronized (signal) {
                signal.notifyAll();
            }
        }

        void offerAlert(String topic, byte[] json) {
            synchronized (alerts) {
                if (alerts.size() >= MAX_ALERTS) {
                    alerts.pollFirst();
                    alertsDropped.increment();
                }
                alerts.addLast(Map.entry(topic, json));
            }
            wake();
        }

        private void publishAlerts(MqttLink l) {
            while (true) {
                Map.Entry<String, byte[]> a;
                synchronized (alerts) {
                    a = alerts.pollFirst();
                }
                if (a == null) {
                    return;
                }
                l.publish(a.getKey(), a.getValue(), 1, alertsPublished::increment, e -> {
                    synchronized (alerts) {
                        if (alerts.size() < MAX_ALERTS) {
                            alerts.addFirst(a);
                        } else {
                            alertsDropped.increment();
                        }
                    }
                });
            }
        }

        void countCommandDropped() {
            commandsDropped.increment();
        }

        String state() {
            return state;
        }

        int inFlightCount() {
            return inFlight.size();
        }

        Map<String, Long> counters() {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("published", published.sum());
            m.put("publish.failed", failed.sum());
            m.put("dropped.unrouted", unrouted.sum());
            m.put("dropped.unencodable", unencodable.sum());
            m.put("connects", connects.sum());
            m.put("commands.received", commandsReceived.sum());
            m.put("commands.refused", commandsDropped.sum());
            m.put("alerts.published", alertsPublished.sum());
            m.put("alerts.dropped", alertsDropped.sum());
            return m;
        }

        private void run() {
            long backoff = s.reconnectMinSeconds() * 1000L;
            while (running) {
                MqttLink l = s.mqttVersion5() ? new PahoV5Link(s.linkSettings()) : new PahoV3Link(s.linkSettings());
                // Published before connecting, so that stop() can abort a connect in progress.
                link = l;
                state = "connecting to " + s.brokerUrl();
                try {
                    l.connect(new MqttLink.Listener() {
                        @Override
                        public void connectionLost(Throwable cause) {
                            state = "connection lost: " + ConnectionErrors.describe(cause) + "; reconnecting";
                            LOG.warn("Cloud connection {}: connection to {} lost: {}", name, s.brokerUrl(),
                                    ConnectionErrors.describe(cause));
                            wake();
                        }

                        @Override
                        public void messageArrived(String topic, byte[] payload) {
                            s.commandTopic().flatMap(t -> t.device(topic)).ifPresent(device -> {
                                commandsReceived.increment();
                                commandSink.accept(device, payload);
                            });
                        }
                    });
                    if (s.commandTopic().isPresent()) {
                        l.subscribe(s.commandTopic().get().subscription, 1);
                    }
                } catch (Exception e) {
                    link = null;
                    l.close();
                    if (!running) {
                        break;
                    }
                    String why = ConnectionErrors.describe(e);
                    state = "not connected: " + why + "; retry in " + backoff / 1000 + " s";
                    LOG.warn("Cloud connection {}: cannot connect to {}: {} (retry in {} s)", name,
                            s.brokerUrl(), why, backoff / 1000);
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, s.reconnectMaxSeconds() * 1000L);
                    continue;
                }
                backoff = s.reconnectMinSeconds() * 1000L;
                connects.increment();
                state = "connected to " + s.brokerUrl() + " (MQTT " + (s.mqttVersion5() ? "5" : "3.1.1") + ")";
                LOG.info("Cloud connection {} connected to {}", name, s.brokerUrl());
                java.util.Set<Long> flight = java.util.concurrent.ConcurrentHashMap.newKeySet();
                inFlight = flight;
                try {
                    publishWhileConnected(l, flight);
                } catch (RuntimeException e) {
                    // One bad read or a library error must not stop publishing for good.
                    state = "publishing failed: " + e + "; reconnecting";
                    LOG.error("Cloud connection {}: publishing failed, reconnecting: {}", name, e.toString());
                    sleep(backoff);
                }
                link = null;
                l.close();
                // Whatever was in flight goes back to the queue, in order, for the next connection;
                // late callbacks from the closed link find an empty set and change nothing.
                inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
                for (Long seq : flight) {
                    if (flight.remove(seq)) {
                        queue.release(seq);
                    }
                }
            }
            state = "stopped";
        }

        private void publishWhileConnected(MqttLink l, java.util.Set<Long> flight) {
            while (running && l.isConnected()) {
                publishAlerts(l);
                long pause = pauseUntilNanos - System.nanoTime();
                int window = Math.min(s.publishWindow(), l.maxInflight());
                int room = window - flight.size();
                List<QueuedMessage> batch = room > 0 && pause <= 0 ? queue.peek(room) : List.of();
                if (batch.isEmpty()) {
                    synchronized (signal) {
                        try {
                            long waitMs = pause > 0 ? Math.max(1, pause / 1_000_000) : room > 0 ? 200 : 20;
                            signal.wait(waitMs);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    continue;
                }
                for (QueuedMessage q : batch) {
                    publishOne(l, q, flight);
                }
            }
        }

        private void publishOne(MqttLink l, QueuedMessage q, java.util.Set<Long> flight) {
            DeviceMessage m;
            try {
                m = q.message();
            } catch (IllegalArgumentException e) {
                unencodable.increment();
                LOG.error("Cloud connection {}: queue entry {} is unreadable and is dropped: {}", name,
                        q.sequence(), e.getMessage());
                queue.ack(q.sequence());
                return;
            }
            Optional<Routes.Route> route = s.routes().match(m.resource());
            if (route.isEmpty()) {
                unrouted.increment();
                if (loggedUnrouted.size() < MAX_LOGGED_RESOURCES && loggedUnrouted.add(m.resource())) {
                    LOG.warn("Cloud connection {}: no route for resource '{}': its messages are dropped "
                            + "(add a route to 'routes')", name, m.resource());
                }
                queue.ack(q.sequence());
                return;
            }
            byte[] payload;
            try {
                payload = route.get().encoder().encode(m, s.gatewayId());
            } catch (PayloadException e) {
                unencodable.increment();
                LOG.warn("Cloud connection {}: message {} dropped, it cannot be encoded as {}: {}", name,
                        m.messageId(), route.get().encoder().id(), e.getMessage());
                queue.ack(q.sequence());
                return;
            }
            String topic = Routes.topic(route.get().topicTemplate(), s.topicPrefix(), s.gatewayId(),
                    m.deviceId(), m.resource());
            flight.add(q.sequence());
            l.publish(topic, payload, route.get().qos(), () -> {
                if (flight.remove(q.sequence())) {
                    queue.ack(q.sequence());
                    published.increment();
                    consecutiveFailures.set(0);
                }
                wake();
            }, error -> {
                failed.increment();
                if (flight.remove(q.sequence())) {
                    queue.release(q.sequence());
                }
                // Back off before trying again (broker limits, refusals), up to one second.
                int n = consecutiveFailures.incrementAndGet();
                pauseUntilNanos = System.nanoTime() + Math.min(1000L, 10L << Math.min(n, 7)) * 1_000_000L;
                if (n == 1 || n % 1000 == 0) {
                    LOG.warn("Cloud connection {}: publish failed ({} in a row), retrying: {}", name, n,
                            ConnectionErrors.describe(error));
                }
                wake();
            });
        }

        private void sleep(long ms) {
            synchronized (signal) {
                try {
                    long end = System.currentTimeMillis() + ms;
                    while (running && System.currentTimeMillis() < end) {
                        signal.wait(Math.max(1, end - System.currentTimeMillis()));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
