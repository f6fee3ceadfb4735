package org.m2mgw.transport.coaps.internal;

import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.security.Principal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.californium.scandium.dtls.Connection;

/**
 * Keeps one device from filling the DTLS connection store. Scandium keeps every connection until
 * it is stale (a day by default), also when the same device has since made a new handshake from
 * another port: a device that re-handshakes in a loop could take every slot and lock all others
 * out, even across a restart (the saved sessions bring them back). Here, when a principal's
 * handshake completes, its previous connection is removed at once, and a source address holds at
 * most {@code maxPerAddress} established connections (the oldest goes).
 *
 * <p>Connections are held through weak references: the store decides their lifetime, this class
 * only finds them again.
 */
final class ConnectionLimits {

    /** Removes a connection from the store the connector uses. */
    interface Remover {
        void remove(Connection connection, boolean withSession);
    }

    private final Remover remover;
    private final int maxPerAddress;
    private final Map<String, WeakReference<Connection>> byPrincipal = new ConcurrentHashMap<>();
    private final Map<InetAddress, PerAddress> byAddress = new ConcurrentHashMap<>();

    /** The established connections of one address, oldest first; guarded by itself. */
    private static final class PerAddress {
        /** Identity set (Connection keeps Object's equals), weak so the store alone decides lifetimes. */
        final java.util.Set<Connection> members = java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>());
        final Deque<WeakReference<Connection>> order = new ArrayDeque<>();
    }
    private final LongAdder superseded = new LongAdder();
    private final LongAdder overAddressCap = new LongAdder();
    /** Counts calls, to prune the indexes now and then; races only make a prune come early or late. */
    private int calls;

    ConnectionLimits(Remover remover, int maxPerAddress) {
        this.remover = remover;
        this.maxPerAddress = maxPerAddress;
    }

    static String key(Principal p) {
        return p.getClass().getSimpleName() + ":" + p.getName();
    }

    /** Called when a connection has an established session (new, resumed or restored). */
    void established(Connection connection) {
        Principal p = connection.getEstablishedPeerIdentity();
        if (p != null) {
            WeakReference<Connection> old = byPrincipal.put(key(p), new WeakReference<>(connection));
            Connection previous = old == null ? null : old.get();
            if (previous != null && previous != connection && !previous.isClosed()) {
                superseded.increment();
                // a resumption from a new address shares the session: keep it for the new connection
                boolean sameSession = previous.getEstablishedSessionIdentifier() != null
                        && previous.getEstablishedSessionIdentifier().equals(connection.getEstablishedSessionIdentifier());
                remover.remove(previous, !sameSession);
                forget(previous);
            }
        }
        if (++calls % 4096 == 0) {
            prune();
        }
        InetAddress ip = connection.getPeerAddress() == null ? null : connection.getPeerAddress().getAddress();
        if (ip == null) {
            return;
        }
        Connection evict = null;
        PerAddress list = byAddress.computeIfAbsent(ip, k -> new PerAddress());
        synchronized (list) {
            // Amortised O(1): a connection is added once, and the dead are dropped from the head only
            // when the count is over the cap, so a handshake never scans the whole list.
            if (list.members.add(connection)) {
                list.order.addLast(new WeakReference<>(connection));
            }
            while (list.members.size() > maxPerAddress && !list.order.isEmpty()) {
                Connection head = list.order.pollFirst().get();
                if (head == null || !list.members.contains(head)) {
                    continue;
                }
                list.members.remove(head);
                if (head != connection && !head.isClosed() && head.getPeerAddress() != null
                        && ip.equals(head.getPeerAddress().getAddress())) {
                    evict = head;
                    break;
                }
            }
        }
        if (evict != null) {
            overAddressCap.increment();
            remover.remove(evict, true);
        }
    }

    /** Takes a removed connection out of its address's count at once. */
    private void forget(Connection c) {
        InetAddress ip = c.getPeerAddress() == null ? null : c.getPeerAddress().getAddress();
        PerAddress list = ip == null ? null : byAddress.get(ip);
        if (list != null) {
            synchronized (list) {
                list.members.remove(c);
            }
        }
    }

    /** Forgets addresses whose connections are all gone; call now and then. */
    void prune() {
        byAddress.entrySet().removeIf(e -> {
            PerAddress list = e.getValue();
            synchronized (list) {
                list.members.removeIf(Connection::isClosed);
                list.order.removeIf(r -> r.get() == null || !list.members.contains(r.get()));
                return list.members.isEmpty();
            }
        });
        byPrincipal.values().removeIf(r -> r.get() == null);
    }

    long superseded() {
        return superseded.sum();
    }

    long overAddressCap() {
        return overAddressCap.sum();
    }
}
