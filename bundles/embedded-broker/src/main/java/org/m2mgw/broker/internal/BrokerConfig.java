package org.m2mgw.broker.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Metatype of {@link EmbeddedBroker}; the OCD id is the component's PID. */
@ObjectClassDefinition(id = EmbeddedBroker.PID, name = "Embedded MQTT broker",
        description = "An MQTT 3.1.1 broker inside the gateway, so that the cloud connection has "
                + "somewhere to publish out of the box. Turn it off when the gateway publishes to a "
                + "real broker.")
@interface BrokerConfig {

    @AttributeDefinition(name = "broker.enabled", description = "Run the embedded broker. "
            + "Default: true.")
    boolean broker_enabled() default true;

    @AttributeDefinition(name = "broker.host", description = "Address the broker listens on. "
            + "Keep it on loopback unless other machines must reach it: it has no TLS. "
            + "Default: 127.0.0.1.")
    String broker_host() default "127.0.0.1";

    @AttributeDefinition(name = "broker.port", description = "TCP port of the broker, 1 to 65535. "
            + "Default: 1883.", min = "1", max = "65535")
    int broker_port() default 1883;
}
