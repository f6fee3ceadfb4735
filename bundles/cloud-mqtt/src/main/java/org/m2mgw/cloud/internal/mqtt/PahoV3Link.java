package org.m2mgw.cloud.internal.mqtt;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * MQTT 3.1.1 through Paho's mqttv3 client. Paho keeps in-flight messages in memory only: the
 * durable queue is the store of record, and anything not acknowledged is published again.
 */
public final class PahoV3Link implements MqttLink {
    private final LinkSettings settings;
    private volatile MqttAsyncClient client;
    private volatile CompletableFuture<IMqttToken> connecting;
    private volatile boolean closed;

    public PahoV3Link(LinkSettings settings) {
        this.settings = settings;
    }

    @Override
    public void connect(Listener listener) throws Exception {
        if (closed) {
            throw new IllegalStateException("link closed");
        }
        client = new MqttAsyncClient(settings.brokerUrl(), settings.clientId(), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                listener.connectionLost(cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                listener.messageArrived(topic, message.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // handled per publish through its action listener
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(settings.cleanStart());
        o.setKeepAliveInterval(settings.keepAliveSeconds());
        o.setConnectionTimeout(settings.connectTimeoutSeconds());
        o.setAutomaticReconnect(false);
        o.setMaxInflight(settings.maxInflight());
        if (settings.username() != null && !settings.username().isEmpty()) {
            o.setUserName(settings.username());
        }
        if (settings.password() != null && settings.password().length > 0) {
            o.setPassword(settings.password());
        }
        if (settings.socketFactory() != null) {
            o.setSocketFactory(settings.socketFactory());
            o.setHttpsHostnameVerificationEnabled(settings.hostnameVerification());
        }
        CompletableFuture<IMqttToken> done = new CompletableFuture<>();
        connecting = done;
        client.connect(o, null, new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                done.complete(token);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable error) {
                done.completeExceptionally(error);
            }
        });
        Connecting.await(done, closed, settings.connectTimeoutSeconds() * 1000L + 1000);
    }

    @Override
    public boolean isConnected() {
        MqttAsyncClient c = client;
        return c != null && c.isConnected();
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, Runnable delivered, Consumer<Throwable> failed) {
        MqttAsyncClient c = client;
        if (c == null) {
            failed.accept(new IllegalStateException("link closed"));
            return;
        }
        try {
            MqttMessage m = new MqttMessage(payload);
            m.setQos(qos);
            c.publish(topic, m, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    delivered.run();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    failed.accept(error);
                }
            });
        } catch (MqttException | RuntimeException e) {
            failed.accept(e);
        }
    }

    @Override
    public void subscribe(String filter, int qos) throws Exception {
        MqttAsyncClient c = client;
        if (c == null) {
            throw new IllegalStateException("link closed");
        }
        c.subscribe(filter, qos).waitForCompletion(settings.connectTimeoutSeconds() * 1000L + 1000);
    }

    @Override
    public void close() {
        closed = true;
        Connecting.abort(connecting);
        MqttAsyncClient c = client;
        client = null;
        if (c == null) {
            return;
        }
        try {
            if (c.isConnected()) {
                c.disconnect(0).waitForCompletion(2000);
            }
        } catch (MqttException | RuntimeException ignored) {
            // closing anyway
        }
        try {
            // Also ends a connect still in progress, so that no client is left behind.
            c.disconnectForcibly(0, 0, false);
        } catch (MqttException | RuntimeException ignored) {
            // already disconnected
        }
        try {
            c.close(true);
        } catch (MqttException | RuntimeException ignored) {
            // nothing more to release
        }
    }
}
