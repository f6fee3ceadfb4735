package org.m2mgw.broker.internal;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.util.Properties;
import java.util.Map;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.m2mgw.api.runtime.StatusProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Moquette MQTT broker in the gateway's JVM. Configuration changes apply live: the broker
 * is restarted with the new settings. Invalid settings are refused with one log line naming the
 * key; the broker then stays stopped and the rest of the gateway is unaffected.
 */
@Component(name = EmbeddedBroker.PID, immediate = true, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "service.pid=" + EmbeddedBroker.PID,
        service = {ConfigurableComponent.class, StatusProvider.class, EmbeddedBroker.class})
@Designate(ocd = BrokerConfig.class)
public class EmbeddedBroker implements ConfigurableComponent, StatusProvider {
    static final String PID = "org.m2mgw.broker";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    private Server server;
    private BrokerSettings running;
    private volatile String status = "stopped";

    @Activate
    void activate(BrokerConfig config) {
        apply(config);
    }

    @Modified
    synchronized void modified(BrokerConfig config) {
        apply(config);
    }

    @Deactivate
    synchronized void deactivate() {
        stop();
        status = "stopped";
    }

    private synchronized void apply(BrokerConfig config) {
        BrokerSettings settings;
        try {
            settings = BrokerSettings.from(config);
        } catch (BrokerSettings.InvalidConfigurationException e) {
            stop();
            status = "invalid configuration: " + e.getMessage();
            LOG.error("Embedded broker not started, invalid configuration of {}: {}", PID, e.getMessage());
            return;
        }
        if (settings.equals(running)) {
            return;
        }
        stop();
        if (!settings.enabled()) {
            status = "disabled (broker.enabled=false)";
            LOG.info("Embedded broker is disabled");
            return;
        }
        if (!settings.isLoopback()) {
            LOG.warn("Embedded broker listens on {}, which is not loopback: it has no TLS and no "
                    + "authentication, so any host that reaches it can publish", settings.host());
        }
        start(settings);
    }

    private void start(BrokerSettings settings) {
        Properties p = new Properties();
        p.setProperty("host", settings.host());
        p.setProperty("port", Integer.toString(settings.port()));
        p.setProperty("websocket_port", "disabled");
        // No disk writes (the cloud bridge keeps its own durable queue) and no phoning home.
        p.setProperty("persistence_enabled", "false");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("netty.epoll", "false");
        p.setProperty("allow_anonymous", "true");
        Server s = new Server();
        try {
            s.startServer(new MemoryConfig(p));
        } catch (IOException | RuntimeException e) {
            status = "failed: cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage();
            LOG.error("Embedded broker cannot listen on {}:{} (broker.host/broker.port): {}",
                    settings.host(), settings.port(), e.getMessage());
            try {
                s.stopServer();
            } catch (RuntimeException ignored) {
                // It never started.
            }
            return;
        }
        server = s;
        running = settings;
        status = "running on " + settings.host() + ":" + settings.port();
        LOG.info("Embedded MQTT broker listening on {}:{}", settings.host(), settings.port());
    }

    private void stop() {
        if (server != null) {
            server.stopServer();
            LOG.info("Embedded MQTT broker stopped");
        }
        server = null;
        running = null;
    }

    /** @return a one-line status for the console and the shell */
    public String status() {
        return status;
    }

    @Override
    public String statusName() {
        return PID;
    }

    @Override
    public String statusLine() {
        return status;
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of();
    }

    /** @return the configured port while the broker runs, or -1 */
    public synchronized int port() {
        return running == null ? -1 : running.port();
    }
}
