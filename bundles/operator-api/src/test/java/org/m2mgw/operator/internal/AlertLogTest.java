package org.m2mgw.operator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.alert.Alert;
import org.m2mgw.api.alert.AlertSeverity;

class AlertLogTest {

    private static Alert alert(int i) {
        return new Alert("a" + i, "dev" + (i % 10), Alert.SubjectKind.DEVICE, i % 2 == 0 ? "rate" : "rcf",
                AlertSeverity.values()[i % AlertSeverity.values().length], i, "reason " + i, Map.of("f", 1.0),
                Instant.ofEpochSecond(i));
    }

    @Test
    void givenMoreAlertsThanTheBound_whenAdded_thenOnlyTheNewestAreKept() {
        AlertLog log = new AlertLog(10_000);
        for (int i = 0; i < 25_000; i++) {
            log.add(alert(i), "none");
        }
        assertThat(log.size()).isEqualTo(10_000);
        assertThat(log.dropped()).isEqualTo(15_000);
        assertThat(log.received()).isEqualTo(25_000);
        AlertLog.Page p = log.page(e -> true, 0, 3);
        assertThat(p.total()).isEqualTo(10_000);
        assertThat(p.items()).extracting(e -> e.alert.id()).containsExactly("a24999", "a24998", "a24997");
        assertThat(log.acknowledge("a0", Instant.now())).as("dropped alert").isEmpty();
    }

    @Test
    void givenAlerts_whenAcknowledgedAndFiltered_thenTheFiltersSeeTheAcknowledgement() {
        AlertLog log = new AlertLog(100);
        for (int i = 0; i < 20; i++) {
            log.add(alert(i), "none");
        }
        log.add(alert(3), "none"); // the same id again: ignored
        assertThat(log.size()).isEqualTo(20);
        Instant now = Instant.parse("2026-12-01T00:00:00Z");
        assertThat(log.acknowledge("a4", now)).get().satisfies(e -> assertThat(e.acknowledgedAt).isEqualTo(now));
        assertThat(log.acknowledge("a4", now.plusSeconds(5))).get()
                .satisfies(e -> assertThat(e.acknowledgedAt).as("first acknowledgement kept").isEqualTo(now));
        assertThat(log.page(e -> e.acknowledged(), 0, 50).total()).isEqualTo(1);
        assertThat(log.page(e -> "rate".equals(e.alert.detector()) && "dev4".equals(e.device()), 0, 50).items())
                .extracting(e -> e.alert.id()).containsExactly("a14", "a4");
        assertThat(log.countsByDevice()).containsEntry("dev4", 2);
    }

    @Test
    void givenASmallerBound_whenResized_thenTheOldestGo() {
        AlertLog log = new AlertLog(1000);
        for (int i = 0; i < 500; i++) {
            log.add(alert(i), "none");
        }
        log.resize(100);
        assertThat(log.size()).isEqualTo(100);
        assertThat(log.page(e -> true, 99, 1).items()).extracting(e -> e.alert.id()).containsExactly("a400");
    }
}
