package org.m2mgw.transport.coaps.internal;

import org.m2mgw.support.coap.TrafficReporter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.PersistentComponent;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.scandium.DTLSConnector;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * Wraps the DTLS connector to see decrypted datagrams before CoAP parses them, so that malformed
 * CoAP from an authenticated device is counted and reported (Californium itself answers it with
 * RST or 4.02 and drops it silently). Everything else is delegated, including saving and
 * restoring sessions.
 */
final class InspectingConnector implements Connector, PersistentComponent {
    private final DTLSConnector dtls;
    private final TrafficReporter traffic;
    private final RegistryCredentials credentials;
    private final UdpDataParser parser = new UdpDataParser();

    InspectingConnector(DTLSConnector dtls, TrafficReporter traffic, RegistryCredentials credentials) {
        this.dtls = dtls;
        this.traffic = traffic;
        this.credentials = credentials;
    }

    @Override
    public void setRawDataReceiver(RawDataChannel channel) {
        dtls.setRawDataReceiver(raw -> {
            inspect(raw);
            channel.receiveData(raw);
        });
    }

    private String deviceOf(java.security.Principal p) {
        return credentials.deviceIdOf(p);
    }

    private void inspect(RawData raw) {
        String device = deviceOf(raw.getSenderIdentity());
        traffic.report(TrafficEventType.BYTES_IN, device, raw.getInetSocketAddress(), null, null, raw.getSize());
        try {
            parser.parseMessage(raw.getBytes());
        } catch (RuntimeException malformed) {
            String reason = malformed.getMessage() == null ? malformed.getClass().getSimpleName()
                    : malformed.getMessage();
            traffic.reject(TrafficEventType.MALFORMED_INPUT, org.m2mgw.api.traffic.FailureCause.MALFORMED, device,
                    raw.getInetSocketAddress(),
                    "malformed CoAP: " + (reason.length() > 120 ? reason.substring(0, 120) : reason), null);
        }
    }

    @Override
    public void start() throws IOException {
        dtls.start();
    }

    @Override
    public void stop() {
        dtls.stop();
    }

    @Override
    public void destroy() {
        dtls.destroy();
    }

    @Override
    public void send(RawData msg) {
        org.eclipse.californium.elements.EndpointContext ctx = msg.getEndpointContext();
        if (ctx != null) {
            traffic.report(TrafficEventType.BYTES_OUT, deviceOf(ctx.getPeerIdentity()), ctx.getPeerAddress(), null,
                    null, msg.getSize());
        }
        dtls.send(msg);
    }

    @Override
    public void setEndpointContextMatcher(EndpointContextMatcher matcher) {
        dtls.setEndpointContextMatcher(matcher);
    }

    @Override
    public InetSocketAddress getAddress() {
        return dtls.getAddress();
    }

    @Override
    public String getProtocol() {
        return dtls.getProtocol();
    }

    @Override
    public boolean isRunning() {
        return dtls.isRunning();
    }

    @Override
    public void processDatagram(DatagramPacket datagram) {
        dtls.processDatagram(datagram);
    }

    @Override
    public String getLabel() {
        return dtls.getLabel();
    }

    @Override
    public int save(OutputStream out, long maxQuietPeriodInSeconds) throws IOException {
        return dtls.save(out, maxQuietPeriodInSeconds);
    }

    @Override
    public int load(InputStream in, long delta) throws IOException {
        return dtls.load(in, delta);
    }

    @Override
    public String toString() {
        return dtls.toString();
    }
}
