package org.m2mgw.anomaly.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.m2mgw.anomaly.internal.engine.AttackScenarios.Intensity;
import org.m2mgw.anomaly.internal.engine.AttackScenarios.Scenario;
import org.m2mgw.anomaly.internal.engine.AttackScenarios.Split;

/**
 * The CI gate of the evaluation ({@link DetectionEvaluation} is the full one): every TUNED scenario at
 * MEDIUM intensity, one fleet, must be detected within its budget. Scenarios the detector misses today
 * are listed in {@link #EXPECTED_MISSED_TODAY}: the gate then checks that they are still missed, so that
 * whoever makes one detected also removes it from the list, and the list only shrinks.
 */
class DetectionGateTest {
    private static final long SEED = 1;
    private static final int FLEET = 30;

    /** TUNED scenarios that today's detector misses at MEDIUM intensity (seed 1). Shrink it; never grow it. */
    static final Set<String> EXPECTED_MISSED_TODAY = Set.of();

    /** Normal traffic of the gate: 40 devices, 2 h of learning and 3 h measured (120 device-hours). */
    private static final int NORMAL_DEVICES = 40;
    private static final java.time.Duration NORMAL_LENGTH = EvaluationRunner.LEARNING.plusHours(3);
    /**
     * False alerts in the gate's normal run today (outage flushes and the firmware rollout). The issue's
     * target is at most 1 per 100 device-hours, about 1 here. Lower it as the detector improves; never raise it.
     */
    static final int FALSE_ALERTS_CEILING_TODAY = 2;

    static Stream<Scenario> tuned() {
        return AttackScenarios.ALL.stream().filter(s -> s.split() == Split.TUNED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tuned")
    void givenATunedScenarioAtMediumIntensity_thenItIsDetectedWithinItsBudget(Scenario s) {
        EvaluationRunner.Run r = EvaluationRunner.run(s, Intensity.MEDIUM, SEED, FLEET);
        System.out.printf("[gate] %s %s (MEDIUM): %s, detectors %s, %d other alerts%n", s.id(), s.name(),
                r.detected() ? "detected after " + EvaluationRunner.seconds(r.timeToDetect()) : "MISSED",
                r.detectors().keySet(), r.otherAlerts());
        System.out.printf("[gate]     other alerts: %s%n", r.others());
        if (EXPECTED_MISSED_TODAY.contains(s.id())) {
            assertThat(r.detected())
                    .as("%s is detected now: remove it from DetectionGateTest.EXPECTED_MISSED_TODAY", s.id())
                    .isFalse();
        } else {
            assertThat(r.detected()).as("%s %s at MEDIUM intensity must be detected within %s", s.id(), s.name(),
                    Intensity.MEDIUM.budget).isTrue();
        }
    }

    @Test
    void givenOneHundredTwentyDeviceHoursOfNormalTraffic_thenFalseAlertsStayUnderTheCeiling() {
        EvaluationRunner.NormalRun n = EvaluationRunner.normal(SEED, NORMAL_DEVICES, NORMAL_LENGTH);
        System.out.printf("[gate] normal: %d false alerts in %.0f device-hours after learning (%.2f per 100): %s%n",
                n.falseAlerts().size(), n.deviceHours(), 100.0 * n.falseAlerts().size() / n.deviceHours(),
                n.falseAlerts().stream().collect(java.util.stream.Collectors.groupingBy(Finding::detector,
                        java.util.TreeMap::new, java.util.stream.Collectors.counting())));
        assertThat(n.deviceHours()).isGreaterThanOrEqualTo(100);
        assertThat(n.falseAlerts()).as("false alerts; the ceiling is FALSE_ALERTS_CEILING_TODAY")
                .hasSizeLessThanOrEqualTo(FALSE_ALERTS_CEILING_TODAY);
    }

    @Test
    void givenTheCatalogue_thenItHasAtLeastFifteenScenariosSplitAboutInHalf() {
        List<Scenario> all = AttackScenarios.ALL;
        assertThat(all).hasSizeGreaterThanOrEqualTo(15);
        assertThat(all).extracting(Scenario::id).doesNotHaveDuplicates();
        long tuned = all.stream().filter(s -> s.split() == Split.TUNED).count();
        assertThat(tuned).isBetween((long) all.size() / 2 - 1, (long) all.size() / 2 + 1);
        assertThat(tuned().map(Scenario::id).toList()).containsAll(EXPECTED_MISSED_TODAY);
    }
}
