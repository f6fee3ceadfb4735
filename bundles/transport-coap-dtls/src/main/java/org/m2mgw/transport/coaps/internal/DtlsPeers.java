package org.m2mgw.transport.coaps.internal;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.Optional;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.elements.DtlsEndpointContext;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.util.Bytes;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.message.SecuritySummary;
import org.m2mgw.support.coap.DevicePeers;

/** The device behind a request is the principal of its DTLS session. */
final class DtlsPeers implements DevicePeers {
    private final RegistryCredentials credentials;

    DtlsPeers(RegistryCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public Optional<Device> device(Request request) {
        Principal principal = request.getSourceContext().getPeerIdentity();
        return principal == null ? Optional.empty() : credentials.deviceOf(principal);
    }

    @Override
    public InetSocketAddress previousAddress(Request request) {
        return request.getSourceContext().get(DtlsEndpointContext.KEY_PREVIOUS_ADDRESS);
    }

    @Override
    public SecuritySummary summary(Request request) {
        EndpointContext ctx = request.getSourceContext();
        String cipher = ctx.get(DtlsEndpointContext.KEY_CIPHER);
        Bytes cid = ctx.get(DtlsEndpointContext.KEY_READ_CONNECTION_ID);
        return new SecuritySummary("DTLSv1.2", cipher == null ? "unknown" : cipher,
                RegistryCredentials.credentialType(ctx.getPeerIdentity()), cid != null && !cid.isEmpty());
    }
}
