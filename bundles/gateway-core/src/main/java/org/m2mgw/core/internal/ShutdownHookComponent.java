package org.m2mgw.core.internal;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the framework cleanly when the JVM is asked to exit (SIGTERM from systemd or Ctrl-C),
 * so that every component is deactivated and saves its state. Some launchers, among them the
 * one in the distro's executable jar, do not do this themselves.
 *
 * <p>Enabled only when the framework property {@value #ENABLE} is {@code true}: on Kura, Kura's
 * own launcher owns the framework's life cycle.
 */
@Component(immediate = true, service = {})
public class ShutdownHookComponent {
    static final String ENABLE = "m2mgw.shutdown.hook";
    private static final long STOP_TIMEOUT_MS = 9_000;
    private static final Logger LOG = LoggerFactory.getLogger(ShutdownHookComponent.class);

    private Thread hook;

    @Activate
    void activate(BundleContext context) {
        if (!Boolean.parseBoolean(context.getProperty(ENABLE))) {
            return;
        }
        Framework framework = (Framework) context.getBundle(0);
        hook = new Thread(() -> stopFramework(framework), "m2mgw-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private static void stopFramework(Framework framework) {
        LOG.info("Shutdown requested: stopping the OSGi framework");
        try {
            framework.stop();
            FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT_MS);
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                System.err.println("m2mgw: framework did not stop within " + STOP_TIMEOUT_MS + " ms");
            } else {
                System.err.println("m2mgw: framework stopped");
            }
        } catch (BundleException | InterruptedException e) {
            System.err.println("m2mgw: framework stop failed: " + e);
        }
    }

    @Deactivate
    void deactivate() {
        if (hook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shutdownInProgress) {
            // We are being deactivated by the hook itself.
        }
        hook = null;
    }
}
