package org.m2mgw.support.coap;

import java.net.InetSocketAddress;
import java.util.Optional;
import org.eclipse.californium.core.coap.Request;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.message.SecuritySummary;

/**
 * What a transport's security layer knows about the sender of a request that reached the
 * resources: the DTLS session's principal, or the OSCORE security context that decrypted it.
 */
public interface DevicePeers {

    /**
     * @param request a request as the resources see it
     * @return the registered device that authenticated it, enabled or not; empty if none did
     */
    Optional<Device> device(Request request);

    /**
     * @param request a request as the resources see it
     * @return the address the device used before this request, if it has just changed
     */
    default InetSocketAddress previousAddress(Request request) {
        return null;
    }

    /**
     * @param request a request as the resources see it
     * @return how it was protected, for the message's metadata
     */
    SecuritySummary summary(Request request);
}
