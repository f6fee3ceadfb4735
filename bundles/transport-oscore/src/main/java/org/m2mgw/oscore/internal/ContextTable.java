package org.m2mgw.oscore.internal;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.m2mgw.oscore.internal.oscore.ContextLookup;
import org.m2mgw.oscore.internal.oscore.OscoreContext;

/**
 * The OSCORE security contexts of the listener's devices, found by the request's kid (the
 * device's Sender ID, which EDHOC made the gateway's C_R) and kid context. Bounded: beyond
 * {@code oscore.max.contexts} the least recently used context is dropped, and its device runs
 * EDHOC again. A device holds one context: a new EDHOC run replaces its previous one.
 */
final class ContextTable implements ContextLookup {

    /**
     * A context and the device it belongs to, with what the session directory shows: when it was
     * made, whether it was restored from storage, and the device's last address and time (two
     * plain volatile writes per request, by the OSCORE layer that found the context anyway).
     */
    static final class Entry {
        private final OscoreContext context;
        private final String deviceId;
        private final String suite;
        private final long since;
        private final boolean restored;
        private volatile java.net.InetSocketAddress lastAddress;
        private volatile long lastSeen;

        Entry(OscoreContext context, String deviceId, String suite, long since, boolean restored) {
            this.context = context;
            this.deviceId = deviceId;
            this.suite = suite;
            this.since = since;
            this.restored = restored;
        }

        OscoreContext context() {
            return context;
        }

        String deviceId() {
            return deviceId;
        }

        String suite() {
            return suite;
        }

        /** @return when the context was made or restored, epoch ms */
        long since() {
            return since;
        }

        /** @return whether it was restored from storage rather than made by EDHOC */
        boolean restored() {
            return restored;
        }

        /** Notes a request of the device that this context decrypted. */
        void seen(java.net.InetSocketAddress address, long now) {
            lastAddress = address;
            lastSeen = now;
        }

        java.net.InetSocketAddress lastAddress() {
            return lastAddress;
        }

        /** @return epoch ms of the last request, or 0 */
        long lastSeen() {
            return lastSeen;
        }
    }

    private final int max;
    private final Map<String, Entry> byKid;
    private final Map<String, String> kidOfDevice = new java.util.HashMap<>();
    private long evicted;

    ContextTable(int max) {
        this.max = max;
        this.byKid = new LinkedHashMap<>(16, 0.75f, true);
    }

    private static String key(byte[] kid, byte[] kidContext) {
        HexFormat h = HexFormat.of();
        return h.formatHex(kid) + "/" + (kidContext == null ? "" : h.formatHex(kidContext));
    }

    @Override
    public synchronized Optional<OscoreContext> find(byte[] kid, byte[] kidContext) {
        Entry e = byKid.get(key(kid, kidContext));
        return e == null ? Optional.empty() : Optional.of(e.context());
    }

    /** @return the entry of a context, if it is still held */
    synchronized Optional<Entry> entry(OscoreContext context) {
        Entry e = byKid.get(key(context.recipientId(), context.idContext()));
        return e != null && e.context() == context ? Optional.of(e) : Optional.empty();
    }

    /**
     * Adds a device's new context, replacing the device's previous one.
     *
     * @return the entry it replaced for that device, if any
     */
    synchronized Optional<Entry> put(OscoreContext context, String deviceId, String suite) {
        return put(context, deviceId, suite, false);
    }

    /**
     * Adds a device's context, replacing the device's previous one.
     *
     * @param restored whether it was restored from storage (shown as resumed)
     * @return the entry it replaced for that device, if any
     */
    synchronized Optional<Entry> put(OscoreContext context, String deviceId, String suite, boolean restored) {
        String k = key(context.recipientId(), context.idContext());
        Entry previous = null;
        String oldKey = kidOfDevice.put(deviceId, k);
        if (oldKey != null && !oldKey.equals(k)) {
            previous = byKid.remove(oldKey);
        }
        Entry clash = byKid.put(k, new Entry(context, deviceId, suite, System.currentTimeMillis(), restored));
        if (clash != null && !clash.deviceId().equals(deviceId)) {
            kidOfDevice.remove(clash.deviceId(), k);
        }
        while (byKid.size() > max) {
            Map.Entry<String, Entry> eldest = byKid.entrySet().iterator().next();
            byKid.remove(eldest.getKey());
            kidOfDevice.remove(eldest.getValue().deviceId(), eldest.getKey());
            evicted++;
        }
        return Optional.ofNullable(previous != null ? previous : clash != null && clash.deviceId().equals(deviceId)
                ? clash : null);
    }

    /** @return whether this recipient id (a candidate C_R) is in use by a context without ID context */
    synchronized boolean recipientIdTaken(byte[] id) {
        return byKid.containsKey(key(id, null));
    }

    /** Drops every context of a device (disabled, removed, quarantined, credentials changed). @return how many */
    synchronized int removeDevice(String deviceId) {
        String k = kidOfDevice.remove(deviceId);
        return k != null && byKid.remove(k) != null ? 1 : 0;
    }

    /** @return a snapshot of the entries, least recently used first */
    synchronized List<Entry> entries() {
        return new ArrayList<>(byKid.values());
    }

    synchronized int size() {
        return byKid.size();
    }

    synchronized long evicted() {
        return evicted;
    }
}
