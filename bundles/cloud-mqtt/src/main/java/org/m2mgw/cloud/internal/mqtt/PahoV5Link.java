package org.m2mgw.cloud.internal.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
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
    private volatile MqttAsyncClient client;
    private volatile CompletableFuture<IMqttToken> connecting;
    private volatile boolean closed;

    public PahoV5Link(LinkSettings settings) {
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
        CompletableFuture<IMqttToken> done = new CompletableFuture<>();
        connecting = done;
        client.connect(o, null, new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                done.complete(token);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable error) {
                done.completeExceptionally(error);
            }
        });
        IMqttToken connected = Connecting.await(done, closed, settings.connectTimeoutSeconds() * 1000L + 1000);
        MqttProperties props = connected.getResponseProperties();
        if (props != null && props.getReceiveMaximum() != null && props.getReceiveMaximum() > 0) {
            receiveMaximum = props.getReceiveMaximum();
        }
    }

    private volatile int receiveMaximum = 65_535;

    @Override
    public int maxInflight() {
        return receiveMaximum;
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
            c.publish(topic, m, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    // MQTT 5 reports a refusal (reason code >= 0x80) in a PUBACK that Paho
                    // still counts as success: it must not be taken as delivered.
                    int[] codes = token.getReasonCodes();
                    if (codes != null) {
                        for (int code : codes) {
                            if (code >= 0x80) {
                                failed.accept(new MqttLink.Refused(String.format(
                                        "broker refused the message (reason 0x%02x)", code)));
                                return;
                            }
                        }
                    }
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
