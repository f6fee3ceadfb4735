package org.m2mgw.transport.coaps.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.access.Restriction.Kind;

class AccessControlTest {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void givenQuarantine_whenTimeRunsOut_thenItEndsByItself() {
        AccessControl ac = new AccessControl(clock);
        ac.quarantine("d1", Duration.ofMinutes(10), "flood", "rule.flood");
        assertThat(ac.isQuarantined("d1")).isTrue();
        assertThat(ac.restrictions()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Kind.QUARANTINE);
            assertThat(r.origin()).isEqualTo("rule.flood");
        });
        now.set(now.get().plus(Duration.ofMinutes(11)));
        assertThat(ac.isQuarantined("d1")).isFalse();
        assertThat(ac.restrictions()).isEmpty();
    }

    @Test
    void givenThrottle_thenTheRateHolds() {
        AccessControl ac = new AccessControl(clock);
        ac.throttle("d1", 2, Duration.ofMinutes(1), "chatty", "operator");
        assertThat(ac.allowRequest("d1")).isTrue();
        assertThat(ac.allowRequest("d1")).isTrue();
        assertThat(ac.allowRequest("d1")).isFalse();
        now.set(now.get().plusMillis(500));
        assertThat(ac.allowRequest("d1")).isTrue();
        assertThat(ac.allowRequest("d2")).as("others are not throttled").isTrue();
    }

    @Test
    void givenBlockedAddress_thenOnlyThatAddressIsBlocked_andLiftWorks() throws Exception {
        AccessControl ac = new AccessControl(clock);
        ac.blockAddress(" 192.0.2.7 ", Duration.ofMinutes(1), "guessing", "rule.identity-guessing");
        assertThat(ac.isBlocked(InetAddress.getByName("192.0.2.7"))).isTrue();
        assertThat(ac.isBlocked(InetAddress.getByName("192.0.2.8"))).isFalse();
        assertThat(ac.lift(Kind.BLOCK_ADDRESS, "192.0.2.7")).isTrue();
        assertThat(ac.isBlocked(InetAddress.getByName("192.0.2.7"))).isFalse();
    }

    @Test
    void givenBadInput_thenClearErrors() {
        AccessControl ac = new AccessControl(clock);
        assertThatThrownBy(() -> ac.blockAddress("evil.example", Duration.ofMinutes(1), "x", "y"))
                .hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> ac.throttle("d", 0, Duration.ofMinutes(1), "x", "y")).hasMessageContaining("> 0");
        assertThatThrownBy(() -> ac.quarantine("d", Duration.ZERO, "x", "y")).hasMessageContaining("duration");
    }
}
