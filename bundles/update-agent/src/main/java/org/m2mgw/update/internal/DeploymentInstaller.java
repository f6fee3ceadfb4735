package org.m2mgw.update.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.m2mgw.api.runtime.StatusProvider;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.deploymentadmin.BundleInfo;
import org.osgi.service.deploymentadmin.DeploymentAdmin;
import org.osgi.service.deploymentadmin.DeploymentException;
import org.osgi.service.deploymentadmin.DeploymentPackage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs packages through OSGi Deployment Admin. The standalone distro starts its features'
 * bundles from its jar ("factory" bundles, not owned by any package); a package that carries a
 * bundle of the same symbolic name replaces it: the factory bundle is copied aside, uninstalled and
 * refreshed away before Deployment Admin installs the package, and comes back when the package is
 * uninstalled or its installation fails.
 */
final class DeploymentInstaller implements Installer {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentInstaller.class);
    static final String DP_LOCATION = "osgi-dp:";
    private static final long POLL_MS = 250;

    private final BundleContext context;
    private final DeploymentAdmin admin;
    private final KeptPackages kept;

    DeploymentInstaller(BundleContext context, DeploymentAdmin admin, KeptPackages kept) {
        this.context = context;
        this.admin = admin;
        this.kept = kept;
    }

    @Override
    public void install(Path dp, DpManifest manifest) throws PackageException {
        String self = context.getBundle().getSymbolicName();
        if (manifest.bundles().stream().anyMatch(b -> b.symbolicName().equals(self))) {
            // Deployment Admin would stop the agent in the middle of its own job.
            throw new PackageException(PackageException.Kind.MANIFEST, "package " + manifest.name()
                    + " carries the update agent itself (" + self + "), which is not updated remotely: update it with "
                    + "the distro, or with Kura's console");
        }
        List<Bundle> factory = factoryBundles(manifest);
        for (Bundle b : factory) {
            try (InputStream in = content(b)) {
                kept.keepFactory(b.getSymbolicName(), b.getLocation(), in);
            } catch (IOException e) {
                throw new PackageException(PackageException.Kind.INSTALL, "cannot keep a copy of the distro's bundle "
                        + b.getSymbolicName() + " to go back to: " + e.getMessage(), e);
            }
        }
        Set<Long> wasActive = activeBundleIds();
        Set<String> replaced = new LinkedHashSet<>();
        try {
            for (Bundle b : factory) {
                replaced.add(b.getSymbolicName());
                b.uninstall();
            }
            if (!factory.isEmpty()) {
                LOG.info("Update: the distro's bundles {} make way for package {} {}", replaced, manifest.name(),
                        manifest.version());
                refresh(factory);
            }
            try (InputStream in = Files.newInputStream(dp)) {
                admin.installDeploymentPackage(in);
            }
            restartStopped(wasActive);
        } catch (DeploymentException e) {
            restoreFactory(replaced);
            restartStopped(wasActive);
            throw new PackageException(PackageException.Kind.INSTALL,
                    "Deployment Admin refused the package (code " + e.getCode() + "): " + e.getMessage(), e);
        } catch (IOException | BundleException | RuntimeException e) {
            restoreFactory(replaced);
            restartStopped(wasActive);
            throw new PackageException(PackageException.Kind.INSTALL, "installation failed: " + e, e);
        }
    }

    private Set<Long> activeBundleIds() {
        Set<Long> ids = new HashSet<>();
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.ACTIVE) {
                ids.add(b.getBundleId());
            }
        }
        return ids;
    }

    /**
     * Starts again the bundles that were active before and are not now: bundles that import from a
     * replaced library (a JSON API, Bouncy Castle) cannot resolve while it is gone, and the refresh
     * leaves them stopped.
     */
    private void restartStopped(Set<Long> wasActive) {
        for (long id : wasActive) {
            Bundle b = context.getBundle(id);
            if (b == null || b.getState() == Bundle.ACTIVE || b.getState() == Bundle.UNINSTALLED
                    || (b.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0) {
                continue;
            }
            try {
                b.start();
                LOG.info("Update: bundle {} started again", b.getSymbolicName());
            } catch (BundleException | IllegalStateException e) {
                LOG.warn("Update: bundle {} does not start again: {}", b.getSymbolicName(), e.getMessage());
            }
        }
    }

    @Override
    public void uninstall(String name) throws PackageException {
        DeploymentPackage p = admin.getDeploymentPackage(name);
        if (p == null) {
            throw new PackageException(PackageException.Kind.NOT_FOUND, "no package '" + name + "' is installed");
        }
        Set<Long> wasActive = activeBundleIds();
        Set<String> bsns = new LinkedHashSet<>();
        for (BundleInfo i : p.getBundleInfos()) {
            bsns.add(i.getSymbolicName());
        }
        try {
            p.uninstall();
        } catch (DeploymentException e) {
            LOG.warn("Update: Deployment Admin could not uninstall {} cleanly ({}); forcing it", name, e.getMessage());
            try {
                p.uninstallForced();
            } catch (DeploymentException e2) {
                throw new PackageException(PackageException.Kind.INSTALL, "cannot uninstall " + name + ": "
                        + e2.getMessage(), e2);
            }
        }
        restoreFactory(bsns);
        restartStopped(wasActive);
    }

    /** Reinstalls the kept factory bundles among {@code bsns} that are not installed now. */
    private void restoreFactory(Collection<String> bsns) {
        List<Bundle> restored = new ArrayList<>();
        for (String bsn : bsns) {
            if (bundleVersion(bsn).isPresent()) {
                continue;
            }
            try {
                Optional<KeptPackages.FactoryBundle> f = kept.factory(bsn);
                if (f.isPresent()) {
                    try (InputStream in = Files.newInputStream(f.get().jar())) {
                        restored.add(context.installBundle(f.get().location(), in));
                    }
                }
            } catch (IOException | BundleException | RuntimeException e) {
                LOG.error("Update: cannot bring back the distro's bundle {}: {}", bsn, e.toString());
            }
        }
        for (Bundle b : restored) {
            if ((b.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) == 0) {
                try {
                    b.start();
                } catch (BundleException | RuntimeException e) {
                    LOG.error("Update: the distro's bundle {} does not start again: {}", b.getSymbolicName(),
                            e.getMessage());
                }
            }
        }
        if (!restored.isEmpty()) {
            LOG.info("Update: the distro's bundles {} run again", bsns);
        }
    }

    /** @return bundles with the package's symbolic names that no package owns */
    private List<Bundle> factoryBundles(DpManifest m) {
        Set<String> names = new HashSet<>();
        m.bundles().forEach(b -> names.add(b.symbolicName()));
        List<Bundle> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() != 0 && names.contains(b.getSymbolicName())
                    && !b.getLocation().startsWith(DP_LOCATION)) {
                if (b.equals(context.getBundle())) {
                    continue;
                }
                out.add(b);
            }
        }
        return out;
    }

    /** The bundle's original bytes where its location can be read, else the jar rebuilt from its entries. */
    private static InputStream content(Bundle b) throws IOException {
        String loc = b.getLocation();
        String plain = loc.startsWith("reference:") ? loc.substring("reference:".length()) : loc;
        try {
            URI u = URI.create(plain);
            if ("file".equals(u.getScheme())) {
                Path p = Path.of(u);
                if (Files.isRegularFile(p)) {
                    return Files.newInputStream(p);
                }
            }
        } catch (IllegalArgumentException e) {
            // not a URI: an embedded path such as jar/x.jar
        }
        InputStream embedded = ClassLoader.getSystemResourceAsStream(plain);
        if (embedded != null) {
            return embedded;
        }
        return new ByteArrayInputStream(rebuild(b));
    }

    private static byte[] rebuild(Bundle b) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            copyEntry(b, "META-INF/MANIFEST.MF", jar);
            Enumeration<java.net.URL> all = b.findEntries("/", "*", true);
            while (all != null && all.hasMoreElements()) {
                java.net.URL u = all.nextElement();
                String path = u.getPath().replaceFirst("^/", "");
                if (path.isEmpty() || path.equals("META-INF/MANIFEST.MF") || path.equals("META-INF/")) {
                    continue;
                }
                if (path.endsWith("/")) {
                    jar.putNextEntry(new JarEntry(path));
                    jar.closeEntry();
                } else {
                    copyEntry(b, path, jar);
                }
            }
        }
        return bytes.toByteArray();
    }

    private static void copyEntry(Bundle b, String path, JarOutputStream jar) throws IOException {
        java.net.URL u = b.getEntry(path);
        if (u == null) {
            throw new IOException("bundle " + b.getSymbolicName() + " has no " + path);
        }
        jar.putNextEntry(new JarEntry(path));
        try (InputStream in = u.openStream()) {
            in.transferTo(jar);
        }
        jar.closeEntry();
    }

    private void refresh(Collection<Bundle> bundles) throws BundleException {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(bundles, e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED || e.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        try {
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new BundleException("the framework did not finish refreshing within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BundleException("interrupted while refreshing");
        }
    }

    @Override
    public Optional<String> installedVersion(String name) {
        DeploymentPackage p = admin.getDeploymentPackage(name);
        return p == null ? Optional.empty() : Optional.of(p.getVersion().toString());
    }

    @Override
    public Optional<Version> bundleVersion(String symbolicName) {
        Version best = null;
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName()) && b.getState() != Bundle.UNINSTALLED) {
                best = best == null || b.getVersion().compareTo(best) > 0 ? b.getVersion() : best;
            }
        }
        return Optional.ofNullable(best);
    }

    @Override
    public Health.Baseline baseline() {
        Set<String> ready = new HashSet<>();
        for (StatusProvider p : providers()) {
            if (safeReady(p)) {
                ready.add(p.statusName());
            }
        }
        Set<String> active = new HashSet<>();
        ServiceComponentRuntime scr = service(ServiceComponentRuntime.class);
        if (scr != null) {
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                if (d.bundle.id == context.getBundle().getBundleId()) {
                    continue;
                }
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.ACTIVE || c.state == ComponentConfigurationDTO.SATISFIED) {
                        active.add(d.name);
                    }
                }
            }
        }
        Set<String> bundles = new HashSet<>();
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.ACTIVE && b.getSymbolicName() != null) {
                bundles.add(b.getSymbolicName());
            }
        }
        return new Health.Baseline(Set.copyOf(ready), Set.copyOf(active), Set.copyOf(bundles));
    }

    @Override
    public Optional<String> unhealthy(DpManifest m, Health.Baseline before, long timeoutMs)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        List<String> reasons;
        do {
            reasons = reasons(m, before);
            if (reasons.isEmpty()) {
                return Optional.empty();
            }
            Thread.sleep(POLL_MS);
        } while (System.nanoTime() < deadline);
        return Optional.of(String.join("; ", reasons.subList(0, Math.min(4, reasons.size())))
                + " (after " + timeoutMs / 1000 + " s)");
    }

    private List<String> reasons(DpManifest m, Health.Baseline before) {
        List<String> out = new ArrayList<>();
        DeploymentPackage p = admin.getDeploymentPackage(m.name());
        if (p == null) {
            out.add("package " + m.name() + " is not installed");
            return out;
        }
        for (DpManifest.BundleEntry e : m.bundles()) {
            Bundle b = p.getBundle(e.symbolicName());
            if (b == null) {
                out.add("bundle " + e.symbolicName() + " is missing");
            } else if ((b.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) == 0
                    && b.getState() != Bundle.ACTIVE) {
                out.add("bundle " + e.symbolicName() + " is " + (b.getState() == Bundle.INSTALLED
                        ? "not resolved (missing imports)" : "not active"));
            }
        }
        if (!before.activeBundles().isEmpty()) {
            Set<String> nowActive = new HashSet<>();
            for (Bundle b : context.getBundles()) {
                if (b.getState() == Bundle.ACTIVE && b.getSymbolicName() != null) {
                    nowActive.add(b.getSymbolicName());
                }
            }
            for (String bsn : before.activeBundles()) {
                if (!nowActive.contains(bsn)) {
                    out.add("bundle " + bsn + " is not active again");
                }
            }
        }
        ServiceComponentRuntime scr = service(ServiceComponentRuntime.class);
        if (scr != null) {
            Set<String> nowActive = new HashSet<>();
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        out.add("component " + d.name + " failed to activate"
                                + (c.failure == null ? "" : ": " + firstLine(c.failure)));
                    } else if (c.state == ComponentConfigurationDTO.ACTIVE
                            || c.state == ComponentConfigurationDTO.SATISFIED) {
                        nowActive.add(d.name);
                    }
                }
            }
            for (String name : before.activeComponents()) {
                if (!nowActive.contains(name)) {
                    out.add("component " + name + " is not active again");
                }
            }
        }
        Set<String> readyNow = new HashSet<>();
        for (StatusProvider s : providers()) {
            if (safeReady(s)) {
                readyNow.add(s.statusName());
            } else if (before.readyProviders().contains(s.statusName())) {
                out.add(s.statusName() + " is not ready: " + safeLine(s));
            }
        }
        for (String name : before.readyProviders()) {
            if (!readyNow.contains(name) && out.stream().noneMatch(r -> r.startsWith(name + " "))) {
                out.add(name + " is gone");
            }
        }
        return out;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static boolean safeReady(StatusProvider p) {
        try {
            return p.ready();
        } catch (RuntimeException | AbstractMethodError e) {
            return false;
        }
    }

    private static String safeLine(StatusProvider p) {
        try {
            return p.statusLine();
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    private List<StatusProvider> providers() {
        List<StatusProvider> out = new ArrayList<>();
        try {
            Collection<ServiceReference<StatusProvider>> refs = context.getServiceReferences(StatusProvider.class, null);
            for (ServiceReference<StatusProvider> r : refs) {
                StatusProvider p = context.getService(r);
                if (p != null) {
                    out.add(p);
                    context.ungetService(r);
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
            // no filter is used; a stopping context lists nothing
        }
        return out;
    }

    private <T> T service(Class<T> type) {
        ServiceReference<T> r = context.getServiceReference(type);
        if (r == null) {
            return null;
        }
        T s = context.getService(r);
        context.ungetService(r);
        return s;
    }

    @Override
    public List<InstalledPackage> packages() {
        List<InstalledPackage> out = new ArrayList<>();
        for (DeploymentPackage p : admin.listDeploymentPackages()) {
            if (p.getName().equals("System")) {
                continue;
            }
            List<String[]> bundles = new ArrayList<>();
            for (BundleInfo i : p.getBundleInfos()) {
                Bundle b = p.getBundle(i.getSymbolicName());
                bundles.add(new String[] {i.getSymbolicName(), i.getVersion().toString(),
                        b == null ? "MISSING" : state(b.getState())});
            }
            out.add(new InstalledPackage(p.getName(), p.getVersion().toString(), bundles));
        }
        return out;
    }

    @Override
    public List<String[]> bundles() {
        List<String[]> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            out.add(new String[] {Long.toString(b.getBundleId()), String.valueOf(b.getSymbolicName()),
                    b.getVersion().toString(), state(b.getState())});
        }
        return out;
    }

    @Override
    public void startStop(long id, boolean start) throws PackageException {
        Bundle b = context.getBundle(id);
        if (b == null) {
            throw new PackageException(PackageException.Kind.NOT_FOUND, "no bundle with id " + id);
        }
        if (b.getBundleId() == 0 || b.equals(context.getBundle())) {
            throw new PackageException(PackageException.Kind.REQUEST, "the framework and the update agent are not "
                    + "started or stopped remotely");
        }
        try {
            if (start) {
                b.start();
            } else {
                b.stop();
            }
        } catch (BundleException | IllegalStateException e) {
            throw new PackageException(PackageException.Kind.INSTALL, (start ? "start" : "stop") + " of bundle " + id
                    + " failed: " + e.getMessage(), e);
        }
    }

    static String state(int s) {
        switch (s) {
            case Bundle.ACTIVE: return "ACTIVE";
            case Bundle.RESOLVED: return "RESOLVED";
            case Bundle.INSTALLED: return "INSTALLED";
            case Bundle.STARTING: return "STARTING";
            case Bundle.STOPPING: return "STOPPING";
            default: return "UNINSTALLED";
        }
    }
}
