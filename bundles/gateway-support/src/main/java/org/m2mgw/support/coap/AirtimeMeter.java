package org.m2mgw.support.coap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.m2mgw.api.crypto.Airtime;
import org.m2mgw.api.crypto.CryptoInventory;

/**
 * Adds up what each device's datagrams cost on the air, per protocol ({@link Airtime}), and hands
 * the sums to the crypto inventory every few seconds ({@link #flush}), so that the hot path costs
 * an uncontended lock and a few additions per datagram. Also keeps the listener's totals since
 * start for its status counters. A device that sent nothing between two flushes is forgotten here
 * (the inventory keeps its sums).
 */
public final class AirtimeMeter {
    /** The protocols, in the order of the counters and of {@link Airtime}'s constants. */
    public static final List<String> PROTOCOLS = List.of(Airtime.DTLS_FULL_HANDSHAKE, Airtime.DTLS_RESUMPTION,
            Airtime.DTLS_RECORDS, Airtime.DTLS_CID_RECORDS, Airtime.EDHOC, Airtime.OSCORE);
    private static final int FIELDS = 5;
    private static final int D_IN = 0;
    private static final int B_IN = 1;
    private static final int D_OUT = 2;
    private static final int B_OUT = 3;
    private static final int HANDSHAKES = 4;

    /** One device's sums since the last flush; {@code retired} once a flush dropped it. */
    private static final class Sums {
        final long[] v = new long[PROTOCOLS.size() * FIELDS];
        boolean retired;
        boolean used;
    }

    private final Map<String, Sums> devices = new ConcurrentHashMap<>();
    private final LongAdder[] totals = new LongAdder[PROTOCOLS.size() * FIELDS];
    private final LongAdder unattributedDatagrams = new LongAdder();
    private final LongAdder unattributedBytes = new LongAdder();

    public AirtimeMeter() {
        for (int i = 0; i < totals.length; i++) {
            totals[i] = new LongAdder();
        }
    }

    /**
     * @param protocol one of {@link #PROTOCOLS}
     * @return its index
     * @throws IllegalArgumentException for another name
     */
    public static int index(String protocol) {
        int i = PROTOCOLS.indexOf(protocol);
        if (i < 0) {
            throw new IllegalArgumentException("not an airtime protocol: " + protocol);
        }
        return i;
    }

    /**
     * Counts datagrams of one device.
     *
     * @param deviceId the device, or null when no device could be named (counted apart)
     * @param protocol an index from {@link #index}
     * @param inbound received (true) or sent (false)
     * @param datagrams how many datagrams
     * @param bytes their UDP payload bytes
     */
    public void add(String deviceId, int protocol, boolean inbound, long datagrams, long bytes) {
        if (deviceId == null) {
            unattributedDatagrams.add(datagrams);
            unattributedBytes.add(bytes);
            return;
        }
        int base = protocol * FIELDS;
        int d = base + (inbound ? D_IN : D_OUT);
        int b = base + (inbound ? B_IN : B_OUT);
        update(deviceId, d, datagrams, b, bytes);
        totals[d].add(datagrams);
        totals[b].add(bytes);
    }

    /** Counts one completed handshake of a device. */
    public void handshake(String deviceId, int protocol) {
        int h = protocol * FIELDS + HANDSHAKES;
        update(deviceId, h, 1, h, 0);
        totals[h].increment();
    }

    /** Counts datagrams that belong to no device: handshakes that failed or never finished. */
    public void unattributed(long datagrams, long bytes) {
        unattributedDatagrams.add(datagrams);
        unattributedBytes.add(bytes);
    }

    private void update(String deviceId, int i, long di, int j, long dj) {
        while (true) {
            Sums s = devices.computeIfAbsent(deviceId, k -> new Sums());
            synchronized (s) {
                if (!s.retired) {
                    s.v[i] += di;
                    s.v[j] += dj;
                    s.used = true;
                    return;
                }
            }
            devices.remove(deviceId, s);
        }
    }

    /**
     * Reports the sums since the last flush to the inventory and starts new ones.
     *
     * @param inventory where to report, or null to drop them (no inventory installed)
     * @return how many devices were reported
     */
    public int flush(CryptoInventory inventory) {
        int reported = 0;
        for (Map.Entry<String, Sums> e : devices.entrySet()) {
            Sums s = e.getValue();
            long[] v;
            synchronized (s) {
                if (!s.used) {
                    s.retired = true;
                    devices.remove(e.getKey(), s);
                    continue;
                }
                v = s.v.clone();
                java.util.Arrays.fill(s.v, 0);
                s.used = false;
            }
            if (inventory != null) {
                inventory.airtime(e.getKey(), airtime(v));
                reported++;
            }
        }
        return reported;
    }

    private static Collection<Airtime> airtime(long[] v) {
        List<Airtime> out = new ArrayList<>(2);
        for (int p = 0; p < PROTOCOLS.size(); p++) {
            int b = p * FIELDS;
            if (v[b + D_IN] != 0 || v[b + D_OUT] != 0 || v[b + HANDSHAKES] != 0) {
                out.add(new Airtime(PROTOCOLS.get(p), v[b + D_IN], v[b + B_IN], v[b + D_OUT], v[b + B_OUT],
                        v[b + HANDSHAKES]));
            }
        }
        return out;
    }

    /** @return the totals since start per protocol (only protocols seen), and what no device could be named for */
    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int p = 0; p < PROTOCOLS.size(); p++) {
            int b = p * FIELDS;
            long datagrams = totals[b + D_IN].sum() + totals[b + D_OUT].sum();
            long handshakes = totals[b + HANDSHAKES].sum();
            if (datagrams == 0 && handshakes == 0) {
                continue;
            }
            String slug = "airtime." + PROTOCOLS.get(p).toLowerCase(Locale.ROOT).replace(' ', '-');
            out.put(slug + ".datagrams.in", totals[b + D_IN].sum());
            out.put(slug + ".bytes.in", totals[b + B_IN].sum());
            out.put(slug + ".datagrams.out", totals[b + D_OUT].sum());
            out.put(slug + ".bytes.out", totals[b + B_OUT].sum());
            if (handshakes != 0) {
                out.put(slug + ".handshakes", handshakes);
            }
        }
        out.put("airtime.unattributed.datagrams", unattributedDatagrams.sum());
        out.put("airtime.unattributed.bytes", unattributedBytes.sum());
        return out;
    }

    /** @return the totals since start of one protocol, all devices */
    public Airtime total(String protocol) {
        int b = index(protocol) * FIELDS;
        return new Airtime(protocol, totals[b + D_IN].sum(), totals[b + B_IN].sum(), totals[b + D_OUT].sum(),
                totals[b + B_OUT].sum(), totals[b + HANDSHAKES].sum());
    }
}
