package org.m2mgw.cloud.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import org.m2mgw.cloud.internal.mqtt.MqttLink;
import org.m2mgw.cloud.internal.queue.DurableQueue;
import org.m2mgw.cloud.internal.tls.TlsGroups;
import org.m2mgw.cloud.internal.tls.UplinkTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publishing loop of one cloud connection, on its own thread: connects, publishes the alert
 * queue and the message queue through their {@link Lane}s, reconnects with backoff, and passes
 * commands from the broker to its command sink.
 *
 * <p>The thread never ends before {@link #stop()} (finding 4 of the security review): whatever it
 * catches is counted ({@code publisher.errors}), logged once per kind with its stack trace, and
 * followed by a short pause.
 *
 * <p>While the broker is unreachable, the backoff between full connection attempts grows up to
 * {@code reconnect.max.seconds}, but the broker's TCP port is probed about once a second, and the
 * connection is attempted as soon as it answers (finding 5): the gateway is back within a second or
 * two of the broker, without hammering one that stays down.
 */
final class Publisher {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
    private static final long ERROR_PAUSE_MS = 1000;
    private static final int PROBE_INTERVAL_MS = 1000;
    private static final int PROBE_TIMEOUT_MS = 500;
    private static final int MAX_LOGGED_ERRORS = 100;

    /** What a lane tells its publisher; called from the client library's threads too. */
    interface Feedback {
        void delivered();

        void failed(Throwable error);

        void unexpected(Throwable error);

        void wake();
    }

    private final String name;
    private final CloudSettings s;
    private final LinkFactory links;
    private final Lane messages;
    /** Present when alerts are published. */
    private final Lane alerts;
    /** Takes a command for a device from the broker; {@code false} if it was refused. */
    private final BiPredicate<String, byte[]> commandSink;
    private final Object signal = new Object();
    private final LongAdder connects = new LongAdder();
    private final LongAdder commandsReceived = new LongAdder();
    private final LongAdder commandsRefused = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Set<String> loggedErrors = ConcurrentHashMap.newKeySet();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final Feedback feedback = new Feedback() {
        @Override
        public void delivered() {
            consecutiveFailures.set(0);
            wake();
        }

        @Override
        public void failed(Throwable error) {
            // Back off before trying again (broker limits, refusals), up to one second.
            int n = consecutiveFailures.incrementAndGet();
            pauseUntilNanos = System.nanoTime() + Math.min(1000L, 10L << Math.min(n, 7)) * 1_000_000L;
            if (n == 1 || n % 1000 == 0) {
                LOG.warn("Cloud connection {}: publish failed ({} in a row), retrying: {}", name, n,
                        ConnectionErrors.describe(error));
            }
            wake();
        }

        @Override
        public void unexpected(Throwable error) {
            Publisher.this.unexpected(error);
        }

        @Override
        public void wake() {
            Publisher.this.wake();
        }
    };
    private volatile long pauseUntilNanos;
    private volatile long lostAtNanos;
    /** Sends left in careful mode (one entry in flight at a time) after a loss right after a send. */
    private int carefulBudget;
    private volatile boolean running = true;
    private volatile String state = "starting";
    private volatile MqttLink link;
    /** The key-exchange group of the live connection's TLS; null when not connected or not seen. */
    private volatile String tlsGroup;
    private Thread thread;
    /** The latest status document to publish (topic, payload); only the newest is kept. */
    private final java.util.concurrent.atomic.AtomicReference<Map.Entry<String, byte[]>> status =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final LongAdder statusPublished = new LongAdder();
    /** Told of each connection's TLS: version and key-exchange group (either may be empty). */
    volatile java.util.function.BiConsumer<String, String> onTls;
    /** The TLS version of the live connection; null when not connected or not over TLS. */
    private volatile String tlsVersion;

    /** Tells {@link #onTls} what protects the live connection, if it is over TLS. */
    void reportTls() {
        java.util.function.BiConsumer<String, String> report = onTls;
        String version = tlsVersion;
        if (report != null && version != null) {
            String group = tlsGroup;
            report.accept(version, group == null ? "" : group);
        }
    }

    /**
     * @param name the connection's short name, for the thread and the log
     * @param s the connection's settings
     * @param queue the device messages to publish
     * @param alertQueue the alerts to publish, on {@link CloudSettings#alertTopic()}; {@code null} if none
     * @param deadLetters where entries the broker will not take are parked
     * @param commandSink takes each command the broker sends for a device (device id, payload) and
     *     answers whether it was kept; called on the MQTT client's thread
     * @param links makes the MQTT links
     */
    Publisher(String name, CloudSettings s, DurableQueue queue, DurableQueue alertQueue, DeadLetters deadLetters,
            BiPredicate<String, byte[]> commandSink, LinkFactory links) {
        this.name = name;
        this.s = s;
        this.links = links;
        this.commandSink = commandSink;
        int attempts = s.limits().publishMaxAttempts();
        this.messages = new Lane(name, "message", queue, DeadLetters.Kind.MESSAGE, q -> Publications.of(q, s), deadLetters,
                attempts, feedback);
        this.alerts = alertQueue == null ? null : new Lane(name, "alert", alertQueue, DeadLetters.Kind.ALERT,
                q -> new Lane.Outgoing(s.alertTopic(), q.record(), 1), deadLetters, attempts, feedback);
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

    /**
     * Publishes a status document (the crypto inventory summary) at QoS 1 when connected. Not
     * durable: while the broker is away only the newest is kept, and a newer one replaces it.
     */
    void publishStatus(String topic, byte[] payload) {
        status.set(Map.entry(topic, payload));
        wake();
    }

    /** Makes the loop look at the queues now, e.g. after a message was offered. */
    void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /** @return whether a connection to the broker is up now */
    boolean connected() {
        return link != null && state.startsWith("connected");
    }

    String state() {
        return state;
    }

    /** @return the key-exchange group of the live uplink's TLS, as the broker chose it */
    Optional<String> tlsGroup() {
        return Optional.ofNullable(tlsGroup);
    }

    int inFlightCount() {
        return messages.inFlight() + (alerts == null ? 0 : alerts.inFlight());
    }

    Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        long[] msg = messages.counts();
        m.put("published", msg[0]);
        m.put("publish.failed", msg[1]);
        m.put("parked", msg[2]);
        m.put("connects", connects.sum());
        m.put("publisher.errors", errors.sum());
        m.put("commands.received", commandsReceived.sum());
        m.put("commands.refused", commandsRefused.sum());
        m.put("crypto.summaries.published", statusPublished.sum());
        long[] al = alerts == null ? new long[3] : alerts.counts();
        m.put("alerts.published", al[0]);
        m.put("alerts.failed", al[1]);
        m.put("alerts.parked", al[2]);
        String group = tlsGroup;
        if (group != null) {
            m.put("tls.post.quantum", TlsGroups.isPostQuantum(group) ? 1L : 0L);
        }
        return m;
    }

    private void run() {
        long backoff = s.reconnectMinSeconds() * 1000L;
        while (running) {
            try {
                backoff = connectAndPublish(backoff);
            } catch (Throwable t) {
                // Whatever happens, publishing must go on (finding 4).
                unexpected(t);
                sleep(ERROR_PAUSE_MS);
            }
        }
        state = "stopped";
    }

    /** One connection, from the attempt to its end; returns the next backoff. */
    private long connectAndPublish(long backoff) {
        UplinkTls tls = s.tls();
        if (tls != null) {
            tls.reset();
        }
        MqttLink l = links.create(s.mqttVersion5(), s.linkSettings());
        // Published before connecting, so that stop() can abort a connect in progress.
        link = l;
        state = "connecting to " + s.brokerUrl();
        lostAtNanos = 0;
        try {
            l.connect(listener());
            if (s.commandTopic().isPresent()) {
                l.subscribe(s.commandTopic().get().subscription, 1);
            }
        } catch (Exception | Error e) {
            link = null;
            l.close();
            if (e instanceof Error) {
                unexpected(e);
            }
            if (!running) {
                return backoff;
            }
            String why = ConnectionErrors.describe(e);
            boolean probe = ConnectionErrors.unreachable(e);
            state = "not connected: " + why + "; retry in " + backoff / 1000 + " s"
                    + (probe ? " or as soon as the broker's port answers" : "");
            LOG.warn("Cloud connection {}: cannot connect to {}: {} (retry in {} s{})", name, s.brokerUrl(), why,
                    backoff / 1000, probe ? ", or as soon as its port answers" : "");
            waitToReconnect(backoff, probe);
            return Math.min(backoff * 2, s.reconnectMaxSeconds() * 1000L);
        }
        connects.increment();
        tlsGroup = tls == null ? null : tls.negotiatedGroup().orElse(null);
        String security = tls == null ? "" : tlsDescription(tls);
        state = "connected to " + s.brokerUrl() + " (MQTT " + (s.mqttVersion5() ? "5" : "3.1.1") + security + ")";
        LOG.info("Cloud connection {} connected to {}{}", name, s.brokerUrl(), security);
        tlsVersion = tls == null ? null : tls.negotiatedVersion().orElse("");
        reportTls();
        try {
            publishWhileConnected(l);
        } finally {
            link = null;
            tlsGroup = null;
            tlsVersion = null;
            l.close();
            // Whatever was in flight goes back to its queue, in order, for the next connection;
            // late callbacks from the closed link change nothing.
            long lost = lostAtNanos != 0 ? lostAtNanos : System.nanoTime();
            boolean alone = inFlightCount() == 1;
            int was = inFlightCount();
            messages.linkLost(lost, alone);
            if (alerts != null) {
                alerts.linkLost(lost, alone);
            }
            if (suspects()) {
                carefulBudget = 2 * was + 10;
            }
            parkPending();
        }
        return s.reconnectMinSeconds() * 1000L;
    }

    /** @return e.g. ", TLSv1.3, key exchange X25519MLKEM768 (post-quantum hybrid)" */
    private static String tlsDescription(UplinkTls tls) {
        String version = tls.negotiatedVersion().map(v -> ", " + v).orElse(", TLS");
        return version + tls.negotiatedGroup()
                .map(g -> ", key exchange " + g + (TlsGroups.isPostQuantum(g)
                        ? (g.startsWith("MLKEM") ? " (post-quantum)" : " (post-quantum hybrid)") : " (classical)"))
                .orElse("") + " via " + tls.providerName();
    }

    private MqttLink.Listener listener() {
        return new MqttLink.Listener() {
            @Override
            public void connectionLost(Throwable cause) {
                lostAtNanos = System.nanoTime();
                state = "connection lost: " + ConnectionErrors.describe(cause) + "; reconnecting";
                LOG.warn("Cloud connection {}: connection to {} lost: {}", name, s.brokerUrl(),
                        ConnectionErrors.describe(cause));
                wake();
            }

            @Override
            public void messageArrived(String topic, byte[] payload) {
                try {
                    s.commandTopic().flatMap(t -> t.device(topic)).ifPresent(device -> {
                        commandsReceived.increment();
                        if (!commandSink.test(device, payload)) {
                            commandsRefused.increment();
                        }
                    });
                } catch (RuntimeException | Error e) {
                    // Thrown back into the client library, it would drop the connection and get the
                    // same command again: acknowledge it, count it, log it.
                    commandsRefused.increment();
                    unexpected(e);
                }
            }
        };
    }

    private void publishWhileConnected(MqttLink l) {
        while (running && l.isConnected()) {
            try {
                if (!publishSome(l)) {
                    long pause = pauseUntilNanos - System.nanoTime();
                    synchronized (signal) {
                        signal.wait(pause > 0 ? Math.max(1, pause / 1_000_000) : 200);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable t) {
                // One bad entry or a library error must not stop publishing (finding 4).
                unexpected(t);
                sleep(ERROR_PAUSE_MS);
            }
        }
    }

    /** @return whether something was handed to the link */
    private boolean publishSome(MqttLink l) {
        parkPending();
        if (pauseUntilNanos - System.nanoTime() > 0) {
            return false;
        }
        boolean careful = carefulBudget > 0 && suspects();
        if (!careful && carefulBudget > 0) {
            carefulBudget = 0;
        }
        int room = careful ? 1 - inFlightCount()
                : Math.min(s.publishWindow(), l.maxInflight()) - inFlightCount();
        if (room <= 0) {
            return false;
        }
        Map.Entry<String, byte[]> st = status.getAndSet(null);
        if (st != null) {
            // Takes one slot of the window; on failure it comes back unless a newer one is waiting.
            l.publish(st.getKey(), st.getValue(), 1, statusPublished::increment,
                    e -> status.compareAndSet(null, st));
            if (--room <= 0) {
                return true;
            }
        }
        int sent = alerts == null ? 0 : alerts.publish(l, room);
        sent += messages.publish(l, room - sent);
        if (careful && sent > 0 && (carefulBudget -= sent) <= 0) {
            // Gave the suspects their chance one by one; those left were dropped from a full queue.
            messages.clearSuspects();
            if (alerts != null) {
                alerts.clearSuspects();
            }
        }
        return sent > 0;
    }

    private boolean suspects() {
        return messages.hasSuspects() || (alerts != null && alerts.hasSuspects());
    }

    private void parkPending() {
        messages.parkPending();
        if (alerts != null) {
            alerts.parkPending();
        }
    }

    /** Counts what the publisher caught, and logs each kind once, with its stack trace. */
    private void unexpected(Throwable t) {
        errors.increment();
        String kind = t.getClass().getName() + ": " + t.getMessage();
        if (loggedErrors.size() < MAX_LOGGED_ERRORS && loggedErrors.add(kind)) {
            LOG.error("Cloud connection {}: the publisher caught an unexpected error; it goes on after a short "
                    + "pause (each kind of error is logged once, all are counted in publisher.errors)", name, t);
        }
    }

    /**
     * Waits {@code ms} before the next attempt; when the broker was unreachable, probes its port
     * about once a second meanwhile and returns as soon as it answers.
     */
    private void waitToReconnect(long ms, boolean probe) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (running) {
            long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            if (left <= 0) {
                return;
            }
            sleep(Math.min(PROBE_INTERVAL_MS, left));
            if (probe && running && left > PROBE_INTERVAL_MS && Publications.portAnswers(s.brokerUrl(), PROBE_TIMEOUT_MS)) {
                LOG.info("Cloud connection {}: {} answers again, connecting", name, s.brokerUrl());
                return;
            }
        }
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
