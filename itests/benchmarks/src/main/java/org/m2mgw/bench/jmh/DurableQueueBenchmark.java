package org.m2mgw.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.cloud.testsupport.QueueFixture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cloud bridge's durable queue. {@code enqueue}: each thread is a device that waits until
 * its message is on disk (one fdatasync per group of waiting messages), as a device waits for
 * its 2.04. {@code drain}: peek and acknowledge 100,000 stored messages, as the publisher does.
 */
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class DurableQueueBenchmark {

    static Path tempDir() throws IOException {
        return Files.createTempDirectory("jmh-queue");
    }

    static void delete(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static QueueFixture openQueue(Path dir) throws IOException {
        return QueueFixture.open(dir, 10_000_000, 4L << 30);
    }

    @State(Scope.Benchmark)
    public static class Queue {
        QueueFixture queue;
        Path dir;
        final AtomicInteger devices = new AtomicInteger();

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = tempDir();
            queue = openQueue(dir);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            queue.close();
            delete(dir);
        }
    }

    @State(Scope.Thread)
    public static class Device {
        String id;
        long n;

        @Setup(Level.Trial)
        public void name(Queue q) {
            id = "dev-" + q.devices.incrementAndGet();
        }
    }

    @Benchmark
    @Threads(16)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public boolean enqueueDurable16Devices(Queue q, Device d) {
        DeviceMessage m = Messages.json(d.id, d.n++);
        return q.queue.offer(m);
    }

    @Benchmark
    @Threads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public boolean enqueueDurable1Device(Queue q, Device d) {
        DeviceMessage m = Messages.json(d.id, d.n++);
        return q.queue.offer(m);
    }

    /** A queue holding 100,000 messages of 1,000 devices, filled before each iteration. */
    @State(Scope.Thread)
    public static class Filled {
        static final int MESSAGES = 100_000;
        QueueFixture queue;
        Path dir;

        @Setup(Level.Iteration)
        public void fill() throws IOException {
            dir = tempDir();
            queue = openQueue(dir);
            for (int i = 0; i < MESSAGES; i++) {
                queue.offerNoWait(Messages.json("dev-" + (i % 1000), i));
            }
            queue.sync();
        }

        @TearDown(Level.Iteration)
        public void close() throws IOException {
            queue.close();
            delete(dir);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OperationsPerInvocation(Filled.MESSAGES)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public int drain(Filled f) {
        return f.queue.drain(1000);
    }
}
