package org.m2mgw.operator.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m2mgw.api.traffic.TrafficEvent;

/**
 * What the devices did lately, from the transports' traffic events: per device the last time it
 * was heard, its accepted messages, the bytes of its current session per transport, and the
 * metadata of its last few messages (time, resource, bytes, accepted; never a payload, which
 * traffic events do not carry).
 *
 * <p>Bounded whatever the fleet: at most {@code maxDevices} devices, the least recently active
 * forgotten first (an access-ordered map), and at most {@code recentPerDevice} messages each, in a
 * fixed ring. Events arrive on the transports' I/O threads; the work per event is a map lookup and
 * a few field writes under one lock.
 */
final class DeviceActivity {

    /** One message's metadata. Content format is not in traffic events, so it is not known here. */
    record Recent(long timeMs, String resource, long bytes, boolean accepted) {
    }

    /** One device's activity. Guarded by the enclosing DeviceActivity's lock. */
    static final class Stats {
        long lastSeenMs;
        long messages;
        long rejected;
        /** Bytes of the current session, per transport: [in, out]. */
        final Map<String, long[]> sessionBytes = new HashMap<>(2);
        private Recent[] ring;
        private int next;
        private int count;

        void add(Recent r, int capacity) {
            if (capacity == 0) {
                return;
            }
            if (ring == null || ring.length != capacity) {
                Recent[] old = ring == null ? new Recent[0] : recentNewestFirst();
                ring = new Recent[capacity];
                next = 0;
                count = 0;
                for (int i = Math.min(old.length, capacity) - 1; i >= 0; i--) {
                    push(old[i]);
                }
            }
            push(r);
        }

        private void push(Recent r) {
            ring[next] = r;
            next = (next + 1) % ring.length;
            count = Math.min(count + 1, ring.length);
        }

        Recent[] recentNewestFirst() {
            Recent[] out = new Recent[count];
            for (int i = 0; i < count; i++) {
                out[i] = ring[Math.floorMod(next - 1 - i, ring.length)];
            }
            return out;
        }

        int recentCount() {
            return count;
        }
    }

    /** A copy of one device's activity, for answers. */
    record View(Instant lastSeen, long messages, long rejected, Map<String, long[]> sessionBytes,
            List<Recent> recent) {
    }

    private final LinkedHashMap<String, Stats> devices = new LinkedHashMap<>(1024, 0.75f, true);
    private int maxDevices;
    private int recentPerDevice;
    private long evicted;

    DeviceActivity(int maxDevices, int recentPerDevice) {
        this.maxDevices = maxDevices;
        this.recentPerDevice = recentPerDevice;
    }

    synchronized void resize(int newMaxDevices, int newRecentPerDevice) {
        maxDevices = newMaxDevices;
        recentPerDevice = newRecentPerDevice;
        trim();
    }

    /** Takes one traffic event; events without a device are not kept here. */
    void onEvent(TrafficEvent e) {
        String id = e.deviceId().orElse(null);
        if (id == null) {
            return;
        }
        long t = e.time().toEpochMilli();
        synchronized (this) {
            Stats s = devices.get(id);
            if (s == null) {
                s = new Stats();
                devices.put(id, s);
                trim();
            }
            s.lastSeenMs = Math.max(s.lastSeenMs, t);
            switch (e.type()) {
                case REQUEST -> {
                    s.messages++;
                    s.add(new Recent(t, e.resource().orElse(null), e.bytes(), true), recentPerDevice);
                }
                case REQUEST_REJECTED -> {
                    s.rejected++;
                    s.add(new Recent(t, e.resource().orElse(null), e.bytes(), false), recentPerDevice);
                }
                case BYTES_IN -> s.sessionBytes.computeIfAbsent(e.transport(), k -> new long[2])[0] += e.bytes();
                case BYTES_OUT -> s.sessionBytes.computeIfAbsent(e.transport(), k -> new long[2])[1] += e.bytes();
                case HANDSHAKE_SUCCEEDED, SESSION_RESUMED -> s.sessionBytes.put(e.transport(), new long[2]);
                default -> {
                    // last seen only
                }
            }
        }
    }

    private void trim() {
        var it = devices.entrySet().iterator();
        while (devices.size() > maxDevices && it.hasNext()) {
            it.next();
            it.remove();
            evicted++;
        }
    }

    /** @return a copy of the device's activity, if it is tracked */
    synchronized View view(String id) {
        Stats s = devices.get(id);
        if (s == null) {
            return null;
        }
        Map<String, long[]> bytes = new HashMap<>();
        s.sessionBytes.forEach((k, v) -> bytes.put(k, v.clone()));
        List<Recent> recent = new ArrayList<>(List.of(s.recentNewestFirst()));
        return new View(s.lastSeenMs == 0 ? null : Instant.ofEpochMilli(s.lastSeenMs), s.messages, s.rejected,
                bytes, Collections.unmodifiableList(recent));
    }

    /**
     * Last seen and message counts of all tracked devices, without touching their recency (a
     * listing must not change which device is forgotten next).
     *
     * @return device id to {lastSeenMs, messages}
     */
    synchronized Map<String, long[]> summaries() {
        Map<String, long[]> out = new HashMap<>(devices.size() * 2);
        devices.forEach((k, s) -> out.put(k, new long[] {s.lastSeenMs, s.messages}));
        return out;
    }

    synchronized int tracked() {
        return devices.size();
    }

    /** @return the messages' metadata held over all devices (for the bound checks) */
    synchronized long recentHeld() {
        long n = 0;
        for (Stats s : devices.values()) {
            n += s.recentCount();
        }
        return n;
    }

    synchronized long evicted() {
        return evicted;
    }

    synchronized void forget(String id) {
        devices.remove(id);
    }
}
