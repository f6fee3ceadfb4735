package org.m2mgw.bench.suite;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** The cloud side of the benchmarks: a QoS 1 subscriber, and Paho publishing straight to the broker. */
final class Mqtt {

    private Mqtt() {
    }

    /** Counts what arrives on {@code filter}, QoS 1. */
    static final class Subscriber implements AutoCloseable {
        final LongAdder received = new LongAdder();
        private final MqttAsyncClient client;

        Subscriber(String url, String filter) throws MqttException {
            client = new MqttAsyncClient(url, "bench-sub-" + System.nanoTime(), new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMaxInflight(1000);
            o.setAutomaticReconnect(false);
            client.connect(o).waitForCompletion(10_000);
            client.subscribe(filter, 1, (topic, msg) -> received.increment()).waitForCompletion(10_000);
        }

        long count() {
            return received.sum();
        }

        @Override
        public void close() {
            try {
                client.disconnectForcibly(100, 1000);
                client.close();
            } catch (MqttException ignored) {
                // the broker may be gone already
            }
        }
    }

    /**
     * Paho (MQTT 3.1.1, memory persistence) publishing QoS 1 messages straight to the broker,
     * {@code clients} connections with at most {@code inflight} unacknowledged messages each.
     *
     * @return messages per second acknowledged by the broker during the measurement
     */
    static double pahoDirect(String url, int clients, int inflight, int payloadBytes, int warmupSeconds,
            int measureSeconds) throws Exception {
        LongAdder acked = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        byte[] payload = "x".repeat(payloadBytes).getBytes(StandardCharsets.US_ASCII);
        MqttAsyncClient[] cs = new MqttAsyncClient[clients];
        Thread[] threads = new Thread[clients];
        for (int i = 0; i < clients; i++) {
            MqttAsyncClient c = new MqttAsyncClient(url, "bench-paho-" + i + "-" + System.nanoTime(),
                    new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMaxInflight(inflight);
            c.connect(o).waitForCompletion(10_000);
            cs[i] = c;
            Semaphore window = new Semaphore(inflight);
            String topic = "bench/paho/" + i;
            IMqttActionListener done = new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken t) {
                    acked.increment();
                    window.release();
                }

                @Override
                public void onFailure(IMqttToken t, Throwable e) {
                    window.release();
                }
            };
            threads[i] = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        if (window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            c.publish(topic, payload, 1, false, null, done);
                        }
                    }
                } catch (Exception e) {
                    stop.set(true);
                }
            }, "paho-direct-" + i);
            threads[i].start();
        }
        Thread.sleep(warmupSeconds * 1000L);
        long a0 = acked.sum();
        long t0 = System.nanoTime();
        Thread.sleep(measureSeconds * 1000L);
        double rate = (acked.sum() - a0) / ((System.nanoTime() - t0) / 1e9);
        stop.set(true);
        for (int i = 0; i < clients; i++) {
            threads[i].join(5000);
            cs[i].disconnectForcibly(100, 1000);
            cs[i].close();
        }
        return rate;
    }
}
