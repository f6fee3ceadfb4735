package org.m2mgw.transport.coaps.internal;

import org.m2mgw.support.coap.TrafficReporter;
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
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.traffic.FailureCause;
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

    private final DeviceAccessControl access;
    private final LongAdder blockedDatagrams = new LongAdder();
    private final LongAdder limitedHandshakes = new LongAdder();

    DtlsObserver(TrafficReporter traffic, RegistryCredentials credentials, DeviceAccessControl access) {
        this.traffic = traffic;
        this.credentials = credentials;
        this.access = access;
    }

    private String deviceId(Principal p) {
        return credentials.deviceIdOf(p);
    }

    // --- handshakes ---

    /** Set once the connector exists: the crypto policy, the inventory and key rollovers. */
    volatile CryptoGuard guard;
    /** Set once the connector exists: which contexts were resumed, for the session directory. */
    volatile DtlsSessions sessions;
    /** Set once the connector exists: energy accounting of handshake datagrams. */
    volatile DtlsAirtime airtime;
    /** Set once the connector exists: tells the peer (close_notify), ends its connections, forgets its session. */
    volatile java.util.function.BiConsumer<Principal, InetSocketAddress> terminate;

    @Override
    public void contextEstablished(Handshaker handshaker, DTLSContext context) {
        Principal peer = context.getSession().getPeerIdentity();
        reported.remove(handshaker.getPeerAddress());
        String id = deviceId(peer);
        DtlsAirtime a = airtime;
        if (a != null) {
            a.established(handshaker.getPeerAddress(), id, handshaker.isFullHandshake(), System.currentTimeMillis());
        }
        DtlsSessions directory = sessions;
        if (directory != null) {
            directory.established(context, handshaker.isFullHandshake());
        }
        traffic.report(handshaker.isFullHandshake() ? TrafficEventType.HANDSHAKE_SUCCEEDED
                : TrafficEventType.SESSION_RESUMED, id, handshaker.getPeerAddress(),
                context.getSession().getCipherSuite().name(), null, 0);
        CryptoGuard g = guard;
        String close = g == null ? null
                : g.established(peer, context.getSession().getCipherSuite(), handshaker.isFullHandshake());
        java.util.function.BiConsumer<Principal, InetSocketAddress> t = terminate;
        if (close != null && t != null) {
            traffic.reject(TrafficEventType.SESSION_CLOSED, FailureCause.POLICY, id, handshaker.getPeerAddress(),
                    close, null);
            t.accept(peer, handshaker.getPeerAddress());
        }
    }

    @Override
    public void handshakeFailed(Handshaker handshaker, Throwable error) {
        InetSocketAddress peer = handshaker.getPeerAddress();
        DtlsAirtime a = airtime;
        if (a != null) {
            a.failed(peer);
        }
        CryptoGuard g = guard;
        String refused = g == null ? null : g.takeRefusal();
        if (reported.remove(peer) != null) {
            return;
        }
        if (refused != null) {
            traffic.reject(TrafficEventType.HANDSHAKE_FAILED, FailureCause.POLICY, null, peer,
                    "no suite the crypto policy allows: " + refused, null);
            return;
        }
        traffic.reject(TrafficEventType.HANDSHAKE_FAILED, cause(handshaker, error), null, peer,
                reason(handshaker, error), null);
    }

    static FailureCause cause(Handshaker handshaker, Throwable error) {
        Connection c = handshaker.getConnection();
        AlertMessage root = c == null ? null : c.getRootCauseAlert();
        if (root != null && root.getDescription() == AlertDescription.UNKNOWN_PSK_IDENTITY) {
            return FailureCause.UNKNOWN_IDENTITY;
        }
        if (error instanceof DtlsHandshakeTimeoutException) {
            return FailureCause.TIMEOUT;
        }
        if (error instanceof HandshakeException he && he.getAlert() != null) {
            AlertDescription d = he.getAlert().getDescription();
            if (d == AlertDescription.BAD_RECORD_MAC || d == AlertDescription.DECRYPT_ERROR) {
                return FailureCause.BAD_MAC;
            }
            if (d == AlertDescription.ACCESS_DENIED || d == AlertDescription.BAD_CERTIFICATE
                    || d == AlertDescription.UNKNOWN_CA || d == AlertDescription.UNSUPPORTED_CERTIFICATE) {
                String m = he.getMessage() == null ? "" : he.getMessage();
                return m.contains("quarantined") ? FailureCause.QUARANTINED
                        : m.contains("not registered") ? FailureCause.UNKNOWN_IDENTITY : FailureCause.ACCESS_DENIED;
            }
            if (d == AlertDescription.DECODE_ERROR || d == AlertDescription.ILLEGAL_PARAMETER) {
                return FailureCause.MALFORMED;
            }
        }
        return FailureCause.OTHER;
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
            RegistryCredentials.Refusal refusal = RegistryCredentials.takeLastRefusal();
            reported.put(peer, Boolean.TRUE);
            if (refusal == null) {
                traffic.reject(TrafficEventType.HANDSHAKE_FAILED, FailureCause.UNKNOWN_IDENTITY, null, peer,
                        "unknown PSK identity", null);
            } else if (refusal.quarantined()) {
                traffic.reject(TrafficEventType.HANDSHAKE_FAILED, FailureCause.QUARANTINED, null,
                        refusal.identity(), peer, "device of PSK identity '" + refusal.identity() + "' is quarantined",
                        null);
            } else {
                traffic.reject(TrafficEventType.HANDSHAKE_FAILED, FailureCause.UNKNOWN_IDENTITY, null,
                        refusal.identity(), peer, "unknown PSK identity '" + refusal.identity() + "'", null);
            }
        }
    }

    // --- connections ---

    @Override
    public boolean onConnectionMacError(Connection connection) {
        InetSocketAddress peer = connection.getPeerAddress();
        Principal principal = connection.getEstablishedPeerIdentity();
        traffic.report(TrafficEventType.RECORD_MAC_FAILED, FailureCause.BAD_MAC, deviceId(principal), null, peer,
                principal == null ? "during handshake" : "on established session", null, 0);
        if (principal == null && peer != null && reported.put(peer, Boolean.TRUE) == null) {
            traffic.reject(TrafficEventType.HANDSHAKE_FAILED, FailureCause.BAD_MAC, null, peer,
                    "bad MAC or Finished (wrong key?)", null);
        }
        CryptoGuard g = guard;
        return principal != null && g != null && g.macErrorLimitReached(connection);
    }

    /** Set once the connector exists; enforces one connection per device and the per-address cap. */
    volatile ConnectionLimits limits;

    @Override
    public void onConnectionEstablished(Connection connection) {
        // Reported through contextEstablished, which also knows full versus abbreviated; this is also
        // called for every connection restored from a saved state.
        ConnectionLimits l = limits;
        if (l != null) {
            l.established(connection);
        }
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
            if (isClientHello(packet) && !access.tryAcquireHandshake(packet.getAddress())) {
                // A handshake limit rations new handshakes only; established sessions' records pass.
                limitedHandshakes.increment();
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
                traffic.reject(TrafficEventType.REPLAY_DROPPED, FailureCause.REPLAY,
                        deviceId(c.getEstablishedPeerIdentity()),
                        record.getPeerAddress(), "record epoch " + epoch + " seq " + record.getSequenceNumber()
                                + " already received or too old", null);
            }
        }
    }

    /**
     * @return whether the datagram starts with a plaintext DTLS handshake record (content type 22,
     *         epoch 0) holding a ClientHello (handshake type 1): RFC 6347 section 4.1 and 4.2.2
     */
    static boolean isClientHello(java.net.DatagramPacket packet) {
        byte[] d = packet.getData();
        int o = packet.getOffset();
        return packet.getLength() > 13 && d[o] == 22 && d[o + 3] == 0 && d[o + 4] == 0 && d[o + 13] == 1;
    }

    long limitedHandshakes() {
        return limitedHandshakes.sum();
    }

    long blockedDatagrams() {
        return blockedDatagrams.sum();
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
