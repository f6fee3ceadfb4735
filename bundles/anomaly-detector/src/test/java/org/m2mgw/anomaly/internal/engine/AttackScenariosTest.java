package org.m2mgw.anomaly.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.m2mgw.api.alert.AlertSeverity;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * Each attack runs inside a fleet of 30 normal devices that has been learned for two hours, and
 * must be found within its time budget, with no alert about any normal device. Three fleets each.
 */
class AttackScenariosTest {
    private static final Duration ATTACK = Duration.ofHours(2);
    private static final long ATTACK_MS = ATTACK.toMillis();

    private static TrafficGenerator fleet(long seed) {
        return TrafficGenerator.fleet(seed, 30);
    }

    private static Simulation run(TrafficGenerator g, Duration until) {
        return new Simulation(EngineSettings.defaults()).run(g, until);
    }

    private static void print(long seed, String scenario, Optional<Duration> detectedAfter) {
        System.out.println("[scenario] seed " + seed + " " + scenario + ": "
                + detectedAfter.map(d -> "detected after " + d.toMillis() / 1000.0 + " s").orElse("NOT detected"));
    }

    @ParameterizedTest(name = "fleet seed {0}")
    @ValueSource(longs = {7, 8, 9})
    void givenADeviceFloodingRequests_thenItIsThrottledWithinTenSeconds(long seed) {
        TrafficGenerator g = fleet(seed);
        g.add(g.periodic("meter-1", "10.8.0.1", t -> 30, 1, 40));
        g.add(TrafficGenerator.flood("meter-1", "10.8.0.1:41000", ATTACK, 20, Duration.ofMinutes(3)));

        Simulation sim = run(g, ATTACK.plusMinutes(10));

        Optional<Duration> ttd = sim.timeToDetect("rule.flood", "meter-1", ATTACK);
        print(seed, "1 message flood (20 req/s from a 2/min meter)", ttd);
        assertThat(ttd).hasValueSatisfying(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(10)));
        Finding f = sim.first("rule.flood", "meter-1").orElseThrow();
        assertThat(f.action()).isEqualTo(Action.THROTTLE);
        assertThat(f.throttleRatePerSecond()).isGreaterThanOrEqualTo(1.0);
        assertThat(f.duration()).isEqualTo(Duration.ofSeconds(900));
        assertThat(f.alert().severity()).isEqualTo(AlertSeverity.WARNING);
        assertThat(f.alert().reason()).startsWith("device meter-1 sent ").contains("requests in the last minute")
                .contains("x its baseline of 2.0/min");
        assertThat(f.alert().features()).containsKeys("requests.last.minute", "requests.baseline.per.minute");
        assertThat(sim.notAbout("meter-1")).isEmpty();
    }

    @ParameterizedTest(name = "fleet seed {0}")
    @ValueSource(longs = {7, 8, 9})
    void givenOneAddressTryingManyUnknownIdentities_thenItIsBlockedWithinFifteenSeconds(long seed) {
        TrafficGenerator g = fleet(seed);
        g.add(TrafficGenerator.identityGuessing("203.0.113.9", ATTACK, 1, Duration.ofMinutes(5)));

        Simulation sim = run(g, ATTACK.plusMinutes(10));

        Optional<Duration> ttd = sim.timeToDetect("rule.identity-guessing", "203.0.113.9", ATTACK);
        print(seed, "2 PSK identity guessing (1 identity/s from one address)", ttd);
        assertThat(ttd).hasValueSatisfying(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(15)));
        Finding f = sim.first("rule.identity-guessing", "203.0.113.9").orElseThrow();
        assertThat(f.action()).isEqualTo(Action.BLOCK_ADDRESS);
        assertThat(f.subject()).isEqualTo("203.0.113.9");
        assertThat(f.alert().reason()).contains("unknown PSK identities").contains("10 different")
                .contains("latest 'guess-9'");
        assertThat(sim.perSubject()).extracting(Finding::subject).containsOnly("203.0.113.9");
        // the gateway-wide and prefix views see the same guessing, and say where it comes from
        assertThat(sim.aggregates()).extracting(a -> a.detector() + "@" + a.subject())
                .containsOnly("rule.spread@gateway", "rule.spread@203.0.113.0/24");
        // the handshake rule leaves unknown identities to the identity rule: one block, not two
        assertThat(sim.first("rule.handshake-flood", "203.0.113.9")).isEmpty();
    }

    @ParameterizedTest(name = "fleet seed {0}")
    @ValueSource(longs = {7, 8, 9})
    void givenOneAddressGuessingTheKeyOfAKnownIdentity_thenTheHandshakeRuleBlocksIt(long seed) {
        TrafficGenerator g = fleet(seed);
        // as the transport reports a wrong PSK: the Finished record fails its MAC, and the handshake fails
        g.add(TrafficGenerator.steady(ATTACK, 2, Duration.ofMinutes(5), (i, t) -> TrafficEvent
                .builder(i % 2 == 0 ? TrafficEventType.RECORD_MAC_FAILED : TrafficEventType.HANDSHAKE_FAILED,
                        TrafficGenerator.TRANSPORT, "198.51.100.4:" + (50_000 + i / 2))
                .reason(i % 2 == 0 ? "during handshake" : "bad MAC or Finished (wrong key?)")
                .time(Instant.ofEpochMilli(t)).build()));

        Simulation sim = run(g, ATTACK.plusMinutes(10));

        Optional<Duration> ttd = sim.timeToDetect("rule.handshake-flood", "198.51.100.4", ATTACK);
        print(seed, "2b PSK key guessing for a known identity (1 handshake/s)", ttd);
        assertThat(ttd).hasValueSatisfying(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(25)));
        assertThat(sim.first("rule.handshake-flood", "198.51.100.4").orElseThrow().alert().reason())
                .contains("failed 20 handshakes").contains("latest: bad MAC or Finished");
        assertThat(sim.perSubject()).extracting(f -> f.detector() + "@" + f.subject())
                .containsOnly("rule.handshake-flood@198.51.100.4");
        assertThat(sim.aggregates()).extracting(Finding::subject).containsOnly("gateway", "198.51.100.0/24");
    }

    @ParameterizedTest(name = "fleet seed {0}")
    @ValueSource(longs = {7, 8, 9})
    void givenReplayedAndTamperedRecordsOnASession_thenTheStormIsFoundWithinFifteenSeconds(long seed) {
        TrafficGenerator g = fleet(seed);
        g.add(g.periodic("valve-4", "10.8.0.4", t -> 20, 1, 30));
        g.add(TrafficGenerator.replayStorm("valve-4", "10.8.0.4:40404", ATTACK, 2, Duration.ofMinutes(2)));

        Simulation sim = run(g, ATTACK.plusMinutes(10));

        Optional<Duration> ttd = sim.timeToDetect("rule.replay-storm", "valve-4", ATTACK);
        print(seed, "3 replayed/tampered records (2/s on one session)", ttd);
        assertThat(ttd).hasValueSatisfying(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(15)));
        Finding f = sim.first("rule.replay-storm", "valve-4").orElseThrow();
        // anyone on the path can inject these: by default the device is not punished for them
        assertThat(f.action()).isEqualTo(Action.LOG);
        assertThat(f.alert().reason()).startsWith("device valve-4 had 20 replayed or tampered records in the last minute (")
                .contains(" replays, ").contains(" MAC failures), above the limit of 20");
        assertThat(sim.notAbout("valve-4")).isEmpty();
    }

    @ParameterizedTest(name = "fleet seed {0}")
    @ValueSource(longs = {7, 8, 9})
    void givenAPayloadSizeJumpAndThenANewResource_thenBothAreFoundAtOnce(long seed) {
        TrafficGenerator g = fleet(seed);
        g.add(g.periodic("meter-5", "10.8.0.5", t -> 60, 1, 48));
        long jump = ATTACK_MS + 7_000;
        long probe = ATTACK_MS + 300_000;
        g.add(TrafficGenerator.events(List.of(
                exfiltration("meter-5", jump, "telemetry/temperature", 4000),
                exfiltration("meter-5", probe, "debug/memory", 50))));

        Simulation sim = run(g, ATTACK.plusMinutes(10));

        Finding size = sim.first("rule.size-jump", "meter-5").orElseThrow();
        Finding resource = sim.first("rule.new-resource", "meter-5").orElseThrow();
        print(seed, "4a payload size jump (48 B -> 4000 B)", Optional.of(since(jump, size)));
        print(seed, "4b new resource after warm-up", Optional.of(since(probe, resource)));
        assertThat(since(jump, size)).isZero();
        assertThat(since(probe, resource)).isZero();
        assertThat(size.alert().reason()).startsWith("device meter-5 sent 4000 bytes to telemetry/temperature, usually 48");
        assertThat(resource.alert().reason())
                .isEqualTo("device meter-5 used resource 'debug/memory' for the first time, after 2.1 h of history with 1 other resource");
        assertThat(sim.about("meter-5")).extracting(Finding::detector)
                .containsOnly("rule.size-jump", "rule.new-resource", "rcf");
        assertThat(sim.notAbout("meter-5")).isEmpty();
    }

    @ParameterizedTest(name = "fleet seed {0}")
    @ValueSource(longs = {7, 8, 9})
    void givenAPeriodicDeviceReportingTwentyTimesFaster_thenTheRateChangeIsFoundWithinAMinute(long seed) {
        TrafficGenerator g = fleet(seed);
        g.add(g.periodic("meter-6", "10.8.0.6", t -> t < ATTACK_MS ? 60 : 3, 1, 40));
        List<Long> reports = new ArrayList<>();

        Simulation sim = new Simulation(EngineSettings.defaults()).run(g, ATTACK.plusMinutes(10), e -> {
            if (e.deviceId().orElse("").equals("meter-6") && !e.time().isBefore(TrafficGenerator.T0.plus(ATTACK))) {
                reports.add(e.time().toEpochMilli() - TrafficGenerator.T0.toEpochMilli());
            }
        });

        // the period changes at the first report after the attack starts
        long onset = reports.get(0);
        Finding f = sim.first("rule.rate-change", "meter-6").orElseThrow();
        print(seed, "5 periodic device reporting 20x faster (60 s -> 3 s)", Optional.of(since(onset, f)));
        assertThat(since(onset, f)).isLessThanOrEqualTo(Duration.ofSeconds(60));
        assertThat(f.alert().reason()).contains("now reports every").contains("x faster");
        assertThat(sim.notAbout("meter-6")).isEmpty();
    }

    @ParameterizedTest(name = "fleet seed {0}")
    @ValueSource(longs = {7, 8, 9})
    void givenASlowRampThatNeverReachesTheFixedLimit_thenTheBaselineRuleFindsItWithinAMinuteOfTenfold(long seed) {
        // 6 requests per minute, ramping linearly to 300 per minute over 10 minutes: below the fixed
        // limit of 600 all the way, but 10x the device's own baseline after 110 s
        TrafficGenerator g = fleet(seed);
        g.add(g.periodic("meter-7", "10.8.0.7", t -> t < ATTACK_MS ? 10 : 1 / rampRate(t), 1, 40));
        Simulation sim = run(g, ATTACK.plusMinutes(15));

        double baseline = 6;
        long tenfold = ATTACK_MS + (long) ((10 * baseline / 60 - 0.1) / (4.9 / 600_000.0));
        Optional<Duration> ttd = sim.timeToDetect("rule.flood", "meter-7", Duration.ofMillis(tenfold));
        print(seed, "6 slow ramp 6/min -> 300/min over 10 min (after reaching 10x baseline)", ttd);
        assertThat(ttd).hasValueSatisfying(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(60)));
        assertThat(sim.first("rule.flood", "meter-7").orElseThrow().alert().features().get("requests.last.minute"))
                .isLessThan(600.0);
        assertThat(sim.about("meter-7")).allSatisfy(f -> assertThat(f.alert().reason()).doesNotContain("limit of 600"));
        assertThat(sim.notAbout("meter-7")).isEmpty();
    }

    @ParameterizedTest(name = "fleet seed {0}")
    @ValueSource(longs = {7, 8, 9})
    void givenADeviceProbingBelowEveryPerMinuteThreshold_thenTheForestAndTheHalfHourRuleFindIt(long seed) {
        TrafficGenerator g = fleet(seed);
        g.add(g.periodic("meter-8", "10.8.0.8", t -> 15, 1, 40));
        // every 3 s a malformed message or a request for a forbidden resource: below every per-minute rule
        g.add(TrafficGenerator.steady(ATTACK, 0.3, Duration.ofMinutes(5), (i, t) -> TrafficEvent
                .builder(i % 2 == 0 ? TrafficEventType.MALFORMED_INPUT : TrafficEventType.REQUEST_REJECTED,
                        TrafficGenerator.TRANSPORT, "10.8.0.8:40808")
                .deviceId("meter-8").resource("admin/" + i)
                .reason(i % 2 == 0 ? "malformed CoAP: bad option" : "resource not allowed for device")
                .time(Instant.ofEpochMilli(t)).build()));

        Simulation sim = run(g, ATTACK.plusMinutes(10));

        Optional<Duration> ttd = sim.timeToDetect("rcf", "meter-8", ATTACK);
        print(seed, "extra: malformed and forbidden requests below rule thresholds (RCF only)", ttd);
        assertThat(ttd).hasValueSatisfying(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(30)));
        Finding f = sim.first("rcf", "meter-8").orElseThrow();
        assertThat(f.alert().score()).isGreaterThanOrEqualTo(EngineSettings.defaults().rcfThreshold());
        assertThat(f.alert().features()).containsKeys("window.security.failures", "attribution.window.security.failures");
        assertThat(f.alert().reason()).contains("window.security.failures");
        // the steady malformed input also reaches the half-hour count of security failures
        Finding slow = sim.first("rule.slow-failures", "meter-8").orElseThrow();
        assertThat(slow.alert().reason()).contains("feature security.failures.30m");
        assertThat(slow.alert().features()).containsKeys("observed", "baseline", "threshold", "window.seconds");
        // and the refusals count as requests: three times its usual rate, found by the drift rule as well
        assertThat(sim.about("meter-8")).extracting(Finding::detector)
                .containsOnly("rcf", "rule.slow-failures", "rule.rate-drift");
        assertThat(sim.notAbout("meter-8")).isEmpty();
    }

    /** Reports per second of the ramp, 0.1 at the start to 5 after ten minutes. */
    private static double rampRate(long sinceT0) {
        double f = Math.min(1, (sinceT0 - ATTACK_MS) / 600_000.0);
        return 0.1 + f * 4.9;
    }

    private static TrafficEvent exfiltration(String device, long sinceT0, String resource, long bytes) {
        return TrafficEvent.builder(TrafficEventType.REQUEST, TrafficGenerator.TRANSPORT, "10.8.0.5:40505")
                .deviceId(device).resource(resource).bytes(bytes)
                .time(TrafficGenerator.T0.plusMillis(sinceT0)).build();
    }

    private static Duration since(long sinceT0, Finding f) {
        return Duration.between(TrafficGenerator.T0.plusMillis(sinceT0), f.alert().time());
    }
}
