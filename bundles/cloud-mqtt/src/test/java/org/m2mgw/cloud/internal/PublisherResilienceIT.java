package org.m2mgw.cloud.internal;

import org.m2mgw.cloud.testsupport.Mosquitto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.cloud.internal.CloudConnectionIT.await;
import static org.m2mgw.cloud.internal.CloudHarness.accept;
import static org.m2mgw.cloud.internal.CloudHarness.counter;
import static org.m2mgw.cloud.internal.CloudHarness.message;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.cloud.internal.mqtt.MqttLink;

/**
 * Findings 4 and 5 of the security review: the publishing thread outlives any error thrown at it,
 * and the connection is back within seconds of the broker's return, however long it was away.
 */
class PublisherResilienceIT {
    @TempDir
    Path tmp;
    CloudHarness h;

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    /** A link that throws an Error from its first {@code errors} publishes, as a broken library might. */
    static LinkFactory throwingErrors(int errors, AtomicInteger thrown) {
        return (mqtt5, settings) -> new MqttLink() {
            final MqttLink real = LinkFactory.PAHO.create(mqtt5, settings);

            @Override
            public void connect(Listener listener) throws Exception {
                real.connect(listener);
            }

            @Override
            public boolean isConnected() {
                return real.isConnected();
            }

            @Override
            public void publish(String topic, byte[] payload, int qos, Runnable delivered, Consumer<Throwable> failed) {
                if (thrown.get() < errors) {
                    thrown.incrementAndGet();
                    throw new NoClassDefFoundError("injected: org/example/Gone");
                }
                real.publish(topic, payload, qos, delivered, failed);
            }

            @Override
            public void subscribe(String filter, int qos) throws Exception {
                real.subscribe(filter, qos);
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }

    @Test
    void givenALinkThatThrowsAnError_thenItIsLoggedOnceWithItsCause_andLaterMessagesStillPublish() throws Exception {
        h = new CloudHarness(tmp);
        Mosquitto broker = h.broker("");
        CloudConnectionIT.Subscriber sub = h.subscriber(broker.url(), "m2mgw/#");
        AtomicInteger thrown = new AtomicInteger();
        try (CloudHarness.LogCapture log = new CloudHarness.LogCapture()) {
            CloudConnection c = h.connection(Map.of("broker_url", broker.url(), "routes", CloudHarness.RAW_ROUTES),
                    throwingErrors(3, thrown));
            await("connected", 10_000, () -> c.statusLine().startsWith("connected"));
            for (int i = 0; i < 20; i++) {
                assertThat(accept(c, message("dev" + (i % 3), i)).isAccepted()).isTrue();
            }
            try {
                await("all 20 published", 20_000, () -> sub.ids.size() == 20);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": " + c.statusLine() + " " + c.counters(), e);
            }
            assertThat(thrown.get()).isEqualTo(3);
            assertThat(log.lines("injected: org/example/Gone", "NoClassDefFoundError")).hasSize(1);
            assertThat(counter(c, "publisher.errors")).isEqualTo(3);
            assertThat(c.statusLine()).startsWith("connected");
        }
    }

    @Test
    void givenTheBrokerDownFor15Seconds_thenTheConnectionIsBackWithinSecondsOfItsReturn() throws Exception {
        h = new CloudHarness(tmp);
        Mosquitto broker = h.broker("");
        CloudConnectionIT.Subscriber sub = h.subscriber(broker.url(), "m2mgw/#");
        // A long backoff: without probing, the next attempt after the broker's return would come
        // only 10 to 20 s later.
        CloudConnection c = h.connection(Map.of("broker_url", broker.url(), "routes", CloudHarness.RAW_ROUTES,
                "reconnect_min_seconds", 10, "reconnect_max_seconds", 60));
        await("connected", 10_000, () -> c.statusLine().startsWith("connected"));
        broker.stop();
        await("disconnected", 10_000, () -> !c.statusLine().startsWith("connected"));
        assertThat(accept(c, message("dev", 1)).isAccepted()).isTrue();
        Thread.sleep(15_000);
        long connectsBefore = counter(c, "connects");

        long t0 = System.nanoTime();
        broker.start();
        await("connected again", 20_000, () -> c.statusLine().startsWith("connected"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("reconnected " + ms + " ms after the broker's return");
        assertThat(ms).isLessThan(5_000);
        assertThat(counter(c, "connects")).isEqualTo(connectsBefore + 1);
        await("the message queued meanwhile delivered", 10_000, () -> sub.ids.contains("m-dev-1"));
    }

    @Test
    void givenAConnectTheBrokerNeverAnswers_whenTheConnectionStops_thenItStopsAtOnce() throws Exception {
        h = new CloudHarness(tmp);
        // accepts TCP connections and never says a word, like a broker that hangs
        java.net.ServerSocket silent = h.closeLater(new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress()));
        List<java.net.Socket> held = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Thread acceptor = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept());
                } catch (java.io.IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        CloudConnection c = h.connection(Map.of("broker_url", "tcp://127.0.0.1:" + silent.getLocalPort()));
        await("connecting", 10_000, () -> !held.isEmpty());
        Thread.sleep(200);
        assertThat(c.statusLine()).startsWith("connecting");

        long t0 = System.nanoTime();
        h.stop(c);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("stopping took " + ms + " ms").isLessThan(2_000);
        assertThat(c.statusLine()).isEqualTo("stopped");
    }
}
