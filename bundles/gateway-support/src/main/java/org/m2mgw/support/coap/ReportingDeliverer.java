package org.m2mgw.support.coap;

import java.util.Optional;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.DelivererException;
import org.eclipse.californium.core.server.ServerMessageDeliverer;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.ResourceNames;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * Californium's request deliverer, which also reports a request for a resource the gateway does not
 * have: Californium answers it 4.04 itself, so without this no traffic event would show a device
 * (or whoever holds its key) exploring the gateway. The event names the device when the peer is a
 * registered one, and the resource only when it is a valid name (an invalid one is never echoed).
 */
public final class ReportingDeliverer extends ServerMessageDeliverer {
    private final DevicePeers peers;
    private final TrafficReporter traffic;

    public ReportingDeliverer(Resource root, Configuration config, DevicePeers peers, TrafficReporter traffic) {
        super(root, config);
        this.peers = peers;
        this.traffic = traffic;
    }

    @Override
    protected Resource findResource(Exchange exchange) throws DelivererException {
        Resource found;
        try {
            found = super.findResource(exchange);
        } catch (DelivererException e) {
            notFound(exchange);
            throw e;
        }
        if (found == null) {
            notFound(exchange);
        }
        return found;
    }

    private void notFound(Exchange exchange) {
        Request request = exchange.getRequest();
        String raw = request.getOptions().getUriPathString();
        String path = ResourceNames.problem(raw) == null ? raw : null;
        Optional<Device> device;
        try {
            device = peers.device(request);
        } catch (RuntimeException e) {
            device = Optional.empty();
        }
        traffic.reject(TrafficEventType.REQUEST_REJECTED, FailureCause.NO_SUCH_RESOURCE,
                device.map(Device::deviceId).orElse(null), request.getSourceContext().getPeerAddress(),
                "no resource " + (path == null ? "(invalid name)" : path), path);
    }
}
