package org.m2mgw.operator.internal;

import java.util.List;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.command.CommandQueue;
import org.m2mgw.api.device.DeviceAdministration;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.api.session.SessionDirectory;

/** The gateway services the API calls; each may be missing (null or empty) at any time. */
interface Gateway {
    DeviceRegistry registry();

    DeviceAdministration administration();

    DeviceAccessControl access();

    CommandQueue commands();

    List<SessionDirectory> sessionDirectories();

    List<StatusProvider> statusProviders();
}
