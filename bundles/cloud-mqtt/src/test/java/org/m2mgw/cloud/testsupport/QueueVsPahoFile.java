package org.m2mgw.cloud.testsupport;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import org.m2mgw.cloud.internal.queue.MessageCodec;
import org.m2mgw.cloud.internal.queue.QueueOptions;

import org.m2mgw.cloud.internal.queue.DurableQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.MqttPersistable;
import org.eclipse.paho.client.mqttv3.persist.MqttDefaultFilePersistence;
import org.m2mgw.api.message.DeviceMessage;

/**
 * Same-run comparison of durable acceptance: the gateway's queue (group commit, one fsync per
 * batch) against Eclipse Paho's file persistence (one file and one sync per message), with the
 * same producers, each waiting for its message to be durable before the next, as devices wait
 * for 2.04. Each Paho producer gets its own persistence directory, Paho's best case. Prints a
 * table of medians over three runs. Not a test: timings depend on the machine.
 *
 * <p>The {@linkplain #rawGroupCommit raw} column is the disk's limit for this workload:
 * the same group commit reduced to its bare bones (records of the queue's size, one positional
 * write and one {@code fdatasync} per batch, no encoding, framing, checksum or index). Targets:
 * queue at least 0.80x raw, and at least 5x Paho.
 *
 * <p>Arguments: seconds per run (default 3), then producer counts (default 1 8 64).
 */
public final class QueueVsPahoFile {
    /** Most records the queue's writer takes per batch ({@code QueueWriter.MAX_BATCH}). */
    static final int QUEUE_MAX_BATCH = 8192;
    /**
     * The queue writer's batch buffer ({@code SegmentFiles}): a batch larger than this goes out
     * in several writes, still under one fsync.
     */
    static final int QUEUE_BATCH_BUFFER = 1 << 20;

    private QueueVsPahoFile() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<Integer> producers = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            producers.add(Integer.parseInt(args[i]));
        }
        if (producers.isEmpty()) {
            producers = List.of(1, 8, 64);
        }
        int recordBytes = queueRecordBytes();
        System.out.printf("raw records of %d bytes: what the queue writes for TestMessages.message(\"dev0\", 1000, 200)%n",
                recordBytes);
        System.out.printf("%-10s %15s %15s %15s %10s %11s%n", "producers", "queue msg/s", "raw msg/s",
                "paho file msg/s", "queue/raw", "queue/paho");
        for (int n : producers) {
            double[] q = new double[3];
            double[] w = new double[3];
            double[] p = new double[3];
            for (int r = 0; r < 3; r++) {
                q[r] = queue(n, seconds);
                w[r] = rawGroupCommit(n, seconds, recordBytes);
                p[r] = paho(n, seconds);
            }
            Arrays.sort(q);
            Arrays.sort(w);
            Arrays.sort(p);
            System.out.printf("%-10d %15.0f %15.0f %15.0f %9.2fx %10.1fx%n", n, q[1], w[1], p[1], q[1] / w[1],
                    q[1] / p[1]);
        }
    }

    /**
     * The bytes the queue appends to its segment for the benchmark's message, measured on disk:
     * one message offered to a fresh queue through the real encoder ({@link MessageCodec}) and
     * the real framing, then the segment file's size. For {@code TestMessages.message("dev0",
     * 1000, 200)} that is 320: a 298-byte record (1 version + 1 flags + 2+9 message id + 2+4
     * device id + 2+14 resource + 4 content format + 8+4 receive time + 2+8 protocol + 2+26
     * cipher suite + 2+3 credential type + 4+200 payload) in a frame of 8 (length, CRC32C) + 10
     * (sequence, key length) + 4 (key, the device id). Device names and message numbers of other
     * lengths change it by a few bytes.
     *
     * @return the frame length in bytes
     */
    public static int queueRecordBytes() throws IOException {
        DeviceMessage m = TestMessages.message("dev0", 1000, 200);
        Path dir = Files.createTempDirectory("queue-record");
        try {
            try (DurableQueue queue = new DurableQueue(dir, QueueOptions.defaults())) {
                if (!queue.offer(m).join().isAccepted()) {
                    throw new IllegalStateException("the queue refused the sample message");
                }
            }
            try (Stream<Path> files = Files.list(dir)) {
                long onDisk = files.filter(f -> f.getFileName().toString().endsWith(".seg"))
                        .mapToLong(QueueVsPahoFile::size).sum();
                int record = MessageCodec.encode(m).length;
                if (onDisk <= record) {
                    throw new IllegalStateException("segment holds " + onDisk + " bytes for a " + record + "-byte record");
                }
                return Math.toIntExact(onDisk);
            }
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * The disk's limit for the queue's workload: {@code producers} threads each hand a record of
     * {@code recordBytes} to one writer thread and wait until it is durable, as callers of
     * {@code offer(m).join()} do. The writer takes every record waiting (at most
     * {@value #QUEUE_MAX_BATCH}), appends them with one positional write to one file opened
     * beforehand, calls {@code FileChannel.force(false)} (fdatasync) once, as the queue does for
     * its segment, and wakes the producers of the batch. Nothing is encoded, framed, checksummed
     * or indexed, and nothing is allocated per record.
     *
     * <p>The writer wakes the producers itself; the queue leaves that to its completion thread and
     * starts its next fsync meanwhile. With many producers on few cores that overlap can make the
     * queue match the raw loop, so read the ratio at 64 producers with that in mind.
     *
     * @return records per second made durable
     */
    public static double rawGroupCommit(int producers, int seconds, int recordBytes) throws Exception {
        Path dir = Files.createTempDirectory("raw-bench");
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        try (RawLog log = new RawLog(dir.resolve("raw.log"), producers, recordBytes)) {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < producers; i++) {
                RawLog.Producer p = log.producer(i);
                threads.add(new Thread(() -> {
                    while (!stop.get()) {
                        p.commit();
                        done.increment();
                    }
                }));
            }
            return measure(threads, stop, done, seconds);
        } finally {
            deleteTree(dir);
        }
    }

    /** The group commit of {@link #rawGroupCommit}: producers' slots, a ring of waiting ones, one writer. */
    private static final class RawLog implements AutoCloseable {
        private final FileChannel file;
        private final Producer[] producers;
        private final Object lock = new Object();
        /** Producers whose record waits for the writer, oldest first; each waits with at most one. */
        private final Producer[] ring;
        private int head;
        private int count;
        private boolean closed;
        private final Thread writer;
        private volatile IOException failure;

        RawLog(Path path, int producerCount, int recordBytes) throws IOException {
            file = FileChannel.open(path, CREATE_NEW, WRITE);
            producers = new Producer[producerCount];
            for (int i = 0; i < producerCount; i++) {
                byte[] record = new byte[recordBytes];
                Arrays.fill(record, (byte) i);
                producers[i] = new Producer(record);
            }
            ring = new Producer[producerCount];
            writer = new Thread(this::write, "raw-group-commit");
            writer.setDaemon(true);
            writer.start();
        }

        Producer producer(int i) {
            return producers[i];
        }

        private void submit(Producer p) {
            synchronized (lock) {
                ring[(head + count) % ring.length] = p;
                if (++count == 1) {
                    lock.notify();
                }
            }
        }

        private void write() {
            ByteBuffer buf = ByteBuffer.allocateDirect(QUEUE_BATCH_BUFFER);
            Producer[] batch = new Producer[Math.min(ring.length, QUEUE_MAX_BATCH)];
            long position = 0;
            try {
                while (true) {
                    int n;
                    synchronized (lock) {
                        while (count == 0 && !closed) {
                            lock.wait();
                        }
                        if (count == 0) {
                            return;
                        }
                        n = Math.min(count, batch.length);
                        for (int i = 0; i < n; i++) {
                            batch[i] = ring[head];
                            head = (head + 1) % ring.length;
                        }
                        count -= n;
                    }
                    buf.clear();
                    for (int i = 0; i < n; i++) {
                        if (buf.remaining() < batch[i].record.length) {
                            position = flush(buf, position);
                        }
                        buf.put(batch[i].record);
                    }
                    position = flush(buf, position);
                    file.force(false);
                    for (int i = 0; i < n; i++) {
                        Producer p = batch[i];
                        batch[i] = null;
                        p.durable = true;
                        LockSupport.unpark(p.thread);
                    }
                }
            } catch (IOException e) {
                failure = e;
                wakeAll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private long flush(ByteBuffer buf, long position) throws IOException {
            buf.flip();
            while (buf.hasRemaining()) {
                position += file.write(buf, position);
            }
            buf.clear();
            return position;
        }

        private void wakeAll() {
            for (Producer p : producers) {
                LockSupport.unpark(p.thread);
            }
        }

        @Override
        public void close() throws IOException {
            synchronized (lock) {
                closed = true;
                lock.notify();
            }
            try {
                writer.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            file.close();
        }

        /** One producer's record, and whether the record it handed over last is durable. */
        final class Producer {
            final byte[] record;
            volatile Thread thread;
            volatile boolean durable;

            Producer(byte[] record) {
                this.record = record;
            }

            /** Hands the record to the writer and returns once it is fsynced. */
            void commit() {
                thread = Thread.currentThread();
                durable = false;
                submit(this);
                while (!durable) {
                    if (failure != null) {
                        throw new UncheckedIOException(failure);
                    }
                    LockSupport.park(this);
                }
            }
        }
    }

    /** @return messages per second made durable by the queue, {@code producers} waiting each */
    public static double queue(int producers, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("queue-bench");
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        try (DurableQueue queue = new DurableQueue(dir, QueueOptions.defaults().withMaxMessages(5_000_000)
                .withMaxBytes(4L << 30))) {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < producers; i++) {
                String device = "dev" + i;
                Thread t = new Thread(() -> {
                    int n = 0;
                    while (!stop.get()) {
                        DeviceMessage m = TestMessages.message(device, n++, 200);
                        if (queue.offer(m).join().isAccepted()) {
                            done.increment();
                        }
                    }
                });
                threads.add(t);
            }
            return measure(threads, stop, done, seconds);
        } finally {
            deleteTree(dir);
        }
    }

    /** @return messages per second persisted by Paho's file persistence, one directory per producer */
    public static double paho(int producers, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("paho-bench");
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        byte[] payload = new byte[200 + 40];
        for (int i = 0; i < producers; i++) {
            MqttDefaultFilePersistence p = new MqttDefaultFilePersistence(dir.toString());
            p.open("client" + i, "tcp://127.0.0.1:1883");
            Thread t = new Thread(() -> {
                int n = 0;
                try {
                    while (!stop.get()) {
                        // What Paho does for each QoS 1 message before sending it.
                        p.put("s-" + (n++), persistable(payload));
                        done.increment();
                    }
                    p.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            threads.add(t);
        }
        try {
            return measure(threads, stop, done, seconds);
        } finally {
            deleteTree(dir);
        }
    }

    private static MqttPersistable persistable(byte[] payload) {
        return new MqttPersistable() {
            @Override
            public byte[] getHeaderBytes() {
                return new byte[] {0x32, 0};
            }

            @Override
            public int getHeaderLength() {
                return 2;
            }

            @Override
            public int getHeaderOffset() {
                return 0;
            }

            @Override
            public byte[] getPayloadBytes() {
                return payload;
            }

            @Override
            public int getPayloadLength() {
                return payload.length;
            }

            @Override
            public int getPayloadOffset() {
                return 0;
            }
        };
    }

    private static double measure(List<Thread> threads, AtomicBoolean stop, LongAdder done, int seconds)
            throws InterruptedException {
        threads.forEach(Thread::start);
        Thread.sleep(500); // warm-up
        long before = done.sum();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long count = done.sum() - before;
        double elapsed = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
        return count / elapsed;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes a run's temporary directory; best effort, so that it never hides a result. */
    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("cannot remove " + dir + ": " + e);
        }
    }
}
