package org.m2mgw.cloud.internal;

import org.m2mgw.cloud.internal.mqtt.LinkSettings;
import org.m2mgw.cloud.internal.mqtt.MqttLink;
import org.m2mgw.cloud.internal.mqtt.PahoV3Link;
import org.m2mgw.cloud.internal.mqtt.PahoV5Link;

/** Makes the MQTT link of each connection attempt; tests wrap it to inject failures. */
@FunctionalInterface
interface LinkFactory {
    /** Eclipse Paho: its MQTT 5 client or its MQTT 3.1.1 client. */
    LinkFactory PAHO = (mqtt5, settings) -> mqtt5 ? new PahoV5Link(settings) : new PahoV3Link(settings);

    /**
     * @param mqtt5 whether to speak MQTT 5 rather than 3.1.1
     * @param settings what the link needs to connect
     * @return a new, unconnected link
     */
    MqttLink create(boolean mqtt5, LinkSettings settings);
}
