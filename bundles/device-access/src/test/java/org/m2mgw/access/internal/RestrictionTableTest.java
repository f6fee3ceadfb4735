package org.m2mgw.access.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.access.Restriction;
import org.m2mgw.api.access.RestrictionListener;
import org.m2mgw.api.access.Restriction.Kind;

class RestrictionTableTest {
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
        RestrictionTable ac = new RestrictionTable(clock, null, null);
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
        RestrictionTable ac = new RestrictionTable(clock, null, null);
        ac.throttle("d1", 2, Duration.ofMinutes(1), "chatty", "operator");
        assertThat(ac.tryAcquire("d1")).isTrue();
        assertThat(ac.tryAcquire("d1")).isTrue();
        assertThat(ac.tryAcquire("d1")).isFalse();
        now.set(now.get().plusMillis(500));
        assertThat(ac.tryAcquire("d1")).isTrue();
        assertThat(ac.tryAcquire("d2")).as("others are not throttled").isTrue();
    }

    @Test
    void givenBlockedAddress_thenOnlyThatAddressIsBlocked_andLiftWorks() throws Exception {
        RestrictionTable ac = new RestrictionTable(clock, null, null);
        ac.blockAddress(" 192.0.2.7 ", Duration.ofMinutes(1), "guessing", "rule.identity-guessing");
        assertThat(ac.isBlocked(InetAddress.getByName("192.0.2.7"))).isTrue();
        assertThat(ac.isBlocked(InetAddress.getByName("192.0.2.8"))).isFalse();
        assertThat(ac.lift(Kind.BLOCK_ADDRESS, "192.0.2.7")).isTrue();
        assertThat(ac.isBlocked(InetAddress.getByName("192.0.2.7"))).isFalse();
    }

    @Test
    void givenBadInput_thenClearErrors() {
        RestrictionTable ac = new RestrictionTable(clock, null, null);
        assertThatThrownBy(() -> ac.blockAddress("evil.example", Duration.ofMinutes(1), "x", "y"))
                .hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> ac.throttle("d", 0, Duration.ofMinutes(1), "x", "y")).hasMessageContaining("> 0");
        assertThatThrownBy(() -> ac.quarantine("d", Duration.ZERO, "x", "y")).hasMessageContaining("duration");
    }

    /** Runs saves at once on the caller's thread, so a test sees the file right after a change. */
    static final class DirectExecutor extends AbstractExecutorService {
        private boolean shutdown;

        @Override
        public void execute(Runnable r) {
            r.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }

    RestrictionTable persisted(Path dir) {
        return new RestrictionTable(clock, new RestrictionStore(dir.resolve("access/restrictions.tsv")),
                new DirectExecutor());
    }

    @Test
    void givenRestrictions_whenTheTableIsMadeAgain_thenTheyAreStillInForce(@TempDir Path dir) throws Exception {
        RestrictionTable before = persisted(dir);
        before.quarantine("d1", Duration.ofHours(1), "tab\tand\nnewline %", "rule.flood");
        before.throttle("d2", 2.5, Duration.ofHours(1), "chatty", "operator");
        before.blockAddress("2001:db8::7", Duration.ofHours(1), "guessing", "rule.identity-guessing");
        before.blockPrefix(InetAddress.getByName("198.51.100.77"), 24, Duration.ofMinutes(5), "spray", "operator");
        before.quarantine("short", Duration.ofSeconds(30), "ends before the restart", "operator");
        before.deactivate();
        Path file = dir.resolve("access/restrictions.tsv");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        now.set(now.get().plus(Duration.ofMinutes(1)));
        RestrictionTable after = persisted(dir);
        assertThat(after.isQuarantined("d1")).isTrue();
        assertThat(after.isQuarantined("short")).as("ended while the gateway was down").isFalse();
        assertThat(after.restrictions()).filteredOn(r -> r.subject().equals("d1")).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo("tab\tand\nnewline %"));
        assertThat(after.restrictions()).filteredOn(r -> r.kind() == Kind.THROTTLE).singleElement()
                .satisfies(r -> assertThat(r.ratePerSecond()).isEqualTo(2.5));
        assertThat(after.isBlocked(InetAddress.getByName("2001:db8:0:0:0:0:0:7"))).isTrue();
        assertThat(after.isBlocked(InetAddress.getByName("198.51.100.3"))).isTrue();
        assertThat(after.isBlocked(InetAddress.getByName("198.51.101.3"))).isFalse();
    }

    @Test
    void givenADamagedFile_whenTheTableStarts_thenItIsSetAsideAndTheTableIsEmpty(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access/restrictions.tsv");
        Files.createDirectories(file.getParent());
        Files.writeString(file, RestrictionStore.HEADER + "\nQUARANTINE\td1\tnot-a-number\t1\to\tr\n");
        RestrictionTable t = persisted(dir);
        assertThat(t.restrictions()).isEmpty();
        try (var s = Files.list(file.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("restrictions.tsv.damaged-"));
        }
        t.quarantine("d1", Duration.ofMinutes(1), "x", "operator");
        assertThat(persisted(dir).isQuarantined("d1")).as("a new file is written").isTrue();
    }

    @Test
    void givenPrefixBlocks_thenOnlyAddressesInsideAreBlocked() throws Exception {
        RestrictionTable ac = new RestrictionTable(clock, null, null);
        Restriction r = ac.blockPrefix(InetAddress.getByName("2001:db8:aa:bb::1"), 64, Duration.ofMinutes(1), "x",
                "operator");
        assertThat(r.subject()).isEqualTo("2001:db8:aa:bb:0:0:0:0/64");
        assertThat(ac.isBlocked(InetAddress.getByName("2001:db8:aa:bb:ffff::9"))).isTrue();
        assertThat(ac.isBlocked(InetAddress.getByName("2001:db8:aa:bc::9"))).isFalse();
        assertThat(ac.isBlocked(InetAddress.getByName("192.0.2.1"))).isFalse();
        assertThatThrownBy(() -> ac.blockPrefix(InetAddress.getByName("10.0.0.0"), 4, Duration.ofMinutes(1), "x", "y"))
                .hasMessageContaining("prefix length");
        assertThat(ac.lift(Kind.BLOCK_PREFIX, "2001:db8:aa:bb::/64")).isTrue();
        assertThat(ac.isBlocked(InetAddress.getByName("2001:db8:aa:bb:ffff::9"))).isFalse();
    }

    @Test
    void givenAFullTable_thenDetectorsDisplaceOnlyDetectors_andOperatorsAnyone() throws Exception {
        RestrictionTable ac = new RestrictionTable(clock, null, null);
        ac.quarantine("kept-by-operator", Duration.ofSeconds(5), "x", "operator");
        for (int i = 1; i < RestrictionTable.MAX_RESTRICTIONS; i++) {
            ac.blockAddress(InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i}),
                    Duration.ofMinutes(10 + i), "spray", "rule.identity-guessing");
        }
        assertThat(ac.restrictions()).hasSize(RestrictionTable.MAX_RESTRICTIONS);
        ac.blockAddress("10.9.9.9", Duration.ofMinutes(1), "new", "rule.identity-guessing");
        assertThat(ac.restrictions()).hasSize(RestrictionTable.MAX_RESTRICTIONS);
        assertThat(ac.isQuarantined("kept-by-operator")).as("an operator's restriction is never displaced by a detector")
                .isTrue();
        assertThat(ac.isBlocked(InetAddress.getByName("10.0.0.1"))).as("the detector block ending soonest went").isFalse();
        assertThat(ac.counters()).containsEntry("evicted.table.full", 1L);
    }

    @Test
    void givenAListener_thenItHearsOfAdditionsAndLifts() {
        RestrictionTable ac = new RestrictionTable(clock, null, null);
        List<String> heard = new ArrayList<>();
        ac.addListener(new RestrictionListener() {
            @Override
            public void restrictionAdded(Restriction r) {
                heard.add("+" + r.subject());
            }

            @Override
            public void restrictionLifted(Restriction r) {
                heard.add("-" + r.subject());
            }
        });
        ac.quarantine("d1", Duration.ofMinutes(1), "x", "operator");
        ac.lift(Kind.QUARANTINE, "d1");
        assertThat(heard).containsExactly("+d1", "-d1");
    }

    @Test
    void givenAHandshakeLimit_thenOnlyNewHandshakesFromThatAddressAreRationed() throws Exception {
        RestrictionTable ac = new RestrictionTable(clock, null, null);
        InetAddress nat = InetAddress.getByName("198.51.100.9");
        ac.limitHandshakes(nat, 2, Duration.ofMinutes(5), "identity guessing behind a NAT", "rule.identity-guessing");
        assertThat(ac.tryAcquireHandshake(nat)).isTrue();
        assertThat(ac.tryAcquireHandshake(nat)).isTrue();
        assertThat(ac.tryAcquireHandshake(nat)).isFalse();
        assertThat(ac.tryAcquireHandshake(InetAddress.getByName("198.51.100.10"))).isTrue();
        assertThat(ac.isBlocked(nat)).as("not a block: established sessions go on").isFalse();
        now.set(now.get().plusMillis(500));
        assertThat(ac.tryAcquireHandshake(nat)).isTrue();
        assertThat(ac.lift(Kind.LIMIT_HANDSHAKES, "198.51.100.9")).isTrue();
        assertThat(ac.tryAcquireHandshake(nat)).isTrue();
        assertThat(ac.tryAcquireHandshake(nat)).isTrue();
        assertThat(ac.tryAcquireHandshake(nat)).isTrue();
    }
}
