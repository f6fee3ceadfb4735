package org.m2mgw.registry.internal;

import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistryListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DeviceRegistryListener} services bound to the registry. Each is called in turn; one
 * that throws does not stop the others, and its first failure is logged (later ones are not).
 */
final class RegistryListeners {
    /** The registry's one logger name, as before its classes were split. */
    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistryComponent.class);

    private final List<DeviceRegistryListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<DeviceRegistryListener> failedListeners =
            Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    void add(DeviceRegistryListener listener) {
        listeners.add(listener);
    }

    void remove(DeviceRegistryListener listener) {
        listeners.remove(listener);
        failedListeners.remove(listener);
    }

    /** Tells every listener of a change of one device. */
    void deviceChanged(Optional<Device> before, Optional<Device> after) {
        notify(l -> l.deviceChanged(before, after), "a change of device '"
                + after.or(() -> before).map(Device::deviceId).orElse("?") + "'");
    }

    /** Tells every listener that the trust anchors are now {@code anchors}. */
    void trustAnchorsChanged(List<X509Certificate> anchors) {
        notify(l -> l.trustAnchorsChanged(anchors), "a change of the trust anchors");
    }

    private void notify(Consumer<DeviceRegistryListener> call, String what) {
        for (DeviceRegistryListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                if (failedListeners.add(l)) {
                    LOG.warn("Device registry listener {} failed on {}: {} (further failures of this listener "
                            + "are not logged)", l.getClass().getName(), what, e.toString());
                }
            }
        }
    }
}
