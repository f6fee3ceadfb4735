package org.m2mgw.anomaly.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineSettingsTest {

    @Test
    void givenDefaults_thenTheyAreValidAndActOnlyOnSafeDetectors() {
        EngineSettings d = EngineSettings.defaults();

        assertThat(d.floodRequestsPerMinute()).isEqualTo(600);
        assertThat(d.maxTrackedSubjects()).isEqualTo(100_000);
        assertThat(d.rcfEnabled()).isTrue();
        assertThat(d.allowlist()).isEmpty();
        assertThat(d.action(Detector.FLOOD)).isEqualTo(Action.THROTTLE);
        assertThat(d.action(Detector.IDENTITY_GUESSING)).isEqualTo(Action.BLOCK_ADDRESS);
        assertThat(d.action(Detector.HANDSHAKE_FLOOD)).isEqualTo(Action.BLOCK_ADDRESS);
        assertThat(d.action(Detector.REPLAY_STORM)).isEqualTo(Action.LOG);
        assertThat(d.action(Detector.RCF)).isEqualTo(Action.LOG);
    }

    @Test
    void givenProperties_whenRead_thenTextNumbersBooleansAndListsAreAccepted() {
        EngineSettings s = EngineSettings.from(Map.of(
                "rule.flood.requests.per.minute", "1200",
                "rcf.threshold", 4,
                "rcf.enabled", "FALSE",
                "allowlist", new String[] {"plc-1", " [2001:db8::1] ,192.0.2.1"},
                "action.rule.flood", "Quarantine",
                "action.rcf", "block_address",
                "service.pid", "org.m2mgw.anomaly"));

        assertThat(s.floodRequestsPerMinute()).isEqualTo(1200);
        assertThat(s.rcfThreshold()).isEqualTo(4.0);
        assertThat(s.rcfEnabled()).isFalse();
        assertThat(s.allowlist()).containsExactly("192.0.2.1", "2001:db8:0:0:0:0:0:1", "plc-1");
        assertThat(s.action(Detector.FLOOD)).isEqualTo(Action.QUARANTINE);
        assertThat(s.action(Detector.RCF)).isEqualTo(Action.BLOCK_ADDRESS);
        assertThat(EngineSettings.from(Map.of("allowlist", List.of("a", "b"))).allowlist()).containsExactly("a", "b");
    }

    @Test
    void givenSettings_whenWrittenAndReadBack_thenTheyAreEqual() {
        EngineSettings s = EngineSettings.defaults().with(EngineSettings.ALLOWLIST, "x,y")
                .with("action.rule.rate-change", "throttle").with(EngineSettings.RCF_SEED, 7L);

        assertThat(EngineSettings.from(s.toProperties())).isEqualTo(s);
        assertThat(s.toProperties()).containsEntry("action.rule.identity-guessing", "block-address")
                .containsEntry("allowlist", "x,y").containsKeys("detector.warmup.seconds", "max.tracked.subjects");
    }

    @Test
    void givenBadValues_whenCreated_thenTheMessageNamesTheKey() {
        EngineSettings d = EngineSettings.defaults();

        assertThatThrownBy(() -> d.with(EngineSettings.WARMUP_SECONDS, -1))
                .hasMessage("detector.warmup.seconds must be between 0 and 2592000: -1");
        assertThatThrownBy(() -> d.with(EngineSettings.FLOOD_REQUESTS_PER_MINUTE, 0))
                .hasMessageStartingWith("rule.flood.requests.per.minute ");
        assertThatThrownBy(() -> d.with(EngineSettings.IDENTITY_FAILURES_PER_MINUTE, "ten"))
                .hasMessage("rule.identity.guessing.failures.per.minute must be a whole number: 'ten'");
        assertThatThrownBy(() -> d.with(EngineSettings.HANDSHAKE_FLOOD_PER_MINUTE, 0))
                .hasMessageStartingWith("rule.handshake.flood.per.minute ");
        assertThatThrownBy(() -> d.with(EngineSettings.REPLAY_STORM_PER_MINUTE, -5))
                .hasMessageStartingWith("rule.replay.storm.per.minute ");
        assertThatThrownBy(() -> d.with(EngineSettings.RCF_ENABLED, "yes"))
                .hasMessage("rcf.enabled must be true or false: 'yes'");
        assertThatThrownBy(() -> d.with(EngineSettings.RCF_THRESHOLD, 0.1))
                .hasMessage("rcf.threshold must be between 0.5 and 100: 0.1");
        assertThatThrownBy(() -> d.with(EngineSettings.RCF_WARMUP_WINDOWS, 100))
                .hasMessage("rcf.warmup.windows must be between rcf.sample.size (256) and 10000000: 100");
        assertThatThrownBy(() -> d.with(EngineSettings.COOLDOWN_SECONDS, -1))
                .hasMessageStartingWith("alert.cooldown.seconds ");
        assertThatThrownBy(() -> d.with(EngineSettings.MAX_TRACKED_SUBJECTS, 10))
                .hasMessage("max.tracked.subjects must be between 1000 and 10000000: 10");
        assertThatThrownBy(() -> d.with(EngineSettings.THROTTLE_RATE_PER_SECOND, 0))
                .hasMessageStartingWith("action.throttle.rate.per.second ");
        assertThatThrownBy(() -> d.with("action.rule.flood", "nuke"))
                .hasMessage("action.rule.flood must be one of log, throttle, quarantine, block-address: 'nuke'");
        assertThatThrownBy(() -> d.with("rule.flood", 1)).hasMessage("unknown key: rule.flood");
    }
}
