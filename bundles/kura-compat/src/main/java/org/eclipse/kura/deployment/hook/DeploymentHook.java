package org.eclipse.kura.deployment.hook;

import java.util.Map;
import org.eclipse.kura.KuraException;

/**
 * Eclipse Kura's extension point of its DEPLOY-V2 handler: a service, identified by its
 * {@code kura.service.pid}, that Kura calls for requests whose {@code request.type} metric is
 * associated with that pid in the handler's configuration. Throwing aborts the request.
 */
public interface DeploymentHook {

    /** Called when a download request arrives, before anything is downloaded. */
    void preDownload(RequestContext context, Map<String, Object> properties) throws KuraException;

    /** Called when the requested file is on the device, before it is installed. */
    void postDownload(RequestContext context, Map<String, Object> properties) throws KuraException;

    /** Called after the package was installed. */
    void postInstall(RequestContext context, Map<String, Object> properties) throws KuraException;
}
