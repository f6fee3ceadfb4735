package org.m2mgw.update.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.api.trust.SigningTrust;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.deploymentadmin.DeploymentAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The update agent: owns the journal, the committed state and the one thread that runs update
 * jobs; recovers at start; serves DEPLOY-V2 over its own MQTT connection and the shell.
 *
 * <p>It depends on no feature package it may update (Paho is private to it, the trust store is an
 * optional dynamic reference), so that it survives the updates it performs.
 */
@Component(name = UpdateAgent.PID, configurationPid = UpdateAgent.PID, immediate = true,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = {UpdateAgent.class, StatusProvider.class, ConfigurableComponent.class},
        property = "service.pid=" + UpdateAgent.PID)
@Designate(ocd = UpdateConfig.class)
public class UpdateAgent implements StatusProvider, ConfigurableComponent {
    static final String PID = "org.m2mgw.update";
    /** Framework property: the directory of the second copy of the version floor. */
    static final String FLOOR_DIR = "m2mgw.update.floor.dir";
    private static final Logger LOG = LoggerFactory.getLogger(UpdateAgent.class);

    @Reference
    private DeploymentAdmin deploymentAdmin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SigningTrust trust;

    private BundleContext context;
    private ExecutorService jobs;
    private UpdateEngine engine;
    private Path root;
    private volatile UpdateConfig config;
    private volatile Deploy2Handler cloud;
    private volatile String startError;
    private volatile String floorWarning = "";
    private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();

    @Activate
    void activate(BundleContext ctx, UpdateConfig c) {
        this.context = ctx;
        this.config = c;
        jobs = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "m2mgw-update");
            t.setDaemon(true);
            return t;
        });
        try {
            String dataProp = ctx.getProperty("m2mgw.data.dir");
            Path data = Path.of(dataProp == null ? "data" : dataProp).toAbsolutePath();
            root = data.resolve("updates");
            String floorProp = ctx.getProperty(FLOOR_DIR);
            Path floor = floorProp != null && !floorProp.isBlank() ? Path.of(floorProp)
                    : data.resolveSibling(data.getFileName() + "-version-floor");
            try {
                java.nio.file.Files.createDirectories(floor);
            } catch (IOException e) {
                // Updates still work; only a reinstalled data directory would forget the floor.
                LOG.error("Update agent: the second copy of the version floor cannot be kept in {} ({}); set the "
                        + "framework property {} to a writable directory outside the data directory", floor, e,
                        FLOOR_DIR);
                floorWarning = "; version floor in the data directory only";
                floor = null;
            }
            KeptPackages kept = new KeptPackages(root);
            engine = new UpdateEngine(new Journal(root.resolve("journal.log")),
                    new PackageState(root.resolve("state.properties"), floor), kept, new Verifier(() -> trust),
                    new DeploymentInstaller(ctx, deploymentAdmin, kept),
                    () -> config.health_timeout_seconds() * 1000L);
        } catch (IOException | RuntimeException e) {
            startError = e.toString();
            LOG.error("Update agent cannot start: {}", e.toString());
            return;
        }
        // Recovery installs packages: never on the activating thread, which holds SCR's locks.
        jobs.execute(() -> {
            try {
                engine.recover();
            } catch (IOException | RuntimeException e) {
                LOG.error("Update agent: recovery failed: {}", e.toString());
            }
            // The cloud connection may have come up while recovery ran: tell it what recovery ended.
            Deploy2Handler h = cloud;
            if (h != null) {
                h.reportOutcomes();
            }
        });
        startCloud(c);
    }

    @Modified
    void modified(UpdateConfig c) {
        config = c;
        stopCloud();
        startCloud(c);
    }

    @Deactivate
    void deactivate() {
        stopCloud();
        // A running job is not interrupted: its journal lets the next start finish or undo it.
        jobs.shutdown();
        try {
            if (engine != null) {
                engine.journal().close();
            }
        } catch (IOException e) {
            LOG.debug("journal close: {}", e.toString());
        }
    }

    private void startCloud(UpdateConfig c) {
        if (engine == null || !c.cloud_enabled()) {
            return;
        }
        if (context.getProperty("kura.version") != null) {
            LOG.info("Update agent on Eclipse Kura: Kura's DEPLOY-V2 handler drives updates; associate a request.type "
                    + "with the deployment hook {} to give them these checks", KuraUpdateHook.PID);
            return;
        }
        String client = c.client_id().isBlank() ? gatewayId() : c.client_id();
        Deploy2Handler h = new Deploy2Handler(c, client, this);
        cloud = h;
        h.start();
    }

    private void stopCloud() {
        Deploy2Handler h = cloud;
        cloud = null;
        if (h != null) {
            h.stop();
        }
    }

    private String gatewayId() {
        ServiceReference<GatewayRuntime> r = context.getServiceReference(GatewayRuntime.class);
        if (r != null) {
            GatewayRuntime g = context.getService(r);
            try {
                if (g != null) {
                    return g.gatewayId();
                }
            } finally {
                context.ungetService(r);
            }
        }
        return "m2mgw-gateway";
    }

    /** Runs a job on the update thread. @throws PackageException BUSY when another job runs */
    Future<?> submit(Runnable job) throws PackageException {
        if (engine == null) {
            throw new PackageException(PackageException.Kind.INSTALL, "the update agent did not start: " + startError);
        }
        if (!busy.compareAndSet(false, true)) {
            throw new PackageException(PackageException.Kind.BUSY, "another update is running (" + engine.current() + ")");
        }
        try {
            return jobs.submit(() -> {
                try {
                    job.run();
                } catch (RuntimeException e) {
                    LOG.error("Update job failed unexpectedly", e);
                } finally {
                    busy.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            busy.set(false);
            throw new PackageException(PackageException.Kind.BUSY, "the update agent is stopping");
        }
    }

    UpdateEngine engine() {
        return engine;
    }

    Path root() {
        return root;
    }

    UpdateConfig config() {
        return config;
    }

    @Override
    public String statusName() {
        return PID;
    }

    @Override
    public String statusLine() {
        if (engine == null) {
            return "not running: " + startError;
        }
        Deploy2Handler h = cloud;
        long[] n = engine.counts();
        return engine.current() + "; " + (h == null ? "DEPLOY-V2 off" : h.state()) + "; " + n[0] + " committed, "
                + n[1] + " refused, " + n[2] + " rolled back since start" + floorWarning;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        if (engine != null) {
            long[] n = engine.counts();
            m.put("updates.committed", n[0]);
            m.put("updates.refused", n[1]);
            m.put("updates.rolled.back", n[2]);
        }
        return m;
    }
}
