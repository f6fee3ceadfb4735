package org.m2mgw.oscore.internal;

import java.util.Optional;
import org.eclipse.californium.core.coap.Request;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.device.EdhocCredential;
import org.m2mgw.api.message.SecuritySummary;
import org.m2mgw.support.coap.DevicePeers;

/** The device behind a request is the owner of the OSCORE context that decrypted it ({@link OscoreLayer}). */
final class OscorePeers implements DevicePeers {
    private final DeviceRegistry registry;

    OscorePeers(DeviceRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Optional<Device> device(Request request) {
        String id = request.getSourceContext().get(OscoreLayer.DEVICE);
        return id == null ? Optional.empty() : registry.device(id);
    }

    @Override
    public SecuritySummary summary(Request request) {
        String suite = request.getSourceContext().get(OscoreLayer.SUITE);
        CredentialType type = device(request).flatMap(Device::edhocCredential)
                .map(c -> c.kind() == EdhocCredential.Kind.X509 ? CredentialType.X509 : CredentialType.RAW_PUBLIC_KEY)
                .orElse(CredentialType.RAW_PUBLIC_KEY);
        return new SecuritySummary("OSCORE", suite == null ? "unknown" : suite, type, false);
    }
}
