package org.m2mgw.anomaly.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.m2mgw.anomaly.internal.engine.DetectionEngine;
import org.m2mgw.anomaly.internal.engine.EngineSettings;
import org.m2mgw.anomaly.internal.engine.Finding;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.alert.Alert;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventListener;
import org.m2mgw.api.traffic.TrafficEventType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds every {@link TrafficEvent} to the detection engine on a worker thread of its own (the
 * transports' I/O threads never wait for detection, and never wake the worker either: it takes what
 * has arrived every {@value #DRAIN_MS} ms, so that a busy gateway pays a lock-free enqueue per event
 * instead of a thread wake-up per event), posts the alerts to Event Admin (the cloud
 * connection publishes them), keeps the recent ones for the console, and applies each finding's
 * action through {@link DeviceAccessControl}.
 */
@Component(name = AnomalyDetector.PID, immediate = true, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = "service.pid=" + AnomalyDetector.PID,
        service = {ConfigurableComponent.class, TrafficEventListener.class, StatusProvider.class, AnomalyDetector.class})
@Designate(ocd = AnomalyConfig.class)
public class AnomalyDetector implements ConfigurableComponent, TrafficEventListener, StatusProvider {
    static final String PID = "org.m2mgw.anomaly";
    private static final Logger LOG = LoggerFactory.getLogger(AnomalyDetector.class);
    private static final int QUEUE = 100_000;
    private static final int RECENT = 100;
    /** How often the worker takes the events that arrived: detection is late by at most this. */
    static final long DRAIN_MS = 10;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile EventAdmin eventAdmin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DeviceAccessControl access;

    private final ConcurrentLinkedQueue<TrafficEvent> events = new ConcurrentLinkedQueue<>();
    /** Events in {@link #events}: the bound of {@value #QUEUE} is kept with it. */
    private final AtomicInteger queued = new AtomicInteger();
    private final ArrayDeque<Finding> recent = new ArrayDeque<>();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder processed = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder failures = new LongAdder();
    /** Ticks done: once a second, also while events keep coming (windows of devices gone quiet end there). */
    private final LongAdder ticks = new LongAdder();
    /** When the worker last logged a failure ({@link System#nanoTime()}), 0 for never; the worker's own. */
    private long lastFailureLog;
    /** The worker thread, whose CPU time is the detector's cost (it does nothing else). */
    private volatile long workerThreadId = -1;
    private final LongAdder alerts = new LongAdder();
    private final LongAdder actions = new LongAdder();
    private final boolean enabled;
    private final String configError;
    private final DetectionEngine engine;
    private final Thread worker;
    private volatile boolean running = true;

    @Activate
    public AnomalyDetector(Map<String, Object> properties) {
        Object on = properties.get("detector.enabled");
        enabled = on == null || Boolean.parseBoolean(on.toString());
        DetectionEngine e = null;
        String error = null;
        if (enabled) {
            try {
                e = new DetectionEngine(EngineSettings.from(properties));
            } catch (IllegalArgumentException ex) {
                error = ex.getMessage();
                LOG.error("Anomaly detector not started, invalid configuration of {}: {}", PID, error);
            }
        }
        engine = e;
        configError = error;
        if (engine != null) {
            worker = new Thread(this::work, "m2mgw-anomaly");
            worker.setDaemon(true);
            worker.start();
        } else {
            worker = null;
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        running = false;
        if (worker != null) {
            worker.interrupt();
            worker.join(5000);
        }
    }

    @Override
    public void onEvent(TrafficEvent event) {
        if (engine == null) {
            return;
        }
        if (event.type() == TrafficEventType.BYTES_IN || event.type() == TrafficEventType.BYTES_OUT) {
            // Per-datagram byte counts are no feature (a request's payload size is): two of every three
            // events of a busy gateway, not worth the queue and the worker's time.
            skipped.increment();
            return;
        }
        if (queued.incrementAndGet() > QUEUE) {
            queued.decrementAndGet();
            dropped.increment();
            return;
        }
        events.offer(event);
    }

    private void work() {
        workerThreadId = Thread.currentThread().getId();
        long nextTick = System.nanoTime();
        List<Finding> findings = new ArrayList<>();
        while (running) {
            try {
                TrafficEvent e;
                int taken = 0;
                boolean behind = false;
                while ((e = events.poll()) != null) {
                    try {
                        findings.addAll(engine.onEvent(e));
                        findings.forEach(this::handle);
                    } catch (RuntimeException re) {
                        failed(re);
                    }
                    findings.clear();
                    if (++taken == 1024) {
                        // the producers' counter once per batch, not once per event: it is their cache line
                        queued.addAndGet(-taken);
                        processed.add(taken);
                        taken = 0;
                        if (System.nanoTime() - nextTick >= 0) {
                            // events keep coming: the tick (windows of devices gone quiet) must not starve
                            behind = true;
                            break;
                        }
                    }
                }
                queued.addAndGet(-taken);
                processed.add(taken);
                if (System.nanoTime() - nextTick >= 0) {
                    findings.addAll(engine.tick(Instant.now()));
                    ticks.increment();
                    nextTick = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                    findings.forEach(this::handle);
                    findings.clear();
                }
                if (!behind) {
                    Thread.sleep(DRAIN_MS);
                }
            } catch (InterruptedException ie) {
                return;
            } catch (RuntimeException re) {
                findings.clear();
                failed(re);
            }
        }
    }

    /** Detection must never stop for good: counted, logged at most once a minute, and on to the next event. */
    private void failed(RuntimeException re) {
        failures.increment();
        long now = System.nanoTime();
        if (lastFailureLog == 0 || now - lastFailureLog >= TimeUnit.MINUTES.toNanos(1)) {
            lastFailureLog = now == 0 ? 1 : now;
            LOG.error("Anomaly detector: event processing failed ({} failures so far; logged at most once a "
                    + "minute): {}", failures.sum(), re.toString());
        }
    }

    void handle(Finding f) {
        alerts.increment();
        Alert a = f.alert();
        synchronized (recent) {
            if (recent.size() >= RECENT) {
                recent.pollFirst();
            }
            recent.addLast(f);
        }
        LOG.warn("ALERT {} {} by {} (score {}): {}; action {}", a.severity(), a.subject(), a.detector(),
                String.format("%.1f", a.score()), a.reason(), f.action());
        EventAdmin ea = eventAdmin;
        if (ea != null) {
            ea.postEvent(new Event(Alert.TOPIC, a.toEventProperties(f.action().configName())));
        }
        DeviceAccessControl ac = access;
        if (ac == null) {
            return;
        }
        try {
            switch (f.action()) {
                case THROTTLE -> ac.throttle(a.subject(), f.throttleRatePerSecond(), f.duration(), a.reason(), a.detector());
                case QUARANTINE -> ac.quarantine(a.subject(), f.duration(), a.reason(), a.detector());
                case BLOCK_ADDRESS -> ac.blockAddress(a.subject(), f.duration(), a.reason(), a.detector());
                case LIMIT_HANDSHAKES -> ac.limitHandshakes(org.m2mgw.support.IpLiterals.parse(a.subject()), f.throttleRatePerSecond(),
                        f.duration(), a.reason(), a.detector());
                default -> {
                    return;
                }
            }
            actions.increment();
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.warn("Anomaly detector: action {} on {} not applied: {}", f.action(), a.subject(), e.getMessage());
        }
    }

    /** @return the most recent findings, oldest first */
    public List<Finding> recentFindings() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    @Override
    public String statusName() {
        return PID;
    }

    @Override
    public String statusLine() {
        if (!enabled) {
            return "disabled (detector.enabled=false)";
        }
        if (engine == null) {
            return "not running: " + configError;
        }
        Finding last;
        synchronized (recent) {
            last = recent.peekLast();
        }
        return "running; " + alerts.sum() + " alerts" + (last == null ? "" : "; last: " + last.alert());
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("events.queued", (long) queued.get());
        out.put("events.dropped", dropped.sum());
        out.put("events.processed", processed.sum());
        out.put("events.skipped.bytes", skipped.sum());
        out.put("events.failed", failures.sum());
        out.put("worker.ticks", ticks.sum());
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long id = workerThreadId;
        if (id >= 0 && threads.isThreadCpuTimeSupported()) {
            long cpu = threads.getThreadCpuTime(id);
            if (cpu >= 0) {
                out.put("worker.cpu.micros", cpu / 1000);
            }
        }
        out.put("alerts", alerts.sum());
        out.put("actions", actions.sum());
        if (engine != null) {
            out.putAll(engine.counters());
        }
        return out;
    }
}
