package org.m2mgw.anomaly.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.alert.AlertSeverity;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

class DetectionEngineTest {

    private static final Instant T0 = TrafficGenerator.T0;

    private static TrafficEvent request(String device, String address, long millis, String resource, long bytes) {
        return TrafficEvent.builder(TrafficEventType.REQUEST, "coaps", address).deviceId(device).resource(resource)
                .bytes(bytes).time(T0.plusMillis(millis)).build();
    }

    private static TrafficEvent unknownIdentity(String address, long millis, String identity) {
        return TrafficEvent.builder(TrafficEventType.HANDSHAKE_FAILED, "coaps", address)
                .cause(org.m2mgw.api.traffic.FailureCause.UNKNOWN_IDENTITY).claimedIdentity(identity)
                .reason("unknown PSK identity '" + identity + "'").time(T0.plusMillis(millis)).build();
    }

    /** Sends {@code n} requests, {@code gapMs} apart from {@code startMs}; returns the findings. */
    private static List<Finding> requests(DetectionEngine engine, String device, long startMs, int n, long gapMs) {
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.addAll(engine.onEvent(request(device, "10.1.0.1:5000", startMs + i * gapMs, "telemetry", 40)));
        }
        return out;
    }

    @Test
    void givenAFloodThatGoesOn_whenTheCooldownRuns_thenTheDetectorAlertsOncePerCooldown() {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults().with(EngineSettings.COOLDOWN_SECONDS, 120));

        // 20 requests per second for 5 minutes, a new device: only the fixed limit applies
        List<Finding> findings = requests(engine, "d1", 0, 6000, 50);

        assertThat(findings).extracting(Finding::detector).containsOnly("rule.flood");
        assertThat(findings).extracting(f -> f.alert().time()).containsExactly(T0.plusMillis(29_950),
                T0.plusMillis(149_950), T0.plusMillis(269_950));
        assertThat(findings.get(0).alert().reason())
                .isEqualTo("device d1 sent 600 requests in the last minute, above the limit of 600");
        assertThat(engine.counters()).containsEntry("alerts.rule.flood", 3L).containsEntry("actions.throttle", 3L);
    }

    @Test
    void givenAPeriodicDevice_whenItReportsTenTimesAsOften_thenTheShortWindowRateAlertsWithinTenSeconds() {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults());
        long learned = 15 * 60_000L;
        // every 2 s for 15 minutes: warmed up, baseline 30 per minute; the neighbour keeps doing so
        assertThat(requests(engine, "d1", 0, (int) (learned / 2000), 2000)).isEmpty();
        assertThat(requests(engine, "d2", 1000, (int) (learned / 2000), 2000)).isEmpty();

        // then every 200 ms: too close together to count as separate reports for the interval check
        List<Finding> findings = requests(engine, "d1", learned, 100, 200);
        findings.addAll(requests(engine, "d2", learned + 1000, 10, 2000));

        assertThat(findings).isNotEmpty();
        Finding first = findings.get(0);
        assertThat(first.detector()).isEqualTo("rule.rate-change");
        assertThat(first.subject()).isEqualTo("d1");
        assertThat(Duration.between(T0.plusMillis(learned), first.alert().time())).isLessThan(Duration.ofSeconds(10));
        assertThat(first.alert().reason()).startsWith("device d1 sends ").contains("over the last ~10 s");
        assertThat(findings).extracting(Finding::subject).doesNotContain("d2");
    }

    @Test
    void givenAMinuteOfReportsHeldBackByAStall_whenTheyArriveAtOnce_thenNoRateChangeIsAlerted() {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults());
        long learned = 15 * 60_000L;
        // every 3 s for 15 minutes: 20 per minute
        assertThat(requests(engine, "d1", 0, (int) (learned / 3000), 3000)).isEmpty();

        // the network stalls for a minute; the device's 22 queued reports arrive within 220 ms, then it
        // goes on as before
        List<Finding> findings = requests(engine, "d1", learned + 60_000, 22, 10);
        findings.addAll(requests(engine, "d1", learned + 63_000, 40, 3000));

        assertThat(findings).isEmpty();
    }

    @Test
    void givenACooldownPerDetectorAndSubject_whenAnotherSubjectOrDetectorFires_thenItIsNotSuppressed() {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults());
        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            findings.addAll(engine.onEvent(unknownIdentity("192.0.2.1:1000", i * 100L, "a" + i)));
            findings.addAll(engine.onEvent(unknownIdentity("192.0.2.2:1000", i * 100L, "b" + i)));
        }
        findings.addAll(requests(engine, "d2", 0, 700, 10));

        assertThat(perSubject(findings)).extracting(f -> f.detector() + "@" + f.subject()).containsExactly(
                "rule.identity-guessing@192.0.2.1", "rule.identity-guessing@192.0.2.2", "rule.flood@d2");
    }

    @Test
    void givenAnAllowlistedDeviceAndAddress_whenTheyMisbehave_thenAlertsAreRaisedButOnlyLogged() {
        EngineSettings s = EngineSettings.defaults().with(EngineSettings.ALLOWLIST, "d-allowed, 192.0.2.7 [2001:db8::7]");
        DetectionEngine engine = new DetectionEngine(s);
        List<Finding> findings = new ArrayList<>();

        findings.addAll(requests(engine, "d-allowed", 0, 700, 10));
        findings.addAll(requests(engine, "d-other", 0, 700, 10));
        for (int i = 0; i < 12; i++) {
            findings.addAll(engine.onEvent(unknownIdentity("192.0.2.7:4000", i * 100L, "x" + i)));
            findings.addAll(engine.onEvent(unknownIdentity("[2001:db8::7]:4000", i * 100L, "y" + i)));
            findings.addAll(engine.onEvent(unknownIdentity("192.0.2.8:4000", i * 100L, "z" + i)));
        }

        findings = perSubject(findings);
        assertThat(findings).extracting(f -> f.subject() + ":" + f.action()).containsExactlyInAnyOrder(
                "d-allowed:LOG", "d-other:THROTTLE", "192.0.2.7:LOG", "2001:db8:0:0:0:0:0:7:LOG", "192.0.2.8:BLOCK_ADDRESS");
        Finding allowed = findings.get(0);
        assertThat(allowed.duration()).isZero();
        assertThat(allowed.throttleRatePerSecond()).isZero();
        // the severity still says how bad it is
        assertThat(allowed.alert().severity()).isEqualTo(AlertSeverity.WARNING);
    }

    @Test
    void givenAnActionThatDoesNotFitTheSubject_thenItBecomesLog() {
        EngineSettings s = EngineSettings.defaults().with("action.rule.flood", "block-address")
                .with("action.rule.identity-guessing", "quarantine");
        DetectionEngine engine = new DetectionEngine(s);
        List<Finding> findings = new ArrayList<>(requests(engine, "d3", 0, 700, 10));
        for (int i = 0; i < 12; i++) {
            findings.addAll(engine.onEvent(unknownIdentity("192.0.2.9:4000", i * 100L, "x" + i)));
        }

        assertThat(perSubject(findings)).extracting(Finding::action).containsExactly(Action.LOG, Action.LOG);
    }

    @Test
    void givenQuarantineAsTheFloodAction_thenTheAlertIsCritical() {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults().with("action.rule.flood", "quarantine"));

        Finding f = requests(engine, "d4", 0, 700, 10).get(0);

        assertThat(f.action()).isEqualTo(Action.QUARANTINE);
        assertThat(f.alert().severity()).isEqualTo(AlertSeverity.CRITICAL);
        assertThat(f.duration()).isEqualTo(Duration.ofSeconds(900));
    }

    @Test
    void givenMoreSubjectsThanTheLimit_thenMemoryStaysBoundedAndTheLeastRecentAreForgotten() {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults().with(EngineSettings.MAX_TRACKED_SUBJECTS, 100_000));

        for (int i = 0; i < 250_000; i++) {
            engine.onEvent(request("dev-" + i, "10.2.0.1:5000", i, "telemetry/" + (i % 40), 40));
            engine.onEvent(unknownIdentity("198.18." + (i >> 8 & 255) + "." + (i & 255) + ":1", i, "id"));
            if (i % 1000 == 0) {
                engine.onEvent(request("dev-keep", "10.2.0.2:5000", i, "telemetry", 40));
            }
        }

        Map<String, Long> c = engine.counters();
        assertThat(c.get("tracked.devices")).isLessThanOrEqualTo(100_000L).isGreaterThan(95_000L);
        assertThat(c.get("tracked.addresses")).isLessThanOrEqualTo(25_000L).isGreaterThan(23_000L);
        assertThat(c.get("tracked.subjects")).isEqualTo(c.get("tracked.devices") + c.get("tracked.addresses"));
        assertThat(c.get("evicted.devices")).isEqualTo(250_001 - c.get("tracked.devices"));
        assertThat(engine.features("dev-0")).isEmpty();
        assertThat(engine.features("dev-249999")).containsEntry("events", 1.0);
        // seen every 1000 events: recently enough to survive
        assertThat(engine.features("dev-keep")).containsEntry("events", 250.0);
    }

    @Test
    void givenADeviceWithManyResources_thenItsResourceSetStopsAtThirtyTwoAndSaysSo() {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults());
        for (int i = 0; i < 100; i++) {
            engine.onEvent(request("d5", "10.1.0.5:5000", i * 1000L, "telemetry/" + i, 40));
        }

        assertThat(engine.features("d5")).containsEntry("resources.seen", 32.0).containsEntry("resources.overflow", 1.0);
    }

    @Test
    void givenEventsOfADevice_thenItsFeaturesDescribeIt() {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults());
        for (int i = 0; i < 60; i++) {
            engine.onEvent(request("d6", "10.1.0.6:5000", i * 10_000L, "telemetry", 100 + (i % 2) * 20));
        }
        engine.onEvent(TrafficEvent.builder(TrafficEventType.REPLAY_DROPPED, "coaps", "10.1.0.6:5000").deviceId("d6")
                .time(T0.plusSeconds(595)).build());

        Map<String, Double> f = engine.features("d6");

        assertThat(f.get("payload.size.mean")).isCloseTo(110.0, Offset.offset(1.0));
        assertThat(f.get("payload.size.stddev")).isCloseTo(10.0, Offset.offset(1.0));
        assertThat(f.get("report.interval.mean")).isCloseTo(10.0, Offset.offset(0.01));
        assertThat(f.get("requests.last.minute")).isCloseTo(6.0, Offset.offset(0.6));
        assertThat(f.get("requests.baseline.per.minute")).isCloseTo(6.0, Offset.offset(0.6));
        assertThat(f.get("rate.10s.per.second")).isBetween(0.05, 0.2);
        // 5-minute averages still warming up after 10 minutes: 1 - e^-2 of the true 0.1/s and 11 B/s
        assertThat(f.get("rate.5m.per.second")).isCloseTo(0.0865, Offset.offset(0.002));
        assertThat(f.get("bytes.5m.per.second")).isCloseTo(9.5, Offset.offset(0.3));
        assertThat(f).containsEntry("replays.total", 1.0).containsEntry("requests.total", 60.0)
                .containsEntry("resources.seen", 1.0);
        assertThat(engine.features("nobody")).isEmpty();
    }

    @Test
    void givenUnknownIdentitiesFromAnAddress_thenItsFeaturesCountThemByIpWithoutPort() {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults());
        for (int i = 0; i < 5; i++) {
            engine.onEvent(unknownIdentity("192.0.2.44:" + (1000 + i), i * 1000L, i < 3 ? "x" + i : "x0"));
        }

        assertThat(engine.features("192.0.2.44")).containsEntry("unknown.identities.last.minute", 5.0)
                .containsEntry("identities.distinct", 3.0).containsEntry("handshake.failures.total", 5.0);
    }

    @Test
    void givenASilentDevice_whenTicked_thenItsLastWindowIsClosed() {
        EngineSettings s = EngineSettings.defaults().with(EngineSettings.WARMUP_SECONDS, 0)
                .with(EngineSettings.WARMUP_EVENTS, 1).with(EngineSettings.RCF_SAMPLE_SIZE, 32)
                .with(EngineSettings.RCF_WARMUP_WINDOWS, 32);
        DetectionEngine engine = new DetectionEngine(s);
        for (int i = 0; i < 10; i++) {
            engine.onEvent(request("d" + i, "10.1.0.7:5000", 0, "telemetry", 40));
        }

        engine.tick(T0.plusSeconds(5));
        assertThat(engine.counters()).containsEntry("rcf.vectors.learned", 0L);
        engine.tick(T0.plusSeconds(10));
        assertThat(engine.counters()).containsEntry("rcf.vectors.learned", 10L);
        engine.tick(T0.plusSeconds(20));
        assertThat(engine.counters()).containsEntry("rcf.vectors.learned", 10L);
    }

    @Test
    void givenRcfDisabled_thenNoForestIsKept() {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults().with(EngineSettings.RCF_ENABLED, false));
        requests(engine, "d8", 0, 100, 10_000);

        assertThat(engine.counters()).doesNotContainKey("rcf.vectors.learned").containsEntry("events", 100L);
    }

    @Test
    void givenManyThreads_whenTheyReportAtOnce_thenEveryEventIsCountedAndEachFloodAlertsOnce() throws Exception {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults());
        int threads = 8;
        int perThread = 20_000;
        ConcurrentLinkedQueue<Finding> findings = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        // all threads share the device "shared" and the address 192.0.2.100
                        String device = i % 2 == 0 ? "shared" : "t" + id + "-" + (i % 500);
                        findings.addAll(engine.onEvent(request(device, "10.3.0." + id + ":5000", i * 5L, "telemetry", 40)));
                        if (i % 100 == 0) {
                            findings.addAll(engine.onEvent(unknownIdentity("192.0.2.100:1", i * 5L, "t" + id + "-" + i)));
                        }
                        if (i % 1000 == 0) {
                            findings.addAll(engine.tick(T0.plusMillis(i * 5L)));
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        workers.forEach(Thread::start);
        start.countDown();
        for (Thread w : workers) {
            w.join(TimeUnit.MINUTES.toMillis(2));
        }

        assertThat(errors).isEmpty();
        Map<String, Long> c = engine.counters();
        assertThat(c.get("events")).isEqualTo((long) threads * perThread + threads * perThread / 100);
        assertThat(engine.features("shared").get("requests.total")).isEqualTo(threads * perThread / 2.0);
        // "shared" is used from every thread's address at once: the flood, and one identity in two places
        assertThat(findings).filteredOn(f -> f.subject().equals("shared") && f.detector().equals("rule.flood"))
                .hasSize(1);
        assertThat(findings).filteredOn(f -> f.subject().equals("shared")).extracting(Finding::detector)
                .containsOnly("rule.flood", "rule.identity-split");
        assertThat(findings).filteredOn(f -> f.subject().equals("192.0.2.100")).hasSize(1);
        assertThat(c.get("tracked.devices")).isEqualTo(1L + threads * 250);
    }

    @Test
    void givenIdentityGuessingFromAnAddressThatRegisteredDevicesUse_thenItsHandshakesAreRationed_notBlocked() {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults());
        // A registered device behind the NAT 192.0.2.50, and guessing from the same address.
        engine.onEvent(request("meter-7", "192.0.2.50:40000", 0, "telemetry", 40));
        List<Finding> behindNat = new ArrayList<>();
        List<Finding> alone = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            behindNat.addAll(engine.onEvent(unknownIdentity("192.0.2.50:" + (41000 + i), 1000 + i * 100L, "g" + i)));
            alone.addAll(engine.onEvent(unknownIdentity("192.0.2.99:" + (41000 + i), 1000 + i * 100L, "g" + i)));
        }
        behindNat = perSubject(behindNat);
        alone = perSubject(alone);
        assertThat(behindNat).singleElement().satisfies(f -> {
            assertThat(f.action()).isEqualTo(Action.LIMIT_HANDSHAKES);
            assertThat(f.throttleRatePerSecond()).isEqualTo(4.0);
            assertThat(f.alert().subject()).isEqualTo("192.0.2.50");
        });
        assertThat(alone).singleElement().satisfies(f -> assertThat(f.action()).isEqualTo(Action.BLOCK_ADDRESS));
    }

    @Test
    void givenManyRegisteredDevicesHandshakingBehindOneAddress_thenTheAddressHandshakeFloodRuleStaysQuiet() {
        DetectionEngine engine = new DetectionEngine(EngineSettings.defaults());
        List<Finding> out = new ArrayList<>();
        // 400 devices behind one NAT, each handshaking once in the same minute: above the 240/min rule.
        for (int i = 0; i < 400; i++) {
            out.addAll(engine.onEvent(TrafficEvent.builder(TrafficEventType.HANDSHAKE_SUCCEEDED, "coaps",
                    "192.0.2.60:" + (30000 + i)).deviceId("dev-" + i).time(T0.plusMillis(i * 100L)).build()));
        }
        assertThat(out).noneMatch(f -> f.alert().detector().equals("rule.handshake-flood"));
    }

    /** @return the findings about one device or address, without the gateway-wide and prefix views */
    private static List<Finding> perSubject(java.util.Collection<Finding> findings) {
        return findings.stream().filter(f -> f.alert().subjectKind() == org.m2mgw.api.alert.Alert.SubjectKind.DEVICE
                || f.alert().subjectKind() == org.m2mgw.api.alert.Alert.SubjectKind.ADDRESS)
                .collect(java.util.stream.Collectors.toCollection(ArrayList::new));
    }
}
