package org.m2mgw.transport.coaps.internal;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.m2mgw.api.crypto.Airtime;
import org.m2mgw.support.coap.AirtimeMeter;

/**
 * Sorts the listener's UDP datagrams into what they cost whom: a datagram of an established
 * session's records counts for the session's device ({@link Airtime#DTLS_RECORDS}, or
 * {@link Airtime#DTLS_CID_RECORDS} for RFC 9146 records); a handshake datagram is held per peer
 * address until the handshake ends, and then counts for the device as a full handshake or a
 * resumption, with the flights that trail it. A handshake that fails or never ends counts for no
 * device. Sizes are UDP payloads: DTLS record headers included, IP and UDP headers not. A datagram
 * is split into its records (RFC 6347 section 4.1: 13-byte header, plus the connection ID of a
 * tls12_cid record, then a 2-byte length), so the last flight of a handshake and the application
 * data sent with it count apart.
 *
 * <p>Content types (RFC 6347 section 4.1, RFC 9146 section 4): 20 change_cipher_spec, 21 alert, 22
 * handshake, 23 application_data, 25 tls12_cid.
 */
final class DtlsAirtime {
    /** A handshake not finished within this long counts for no device. */
    static final long PENDING_MS = 120_000;
    /** Handshake datagrams this soon after the handshake ended still belong to it (the last flight, retransmissions). */
    static final long TRAILING_MS = 10_000;
    static final int MAX_PENDING = 10_000;
    private static final int CID_OFFSET = 11;

    private static final int FULL = AirtimeMeter.index(Airtime.DTLS_FULL_HANDSHAKE);
    private static final int RESUMED = AirtimeMeter.index(Airtime.DTLS_RESUMPTION);
    private static final int RECORDS = AirtimeMeter.index(Airtime.DTLS_RECORDS);
    private static final int CID_RECORDS = AirtimeMeter.index(Airtime.DTLS_CID_RECORDS);

    /** Handshake datagrams of one peer address not yet attributed. */
    private static final class Pending {
        long datagramsIn;
        long bytesIn;
        long datagramsOut;
        long bytesOut;
        final long since;
        /** A change_cipher_spec came (in, out): the next encrypted record in that direction is the Finished. */
        final boolean[] awaitingFinished = new boolean[2];
        /**
         * Application records that came before the handshake's outcome was known (the receiver is ahead of
         * the worker that processes the Finished): [records, records with CID] x [datagrams in, bytes in,
         * datagrams out, bytes out].
         */
        final long[][] early = new long[2][4];

        long datagrams() {
            return datagramsIn + datagramsOut + early[0][0] + early[0][2] + early[1][0] + early[1][2];
        }

        long bytes() {
            return bytesIn + bytesOut + early[0][1] + early[0][3] + early[1][1] + early[1][3];
        }

        Pending(long since) {
            this.since = since;
        }
    }

    private record Ended(String deviceId, int protocol, long until) {
    }

    private final AirtimeMeter meter;
    private final int cidLength;
    private final Function<InetSocketAddress, Connection> byAddress;
    private final Function<ConnectionId, Connection> byCid;
    private final Function<Principal, String> deviceOf;
    private final Map<InetSocketAddress, Pending> pending = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, Ended> ended = new ConcurrentHashMap<>();

    DtlsAirtime(AirtimeMeter meter, int cidLength, Function<InetSocketAddress, Connection> byAddress,
            Function<ConnectionId, Connection> byCid, Function<Principal, String> deviceOf) {
        this.meter = meter;
        this.cidLength = cidLength;
        this.byAddress = byAddress;
        this.byCid = byCid;
        this.deviceOf = deviceOf;
    }

    /**
     * Counts one datagram received from or sent to {@code peer}, record by record: a datagram may
     * carry the end of a handshake and the first application data together. The datagram itself
     * counts where its first record does.
     */
    void datagram(byte[] data, int offset, int length, InetSocketAddress peer, boolean inbound, long now) {
        if (length <= 0 || peer == null) {
            return;
        }
        Connection c = null;
        boolean looked = false;
        boolean first = true;
        int pos = offset;
        int end = offset + length;
        while (pos < end) {
            int type = data[pos] & 0xff;
            boolean cid = type == 25 && cidLength > 0 && inbound;
            int header = 13 + (cid ? cidLength : 0);
            int size = pos + header <= end
                    ? header + (((data[pos + header - 2] & 0xff) << 8) | (data[pos + header - 1] & 0xff))
                    : end - pos;
            if (size > end - pos) {
                size = end - pos; // truncated or not DTLS: the rest counts as this record
            }
            boolean epochZero = size > 4 && data[pos + 3] == 0 && data[pos + 4] == 0;
            boolean handshake = type == 22 || type == 20 || type == 21 && epochZero;
            if (!looked && (!handshake || type == 25)) {
                looked = true;
                if (cid && size >= CID_OFFSET + cidLength) {
                    byte[] id = new byte[cidLength];
                    System.arraycopy(data, pos + CID_OFFSET, id, 0, cidLength);
                    c = byCid.apply(new ConnectionId(id));
                }
                if (c == null) {
                    c = byAddress.apply(peer);
                }
            }
            Ended e = ended.get(peer);
            boolean endedNow = e != null && now < e.until();
            if (type == 25) {
                // Under a negotiated CID every encrypted record is tls12_cid, the Finished too: it is the
                // first encrypted record after the change_cipher_spec in the same direction.
                Pending p = pending.get(peer);
                if (p != null) {
                    synchronized (p) {
                        handshake = p.awaitingFinished[inbound ? 0 : 1];
                        p.awaitingFinished[inbound ? 0 : 1] = false;
                    }
                }
            }
            record(handshake, type, data, pos, size, peer, inbound, now, c, e, endedNow, first ? 1 : 0);
            first = false;
            pos += size;
        }
    }

    private void record(boolean handshake, int type, byte[] data, int pos, int size, InetSocketAddress peer,
            boolean inbound, long now, Connection c, Ended e, boolean endedNow, int datagrams) {
        if (!handshake) {
            Principal p = c == null ? null : c.getEstablishedPeerIdentity();
            if (p == null && c != null && c.hasOngoingHandshake()) {
                Pending early = pending.get(peer);
                if (early != null) {
                    synchronized (early) {
                        long[] a = early.early[type == 25 ? 1 : 0];
                        a[inbound ? 0 : 2] += datagrams;
                        a[inbound ? 1 : 3] += size;
                    }
                    return;
                }
            }
            meter.add(p == null ? null : deviceOf.apply(p), type == 25 ? CID_RECORDS : RECORDS, inbound, datagrams,
                    size);
            return;
        }
        boolean clientHello = inbound && type == 22 && size > 13 && data[pos + 3] == 0 && data[pos + 4] == 0
                && data[pos + 13] == 1;
        if (clientHello) {
            // a new handshake (RFC 6347 section 4.2.2: handshake type 1 at offset 13), not a trailing flight
            ended.remove(peer);
        } else if (endedNow) {
            meter.add(e.deviceId(), e.protocol(), inbound, datagrams, size);
            return;
        }
        if (pending.size() >= MAX_PENDING && !pending.containsKey(peer)) {
            meter.unattributed(datagrams, size);
            return;
        }
        Pending p = pending.computeIfAbsent(peer, k -> new Pending(now));
        synchronized (p) {
            if (type == 20) {
                p.awaitingFinished[inbound ? 0 : 1] = true;
            }
            if (inbound) {
                p.datagramsIn += datagrams;
                p.bytesIn += size;
            } else {
                p.datagramsOut += datagrams;
                p.bytesOut += size;
            }
        }
    }

    /** A handshake with {@code peer} ended: its datagrams so far, and those that trail it, are the device's. */
    void established(InetSocketAddress peer, String deviceId, boolean full, long now) {
        int protocol = full ? FULL : RESUMED;
        if (deviceId == null) {
            failed(peer);
            return;
        }
        ended.put(peer, new Ended(deviceId, protocol, now + TRAILING_MS));
        Pending p = pending.remove(peer);
        if (p != null) {
            synchronized (p) {
                meter.add(deviceId, protocol, true, p.datagramsIn, p.bytesIn);
                meter.add(deviceId, protocol, false, p.datagramsOut, p.bytesOut);
                for (int k = 0; k < 2; k++) {
                    long[] a = p.early[k];
                    if (a[0] + a[2] > 0) {
                        meter.add(deviceId, k == 0 ? RECORDS : CID_RECORDS, true, a[0], a[1]);
                        meter.add(deviceId, k == 0 ? RECORDS : CID_RECORDS, false, a[2], a[3]);
                    }
                }
            }
        }
        meter.handshake(deviceId, protocol);
    }

    /** A handshake with {@code peer} failed: what it cost counts for no device. */
    void failed(InetSocketAddress peer) {
        Pending p = pending.remove(peer);
        if (p != null) {
            synchronized (p) {
                meter.unattributed(p.datagrams(), p.bytes());
            }
        }
    }

    /** Gives up on handshakes that never ended, and forgets ended ones past their trailing time. */
    void expire(long now) {
        for (Iterator<Map.Entry<InetSocketAddress, Pending>> it = pending.entrySet().iterator(); it.hasNext();) {
            Map.Entry<InetSocketAddress, Pending> e = it.next();
            if (now - e.getValue().since > PENDING_MS && pending.remove(e.getKey(), e.getValue())) {
                Pending p = e.getValue();
                synchronized (p) {
                    meter.unattributed(p.datagrams(), p.bytes());
                }
            }
        }
        ended.values().removeIf(e -> now >= e.until());
    }

    /** @return handshakes whose datagrams wait for an outcome */
    int pending() {
        return pending.size();
    }
}
