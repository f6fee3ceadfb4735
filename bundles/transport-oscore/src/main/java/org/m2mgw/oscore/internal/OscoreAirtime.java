package org.m2mgw.oscore.internal;

import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.network.serialization.DataSerializer;
import org.eclipse.californium.elements.util.DatagramWriter;
import org.m2mgw.api.crypto.Airtime;
import org.m2mgw.support.coap.AirtimeMeter;

/**
 * Bytes on air of the OSCORE listener: each CoAP message is one UDP datagram, so a received
 * message counts its raw bytes, a sent one the size of its encoding (4-byte header, token, options,
 * payload marker and payload: RFC 7252 section 3).
 */
final class OscoreAirtime {
    static final int OSCORE = AirtimeMeter.index(Airtime.OSCORE);
    static final int EDHOC = AirtimeMeter.index(Airtime.EDHOC);

    private final AirtimeMeter meter;

    OscoreAirtime(AirtimeMeter meter) {
        this.meter = meter;
    }

    AirtimeMeter meter() {
        return meter;
    }

    /** An OSCORE request (or a refused one, device null) came in. */
    void inbound(String deviceId, Message m) {
        meter.add(deviceId, OSCORE, true, 1, received(m));
    }

    /** A response goes out; EDHOC responses are counted by the EDHOC resource. */
    void outbound(String deviceId, Exchange exchange, Message m) {
        if (deviceId == null && EdhocResource.PATH.equals(exchange.getRequest().getOptions().getUriPathString())) {
            return;
        }
        meter.add(deviceId, OSCORE, false, 1, size(m, exchange.getRequest()));
    }

    /**
     * @return the length of a response's encoding; its token, which Californium sets only when it
     *     sends it, is the request's
     */
    static int size(Message response, Message request) {
        int token = request == null || request.getToken() == null ? 0 : request.getToken().length();
        int own = response.getToken() == null ? 0 : response.getToken().length();
        return size(response) - own + token;
    }

    /** @return the bytes a received message had on the wire */
    static int received(Message m) {
        byte[] raw = m.getBytes();
        return raw != null ? raw.length : size(m);
    }

    /** @return the length of the message's CoAP over UDP encoding */
    static int size(Message m) {
        DatagramWriter w = new DatagramWriter();
        DataSerializer.serializeOptionsAndPayload(w, m.getOptions(), m.getPayload());
        int token = m.getToken() == null ? 0 : m.getToken().length();
        return 4 + token + w.size();
    }
}
