package org.m2mgw.anomaly.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.alert.Alert;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * The rules for what stays under the per-minute rules: misuse at a device's usual rate, one key in
 * two places, slow failures, a rate that creeps up, and attacks spread over many addresses. Each
 * case has its honest twin that must stay silent.
 */
class GeneralisingRulesTest {
    private static final Instant T0 = TrafficGenerator.T0;
    private static final long MIN = 60_000;
    private final DetectionEngine engine = new DetectionEngine(EngineSettings.defaults());
    private final List<Finding> findings = new ArrayList<>();

    private final List<TrafficEvent> pending = new ArrayList<>();

    /** Queues an event; {@link #flush()} sends the queue in time order, as a transport would. */
    private void send(TrafficEvent e) {
        pending.add(e);
    }

    private void flush() {
        pending.sort(java.util.Comparator.comparing(TrafficEvent::time));
        pending.forEach(e -> findings.addAll(engine.onEvent(e)));
        pending.clear();
    }

    private static TrafficEvent request(String device, String address, long millis) {
        return TrafficEvent.builder(TrafficEventType.REQUEST, "coaps", address).deviceId(device)
                .resource("telemetry").bytes(40).time(T0.plusMillis(millis)).build();
    }

    private static TrafficEvent refused(String device, String address, long millis, FailureCause cause,
            String reason, String resource) {
        return TrafficEvent.builder(TrafficEventType.REQUEST_REJECTED, "coaps", address).deviceId(device)
                .cause(cause).reason(reason).resource(resource).time(T0.plusMillis(millis)).build();
    }

    private List<String> alerts(String detector) {
        flush();
        return findings.stream().filter(f -> f.detector().equals(detector)).map(Finding::subject).toList();
    }

    /** A device reporting every {@code periodMs} from {@code address}, from {@code from} to {@code to}. */
    private void periodic(String device, String address, long periodMs, long from, long to) {
        for (long t = from; t < to; t += periodMs) {
            send(request(device, address, t));
        }
    }

    @Test
    void givenADeviceAskingForResourcesItHasNoBusinessWith_atItsUsualRate_thenAccessProbingAlertsWithTheEvidence() {
        periodic("meter-1", "10.0.0.1:5683", 10_000, 0, 30 * MIN);
        long t = 30 * MIN;
        String[] asked = {"config", "fw", "admin"};
        for (int i = 0; i < asked.length; i++) {
            send(refused("meter-1", "10.0.0.1:5683", t + i * 10_000L, FailureCause.NO_SUCH_RESOURCE,
                    "no resource " + asked[i], asked[i]));
        }

        assertThat(alerts("rule.access-probing")).containsExactly("meter-1");
        Finding f = findings.stream().filter(x -> x.detector().equals("rule.access-probing")).findFirst().orElseThrow();
        assertThat(f.alert().reason()).contains("3 different resource(s) in 10 min").contains("usual 0");
        assertThat(f.alert().features()).containsEntry("observed", 3.0).containsEntry("threshold", 3.0)
                .containsEntry("window.seconds", 600.0);
        assertThat(f.action()).isEqualTo(Action.LOG);
    }

    @Test
    void givenAThrottledDeviceRefusedAgainAndAgain_thenItIsNotProbing() {
        periodic("meter-2", "10.0.0.2:5683", 10_000, 0, 30 * MIN);
        for (int i = 0; i < 30; i++) {
            send(refused("meter-2", "10.0.0.2:5683", 30 * MIN + i * 1000L, FailureCause.ACCESS_DENIED,
                    DetectionEngine.THROTTLED, "telemetry"));
        }

        assertThat(alerts("rule.access-probing")).isEmpty();
    }

    @Test
    void givenOneKeyUsedFromTwoAddressesAtOnce_thenIdentitySplitAlerts_butANatRebindingDoesNot() {
        // honest: moves once, from one NAT mapping to another
        periodic("meter-3", "10.0.0.3:5683", 10_000, 0, 20 * MIN);
        periodic("meter-3", "10.0.0.33:6000", 10_000, 20 * MIN, 40 * MIN);
        // cloned: the device and a second holder of its key take turns
        periodic("meter-4", "10.0.0.4:5683", 10_000, 0, 20 * MIN);
        for (int i = 0; i < 10; i++) {
            send(request("meter-4", i % 2 == 0 ? "203.0.113.50:7000" : "10.0.0.4:5683", 20 * MIN + i * 5000L));
        }

        assertThat(alerts("rule.identity-split")).containsExactly("meter-4");
        Finding f = findings.stream().filter(x -> x.detector().equals("rule.identity-split")).findFirst().orElseThrow();
        assertThat(f.alert().reason()).contains("two addresses at once").contains("203.0.113.50")
                .contains("10.0.0.4");
    }

    @Test
    void givenAFewForgedRecordsEveryFewMinutes_thenSlowFailuresAlerts_butTwoAnHourDoNot() {
        periodic("meter-5", "10.0.0.5:5683", 10_000, 0, 120 * MIN);
        periodic("meter-6", "10.0.0.6:5683", 10_000, 0, 120 * MIN);
        for (long t = 0; t < 120 * MIN; t += 3 * MIN) {
            send(TrafficEvent.builder(TrafficEventType.REPLAY_DROPPED, "coaps", "10.0.0.5:5683").deviceId("meter-5")
                    .time(T0.plusMillis(t)).build());
        }
        for (long t = 0; t < 120 * MIN; t += 30 * MIN) {
            send(TrafficEvent.builder(TrafficEventType.RECORD_MAC_FAILED, "coaps", "10.0.0.6:5683")
                    .deviceId("meter-6").time(T0.plusMillis(t)).build());
        }

        assertThat(alerts("rule.slow-failures")).containsOnly("meter-5");
        assertThat(alerts("rule.replay-storm")).as("too slow for the per-minute storm rule").isEmpty();
    }

    @Test
    void givenARateThatCreepsUpAndStays_thenRateDriftAlerts_whileTheSameDeviceAtItsOwnRateDoesNot() {
        // four hours every 10 s, then every 5 s (twice as often): too little for the rate-change rule's 5x
        periodic("meter-7", "10.0.0.7:5683", 10_000, 0, 240 * MIN);
        periodic("meter-8", "10.0.0.8:5683", 10_000, 0, 300 * MIN);
        periodic("meter-7", "10.0.0.7:5683", 5_000, 240 * MIN, 300 * MIN);
        // a firmware that reports a fifth more often: a change, not worth an alert
        periodic("meter-10", "10.0.0.10:5683", 10_000, 0, 240 * MIN);
        periodic("meter-10", "10.0.0.10:5683", 8_300, 240 * MIN, 300 * MIN);

        assertThat(alerts("rule.rate-drift")).as("one alert for the episode").containsExactly("meter-7");
        Finding f = findings.stream().filter(x -> x.detector().equals("rule.rate-drift")).findFirst().orElseThrow();
        assertThat(f.alert().time()).isBefore(T0.plusMillis(260 * MIN));
        assertThat(f.alert().features().get("baseline")).isBetween(5.5, 6.5);
        assertThat(f.alert().reason()).contains("baseline 6.0").contains("frozen while elevated");
        assertThat(alerts("rule.rate-change")).doesNotContain("meter-7");
    }

    @Test
    void givenTheSameNewResourceOnSeveralDevicesWithinADay_thenOneDeviceAndOneGatewayAlertTellTheRollout() {
        for (int i = 0; i < 6; i++) {
            periodic("unit-" + i, "10.0.1." + i + ":5683", 10_000, 0, 60 * MIN);
        }
        for (int i = 0; i < 6; i++) {
            TrafficEvent e = TrafficEvent.builder(TrafficEventType.REQUEST, "coaps", "10.0.1." + i + ":5683")
                    .deviceId("unit-" + i).resource("telemetry/diagnostics").bytes(40)
                    .time(T0.plusMillis(60 * MIN + i * 5 * MIN)).build();
            send(e);
        }

        assertThat(alerts("rule.new-resource")).containsExactly("unit-0", "gateway");
        Finding g = findings.stream().filter(x -> x.subject().equals("gateway")).findFirst().orElseThrow();
        assertThat(g.alert().reason()).contains("firmware rollout").contains("telemetry/diagnostics");
    }

    @Test
    void givenGuessingSpreadOverFortyAddressesOfOnePrefix_onceEachPerTenMinutes_thenOnlyTheSpreadRuleSeesIt() {
        periodic("meter-9", "10.0.0.9:5683", 30_000, 0, 60 * MIN);
        int n = 0;
        for (long t = 0; t < 60 * MIN; t += 15_000) {
            int host = 1 + (n % 40);
            send(TrafficEvent.builder(TrafficEventType.HANDSHAKE_FAILED, "coaps", "198.51.100." + host + ":4000")
                    .cause(FailureCause.UNKNOWN_IDENTITY).claimedIdentity("guess-" + n)
                    .reason("unknown PSK identity").time(T0.plusMillis(t)).build());
            n++;
        }

        assertThat(alerts("rule.identity-guessing")).as("no address guesses fast enough for the per-address rule")
                .isEmpty();
        assertThat(alerts("rule.handshake-flood")).isEmpty();
        assertThat(alerts("rule.spread")).contains("198.51.100.0/24", "gateway");
        Finding f = findings.stream().filter(x -> x.subject().equals("198.51.100.0/24")).findFirst().orElseThrow();
        assertThat(f.alert().subjectKind()).isEqualTo(Alert.SubjectKind.PREFIX);
        assertThat(f.action()).isEqualTo(Action.LOG);
        assertThat(f.alert().reason()).contains("from prefix 198.51.100.0/24").contains("address(es)");
        assertThat(f.alert().features()).containsKeys("observed", "baseline", "threshold", "window.seconds");
        assertThat(engine.features("198.51.100.0/24")).containsKey("unknown.identities.distinct.60m");
    }
}
