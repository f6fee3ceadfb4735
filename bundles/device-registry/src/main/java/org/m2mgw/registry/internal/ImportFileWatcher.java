package org.m2mgw.registry.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.m2mgw.registry.internal.RegistryJson.InvalidFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code registry.import.file}: imports it when the configuration is applied and, every
 * {@code registry.import.interval.seconds}, whenever its modification time or size changed. Each
 * problem with the file (missing, unreadable, invalid, not saved) is logged once, until a
 * different problem or a successful import; a missing or unreadable file is tried again at every
 * check.
 *
 * <p>It works under the registry's lock, so a check and a change from the shell never overlap.
 */
final class ImportFileWatcher {
    /** The registry's one logger name, as before its classes were split. */
    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistryComponent.class);

    private final RegistryAdministration registry;
    private final Object lock;
    private final ScheduledExecutorService executor;

    // Guarded by lock.
    private RegistrySettings settings;
    private ScheduledFuture<?> watch;
    private FileSignature lastSignature;
    private String lastWatchProblem;

    private record FileSignature(FileTime modified, long size) {
    }

    /** @param executor the registry's thread, which the caller shuts down */
    ImportFileWatcher(RegistryAdministration registry, ScheduledExecutorService executor) {
        this.registry = registry;
        this.lock = registry.lock();
        this.executor = executor;
    }

    /** Takes new settings: imports the file at once and (re)starts the periodic check. */
    void apply(RegistrySettings s) {
        s.problems().forEach(p -> LOG.error("Invalid configuration of {}: {}", DeviceRegistryComponent.PID, p));
        synchronized (lock) {
            settings = s;
            lastSignature = null;
            lastWatchProblem = null;
            if (watch != null) {
                watch.cancel(false);
                watch = null;
            }
            check(true);
            if (s.importFile() != null && registry.readOnlyReason().isEmpty() && !executor.isShutdown()) {
                watch = executor.scheduleWithFixedDelay(() -> check(false),
                        s.intervalSeconds(), s.intervalSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    /** Stops the periodic check; the owner of the executor waits for a running one. */
    void stop() {
        synchronized (lock) {
            if (watch != null) {
                watch.cancel(false);
                watch = null;
            }
        }
    }

    /**
     * Imports {@code registry.import.file} if it changed since the last import (or always, if
     * {@code force}). Problems are logged once each, not at every check.
     */
    void check(boolean force) {
        synchronized (lock) {
            Path file = settings == null ? null : settings.importFile();
            if (file == null) {
                return;
            }
            if (registry.readOnlyReason().isPresent()) {
                // The one error about the unreadable store already says that nothing can change.
                LOG.debug("{} {} not imported: the registry is read-only", RegistrySettings.KEY_FILE, file);
                return;
            }
            try {
                FileSignature sig;
                try {
                    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                    sig = new FileSignature(a.lastModifiedTime(), a.size());
                } catch (NoSuchFileException e) {
                    lastSignature = null;
                    watchProblem(RegistrySettings.KEY_FILE + " " + file + " does not exist: no devices "
                            + "are imported from it. It is checked again every "
                            + settings.intervalSeconds() + " s.", true);
                    return;
                }
                if (!force && sig.equals(lastSignature)) {
                    return;
                }
                lastSignature = sig;
                registry.importFile(file);
                lastWatchProblem = null;
            } catch (IOException e) {
                // Retried at every check (permissions may be fixed without touching the file).
                lastSignature = null;
                watchProblem(RegistrySettings.KEY_FILE + " " + file + " cannot be read ("
                        + e.getClass().getSimpleName() + "); it is tried again every "
                        + settings.intervalSeconds() + " s.", false);
            } catch (InvalidFileException e) {
                lastWatchProblem = null;
                LOG.error("{} {} was not imported: {}. It is read again when it changes.",
                        RegistrySettings.KEY_FILE, file, e.getMessage());
            } catch (RuntimeException e) {
                // A failed save (disk full?) or a bug: retried at every check, logged once, and
                // never allowed to end the periodic check.
                lastSignature = null;
                watchProblem(RegistrySettings.KEY_FILE + " " + file + " was not imported: "
                        + e.getMessage(), false);
            }
        }
    }

    /** Logs a problem of the import file once, until a different problem or a success. */
    private void watchProblem(String message, boolean warn) {
        if (message.equals(lastWatchProblem)) {
            return;
        }
        lastWatchProblem = message;
        if (warn) {
            LOG.warn("{}", message);
        } else {
            LOG.error("{}", message);
        }
    }
}
