package org.m2mgw.anomaly.internal.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import org.m2mgw.api.traffic.TrafficEvent;

/**
 * Prints how many events per second one engine takes, on one thread and on several, with and without
 * the forest, and the findings on that normal traffic; then the heap each tracked device takes. Not a
 * test: timings depend on the machine.
 *
 * <p>Two workloads, both replayed far faster than real time, so that the forest sees many more
 * windows per second than it would live:
 * <ul>
 * <li>fleet: the mixed fleet of the tests (sensors, bursty and sleepy devices), about 3.4 events per
 * device window: nearly every few events close a window and reach the forest (the worst case);
 * <li>busy: sensors that each report once a second, 10 events per window.
 * </ul>
 *
 * <p>Arguments: fleet devices (default 3000), fleet hours (default 2), busy devices (default 10000),
 * thread counts (default 1 2).
 */
public final class EngineThroughput {

    private EngineThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int hours = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int busy = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        List<Integer> threads = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            threads.add(Integer.parseInt(args[i]));
        }
        if (threads.isEmpty()) {
            threads = List.of(1, 2);
        }
        List<TrafficEvent> fleet = new ArrayList<>();
        TrafficGenerator.fleet(11, devices).runUntil(Duration.ofHours(hours), fleet::add);
        System.out.printf("fleet: %,d events from %,d devices over %d simulated hours%n", fleet.size(), devices, hours);
        List<TrafficEvent> sensors = new ArrayList<>();
        TrafficGenerator g = new TrafficGenerator(12);
        for (int i = 0; i < busy; i++) {
            g.add(g.periodic("busy-" + i, "10.64." + (i >> 8 & 255) + "." + (i & 255), t -> 1, 1, 40));
        }
        g.runUntil(Duration.ofMinutes(20), sensors::add);
        System.out.printf("busy: %,d events from %,d sensors reporting every second for 20 simulated minutes%n",
                sensors.size(), busy);

        run("fleet", fleet, 1, true, true); // warm up the JIT
        for (int n : threads) {
            run("fleet", fleet, n, true, false);
            run("fleet", fleet, n, false, false);
            run("busy", sensors, n, true, false);
        }
        fleet.clear();
        sensors.clear();
        heapPerDevice();
    }

    private static void run(String name, List<TrafficEvent> events, int threadCount, boolean rcf, boolean warmup)
            throws Exception {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults().with(EngineSettings.RCF_ENABLED, rcf));
        // a transport hands one session's events to one thread at a time: partition by subject, so that
        // each device's events stay in order
        List<List<TrafficEvent>> parts = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            parts.add(new ArrayList<>());
        }
        for (TrafficEvent e : events) {
            String subject = e.deviceId().orElse(Subjects.ipOf(e));
            parts.get(Math.floorMod(subject.hashCode(), threadCount)).add(e);
        }
        LongAdder findings = new LongAdder();
        Map<String, Integer> byDetector = new ConcurrentSkipListMap<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (List<TrafficEvent> mine : parts) {
            Thread th = new Thread(() -> {
                for (TrafficEvent e : mine) {
                    for (Finding f : engine.onEvent(e)) {
                        findings.increment();
                        byDetector.merge(f.detector(), 1, Integer::sum);
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!warmup) {
            Map<String, Long> c = engine.counters();
            System.out.printf("%-5s %d thread(s), RCF %-3s: %,10.0f events/s (%,d events in %.2f s), %,d RCF windows "
                    + "scored, %,d skipped, findings %s%n", name, threadCount, rcf ? "on" : "off",
                    events.size() / seconds, events.size(), seconds, c.getOrDefault("rcf.vectors.scored", 0L),
                    c.getOrDefault("rcf.vectors.skipped", 0L), byDetector);
        }
    }

    /** Rough: heap before and after tracking 100,000 devices that each used 3 resources. */
    private static void heapPerDevice() throws Exception {
        int n = 100_000;
        long before = usedHeap();
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults());
        for (int i = 0; i < n; i++) {
            String id = "device-" + i;
            for (int r = 0; r < 3; r++) {
                engine.onEvent(TrafficEvent.builder(org.m2mgw.api.traffic.TrafficEventType.REQUEST, "coaps",
                        "10.128." + (i >> 8 & 255) + "." + (i & 255) + ":5684").deviceId(id).resource("telemetry/" + r)
                        .bytes(40).time(TrafficGenerator.T0.plusSeconds(i / 100 + r)).build());
            }
        }
        long after = usedHeap();
        System.out.printf("heap: about %,d bytes per tracked device (%,d devices, forest included)%n",
                (after - before) / n, engine.counters().get("tracked.devices"));
    }

    private static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
