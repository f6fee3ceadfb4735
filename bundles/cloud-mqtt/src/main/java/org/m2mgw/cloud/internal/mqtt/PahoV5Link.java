package org.m2mgw.cloud.internal.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** MQTT 5 through Paho's mqttv5 client; see {@link PahoV3Link} for why persistence is in memory. */
public final class PahoV5Link implements MqttLink {
    private final LinkSettings settings;
    private MqttAsyncClient client;

    public PahoV5Link(LinkSettings settings) {
        this.settings = settings;
    }

    @Override
    public void connect(Listener listener) throws Exception {
        client = new MqttAsyncClient(settings.brokerUrl(), settings.clientId(), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                listener.connectionLost(response.getException() != null ? response.getException()
                        : new IllegalStateException("disconnected by broker: " + response.getReasonString()));
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                // reported through the failing operation
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                listener.messageArrived(topic, message.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
                // handled per publish through its action listener
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(settings.cleanStart());
        o.setSessionExpiryInterval(settings.sessionExpirySeconds());
        o.setKeepAliveInterval(settings.keepAliveSeconds());
        o.setConnectionTimeout(settings.connectTimeoutSeconds());
        o.setAutomaticReconnect(false);
        if (settings.username() != null && !settings.username().isEmpty()) {
            o.setUserName(settings.username());
        }
        if (settings.password() != null && settings.password().length > 0) {
            o.setPassword(new String(settings.password()).getBytes(StandardCharsets.UTF_8));
        }
        if (settings.socketFactory() != null) {
            o.setSocketFactory(settings.socketFactory());
            o.setHttpsHostnameVerificationEnabled(settings.hostnameVerification());
        }
        client.connect(o).waitForCompletion(settings.connectTimeoutSeconds() * 1000L + 1000);
    }

    @Override
    public boolean isConnected() {
        return client != null && client.isConnected();
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, Runnable delivered, Consumer<Throwable> failed) {
        try {
            MqttMessage m = new MqttMessage(payload);
            m.setQos(qos);
            client.publish(topic, m, null, new MqttActionListener() {
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
        client.subscribe(filter, qos).waitForCompletion(settings.connectTimeoutSeconds() * 1000L + 1000);
    }

    @Override
    public void close() {
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
            c.close(true);
        } catch (MqttException | RuntimeException ignored) {
            // nothing more to release
        }
    }
}
