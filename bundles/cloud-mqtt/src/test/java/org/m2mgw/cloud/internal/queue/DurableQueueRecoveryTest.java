package org.m2mgw.cloud.internal.queue;

import org.m2mgw.cloud.testsupport.TestMessages;

import static java.nio.file.StandardOpenOption.APPEND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.cloud.internal.queue.QueueTestSupport.drain;
import static org.m2mgw.cloud.testsupport.TestMessages.message;
import static org.m2mgw.cloud.internal.queue.QueueTestSupport.number;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.message.Acceptance;

class DurableQueueRecoveryTest {

    @TempDir
    Path tmp;

    private final List<DurableQueue> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(DurableQueue::close);
    }

    private Path dir() {
        return tmp.resolve("cloud-mqtt/main/queue");
    }

    private DurableQueue open(QueueOptions options) throws Exception {
        DurableQueue q = new DurableQueue(dir(), options);
        opened.add(q);
        return q;
    }

    private DurableQueue open() throws Exception {
        return open(QueueOptions.defaults());
    }

    /** Opens the queue and returns what it logged while opening. */
    private String openLogging(DurableQueue[] into) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            into[0] = open();
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        err.print(log);
        return log;
    }

    private static void offerAll(DurableQueue q, String device, int from, int to) throws Exception {
        List<CompletableFuture<Acceptance>> futures = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            futures.add(q.offer(message(device, i)));
        }
        for (CompletableFuture<Acceptance> f : futures) {
            assertThat(f.get(10, TimeUnit.SECONDS).isAccepted()).isTrue();
        }
    }

    private List<Path> files(String suffix) throws Exception {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    private Path lastSegment() throws Exception {
        List<Path> segments = files(".seg");
        return segments.get(segments.size() - 1);
    }

    @Test
    void givenAckedAndUnackedEntries_whenClosedAndReopened_thenOnlyTheUnackedComeBackInOrder() throws Exception {
        DurableQueue q = open();
        offerAll(q, "a", 1, 5);
        offerAll(q, "b", 1, 5);
        List<QueuedMessage> first = q.peek(10);
        assertThat(first).extracting(QueueTestSupport::number).containsExactly(1, 1);
        first.forEach(m -> q.ack(m.sequence()));
        q.ack(q.peek(10).get(0).sequence()); // a#2; b#2 stays in flight, unacknowledged
        long lastSequence = first.get(1).sequence() + 4; // b#5
        q.close();

        DurableQueue reopened = open();

        assertThat(reopened.size()).isEqualTo(7);
        assertThat(reopened.inFlight()).isZero();
        List<QueuedMessage> rest = drain(reopened);
        assertThat(rest).filteredOn(m -> m.key().equals("a")).extracting(QueueTestSupport::number).containsExactly(3, 4, 5);
        assertThat(rest).filteredOn(m -> m.key().equals("b")).extracting(QueueTestSupport::number).containsExactly(2, 3, 4, 5);
        offerAll(reopened, "c", 1, 1);
        assertThat(reopened.peek(1).get(0).sequence()).isGreaterThan(lastSequence);
    }

    @Test
    void givenSyncedAcks_whenAbandonedWithoutCloseAndReopened_thenAckedEntriesAreNotRedelivered() throws Exception {
        DurableQueue q = open();
        offerAll(q, "a", 1, 10);
        for (int i = 0; i < 4; i++) {
            q.ack(q.peek(1).get(0).sequence());
        }
        q.sync().get(10, TimeUnit.SECONDS);
        q.crashForTest();

        DurableQueue reopened = open();

        assertThat(drain(reopened)).extracting(QueueTestSupport::number).containsExactly(5, 6, 7, 8, 9, 10);
    }

    @Test
    void givenAcceptedMessagesAndUnsyncedAcks_whenAbandonedWithoutClose_thenNothingUnackedIsLost() throws Exception {
        DurableQueue q = open(QueueOptions.defaults().withAckSyncMillis(60_000));
        offerAll(q, "a", 1, 300);
        offerAll(q, "b", 1, 300);
        for (int i = 0; i < 20; i++) {
            q.peek(10).forEach(m -> q.ack(m.sequence()));
        }
        q.crashForTest();

        DurableQueue reopened = open();

        List<QueuedMessage> back = drain(reopened);
        assertThat(back.size()).isBetween(560, 600);
        for (String device : List.of("a", "b")) {
            List<Integer> numbers = back.stream().filter(m -> m.key().equals(device)).map(QueueTestSupport::number).toList();
            assertThat(numbers).isSorted().containsAll(List.of(21, 150, 300));
            assertThat(numbers.get(numbers.size() - 1) - numbers.get(0) + 1).isEqualTo(numbers.size());
        }
    }

    @Test
    void givenATornRecordAtTheEnd_whenReopened_thenItIsCutWithOneWarningAndAppendingGoesOn() throws Exception {
        DurableQueue q = open();
        offerAll(q, "a", 1, 5);
        q.close();
        Path segment = lastSegment();
        long size = Files.size(segment);
        ByteBuffer torn = ByteBuffer.allocate(8 + 100);
        torn.putInt(300).putInt(0x12345678).putLong(6).put((byte) 0).put((byte) 1).put(new byte[90]);
        Files.write(segment, torn.array(), APPEND);

        DurableQueue[] reopened = new DurableQueue[1];
        String log = openLogging(reopened);

        assertThat(log.lines().filter(l -> l.contains("WARN"))).hasSize(1)
                .allSatisfy(l -> assertThat(l).contains("cut 108 bytes").contains(segment.getFileName().toString()));
        assertThat(Files.size(segment)).isEqualTo(size);
        assertThat(reopened[0].size()).isEqualTo(5);
        assertThat(reopened[0].counters()).containsEntry("truncatedBytes", 108L).containsEntry("corrupt", 0L);
        offerAll(reopened[0], "a", 6, 7);
        reopened[0].close();
        assertThat(drain(open())).extracting(QueueTestSupport::number).containsExactly(1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void givenAZeroFilledTail_whenReopened_thenItIsCut() throws Exception {
        DurableQueue q = open();
        offerAll(q, "a", 1, 3);
        q.close();
        Files.write(lastSegment(), new byte[4096], APPEND);

        DurableQueue reopened = open();

        assertThat(reopened.counters()).containsEntry("truncatedBytes", 4096L);
        assertThat(drain(reopened)).extracting(QueueTestSupport::number).containsExactly(1, 2, 3);
    }

    @Test
    void givenADamagedRecordInTheMiddle_whenReopened_thenItIsSkippedCountedAndLoggedWithFileAndOffset()
            throws Exception {
        DurableQueue q = open();
        offerAll(q, "a", 1, 5);
        q.close();
        int f = QueueTestSupport.frameLength(message("a", 1));
        Path segment = lastSegment();
        byte[] content = Files.readAllBytes(segment);
        content[2 * f + 100] ^= 0x40;
        Files.write(segment, content);

        DurableQueue[] reopened = new DurableQueue[1];
        String log = openLogging(reopened);

        assertThat(log.lines().filter(l -> l.contains("ERROR"))).hasSize(1).allSatisfy(l -> assertThat(l)
                .contains(segment.getFileName().toString()).contains("at offset " + 2 * f).doesNotContain("Exception"));
        assertThat(reopened[0].counters()).containsEntry("corrupt", 1L).containsEntry("truncatedBytes", 0L);
        assertThat(drain(reopened[0])).extracting(QueueTestSupport::number).containsExactly(1, 2, 4, 5);
    }

    @Test
    void givenADamagedLengthInTheMiddle_whenReopened_thenTheScanFindsTheNextRecord() throws Exception {
        DurableQueue q = open();
        offerAll(q, "a", 1, 5);
        q.close();
        int f = QueueTestSupport.frameLength(message("a", 1));
        Path segment = lastSegment();
        byte[] content = Files.readAllBytes(segment);
        ByteBuffer.wrap(content).putInt(f, 0x7fff_0000);
        Files.write(segment, content);

        DurableQueue reopened = open();

        assertThat(reopened.counters()).containsEntry("corrupt", 1L);
        assertThat(drain(reopened)).extracting(QueueTestSupport::number).containsExactly(1, 3, 4, 5);
    }

    @Test
    void givenSmallSegments_whenEverythingIsAcked_thenAllButTheNewestSegmentAreDeleted() throws Exception {
        DurableQueue q = open(QueueOptions.defaults().withSegmentBytes(4096));
        offerAll(q, "a", 1, 100);
        offerAll(q, "b", 1, 100);
        int segments = files(".seg").size();
        assertThat(segments).isGreaterThan(10);

        for (int i = 0; i < 50; i++) {
            q.peek(10).forEach(m -> q.ack(m.sequence()));
        }
        q.sync().get(10, TimeUnit.SECONDS);
        assertThat(files(".seg").size()).isBetween(segments / 2 - 2, segments / 2 + 2);

        drain(q);
        q.sync().get(10, TimeUnit.SECONDS);
        assertThat(files(".seg")).hasSize(1);
        assertThat(files(".acks").size()).isLessThanOrEqualTo(1);
        q.close();

        DurableQueue reopened = open(QueueOptions.defaults().withSegmentBytes(4096));
        assertThat(reopened.size()).isZero();
        offerAll(reopened, "c", 1, 1);
        assertThat(reopened.peek(1).get(0).sequence()).isGreaterThan(200);
    }

    @Test
    void givenASegmentWhoseEntriesAreAllInItsAckFile_whenReopened_thenItIsDeletedAtOpen() throws Exception {
        DurableQueue q = open(QueueOptions.defaults().withSegmentBytes(4096));
        offerAll(q, "a", 1, 60);
        q.close();
        Path first = files(".seg").get(0);
        long firstSequence = Segment.sequenceOf(first.getFileName().toString(), ".seg");
        byte[] content = Files.readAllBytes(first);
        List<Integer> offsets = new ArrayList<>();
        Frames.scanData(content, content.length, firstSequence, new Frames.DataVisitor() {
            @Override
            public void frame(long sequence, String key, int position, int frameLength) {
                offsets.add((int) (sequence - firstSequence));
            }

            @Override
            public void corrupt(int position, int length) {
                throw new AssertionError("corrupt at " + position);
            }
        });
        int[] acked = offsets.stream().mapToInt(Integer::intValue).toArray();
        ByteBuffer frame = Frames.ackFrame(acked, acked.length, new java.util.zip.CRC32C());
        Files.write(dir().resolve(Segment.baseName(firstSequence) + ".acks"), Arrays.copyOf(frame.array(), frame.limit()));

        DurableQueue reopened = open(QueueOptions.defaults().withSegmentBytes(4096));

        assertThat(first).doesNotExist();
        assertThat(dir().resolve(Segment.baseName(firstSequence) + ".acks")).doesNotExist();
        assertThat(reopened.size()).isEqualTo(60 - acked.length);
        assertThat(drain(reopened)).extracting(QueueTestSupport::number)
                .containsExactlyElementsOf(IntStream.rangeClosed(acked.length + 1, 60).boxed().toList());
    }

    @Test
    void givenDroppedEntries_whenReopened_thenTheyStayDropped() throws Exception {
        QueueOptions options = QueueOptions.defaults().withMaxMessages(3).withFullPolicy(FullPolicy.DROP_OLDEST);
        DurableQueue q = open(options);
        for (int i = 1; i <= 6; i++) {
            assertThat(q.offer(message("a", i)).get(10, TimeUnit.SECONDS).isAccepted()).isTrue();
        }
        q.close();

        DurableQueue reopened = open(options);

        assertThat(drain(reopened)).extracting(QueueTestSupport::number).containsExactly(4, 5, 6);
    }

    @Test
    void givenADamagedAckFile_whenReopened_thenMessagesComeAgainRatherThanBeingLost() throws Exception {
        DurableQueue q = open();
        offerAll(q, "a", 1, 4);
        q.ack(q.peek(1).get(0).sequence());
        q.close();
        Path acks = files(".acks").get(0);
        Files.write(acks, new byte[] {0, 0, 0, 8, 1, 2, 3}, APPEND);

        DurableQueue reopened = open();

        assertThat(Files.size(acks)).isEqualTo(8 + 4);
        assertThat(drain(reopened)).extracting(QueueTestSupport::number).containsExactly(2, 3, 4);
    }

    @Test
    void givenAnOrphanAckFileAndForeignFiles_whenReopened_thenTheOrphanIsRemovedAndOthersKept() throws Exception {
        DurableQueue q = open();
        offerAll(q, "a", 1, 1);
        q.close();
        Files.write(dir().resolve("00000000000000000001.acks"), new byte[0]);
        Path orphan = dir().resolve("00000000000000009999.acks");
        Files.write(orphan, new byte[12]);
        Files.writeString(dir().resolve("README"), "x");

        DurableQueue reopened = open();

        assertThat(orphan).doesNotExist();
        assertThat(dir().resolve("README")).exists();
        Set<Integer> numbers = drain(reopened).stream().map(QueueTestSupport::number).collect(Collectors.toSet());
        assertThat(numbers).containsExactly(1);
    }

    @Test
    void givenManyRestarts_thenSequencesOnlyGrow() throws Exception {
        long last = 0;
        for (int round = 0; round < 3; round++) {
            DurableQueue q = open();
            offerAll(q, "a", round, round);
            QueuedMessage m = q.peek(1).get(0);
            assertThat(number(m)).isEqualTo(round);
            assertThat(m.sequence()).isGreaterThan(last);
            last = m.sequence();
            q.ack(m.sequence());
            if (round % 2 == 0) {
                q.close();
            } else {
                q.sync().get(10, TimeUnit.SECONDS);
                q.crashForTest();
            }
        }
    }
}
