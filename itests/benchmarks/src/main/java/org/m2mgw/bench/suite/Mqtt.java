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

    /**
     * The cloud side of Kura's DEPLOY-V2: publishes a request to the gateway and waits for the
     * final notification of the job (install or uninstall).
     */
    static final class Deploy implements AutoCloseable {
        private final MqttAsyncClient client;
        private final String gateway;
        private final java.util.concurrent.BlockingQueue<org.m2mgw.update.internal.kura.KuraPayload> notes =
                new java.util.concurrent.LinkedBlockingQueue<>();

        Deploy(String url, String gateway) throws MqttException {
            this.gateway = gateway;
            client = new MqttAsyncClient(url, "bench-cloud-" + System.nanoTime(), new MemoryPersistence());
            client.connect(new MqttConnectOptions()).waitForCompletion(10_000);
            client.subscribe("$EDC/m2mgw/bench-cloud/DEPLOY-V2/NOTIFY/#", 1,
                    (topic, msg) -> notes.add(org.m2mgw.update.internal.kura.KuraPayload.decode(msg.getPayload())))
                    .waitForCompletion(10_000);
        }

        /**
         * @param what "install" or "uninstall": the notification that ends the job
         * @return the final status and error message, e.g. "COMPLETED" or "FAILED: reason"
         */
        String run(String resource, org.m2mgw.update.internal.kura.KuraPayload request, long jobId, String what,
                long timeoutMs) throws Exception {
            notes.clear();
            request.put("job.id", jobId).put("requester.client.id", "bench-cloud").put("request.id", "r" + jobId);
            client.publish("$EDC/m2mgw/" + gateway + "/DEPLOY-V2/" + resource, request.encode(), 1, false)
                    .waitForCompletion(10_000);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (System.nanoTime() < deadline) {
                org.m2mgw.update.internal.kura.KuraPayload n = notes.poll(200, TimeUnit.MILLISECONDS);
                if (n == null || !Long.valueOf(jobId).equals(n.number("job.id").orElse(-1L))) {
                    continue;
                }
                String status = n.string("dp." + what + ".status").orElse(n.string("dp.download.status").orElse(""));
                if (status.equals("COMPLETED") && n.metrics().containsKey("dp." + what + ".status")
                        || status.equals("FAILED") || status.equals("ALREADY DONE")) {
                    return status + n.string("dp." + what + ".error.message")
                            .or(() -> n.string("dp.download.error.message")).map(m -> ": " + m).orElse("");
                }
            }
            return "no outcome within " + timeoutMs / 1000 + " s";
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
