package org.m2mgw.registry.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.m2mgw.support.config.Metatype;

/**
 * Validated configuration of the registry. An invalid value does not stop the registry: it is
 * replaced by its default and reported in {@link #problems()}, each naming its key.
 *
 * @param importFile the absolute import file, or null for none
 * @param intervalSeconds how often the import file is checked, 1..3600
 * @param problems what was wrong with the configuration, for the log
 */
record RegistrySettings(Path importFile, int intervalSeconds, List<String> problems) {
    static final int DEFAULT_INTERVAL_SECONDS = 10;
    /** The registry's metatype: the one definition of its keys, defaults and ranges. */
    static final Metatype METATYPE = Metatype.of(RegistryConfig.class, DeviceRegistryComponent.PID);
    static final String KEY_FILE = "registry.import.file";
    static final String KEY_INTERVAL = "registry.import.interval.seconds";

    RegistrySettings {
        problems = List.copyOf(problems);
    }

    static RegistrySettings from(RegistryConfig c) {
        return of(c.registry_import_file(), c.registry_import_interval_seconds());
    }

    static RegistrySettings of(String file, int interval) {
        List<String> problems = new ArrayList<>();
        Path path = null;
        String value = file == null ? "" : file.trim();
        if (!value.isEmpty()) {
            try {
                path = Paths.get(value).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                problems.add(KEY_FILE + " '" + Validation.sanitize(value) + "' is not a valid path ("
                        + e.getReason() + "); no import file is used");
            }
        }
        int seconds = interval;
        String range = METATYPE.problem(KEY_INTERVAL, interval);
        if (range != null) {
            problems.add(range + "; using " + DEFAULT_INTERVAL_SECONDS);
            seconds = DEFAULT_INTERVAL_SECONDS;
        }
        return new RegistrySettings(path, seconds, problems);
    }
}
