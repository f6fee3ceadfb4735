package org.m2mgw.anomaly.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.m2mgw.anomaly.internal.engine.AttackScenarios.Intensity;
import org.m2mgw.anomaly.internal.engine.AttackScenarios.Scenario;

/**
 * The full evaluation of issue 17: every scenario at every intensity over three fleets, and false
 * alerts over thousands of device-hours of normal traffic, against the default settings. Not part of
 * the default test run (its name does not end in Test); run it with
 * {@code mvn -o -B test -pl bundles/anomaly-detector -Dtest=DetectionEvaluation}. It prints the tables
 * and writes them to {@code target/anomaly-evaluation.md}; it fails only if a run breaks. The short
 * version that CI runs is {@link DetectionGateTest}.
 */
class DetectionEvaluation {
    static final long[] SEEDS = {1, 2, 3};
    static final long[] NORMAL_SEEDS = {101, 102, 103};
    static final int NORMAL_DEVICES = 80;
    static final Duration NORMAL_LENGTH = EvaluationRunner.LEARNING.plusHours(10);

    @Test
    void evaluate() throws IOException {
        long began = System.nanoTime();
        List<EvaluationRunner.Run> runs = new ArrayList<>();
        for (Scenario s : AttackScenarios.ALL) {
            for (Intensity i : Intensity.values()) {
                for (long seed : SEEDS) {
                    runs.add(EvaluationRunner.run(s, i, seed, EvaluationRunner.ATTACK_FLEET));
                }
            }
        }
        List<EvaluationRunner.NormalRun> normals = new ArrayList<>();
        for (long seed : NORMAL_SEEDS) {
            normals.add(EvaluationRunner.normal(seed, NORMAL_DEVICES, NORMAL_LENGTH));
        }
        String report = EvaluationRunner.report(runs, normals) + String.format(Locale.ROOT,
                "%n%d attack runs (%d normal devices each, %d h learning) and %d normal runs in %.0f s.%n",
                runs.size(), EvaluationRunner.ATTACK_FLEET, EvaluationRunner.LEARNING.toHours(), normals.size(),
                (System.nanoTime() - began) / 1e9);
        System.out.println(report);
        Path out = Path.of("target", "anomaly-evaluation.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        assertThat(runs).hasSize(AttackScenarios.ALL.size() * Intensity.values().length * SEEDS.length);
    }
}
