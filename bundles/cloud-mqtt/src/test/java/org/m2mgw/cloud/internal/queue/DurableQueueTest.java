package org.m2mgw.cloud.internal.queue;

import org.m2mgw.cloud.testsupport.TestMessages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.m2mgw.cloud.internal.queue.QueueTestSupport.drain;
import static org.m2mgw.cloud.testsupport.TestMessages.message;
import static org.m2mgw.cloud.internal.queue.QueueTestSupport.number;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.DeviceMessage;

class DurableQueueTest {

    @TempDir
    Path tmp;

    private final List<DurableQueue> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(DurableQueue::close);
    }

    private DurableQueue open(QueueOptions options) throws Exception {
        DurableQueue q = new DurableQueue(tmp.resolve("queue"), options);
        opened.add(q);
        return q;
    }

    private static Acceptance offer(DurableQueue q, DeviceMessage m) throws Exception {
        return q.offer(m).get(10, TimeUnit.SECONDS);
    }

    private static List<String> ids(List<QueuedMessage> messages) {
        return messages.stream().map(m -> m.key() + "#" + number(m)).toList();
    }

    @Test
    void givenOfferedMessages_whenPeekedAndAcked_thenTheyComeBackIntactInOrder() throws Exception {
        DurableQueue q = open(QueueOptions.defaults());
        DeviceMessage a = message("a", 1);
        DeviceMessage b = message("b", 1);
        DeviceMessage c = message("c", 1);

        assertThat(offer(q, a).isAccepted()).isTrue();
        assertThat(offer(q, b).isAccepted()).isTrue();
        assertThat(offer(q, c).isAccepted()).isTrue();
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.bytes()).isEqualTo(3L * QueueTestSupport.frameLength(a));

        List<QueuedMessage> peeked = q.peek(10);

        assertThat(peeked).extracting(QueuedMessage::message).containsExactly(a, b, c);
        assertThat(peeked).extracting(QueuedMessage::key).containsExactly("a", "b", "c");
        assertThat(peeked.get(0).sequence()).isLessThan(peeked.get(1).sequence());
        assertThat(q.inFlight()).isEqualTo(3);
        peeked.forEach(m -> q.ack(m.sequence()));
        assertThat(q.size()).isZero();
        assertThat(q.bytes()).isZero();
        assertThat(q.inFlight()).isZero();
        assertThat(q.peek(10)).isEmpty();
        assertThat(q.counters()).containsEntry("accepted", 3L).containsEntry("acked", 3L)
                .containsEntry("refused", 0L).containsEntry("dropped", 0L);
    }

    @Test
    void givenConcurrentProducers_whenDrained_thenEveryDeviceKeepsItsOrder() throws Exception {
        DurableQueue q = open(QueueOptions.defaults());
        int threads = 8;
        int perThread = 400;
        ConcurrentLinkedQueue<CompletableFuture<Acceptance>> futures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String device = "dev-" + t;
            Thread p = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    futures.add(q.offer(message(device, i, 50)));
                }
            });
            p.start();
            producers.add(p);
        }
        start.countDown();
        for (Thread p : producers) {
            p.join();
        }
        for (CompletableFuture<Acceptance> f : futures) {
            assertThat(f.get(10, TimeUnit.SECONDS).isAccepted()).isTrue();
        }

        List<QueuedMessage> all = drain(q);

        assertThat(all).hasSize(threads * perThread);
        Map<String, List<Integer>> byDevice = new HashMap<>();
        all.forEach(m -> byDevice.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(number(m)));
        assertThat(byDevice).hasSize(threads);
        byDevice.values().forEach(numbers -> assertThat(numbers).isSorted().hasSize(perThread).doesNotHaveDuplicates());
    }

    @Test
    void givenProducersAndAConsumerAtOnce_whenAllIsDone_thenEverythingWasDeliveredOnceAndInOrder() throws Exception {
        DurableQueue q = open(QueueOptions.defaults().withSegmentBytes(64 * 1024).withAckSyncMillis(1));
        int threads = 16;
        int perThread = 1500;
        AtomicBoolean producing = new AtomicBoolean(true);
        Map<String, List<Integer>> delivered = new HashMap<>();
        Thread consumer = new Thread(() -> {
            while (producing.get() || q.size() > 0) {
                for (QueuedMessage m : q.peek(100)) {
                    delivered.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(number(m));
                    if (number(m) % 7 == 0 && delivered.get(m.key()).stream().filter(n -> n == number(m)).count() == 1) {
                        q.release(m.sequence()); // retried once
                    } else {
                        q.ack(m.sequence());
                    }
                }
            }
        });
        consumer.start();
        List<Thread> producers = new ArrayList<>();
        ConcurrentLinkedQueue<Acceptance> answers = new ConcurrentLinkedQueue<>();
        for (int t = 0; t < threads; t++) {
            String device = "dev-" + t;
            Thread p = new Thread(() -> {
                for (int i = 1; i <= perThread; i++) {
                    answers.add(q.offer(message(device, i, 100)).join());
                }
            });
            p.start();
            producers.add(p);
        }
        for (Thread p : producers) {
            p.join();
        }
        producing.set(false);
        consumer.join(30_000);

        assertThat(answers).hasSize(threads * perThread).allMatch(Acceptance::isAccepted);
        assertThat(q.size()).isZero();
        assertThat(q.counters()).containsEntry("acked", (long) threads * perThread).containsEntry("refused", 0L);
        assertThat(delivered).hasSize(threads);
        for (List<Integer> numbers : delivered.values()) {
            List<Integer> once = numbers.stream().distinct().toList();
            assertThat(once).hasSize(perThread).isSorted();
            assertThat(numbers).isSorted();
        }
    }

    @Test
    void givenAnEntryInFlight_whenPeekedAgain_thenItsDeviceWaitsAndOtherDevicesProceed() throws Exception {
        DurableQueue q = open(QueueOptions.defaults());
        offer(q, message("a", 1));
        offer(q, message("a", 2));
        offer(q, message("b", 1));
        offer(q, message("a", 3));

        List<QueuedMessage> first = q.peek(10);
        assertThat(ids(first)).containsExactly("a#1", "b#1");
        assertThat(q.peek(10)).isEmpty();

        q.ack(first.get(1).sequence());
        assertThat(q.peek(10)).isEmpty();

        q.ack(first.get(0).sequence());
        List<QueuedMessage> second = q.peek(10);
        assertThat(ids(second)).containsExactly("a#2");
        q.ack(second.get(0).sequence());
        assertThat(ids(q.peek(10))).containsExactly("a#3");
    }

    @Test
    void givenInFlightEntries_whenReleased_thenTheyAreHandedOutAgainBeforeLaterOnes() throws Exception {
        DurableQueue q = open(QueueOptions.defaults());
        offer(q, message("a", 1));
        offer(q, message("b", 1));
        offer(q, message("a", 2));
        offer(q, message("b", 2));
        offer(q, message("c", 1));

        List<QueuedMessage> first = q.peek(2);
        assertThat(ids(first)).containsExactly("a#1", "b#1");
        q.release(first.get(1).sequence());
        q.release(first.get(0).sequence());
        q.release(999_999);
        assertThat(q.inFlight()).isZero();

        List<QueuedMessage> retry = q.peek(10);
        assertThat(ids(retry)).containsExactly("a#1", "b#1", "c#1");
        assertThat(retry.get(0).sequence()).isEqualTo(first.get(0).sequence());
        retry.forEach(m -> q.ack(m.sequence()));
        assertThat(ids(q.peek(10))).containsExactly("a#2", "b#2");
        assertThat(q.counters()).containsEntry("released", 2L).containsEntry("acked", 3L);
    }

    @Test
    void givenAnEntryNotInFlight_whenAcked_thenNothingHappens() throws Exception {
        DurableQueue q = open(QueueOptions.defaults());
        offer(q, message("a", 1));
        long sequence = q.peek(1).get(0).sequence();
        q.release(sequence);

        q.ack(sequence);
        q.ack(12345);

        assertThat(q.size()).isEqualTo(1);
        assertThat(q.counters()).containsEntry("acked", 0L);
    }

    @Test
    void givenMaxMessages_whenFullWithRefuse_thenTheNextIsRefusedWithCountsUntilOneIsAcked() throws Exception {
        DurableQueue q = open(QueueOptions.defaults().withMaxMessages(3).withRetryAfterSeconds(7));
        int f = QueueTestSupport.frameLength(message("a", 1));
        for (int i = 1; i <= 3; i++) {
            assertThat(offer(q, message("a", i)).isAccepted()).isTrue();
        }

        Acceptance refused = offer(q, message("a", 4));

        assertThat(refused.isAccepted()).isFalse();
        assertThat(refused.reason()).isEqualTo("queue full: 3 messages / " + 3 * f + " bytes");
        assertThat(refused.retryAfterSeconds()).isEqualTo(7);
        assertThat(q.counters()).containsEntry("refused", 1L).containsEntry("accepted", 3L);

        q.ack(q.peek(1).get(0).sequence());
        assertThat(offer(q, message("a", 5)).isAccepted()).isTrue();
        assertThat(drain(q)).extracting(QueueTestSupport::number).containsExactly(2, 3, 5);
    }

    @Test
    void givenMaxBytes_whenFullWithRefuse_thenTheNextIsRefused() throws Exception {
        int f = QueueTestSupport.frameLength(message("a", 1, 300));
        DurableQueue q = open(QueueOptions.defaults().withMaxBytes(3L * f + f / 2));
        for (int i = 1; i <= 3; i++) {
            assertThat(offer(q, message("a", i, 300)).isAccepted()).isTrue();
        }

        Acceptance refused = offer(q, message("b", 1, 300));

        assertThat(refused.reason()).isEqualTo("queue full: 3 messages / " + 3 * f + " bytes");
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.counters()).containsEntry("refused", 1L);
    }

    @Test
    void givenDropOldest_whenFullByCount_thenTheOldestAreDroppedAndCounted() throws Exception {
        DurableQueue q = open(QueueOptions.defaults().withMaxMessages(3).withFullPolicy(FullPolicy.DROP_OLDEST));

        for (int i = 1; i <= 5; i++) {
            assertThat(offer(q, message(i % 2 == 0 ? "a" : "b", i)).isAccepted()).isTrue();
        }

        assertThat(q.size()).isEqualTo(3);
        assertThat(q.counters()).containsEntry("dropped", 2L).containsEntry("accepted", 5L).containsEntry("refused", 0L);
        assertThat(drain(q)).extracting(QueueTestSupport::number).containsExactlyInAnyOrder(3, 4, 5);
    }

    @Test
    void givenDropOldest_whenFullByBytes_thenAsManyOldestAsNeededAreDropped() throws Exception {
        int small = QueueTestSupport.frameLength(message("d1", 1, 200));
        int big = QueueTestSupport.frameLength(message("e", 5, 600));
        DurableQueue q = open(QueueOptions.defaults().withMaxBytes(4L * small + 10)
                .withFullPolicy(FullPolicy.DROP_OLDEST));
        for (int i = 1; i <= 4; i++) {
            offer(q, message("d" + i, i, 200));
        }
        assertThat(big).isGreaterThan(2 * small).isLessThan(3 * small);

        assertThat(offer(q, message("e", 5, 600)).isAccepted()).isTrue();

        assertThat(q.counters()).containsEntry("dropped", 3L);
        assertThat(q.bytes()).isEqualTo(small + big);
        assertThat(ids(drain(q))).containsExactly("d4#4", "e#5");
    }

    @Test
    void givenDropOldest_whenEverythingStoredIsInFlight_thenTheNewMessageIsRefused() throws Exception {
        DurableQueue q = open(QueueOptions.defaults().withMaxMessages(2).withFullPolicy(FullPolicy.DROP_OLDEST));
        offer(q, message("a", 1));
        offer(q, message("b", 1));
        assertThat(q.peek(10)).hasSize(2);

        Acceptance a = offer(q, message("c", 1));

        assertThat(a.isAccepted()).isFalse();
        assertThat(a.reason()).startsWith("queue full: 2 messages");
        assertThat(q.counters()).containsEntry("dropped", 0L);
    }

    @Test
    void givenATooLargeMessage_whenOffered_thenRefusedNamingTheKey() throws Exception {
        DurableQueue q = open(QueueOptions.defaults().withMaxRecordBytes(1024));

        Acceptance a = offer(q, message("a", 1, 2000));

        assertThat(a.reason()).startsWith("message too large: ").contains("queue.max.record.bytes is 1024");
    }

    @Test
    void givenAMessageTheCodecCannotStore_whenOffered_thenRefusedNotThrown() throws Exception {
        DurableQueue q = open(QueueOptions.defaults());
        DeviceMessage m = DeviceMessage.builder().messageId("m").deviceId("d").resource("r".repeat(70_000))
                .receivedAt(java.time.Instant.EPOCH).security(TestMessages.SECURITY).build();

        Acceptance a = offer(q, m);

        assertThat(a.reason()).startsWith("message cannot be stored: resource ");
    }

    @Test
    void givenARecordDamagedAfterItWasStored_whenPeeked_thenItIsSkippedAndCountedAndOthersAreDelivered()
            throws Exception {
        DurableQueue q = open(QueueOptions.defaults());
        offer(q, message("a", 1));
        offer(q, message("b", 2));
        offer(q, message("c", 3));
        Path segment;
        try (var files = java.nio.file.Files.list(q.directory())) {
            segment = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        int f = QueueTestSupport.frameLength(message("a", 1));
        try (var channel = java.nio.channels.FileChannel.open(segment, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xee}), f + 150L);
        }

        List<QueuedMessage> peeked = q.peek(10);

        assertThat(ids(peeked)).containsExactly("a#1", "c#3");
        assertThat(q.counters()).containsEntry("corrupt", 1L);
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.inFlight()).isEqualTo(2);
    }

    @Test
    void givenAClosedQueue_whenOffered_thenRefusedQueueClosed() throws Exception {
        DurableQueue q = open(QueueOptions.defaults().withRetryAfterSeconds(5));
        offer(q, message("a", 1));
        q.close();

        Acceptance a = offer(q, message("a", 2));

        assertThat(a.isAccepted()).isFalse();
        assertThat(a.reason()).isEqualTo("queue closed");
        assertThat(a.retryAfterSeconds()).isEqualTo(5);
        assertThat(q.peek(10)).isEmpty();
        q.close();
    }

    @Test
    void givenOffersRacingClose_whenClosed_thenEveryOfferIsAnsweredAndEveryAcceptedOneIsStored() throws Exception {
        DurableQueue q = open(QueueOptions.defaults());
        ConcurrentLinkedQueue<CompletableFuture<Acceptance>> futures = new ConcurrentLinkedQueue<>();
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            String device = "dev-" + t;
            Thread p = new Thread(() -> {
                for (int i = 0; i < 2000; i++) {
                    futures.add(q.offer(message(device, i, 50)));
                }
            });
            p.start();
            producers.add(p);
        }
        Thread.sleep(5);
        q.close();
        for (Thread p : producers) {
            p.join();
        }

        long accepted = 0;
        for (CompletableFuture<Acceptance> f : futures) {
            Acceptance a = f.get(10, TimeUnit.SECONDS);
            if (a.isAccepted()) {
                accepted++;
            } else {
                assertThat(a.reason()).isEqualTo("queue closed");
            }
        }
        DurableQueue reopened = open(QueueOptions.defaults());
        assertThat(reopened.size()).isEqualTo(accepted);
    }

    @Test
    void givenAnOpenQueue_whenASecondOpensTheSameDirectory_thenRefusedNamingIt() throws Exception {
        DurableQueue q = open(QueueOptions.defaults());

        assertThatThrownBy(() -> new DurableQueue(tmp.resolve("queue"), QueueOptions.defaults()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(q.directory().toString()).hasMessageContaining("in use");
    }

    @Test
    void givenAcks_whenSynced_thenTheFutureCompletes() throws Exception {
        DurableQueue q = open(QueueOptions.defaults().withAckSyncMillis(60_000));
        offer(q, message("a", 1));
        q.ack(q.peek(1).get(0).sequence());

        q.sync().get(10, TimeUnit.SECONDS);

        assertThat(q.size()).isZero();
    }
}
