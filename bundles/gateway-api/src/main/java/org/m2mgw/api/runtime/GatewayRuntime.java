package org.m2mgw.api.runtime;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Facts about the running gateway that every bundle needs: its id, and the directory in which
 * bundles keep state that must survive restarts and bundle updates (queues, registries, saved
 * sessions, key files).
 *
 * <p>The data directory is not a bundle's private data area, because a framework started with a
 * clean storage would wipe that. It is created with mode 0700 where the file system supports
 * POSIX permissions.
 *
 * @since 0.1
 */
@ProviderType
public interface GatewayRuntime {

    /** @return the gateway's id, as used in cloud topics */
    String gatewayId();

    /** @return the absolute path of the data directory; it exists */
    Path dataDirectory();

    /**
     * Returns (and creates, mode 0700) a sub-directory of the data directory for one bundle or
     * component.
     *
     * @param name a simple directory name, e.g. {@code cloud-mqtt}
     * @return the absolute path of the sub-directory
     * @throws IllegalArgumentException if the name is not a simple name
     * @throws java.io.UncheckedIOException if it cannot be created
     */
    Path dataDirectory(String name);
}
