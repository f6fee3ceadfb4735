package org.m2mgw.update.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where packages are installed: OSGi Deployment Admin in the gateway, a fake in unit tests. */
interface Installer {

    /** Installs or updates a package; on failure nothing of it is left installed. */
    void install(Path dp, DpManifest manifest) throws PackageException;

    /** Uninstalls a package; the factory bundles it had replaced run again. */
    void uninstall(String name) throws PackageException;

    /** @return the installed version of a package */
    Optional<String> installedVersion(String name);

    /** @return the installed version of a bundle, by symbolic name (the highest if several) */
    Optional<org.osgi.framework.Version> bundleVersion(String symbolicName);

    /** @return what the gateway runs now, before an install: compared by {@link #unhealthy} after it */
    Health.Baseline baseline();

    /**
     * Waits until the package is healthy against the baseline, or the time is up.
     *
     * @return why it is not healthy, or empty when it is
     */
    Optional<String> unhealthy(DpManifest manifest, Health.Baseline before, long timeoutMs)
            throws InterruptedException;

    /** @return the installed packages, with their bundles and states */
    List<InstalledPackage> packages();

    /** @return every bundle: id, symbolic name, version, state */
    List<String[]> bundles();

    /** Starts or stops a bundle by id. */
    void startStop(long bundleId, boolean start) throws PackageException;

    /** An installed deployment package. */
    record InstalledPackage(String name, String version, List<String[]> bundles) {
    }
}
