package org.m2mgw.cloud.testsupport;

import org.m2mgw.cloud.internal.queue.QueueOptions;

import org.m2mgw.cloud.internal.queue.DurableQueue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
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
 * <p>Arguments: seconds per run (default 3), then producer counts (default 1 8 64).
 */
public final class QueueVsPahoFile {

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
        System.out.printf("%-10s %15s %15s %8s%n", "producers", "queue msg/s", "paho file msg/s", "ratio");
        for (int n : producers) {
            double[] q = new double[3];
            double[] p = new double[3];
            for (int r = 0; r < 3; r++) {
                q[r] = queue(n, seconds);
                p[r] = paho(n, seconds);
            }
            Arrays.sort(q);
            Arrays.sort(p);
            System.out.printf("%-10d %15.0f %15.0f %7.1fx%n", n, q[1], p[1], q[1] / p[1]);
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
        return measure(threads, stop, done, seconds);
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
}
