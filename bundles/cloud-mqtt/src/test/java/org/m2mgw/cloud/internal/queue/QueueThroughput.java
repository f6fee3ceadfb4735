package org.m2mgw.cloud.internal.queue;

import org.m2mgw.cloud.testsupport.TestMessages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.m2mgw.api.message.DeviceMessage;

/**
 * Prints how many 200-byte messages per second the queue accepts (fsynced) with 1, 8 and 64
 * producers that each wait for their answer, like devices waiting for 2.04, while a consumer
 * peeks and acknowledges as the publisher would. Not a test: timings depend on the machine.
 *
 * <p>Arguments: seconds per run (default 5), then the producer counts (default 1 8 64).
 */
public final class QueueThroughput {

    private QueueThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Integer> producers = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            producers.add(Integer.parseInt(args[i]));
        }
        if (producers.isEmpty()) {
            producers = List.of(1, 8, 64);
        }
        run(8, 2); // warm up
        for (int n : producers) {
            run(n, seconds);
        }
    }

    private static void run(int producerCount, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("queue-throughput");
        QueueOptions options = QueueOptions.defaults().withMaxMessages(5_000_000).withMaxBytes(4L << 30);
        try (DurableQueue queue = new DurableQueue(dir, options)) {
            AtomicBoolean running = new AtomicBoolean(true);
            LongAdder accepted = new LongAdder();
            LongAdder refused = new LongAdder();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < producerCount; t++) {
                String device = "device-" + t;
                threads.add(new Thread(() -> {
                    int i = 0;
                    while (running.get()) {
                        DeviceMessage m = TestMessages.message(device, i++, 200);
                        if (queue.offer(m).join().isAccepted()) {
                            accepted.increment();
                        } else {
                            refused.increment();
                        }
                    }
                }));
            }
            LongAdder acked = new LongAdder();
            Thread consumer = new Thread(() -> {
                while (running.get()) {
                    List<QueuedMessage> batch = queue.peek(1000);
                    if (batch.isEmpty()) {
                        sleep(1);
                    }
                    for (QueuedMessage m : batch) {
                        queue.ack(m.sequence());
                        acked.increment();
                    }
                }
            });
            long start = System.nanoTime();
            threads.forEach(Thread::start);
            consumer.start();
            TimeUnit.SECONDS.sleep(seconds);
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
            consumer.join();
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("%3d producers: %,9.0f msgs/s accepted (%,d in %.1f s, %d refused), %,9.0f msgs/s acked, "
                    + "%d left%n", producerCount, accepted.sum() / elapsed, accepted.sum(), elapsed, refused.sum(),
                    acked.sum() / elapsed, queue.size());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
