package org.m2mgw.transport.coaps.internal;

import java.util.concurrent.RejectedExecutionException;
import org.eclipse.californium.elements.util.SerialExecutor;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.ResumptionSupportingConnectionStore;

/**
 * Scandium's connector with a handle on its connection store, so that the gateway can remove a
 * superseded connection at once (Scandium only marks it) and check restored connections against
 * the registry before the listener starts.
 */
final class GatewayDtlsConnector extends DTLSConnector {
    private final ResumptionSupportingConnectionStore store;
    /** Counts every datagram's bytes for energy accounting, once set. */
    volatile DtlsAirtime airtime;

    private GatewayDtlsConnector(DtlsConnectorConfig config, ResumptionSupportingConnectionStore store) {
        super(config, store);
        this.store = store;
    }

    static GatewayDtlsConnector create(DtlsConnectorConfig config) {
        return new GatewayDtlsConnector(config, createConnectionStore(config));
    }

    @Override
    protected void processDatagram(java.net.DatagramPacket packet, java.net.InetSocketAddress router) {
        DtlsAirtime a = airtime;
        if (a != null) {
            a.datagram(packet.getData(), packet.getOffset(), packet.getLength(),
                    (java.net.InetSocketAddress) packet.getSocketAddress(), true, System.currentTimeMillis());
        }
        super.processDatagram(packet, router);
    }

    @Override
    protected void sendNextDatagramOverNetwork(java.net.DatagramPacket packet) throws java.io.IOException {
        DtlsAirtime a = airtime;
        if (a != null) {
            a.datagram(packet.getData(), packet.getOffset(), packet.getLength(),
                    (java.net.InetSocketAddress) packet.getSocketAddress(), false, System.currentTimeMillis());
        }
        super.sendNextDatagramOverNetwork(packet);
    }

    /** @return the connection with this peer address, if any */
    Connection connection(java.net.InetSocketAddress peer) {
        return store.get(peer);
    }

    /** @return the connection with this connection id, if any */
    Connection connection(org.eclipse.californium.scandium.dtls.ConnectionId cid) {
        return store.get(cid);
    }

    /** Removes a connection and its session, on the connection's own executor when it has one. */
    void remove(Connection connection) {
        remove(connection, true);
    }

    /**
     * Removes a connection, on the connection's own executor when it has one.
     *
     * @param withSession also forget its session (no resumption); false when another connection
     *        still uses the same session, as after a resumption from a new address
     */
    void remove(Connection connection, boolean withSession) {
        Runnable r = () -> store.remove(connection, withSession);
        SerialExecutor executor = connection.getExecutor();
        if (!isRunning() || executor == null || executor.isShutdown()) {
            r.run();
            return;
        }
        try {
            executor.execute(r);
        } catch (RejectedExecutionException stopping) {
            r.run();
        }
    }

    /** @return the connections now in the store; iterate only while the connector is stopped or rarely */
    Iterable<Connection> connections() {
        return store;
    }
}
