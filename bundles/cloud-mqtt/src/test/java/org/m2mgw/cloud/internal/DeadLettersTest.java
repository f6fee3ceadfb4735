package org.m2mgw.cloud.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dead-letter store on its own: bounds, durability, damage. */
class DeadLettersTest {
    @TempDir
    Path tmp;

    static byte[] bytes(int n, char c) {
        return String.valueOf(c).repeat(n).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void givenMoreLettersThanTheCountBound_thenTheOldestGo_countedAndShownAsFull_andTheNewestSurviveAReopen()
            throws Exception {
        Path file = tmp.resolve("deadletters.log");
        try (DeadLetters d = new DeadLetters(file, 3, 1 << 20)) {
            for (int i = 1; i <= 5; i++) {
                d.park(DeadLetters.Kind.MESSAGE, "dev" + i, "reason " + i, bytes(10, 'a'));
            }
            assertThat(d.list()).extracting(DeadLetters.Letter::key).containsExactly("dev3", "dev4", "dev5");
            assertThat(d.evicted()).isEqualTo(2);
            assertThat(d.full()).isTrue();
            assertThat(d.counters()).containsEntry("deadletters.evicted", 2L).containsEntry("deadletters.parked", 5L);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (DeadLetters d = new DeadLetters(file, 3, 1 << 20)) {
            assertThat(d.list()).extracting(DeadLetters.Letter::key).containsExactly("dev3", "dev4", "dev5");
            assertThat(d.list()).extracting(DeadLetters.Letter::reason).containsExactly("reason 3", "reason 4",
                    "reason 5");
            assertThat(d.list().get(0).record()).isEqualTo(bytes(10, 'a'));
            // ids keep growing across a reopen
            assertThat(d.park(DeadLetters.Kind.ALERT, "alerts", "r", bytes(1, 'b')).id()).isEqualTo(6);
        }
        // a smaller bound applies at once
        try (DeadLetters d = new DeadLetters(file, 2, 1 << 20)) {
            assertThat(d.list()).extracting(DeadLetters.Letter::id).containsExactly(5L, 6L);
        }
    }

    @Test
    void givenMoreBytesThanTheByteBound_thenTheOldestGo() throws Exception {
        try (DeadLetters d = new DeadLetters(tmp.resolve("dl"), 100, 2500)) {
            d.park(DeadLetters.Kind.MESSAGE, "a", "r", bytes(1000, 'a'));
            d.park(DeadLetters.Kind.MESSAGE, "b", "r", bytes(1000, 'b'));
            d.park(DeadLetters.Kind.MESSAGE, "c", "r", bytes(1000, 'c'));
            assertThat(d.list()).extracting(DeadLetters.Letter::key).containsExactly("b", "c");
            assertThat(d.counters()).containsEntry("deadletters.bytes", 2000L);
        }
    }

    @Test
    void givenRemovals_thenTheyAreDurable_andTheFileIsCompactedWhenMostOfItIsGarbage() throws Exception {
        Path file = tmp.resolve("dl");
        try (DeadLetters d = new DeadLetters(file, 1000, 1 << 20)) {
            for (int i = 0; i < 100; i++) {
                d.park(DeadLetters.Kind.MESSAGE, "dev", "r", bytes(200, 'x'));
            }
            long full = Files.size(file);
            for (long id = 1; id <= 95; id++) {
                assertThat(d.remove(id)).isTrue();
            }
            assertThat(d.remove(1)).isFalse();
            assertThat(Files.size(file)).isLessThan(full / 4);
        }
        try (DeadLetters d = new DeadLetters(file, 1000, 1 << 20)) {
            assertThat(d.list()).extracting(DeadLetters.Letter::id).containsExactly(96L, 97L, 98L, 99L, 100L);
        }
    }

    @Test
    void givenATornLastRecord_thenItIsCut_andGivenDamageInside_thenTheFileIsSetAsideAndTheStoreStartsEmpty()
            throws Exception {
        Path file = tmp.resolve("dl");
        try (DeadLetters d = new DeadLetters(file, 10, 1 << 20)) {
            d.park(DeadLetters.Kind.MESSAGE, "a", "r", bytes(100, 'a'));
            d.park(DeadLetters.Kind.MESSAGE, "b", "r", bytes(100, 'b'));
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 3);
        }
        try (DeadLetters d = new DeadLetters(file, 10, 1 << 20)) {
            assertThat(d.list()).extracting(DeadLetters.Letter::key).containsExactly("a");
            d.park(DeadLetters.Kind.MESSAGE, "c", "r", bytes(100, 'c'));
        }
        byte[] all = Files.readAllBytes(file);
        all[30] ^= 0x55; // inside the first record
        Files.write(file, all);
        try (DeadLetters d = new DeadLetters(file, 10, 1 << 20)) {
            assertThat(d.list()).isEmpty();
        }
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("dl.damaged-"));
        }
    }
}
