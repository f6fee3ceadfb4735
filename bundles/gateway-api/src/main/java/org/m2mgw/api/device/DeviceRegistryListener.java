package org.m2mgw.api.device;

import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service told about every change in the {@link DeviceRegistry}. Transports use it to
 * end the sessions of devices that were disabled, removed or given new credentials.
 *
 * @since 0.1
 */
@ConsumerType
public interface DeviceRegistryListener {

    /**
     * Called after a device was added, changed or removed.
     *
     * @param before the device before the change; empty when it was added
     * @param after the device after the change; empty when it was removed
     */
    void deviceChanged(Optional<Device> before, Optional<Device> after);
}
