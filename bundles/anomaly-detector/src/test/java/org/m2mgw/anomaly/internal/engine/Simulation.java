package org.m2mgw.anomaly.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.m2mgw.api.traffic.TrafficEvent;

/** Feeds generated traffic to an engine, ticking it every 5 s of simulated time, and keeps the findings. */
final class Simulation {
    private static final long TICK_MS = 5000;

    final DetectionEngine engine;
    final List<Finding> findings = new ArrayList<>();
    private long nextTick = Long.MIN_VALUE;

    Simulation(EngineSettings settings) {
        engine = new DetectionEngine(settings);
    }

    Simulation run(TrafficGenerator g, Duration until) {
        return run(g, until, e -> {
        });
    }

    /** @param watch sees each event before the engine does */
    Simulation run(TrafficGenerator g, Duration until, Consumer<TrafficEvent> watch) {
        g.runUntil(until, e -> {
            watch.accept(e);
            long t = e.time().toEpochMilli();
            if (nextTick == Long.MIN_VALUE) {
                nextTick = t + TICK_MS;
            }
            while (t >= nextTick) {
                findings.addAll(engine.tick(Instant.ofEpochMilli(nextTick)));
                nextTick += TICK_MS;
            }
            findings.addAll(engine.onEvent(e));
        });
        return this;
    }

    List<Finding> about(String subject) {
        return findings.stream().filter(f -> f.subject().equals(subject)).toList();
    }

    /**
     * @return alerts about other devices or addresses than {@code subject}; alerts about the gateway or
     *     a prefix (see {@link #aggregates()}) are not about any one subject and are left out
     */
    List<Finding> notAbout(String subject) {
        return perSubject().stream().filter(f -> !f.subject().equals(subject)).toList();
    }

    /** @return the alerts about one device or address */
    List<Finding> perSubject() {
        return findings.stream().filter(f -> !aggregate(f)).toList();
    }

    /** @return the alerts about the whole gateway or a network prefix */
    List<Finding> aggregates() {
        return findings.stream().filter(Simulation::aggregate).toList();
    }

    private static boolean aggregate(Finding f) {
        return f.alert().subjectKind() == org.m2mgw.api.alert.Alert.SubjectKind.GATEWAY
                || f.alert().subjectKind() == org.m2mgw.api.alert.Alert.SubjectKind.PREFIX;
    }

    Optional<Finding> first(String detector, String subject) {
        return findings.stream().filter(f -> f.detector().equals(detector) && f.subject().equals(subject)).findFirst();
    }

    /** @return how long after {@code T0 + since} the detector first alerted about the subject, if it did */
    Optional<Duration> timeToDetect(String detector, String subject, Duration since) {
        Instant start = TrafficGenerator.T0.plus(since);
        return findings.stream()
                .filter(f -> f.detector().equals(detector) && f.subject().equals(subject)
                        && !f.alert().time().isBefore(start))
                .findFirst().map(f -> Duration.between(start, f.alert().time()));
    }
}
