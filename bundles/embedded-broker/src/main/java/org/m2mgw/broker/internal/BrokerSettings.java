package org.m2mgw.broker.internal;

import java.util.ArrayList;
import java.util.List;
import org.m2mgw.support.config.Metatype;

/** Validated broker settings. Every error message names the configuration key it is about. */
record BrokerSettings(boolean enabled, String host, int port) {

    /** The broker's metatype: the one definition of its keys, defaults and ranges. */
    static final Metatype METATYPE = Metatype.of(BrokerConfig.class, EmbeddedBroker.PID);

    static BrokerSettings from(BrokerConfig c) {
        List<String> errors = new ArrayList<>(METATYPE.problems(c));
        String host = c.broker_host() == null ? "" : c.broker_host().trim();
        if (host.isEmpty()) {
            errors.add("broker.host must not be empty");
        } else if (!host.matches("[A-Za-z0-9.:\\-\\[\\]%]+")) {
            errors.add("broker.host '" + host + "' is not a host name or IP address");
        }
        int port = c.broker_port();
        if (!errors.isEmpty()) {
            throw new InvalidConfigurationException(String.join("; ", errors));
        }
        return new BrokerSettings(c.broker_enabled(), host, port);
    }

    boolean isLoopback() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1")
                || host.equals("[::1]");
    }

    /** A configuration value that cannot be used; the message names the key. */
    static final class InvalidConfigurationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidConfigurationException(String message) {
            super(message);
        }
    }
}
