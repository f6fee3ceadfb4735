package org.m2mgw.core.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.regex.Pattern;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provides {@link GatewayRuntime}: the gateway id from configuration, and the data directory from
 * the framework property {@value DataDirectory#PROPERTY}.
 *
 * <p>The {@code GatewayRuntime} service is registered by hand, and only when the data directory
 * is usable. A bad data directory then gives one clear log line naming the property, no stack
 * trace, and a framework that keeps running (the console stays reachable to diagnose it).
 *
 * <p>The configuration policy is OPTIONAL rather than REQUIRE: every other bundle depends on this
 * service, so the gateway must come up with defaults even before its configuration is applied.
 */
@Component(name = GatewayRuntimeComponent.PID, immediate = true,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = "service.pid=" + GatewayRuntimeComponent.PID,
        service = ConfigurableComponent.class)
@Designate(ocd = GatewayConfig.class)
public class GatewayRuntimeComponent implements GatewayRuntime, ConfigurableComponent {
    static final String PID = "org.m2mgw.gateway";
    private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntimeComponent.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private DataDirectory dataDirectory;
    private volatile String gatewayId;
    private ServiceRegistration<GatewayRuntime> registration;

    @Activate
    void activate(BundleContext context, GatewayConfig config) {
        apply(config);
        String configured = DataDirectory.configuredPath(context::getProperty);
        try {
            dataDirectory = DataDirectory.fromProperty(configured);
        } catch (IllegalStateException e) {
            LOG.error("Gateway cannot start its services: {}", e.getMessage());
            return;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("gateway.data.dir", dataDirectory.root().toString());
        registration = context.registerService(GatewayRuntime.class, this, props);
        LOG.info("Gateway '{}' started, data directory {}", gatewayId, dataDirectory.root());
    }

    @Modified
    void modified(GatewayConfig config) {
        String before = gatewayId;
        apply(config);
        if (!gatewayId.equals(before)) {
            LOG.info("Gateway id is now '{}'", gatewayId);
        }
    }

    @Deactivate
    void deactivate() {
        LOG.info("Gateway stopped");
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // The framework is stopping and removed it already.
            }
            registration = null;
        }
    }

    private void apply(GatewayConfig config) {
        gatewayId = resolveGatewayId(config.gateway_id());
    }

    static String resolveGatewayId(String configured) {
        String value = configured == null ? "" : configured.trim();
        if (value.isEmpty()) {
            value = hostName();
        }
        if (!ID.matcher(value).matches()) {
            String fallback = "gateway";
            LOG.error("gateway.id '{}' is invalid: use 1 to 64 letters, digits, '.', '_' or '-'. "
                    + "Using '{}' until it is fixed.", sanitize(value), fallback);
            return fallback;
        }
        return value;
    }

    private static String hostName() {
        try {
            String host = InetAddress.getLocalHost().getHostName();
            int dot = host.indexOf('.');
            String shortName = dot > 0 ? host.substring(0, dot) : host;
            return ID.matcher(shortName).matches() ? shortName : "gateway";
        } catch (IOException e) {
            return "gateway";
        }
    }

    private static String sanitize(String s) {
        return s == null ? "null" : org.m2mgw.support.Text.printable(s, 80);
    }

    @Override
    public String gatewayId() {
        return gatewayId;
    }

    @Override
    public Path dataDirectory() {
        return dataDirectory.root();
    }

    @Override
    public Path dataDirectory(String name) {
        try {
            return dataDirectory.sub(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
