package org.m2mgw.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

/** The component around the engine: the hand-off from the transports' threads to the worker. */
class AnomalyDetectorTest {

    private static Map<String, Object> enabled() {
        Map<String, Object> p = new HashMap<>();
        p.put("detector.enabled", "true");
        return p;
    }

    private static void awaitCounter(AnomalyDetector d, String name, long value) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (d.counters().get(name) < value && System.nanoTime() < deadline) {
            Thread.sleep(AnomalyDetector.DRAIN_MS);
        }
        assertThat(d.counters().get(name)).as(name).isEqualTo(value);
    }

    @Test
    void everyEventFromManyThreadsReachesTheEngineOnce() throws Exception {
        AnomalyDetector d = new AnomalyDetector(enabled());
        try {
            int threads = 4;
            int perThread = 25_000;
            Instant now = Instant.now();
            CountDownLatch start = new CountDownLatch(1);
            Thread[] senders = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                senders[t] = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        d.onEvent(TrafficEvent.builder(TrafficEventType.REQUEST, "coaps", "10.0." + id + ".1:5684")
                                .deviceId("dev-" + id + "-" + (i % 50)).resource("telemetry").bytes(40)
                                .time(now.plusMillis(i)).build());
                    }
                });
                senders[t].start();
            }
            start.countDown();
            for (Thread s : senders) {
                s.join();
            }
            awaitCounter(d, "events.processed", (long) threads * perThread);
            Map<String, Long> c = d.counters();
            assertThat(c.get("events.dropped")).isZero();
            assertThat(c.get("events.queued")).isZero();
            assertThat(c.get("events")).isEqualTo((long) threads * perThread);
            assertThat(c.get("tracked.devices")).isEqualTo(threads * 50L);
        } finally {
            d.deactivate();
        }
    }

    @Test
    void anAttackIsStillReportedWithoutTheTransportWakingTheWorker() throws Exception {
        AnomalyDetector d = new AnomalyDetector(enabled());
        try {
            Instant now = Instant.now();
            // one address guessing many identities: the identity-guessing rule's case
            for (int i = 0; i < 200; i++) {
                d.onEvent(TrafficEvent.builder(TrafficEventType.HANDSHAKE_FAILED, "coaps", "203.0.113.9:40000")
                        .cause(FailureCause.UNKNOWN_IDENTITY).claimedIdentity("guess-" + i)
                        .reason("unknown PSK identity 'guess-" + i + "'").time(now.plusMillis(i * 10L)).build());
            }
            awaitCounter(d, "events.processed", 200);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (d.recentFindings().stream().noneMatch(f -> f.alert().subject().equals("203.0.113.9"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(AnomalyDetector.DRAIN_MS);
            }
            assertThat(d.recentFindings()).extracting(f -> f.alert().subject()).contains("203.0.113.9");
        } finally {
            d.deactivate();
        }
    }

    @Test
    void byteCountsAreCountedButNotQueued() throws Exception {
        AnomalyDetector d = new AnomalyDetector(enabled());
        try {
            Instant now = Instant.now();
            for (TrafficEventType type : new TrafficEventType[] {TrafficEventType.BYTES_IN, TrafficEventType.REQUEST,
                TrafficEventType.BYTES_OUT}) {
                d.onEvent(TrafficEvent.builder(type, "coaps", "10.0.0.1:5684").deviceId("x").resource("telemetry")
                        .bytes(40).time(now).build());
            }
            awaitCounter(d, "events.processed", 1);
            assertThat(d.counters().get("events.skipped.bytes")).isEqualTo(2);
            assertThat(d.counters().get("events")).isEqualTo(1);
        } finally {
            d.deactivate();
        }
    }

    @Test
    void theWorkerStillTicksWhenEventsComeFasterThanItTakesThem() throws Exception {
        AnomalyDetector d = new AnomalyDetector(enabled());
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread[] senders = new Thread[2];
        try {
            Instant now = Instant.now();
            for (int t = 0; t < senders.length; t++) {
                int id = t;
                senders[t] = new Thread(() -> {
                    for (long i = 0; !stop.get(); i++) {
                        d.onEvent(TrafficEvent.builder(TrafficEventType.REQUEST, "coaps", "10.1." + id + ".1:5684")
                                .deviceId("busy-" + id + "-" + (i % 1000)).resource("telemetry").bytes(40)
                                .time(now.plusMillis(i / 100)).build());
                    }
                });
                senders[t].start();
            }
            Thread.sleep(500);
            long before = d.counters().get("worker.ticks");
            Thread.sleep(3500);
            // the queue stayed full: the worker never found it empty, and still did its tick each second
            assertThat(d.counters().get("events.dropped")).as("events dropped: the worker was behind").isPositive();
            assertThat(d.counters().get("worker.ticks") - before).isGreaterThanOrEqualTo(2);
        } finally {
            stop.set(true);
            for (Thread s : senders) {
                if (s != null) {
                    s.join();
                }
            }
            d.deactivate();
        }
    }

    @Test
    void disabledDetectorTakesNoEvents() throws Exception {
        Map<String, Object> p = new HashMap<>();
        p.put("detector.enabled", "false");
        AnomalyDetector d = new AnomalyDetector(p);
        d.onEvent(TrafficEvent.builder(TrafficEventType.REQUEST, "coaps", "10.0.0.1:5684").deviceId("x").build());
        assertThat(d.counters().get("events.queued")).isZero();
        assertThat(d.statusLine()).startsWith("disabled");
        d.deactivate();
    }
}
