package org.m2mgw.itests.distro;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of the bundle that {@link RemoteUpdateIT} adds to a package: it takes 8 s to start,
 * which holds Deployment Admin inside its install long enough for the test to kill the gateway there.
 */
public class SlowStart implements BundleActivator {
    @Override
    public void start(BundleContext context) throws InterruptedException {
        Thread.sleep(8_000);
    }

    @Override
    public void stop(BundleContext context) {
    }
}
