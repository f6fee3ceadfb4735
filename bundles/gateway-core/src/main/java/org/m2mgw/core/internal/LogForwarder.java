package org.m2mgw.core.internal;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies OSGi Log Service entries (from SCR, Config Admin, the Configurator, Metatype) into the
 * gateway's log, so that a component that fails to activate is visible in the same place as
 * everything else. Debug and trace entries are not copied.
 *
 * <p>Enabled only when the framework property {@value #ENABLE} is {@code true}; on Kura, Kura's
 * own logging already collects these entries.
 */
@Component(immediate = true, service = {})
public class LogForwarder implements LogListener {
    static final String ENABLE = "m2mgw.log.forward";

    private final LogReaderService reader;
    private final boolean enabled;

    @Activate
    public LogForwarder(BundleContext context, @Reference LogReaderService reader) {
        this.reader = reader;
        this.enabled = Boolean.parseBoolean(context.getProperty(ENABLE));
        if (enabled) {
            reader.addLogListener(this);
        }
    }

    @Deactivate
    void deactivate() {
        if (enabled) {
            reader.removeLogListener(this);
        }
    }

    @Override
    public void logged(LogEntry entry) {
        LogLevel level = entry.getLogLevel();
        if (level == LogLevel.DEBUG || level == LogLevel.TRACE) {
            return;
        }
        // The framework's own bundle, service and framework events (OSGi Log Service
        // specification, "Events.*" loggers) are noise at INFO; keep their warnings and errors.
        String loggerName = entry.getLoggerName();
        if (level == LogLevel.INFO && loggerName != null && loggerName.startsWith("Events.")) {
            return;
        }
        String name = entry.getBundle() == null ? "osgi" : entry.getBundle().getSymbolicName();
        Logger log = LoggerFactory.getLogger(name == null ? "osgi" : name);
        Throwable t = entry.getException();
        String msg = entry.getMessage();
        switch (level) {
            case AUDIT, ERROR -> log.error(msg, t);
            case WARN -> log.warn(msg, t);
            default -> log.info(msg, t);
        }
    }
}
