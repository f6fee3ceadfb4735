package org.m2mgw.transport.coaps.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.eclipse.californium.elements.util.ClockUtil;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.eclipse.californium.scandium.dtls.DTLSSession;
import org.m2mgw.api.session.SessionInfo;

/**
 * The listener's live DTLS sessions for the {@link org.m2mgw.api.session.SessionDirectory}, read
 * from the connector's connection store when asked. The only thing recorded ahead is which
 * contexts came from an abbreviated handshake (once per handshake, never per record), in a weak
 * map that forgets a context with its connection.
 */
final class DtlsSessions {
    private final Map<DTLSContext, Boolean> resumed = Collections.synchronizedMap(new WeakHashMap<>());

    /** Called once per completed handshake. */
    void established(DTLSContext context, boolean fullHandshake) {
        if (!fullHandshake) {
            resumed.put(context, Boolean.TRUE);
        }
    }

    /**
     * @param connections the connector's connections
     * @param credentials maps a peer identity to its device
     * @param deviceId only this device's sessions, or null for all
     */
    List<SessionInfo> read(Iterable<Connection> connections, RegistryCredentials credentials, String deviceId) {
        List<SessionInfo> out = new ArrayList<>();
        long nowMs = System.currentTimeMillis();
        long nowNanos = ClockUtil.nanoRealtime();
        for (Connection c : connections) {
            DTLSContext ctx = c.getEstablishedDtlsContext();
            if (ctx == null) {
                continue;
            }
            DTLSSession s = ctx.getSession();
            String device = credentials.deviceIdOf(s.getPeerIdentity());
            if (device == null || deviceId != null && !deviceId.equals(device)) {
                continue;
            }
            ConnectionId cid = ctx.getReadConnectionId();
            long handshake = ctx.getLastHandshakeTime();
            long lastNanos = c.getLastMessageNanos();
            Instant lastSeen = lastNanos == 0 ? null
                    : Instant.ofEpochMilli(nowMs - Math.max(0, (nowNanos - lastNanos) / 1_000_000));
            out.add(new SessionInfo(device, "coaps", c.getPeerAddress(),
                    s.getCipherSuite() == null ? "unknown" : s.getCipherSuite().name(),
                    cid == null || cid.isEmpty() ? null : cid.getAsString(),
                    resumed.containsKey(ctx), Instant.ofEpochMilli(handshake > 0 ? handshake : s.getCreationTime()),
                    lastSeen, -1, -1));
        }
        return out;
    }
}
