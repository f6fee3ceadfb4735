package org.m2mgw.cloud.internal.mqtt;

import java.util.function.Consumer;

/**
 * One MQTT client connection, hiding whether it speaks MQTT 5 or 3.1.1 (Eclipse Paho has a client
 * library for each). The cloud connection owns reconnection and the durable queue; a link only
 * connects once, publishes and subscribes.
 */
public interface MqttLink extends AutoCloseable {

    /** Callbacks from the client library's threads; implementations must not block. */
    interface Listener {
        void connectionLost(Throwable cause);

        void messageArrived(String topic, byte[] payload);
    }

    /**
     * The broker refused one publication (an MQTT 5 PUBACK reason code of 0x80 or more): the
     * message itself is the problem, not the connection.
     */
    final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** Connects, blocking up to the connect timeout. */
    void connect(Listener listener) throws Exception;

    boolean isConnected();

    /**
     * Publishes. {@code delivered} runs once the broker has the message (PUBACK for QoS 1, sent
     * for QoS 0); {@code failed} runs otherwise, with a {@link Refused} if the broker refused the
     * message itself. At most one of them runs; neither may run for a link that was lost.
     */
    void publish(String topic, byte[] payload, int qos, Runnable delivered, Consumer<Throwable> failed);

    void subscribe(String filter, int qos) throws Exception;

    /** @return how many QoS 1 messages the broker accepts in flight (MQTT 5 Receive Maximum) */
    default int maxInflight() {
        return Integer.MAX_VALUE;
    }

    /** Disconnects quietly; never throws. */
    @Override
    void close();
}
