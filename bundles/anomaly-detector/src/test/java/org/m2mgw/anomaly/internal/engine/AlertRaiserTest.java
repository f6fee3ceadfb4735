package org.m2mgw.anomaly.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.alert.Alert;
import org.m2mgw.api.alert.AlertSeverity;

class AlertRaiserTest {
    private static final long T = TrafficGenerator.T0.toEpochMilli();

    private static DeviceState device(String id, String ip) {
        DeviceState d = new DeviceState(id, T);
        d.observe(T, ip, 100);
        return d;
    }

    @Test
    void givenTheDefaultActions_thenEachFitsItsSubjectOrBecomesLog() {
        EngineSettings s = EngineSettings.defaults();
        AlertRaiser raiser = new AlertRaiser(s);
        List<Finding> out = new ArrayList<>();

        raiser.raise(out, device("d1", "10.0.0.1"), Detector.FLOOD, 1.5, "flood", Map.of(), T, 7.5);
        raiser.raise(out, new AddressState("192.0.2.1", T), Detector.HANDSHAKE_FLOOD, 1, "hs", Map.of(), T);
        // block-address does not fit a device, throttle does not fit an address
        raiser.raise(out, device("d2", "10.0.0.2"), Detector.HANDSHAKE_FLOOD, 1, "hs", Map.of(), T, 0);
        raiser.raise(out, new AddressState("192.0.2.2", T), Detector.FLOOD, 1, "flood", Map.of(), T);

        assertThat(out).extracting(f -> f.subject() + ":" + f.action() + ":" + f.alert().severity()).containsExactly(
                "d1:THROTTLE:WARNING", "192.0.2.1:BLOCK_ADDRESS:WARNING", "d2:LOG:WARNING", "192.0.2.2:LOG:WARNING");
        assertThat(out).extracting(f -> f.alert().subjectKind()).containsExactly(Alert.SubjectKind.DEVICE,
                Alert.SubjectKind.ADDRESS, Alert.SubjectKind.DEVICE, Alert.SubjectKind.ADDRESS);
        assertThat(out.get(0).throttleRatePerSecond()).isEqualTo(7.5);
        assertThat(out.get(0).duration()).isEqualTo(s.actionDuration());
        assertThat(out.get(2).duration()).isEqualTo(Duration.ZERO);
        assertThat(out.get(0).alert().detector()).isEqualTo("rule.flood");
        assertThat(out.get(0).alert().reason()).isEqualTo("flood");
        assertThat(out.get(0).alert().time().toEpochMilli()).isEqualTo(T);
    }

    @Test
    void givenADeviceBehindAnAllowlistedAddress_thenItsAlertIsOnlyLogged() {
        AlertRaiser raiser = new AlertRaiser(EngineSettings.defaults().with(EngineSettings.ALLOWLIST, "10.0.0.9"));
        List<Finding> out = new ArrayList<>();

        raiser.raise(out, device("d9", "10.0.0.9"), Detector.FLOOD, 2, "flood", Map.of(), T, 3);

        assertThat(out.get(0).action()).isEqualTo(Action.LOG);
        assertThat(out.get(0).throttleRatePerSecond()).isZero();
        assertThat(out.get(0).alert().severity()).isEqualTo(AlertSeverity.WARNING);
    }

    @Test
    void givenAForestScoreOfTwiceTheThreshold_thenTheLoggedAlertIsAWarning() {
        EngineSettings s = EngineSettings.defaults();
        AlertRaiser raiser = new AlertRaiser(s);
        List<Finding> out = new ArrayList<>();
        Map<String, Double> features = new LinkedHashMap<>();
        features.put("x", 1.0);

        raiser.raise(out, device("d1", "10.0.0.1"), Detector.RCF, 2 * s.rcfThreshold() - 0.01, "a", features, T, 0);
        raiser.raise(out, device("d2", "10.0.0.2"), Detector.RCF, 2 * s.rcfThreshold(), "b", features, T, 0);

        assertThat(out).extracting(f -> f.action() + ":" + f.alert().severity()).containsExactly("LOG:INFO",
                "LOG:WARNING");
        assertThat(out.get(0).alert().features()).isEqualTo(features);
    }

    @Test
    void givenAnAlert_thenTheDetectorCoolsDownForThatSubjectOnly_andItIsCounted() {
        EngineSettings s = EngineSettings.defaults();
        AlertRaiser raiser = new AlertRaiser(s);
        DeviceState d = device("d1", "10.0.0.1");
        List<Finding> out = new ArrayList<>();

        raiser.raise(out, d, Detector.SIZE_JUMP, 1, "size", Map.of(), T, 0);

        long end = T + s.cooldownSeconds() * 1000L;
        assertThat(d.coolingDown(Detector.SIZE_JUMP, end - 1)).isTrue();
        assertThat(d.coolingDown(Detector.SIZE_JUMP, end)).isFalse();
        assertThat(d.coolingDown(Detector.NEW_RESOURCE, T)).isFalse();
        Map<String, Long> counters = new LinkedHashMap<>();
        raiser.putCounters(counters);
        assertThat(counters).containsEntry("alerts.rule.size-jump", 1L).containsEntry("alerts", 1L)
                .containsEntry("actions.log", 1L).containsEntry("actions.throttle", 0L);
    }
}
