package org.m2mgw.registry.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Metatype of {@link DeviceRegistryComponent}; the OCD id is the component's PID. */
@ObjectClassDefinition(id = DeviceRegistryComponent.PID, name = "Device registry",
        description = "The field devices this gateway accepts and their credentials. The registry "
                + "is kept encrypted in the data directory (registry/devices.enc); devices are added "
                + "from an import file or with the shell commands m2mgw:devices, m2mgw:deviceshow, "
                + "m2mgw:deviceadd, m2mgw:deviceaddcert, m2mgw:deviceenable, m2mgw:devicedisable, "
                + "m2mgw:deviceremove, m2mgw:deviceimport, and for key rollovers m2mgw:rotate, "
                + "m2mgw:rotate-rpk, m2mgw:promote, m2mgw:cancel-rotation.")
@interface RegistryConfig {

    @AttributeDefinition(name = "registry.import.file", description = "A JSON file of devices "
            + "(and trust anchors) imported at start, when this configuration changes and whenever "
            + "the file's modification time changes. Devices in the file are added or updated; "
            + "devices not in it are left alone. A relative path is resolved against the gateway's "
            + "working directory. The file holds keys in clear: keep it readable by the gateway's "
            + "user only (0600). Default: empty (no import file).", required = false)
    String registry_import_file() default "";

    @AttributeDefinition(name = "registry.import.interval.seconds", description = "How often the "
            + "import file is checked for changes, in seconds, 1 to 3600. Default: 10.",
            min = "1", max = "3600")
    int registry_import_interval_seconds() default RegistrySettings.DEFAULT_INTERVAL_SECONDS;
}
