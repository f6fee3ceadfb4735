package org.m2mgw.update.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.kura.KuraErrorCode;
import org.eclipse.kura.KuraException;
import org.eclipse.kura.deployment.hook.DeploymentHook;
import org.eclipse.kura.deployment.hook.RequestContext;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The same guarantees when Kura's own DEPLOY-V2 handler drives an update: associate a
 * {@code request.type} with this hook's pid ({@code org.m2mgw.update.hook}) in Kura's deployment
 * settings, and Kura calls it. After the download it checks the signature, the package name and
 * version and the version floor (throwing aborts Kura's request, so an unsigned or downgraded
 * package is never installed); after Kura installed the package it runs the health check and rolls
 * back to the kept previous version if the package is not healthy.
 */
@Component(service = DeploymentHook.class, property = "kura.service.pid=" + KuraUpdateHook.PID)
public class KuraUpdateHook implements DeploymentHook {
    static final String PID = "org.m2mgw.update.hook";
    private static final Logger LOG = LoggerFactory.getLogger(KuraUpdateHook.class);

    @Reference
    private UpdateAgent agent;

    private final Map<String, UpdateEngine.External> pending = new ConcurrentHashMap<>();

    /** For tests. */
    KuraUpdateHook(UpdateAgent agent) {
        this.agent = agent;
    }

    /** For Declarative Services. */
    public KuraUpdateHook() {
    }

    @Override
    public void preDownload(RequestContext context, Map<String, Object> properties) {
        LOG.info("Update hook: Kura downloads {} {} (request type {})", string(properties, "dp.name").orElse("?"),
                string(properties, "dp.version").orElse("?"), context.getRequestType());
    }

    @Override
    public void postDownload(RequestContext context, Map<String, Object> properties) throws KuraException {
        UpdateEngine engine = agent.engine();
        if (engine == null) {
            throw new KuraException(KuraErrorCode.OPERATION_NOT_SUPPORTED, "the m2mgw update agent did not start");
        }
        Path file = Path.of(context.getDownloadFilePath());
        try {
            Job job = engine.newJob(number(properties, "job.id"), null, string(properties, "dp.name").orElse(""),
                    string(properties, "dp.version").orElse(""));
            byte[] signature = SignatureSource.fetch(agent.config(), name -> string(properties, name),
                    string(properties, "dp.uri").map(URI::create).orElse(null), agent.root().resolve("downloads"),
                    () -> false);
            byte[] permission = string(properties, "dp.rollback.permission")
                    .map(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8)).orElse(null);
            UpdateEngine.External x = engine.beforeOthersInstall(job, file, signature, permission);
            if (x != null) {
                pending.put(file.toString(), x);
            }
        } catch (PackageException e) {
            throw new KuraException(KuraErrorCode.SECURITY_EXCEPTION, e.getMessage());
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new KuraException(KuraErrorCode.INVALID_PARAMETER, "cannot check the package: " + e.getMessage());
        }
    }

    @Override
    public void postInstall(RequestContext context, Map<String, Object> properties) throws KuraException {
        UpdateEngine.External x = pending.remove(context.getDownloadFilePath());
        UpdateEngine engine = agent.engine();
        if (x == null || engine == null) {
            return;
        }
        try {
            engine.installedByOthers(x);
        } catch (PackageException e) {
            throw new KuraException(KuraErrorCode.OPERATION_NOT_SUPPORTED, e.getMessage());
        }
    }

    private static Optional<String> string(Map<String, Object> properties, String name) {
        Object v = properties == null ? null : properties.get(name);
        return v == null ? Optional.empty() : Optional.of(String.valueOf(v));
    }

    private static long number(Map<String, Object> properties, String name) {
        try {
            return string(properties, name).map(Long::parseLong).orElse(-1L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
