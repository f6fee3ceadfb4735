package org.m2mgw.anomaly.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NormalTrafficTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void givenTwoHundredFortyDeviceHoursOfNormalTraffic_thenNoDetectorAlerts(long seed) {
        TrafficGenerator g = TrafficGenerator.fleet(seed, 40);
        Simulation sim = new Simulation(EngineSettings.defaults());

        sim.run(g, Duration.ofHours(6));

        Map<String, Long> c = sim.engine.counters();
        System.out.printf("[normal] seed %d: 40 devices x 6 h, %,d events, %d RCF windows scored, %d alerts%n", seed,
                g.emitted(), c.get("rcf.vectors.scored"), c.get("alerts"));
        assertThat(sim.findings).isEmpty();
        // the run means something only if the detectors that learn were armed for most of it
        assertThat(c.get("rcf.vectors.scored")).isGreaterThan(8_000);
        List<String> warmed = g.deviceIds().stream().filter(id -> {
            Map<String, Double> f = sim.engine.features(id);
            return f.get("requests.total") >= 20 && f.get("age.seconds") >= 600;
        }).toList();
        System.out.printf("[normal] seed %d: %d of 40 devices past warm-up at the end%n", seed, warmed.size());
        assertThat(warmed).filteredOn(id -> !id.startsWith("sleepy-")).hasSize(27);
        assertThat(warmed).filteredOn(id -> id.startsWith("sleepy-")).hasSizeGreaterThanOrEqualTo(3);
        assertThat(g.deviceIds()).filteredOn(id -> id.startsWith("sleepy-"))
                .allSatisfy(id -> assertThat(sim.engine.features(id).get("report.interval.mean")).isGreaterThan(500.0));
    }
}
