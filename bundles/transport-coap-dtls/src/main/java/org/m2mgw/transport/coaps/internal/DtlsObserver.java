package org.m2mgw.transport.coaps.internal;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.californium.scandium.AlertHandler;
import org.eclipse.californium.scandium.ConnectionListener;
import org.eclipse.californium.scandium.DatagramFilterExtended;
import org.eclipse.californium.scandium.DtlsDatagramFilter;
import org.eclipse.californium.scandium.dtls.Record;
import org.eclipse.californium.scandium.DtlsHealth;
import org.eclipse.californium.scandium.DtlsHealthExtended;
import org.eclipse.californium.scandium.DtlsHealthExtended2;
import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.eclipse.californium.scandium.dtls.DtlsHandshakeTimeoutException;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionAdapter;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * Turns Scandium's callbacks into {@link TrafficEventType traffic events}: handshakes and their
 * failure reasons, MAC failures and dropped records. Callbacks run on Scandium's connection
 * executors, so nothing here blocks.
 */
final class DtlsObserver extends SessionAdapter
        implements ConnectionListener, AlertHandler, DtlsHealth, DtlsHealthExtended, DtlsHealthExtended2 {

    private static final int MAX_TRACKED = 10_000;

    private final TrafficReporter traffic;
    private final RegistryCredentials credentials;
    /** Peers whose failed handshake was already reported, so the later timeout is not counted twice. */
    private final Map<InetSocketAddress, Boolean> reported = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Boolean> eldest) {
                    return size() > MAX_TRACKED;
                }
            });
    private final LongAdder droppedRecords = new LongAdder();
    private final LongAdder macErrors = new LongAdder();
    private final AtomicInteger connections = new AtomicInteger();
    /** The connection whose records this thread is processing (see beforeExecution). */
    private final ThreadLocal<Connection> current = new ThreadLocal<>();

    private final AccessControl access;
    private final LongAdder blockedDatagrams = new LongAdder();

    DtlsObserver(TrafficReporter traffic, RegistryCredentials credentials, AccessControl access) {
        this.traffic = traffic;
        this.credentials = credentials;
        this.access = access;
    }

    private String deviceId(Principal p) {
        return p == null ? null : credentials.deviceOf(p).map(Device::deviceId).orElse(null);
    }

    // --- handshakes ---

    @Override
    public void contextEstablished(Handshaker handshaker, DTLSContext context) {
        Principal peer = context.getSession().getPeerIdentity();
        reported.remove(handshaker.getPeerAddress());
        traffic.report(handshaker.isFullHandshake() ? TrafficEventType.HANDSHAKE_SUCCEEDED
                : TrafficEventType.SESSION_RESUMED, deviceId(peer), handshaker.getPeerAddress(),
                context.getSession().getCipherSuite().name(), null, 0);
    }

    @Override
    public void handshakeFailed(Handshaker handshaker, Throwable error) {
        InetSocketAddress peer = handshaker.getPeerAddress();
        if (reported.remove(peer) != null) {
            return;
        }
        traffic.reject(TrafficEventType.HANDSHAKE_FAILED, null, peer, reason(handshaker, error), null);
    }

    static String reason(Handshaker handshaker, Throwable error) {
        Connection c = handshaker.getConnection();
        AlertMessage root = c == null ? null : c.getRootCauseAlert();
        if (root != null && root.getDescription() == AlertDescription.UNKNOWN_PSK_IDENTITY) {
            return "unknown PSK identity";
        }
        if (error instanceof DtlsHandshakeTimeoutException) {
            return "timeout";
        }
        if (error instanceof HandshakeException he && he.getAlert() != null) {
            AlertDescription d = he.getAlert().getDescription();
            if (d == AlertDescription.BAD_RECORD_MAC || d == AlertDescription.DECRYPT_ERROR) {
                return "bad MAC or Finished (" + d.getDescription() + ")";
            }
            return "alert " + d.getDescription() + ": " + he.getMessage();
        }
        return error == null ? "unknown" : error.getClass().getSimpleName() + ": " + error.getMessage();
    }

    @Override
    public void onAlert(InetSocketAddress peer, AlertMessage alert) {
        if (alert.getDescription() == AlertDescription.UNKNOWN_PSK_IDENTITY) {
            // Reported now rather than at the handshake timeout: identity guessing must be seen at once.
            String reason = RegistryCredentials.takeLastUnknownIdentity();
            reported.put(peer, Boolean.TRUE);
            traffic.reject(TrafficEventType.HANDSHAKE_FAILED, null, peer,
                    reason == null ? "unknown PSK identity" : reason, null);
        }
    }

    // --- connections ---

    @Override
    public boolean onConnectionMacError(Connection connection) {
        InetSocketAddress peer = connection.getPeerAddress();
        Principal principal = connection.getEstablishedPeerIdentity();
        traffic.report(TrafficEventType.RECORD_MAC_FAILED, deviceId(principal), peer,
                principal == null ? "during handshake" : "on established session", null, 0);
        if (principal == null && peer != null && reported.put(peer, Boolean.TRUE) == null) {
            traffic.reject(TrafficEventType.HANDSHAKE_FAILED, null, peer,
                    "bad MAC or Finished (wrong key?)", null);
        }
        return false;
    }

    @Override
    public void onConnectionEstablished(Connection connection) {
        // reported through contextEstablished, which also knows full versus abbreviated
    }

    @Override
    public void onConnectionRemoved(Connection connection) {
        // the connection is already cleared here; evictions are visible in the connection count
    }

    @Override
    public boolean onConnectionUpdatesSequenceNumbers(Connection connection, boolean writeSequenceNumber) {
        return false;
    }

    // Scandium processes a connection's records in jobs wrapped by these calls, on one thread,
    // so a dropped record seen in between belongs to this connection.
    @Override
    public void beforeExecution(Connection connection) {
        current.set(connection);
    }

    @Override
    public void updateExecution(Connection connection) {
        current.set(connection);
    }

    @Override
    public void afterExecution(Connection connection) {
        current.remove();
    }

    /**
     * The connector's datagram filter: Scandium's default behaviour, plus a report of records
     * dropped by the anti-replay window (RFC 6347 section 4.1.2.6).
     */
    DatagramFilterExtendedImpl datagramFilter(org.eclipse.californium.elements.config.Configuration cfg) {
        return new DatagramFilterExtendedImpl(cfg);
    }

    final class DatagramFilterExtendedImpl extends DtlsDatagramFilter implements DatagramFilterExtended {
        DatagramFilterExtendedImpl(org.eclipse.californium.elements.config.Configuration cfg) {
            super(cfg);
        }

        @Override
        public boolean onReceiving(java.net.DatagramPacket packet) {
            if (access.isBlocked(packet.getAddress())) {
                // Dropped before any DTLS work; counted, not reported per datagram (it may be a flood).
                blockedDatagrams.increment();
                return false;
            }
            return super.onReceiving(packet);
        }

        @Override
        public void onDrop(java.net.DatagramPacket packet) {
            // whole datagrams that are not DTLS at all: counted by receivingRecord
        }

        @Override
        public void onDrop(Record record) {
            Connection c = current.get();
            int epoch = record.getEpoch();
            if (c == null || epoch == 0 || record.isDecoded()) {
                return;
            }
            DTLSContext ctx = c.getDtlsContext(epoch);
            if (ctx != null && ctx.getReadEpoch() == epoch
                    && !ctx.isRecordProcessable(epoch, record.getSequenceNumber(), 0)) {
                traffic.reject(TrafficEventType.REPLAY_DROPPED, deviceId(c.getEstablishedPeerIdentity()),
                        record.getPeerAddress(), "record epoch " + epoch + " seq " + record.getSequenceNumber()
                                + " already received or too old", null);
            }
        }
    }

    // --- health counters ---

    @Override
    public void dump(String tag, int maxConnections, int remainingCapacity, int pendingWithoutVerify) {
    }

    @Override
    public boolean isEnabled() {
        return true;
    }

    @Override
    public void startHandshake() {
    }

    @Override
    public void endHandshake(boolean success) {
    }

    @Override
    public void receivingRecord(boolean dropped) {
        if (dropped) {
            droppedRecords.increment();
        }
    }

    @Override
    public void sendingRecord(boolean dropped) {
    }

    @Override
    public void setConnections(int count) {
        connections.set(count);
    }

    @Override
    public void receivingMacError() {
        macErrors.increment();
    }

    @Override
    public void setPendingIncomingJobs(int count) {
    }

    @Override
    public void setPendingOutgoingJobs(int count) {
    }

    @Override
    public void setPendingHandshakeJobs(int count) {
    }

    long droppedRecords() {
        return droppedRecords.sum();
    }

    int connections() {
        return connections.get();
    }
}
