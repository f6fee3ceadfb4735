package org.m2mgw.api.device;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service told about every change in the {@link DeviceRegistry}. Transports use it to
 * end the sessions of devices that were disabled, removed or given new credentials, and the
 * X.509 sessions whose certificate chains the trust anchors no longer cover.
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

    /**
     * Called after the registry's trust anchors for device certificates changed (an import file
     * with other "trustAnchors"), after the changes of devices made by the same import. A
     * transport ends the live sessions whose certificate chain does not validate against
     * {@code anchors}. The registry calls its listeners in order while further changes wait:
     * return quickly.
     *
     * @param anchors the new trust anchors, the same as {@link DeviceRegistry#trustAnchors()} now
     *     returns; possibly empty (then no certificate is trusted)
     * @since 2.0
     */
    default void trustAnchorsChanged(List<X509Certificate> anchors) {
        // Listeners that hold no X.509 sessions need not care.
    }
}
