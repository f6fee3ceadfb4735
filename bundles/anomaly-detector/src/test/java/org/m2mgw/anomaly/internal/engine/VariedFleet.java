package org.m2mgw.anomaly.internal.engine;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * The evaluation's normal fleet, built from {@link TrafficGenerator}'s devices with more variety:
 * report periods from 1 s to 10 min, NAT groups of 2 to 8 devices behind one address, devices that
 * sleep for hours, gateway outages after which every device reconnects and flushes the reports it
 * held back at once, and a firmware rollout that gives some devices a new resource.
 */
final class VariedFleet {
    /** A gateway (or uplink) outage: no traffic reaches the detector from {@code start} for {@code length}. */
    record Outage(Duration start, Duration length) {
        long startMs() {
            return TrafficGenerator.millis(start);
        }

        long endMs() {
            return TrafficGenerator.millis(start.plus(length));
        }
    }

    /**
     * @param devices how many normal devices
     * @param outages fleet-wide outages, in time order
     * @param firmwareRolloutAt when a firmware rollout starts ({@code null}: none); it reaches devices
     *     over the following hour
     * @param firmwareFraction the share of devices it reaches
     */
    record Options(int devices, List<Outage> outages, Duration firmwareRolloutAt, double firmwareFraction) {
    }

    /** Held-back requests a device keeps during an outage; older ones are dropped. */
    static final int MAX_HELD_REQUESTS = 60;
    /** The resource the rollout's firmware adds. */
    static final String FIRMWARE_RESOURCE = "telemetry/diagnostics";

    final TrafficGenerator generator;
    final Options options;
    /** Device id to its kind, in creation order. */
    final Map<String, String> kinds = new LinkedHashMap<>();
    /** Every host (IP) the fleet uses. */
    final Set<String> hosts = new HashSet<>();
    /** Devices the firmware rollout reached. */
    final Set<String> firmwareUpdated = new HashSet<>();

    private VariedFleet(TrafficGenerator generator, Options options) {
        this.generator = generator;
        this.options = options;
    }

    static VariedFleet build(long seed, Options o) {
        TrafficGenerator g = new TrafficGenerator(seed);
        VariedFleet fleet = new VariedFleet(g, o);
        SplittableRandom r = new SplittableRandom(seed * 7919 + 17);
        double[] fastPeriods = {1, 2, 5};
        double[] periods = {10, 30, 60, 120, 300, 600};
        int made = 0;
        int group = 0;
        while (made < o.devices()) {
            // half the addresses hold one device; the rest are NAT groups of 2 to 8
            int size = r.nextDouble() < 0.5 ? 1 : 2 + r.nextInt(7);
            size = Math.min(size, o.devices() - made);
            String host = size == 1 ? "10." + (1 + group / 250 % 250) + "." + (group % 250) + ".10"
                    : "100.64." + (group / 250 % 250) + "." + (1 + group % 250);
            group++;
            fleet.hosts.add(host);
            for (int k = 0; k < size; k++, made++) {
                double kind = r.nextDouble();
                TrafficGenerator.Source s;
                String id;
                if (kind < 0.10) {
                    id = "fast-" + made;
                    s = g.periodic(id, host, fastPeriods[r.nextInt(fastPeriods.length)]);
                } else if (kind < 0.45) {
                    id = "sensor-" + made;
                    s = g.periodic(id, host, periods[r.nextInt(periods.length)]);
                } else if (kind < 0.70) {
                    id = "button-" + made;
                    s = g.bursty(id, host);
                } else if (kind < 0.90) {
                    id = "sleepy-" + made;
                    s = g.sleepy(id, host, 600 + r.nextInt(3000));
                } else {
                    id = "dormant-" + made; // sleeps 1 to 6 hours
                    s = g.sleepy(id, host, 3600 + r.nextInt(5 * 3600));
                }
                fleet.kinds.put(id, id.substring(0, id.indexOf('-')));
                if (o.firmwareRolloutAt() != null && r.nextDouble() < o.firmwareFraction()) {
                    long at = TrafficGenerator.millis(o.firmwareRolloutAt()) + r.nextInt(3_600_000);
                    s = new FirmwareUpdate(s, at, r.split());
                    fleet.firmwareUpdated.add(id);
                }
                if (!o.outages().isEmpty()) {
                    s = new OutageReplay(s, o.outages(), r.split());
                }
                g.add(s);
            }
        }
        return fleet;
    }

    List<String> deviceIds() {
        return new ArrayList<>(kinds.keySet());
    }

    /** @return the same event at another time (and from another source, when given) */
    static TrafficEvent retime(TrafficEvent e, long t, InetSocketAddress source) {
        return TrafficEvent.builder(e.type(), e.transport(), source == null ? e.source() : source)
                .deviceId(e.deviceId().orElse(null)).cause(e.cause()).claimedIdentity(e.claimedIdentity().orElse(null))
                .reason(e.reason().isEmpty() ? null : e.reason()).resource(e.resource().orElse(null)).bytes(e.bytes())
                .time(Instant.ofEpochMilli(t)).build();
    }

    /**
     * A device behind an outage: what it would have sent during the outage is held back (its latest
     * {@value #MAX_HELD_REQUESTS} requests); within 30 s after the outage it reconnects (a full handshake
     * or a resumption) and delivers them 15 to 75 ms apart.
     */
    static final class OutageReplay extends TrafficGenerator.Source {
        private final TrafficGenerator.Source inner;
        private final List<Outage> outages;
        private final SplittableRandom random;

        OutageReplay(TrafficGenerator.Source inner, List<Outage> outages, SplittableRandom random) {
            this.inner = inner;
            this.outages = outages;
            this.random = random;
        }

        @Override
        boolean refill() {
            long t = inner.peekTime();
            if (t == Long.MAX_VALUE) {
                return false;
            }
            Outage o = outages.stream().filter(x -> x.startMs() <= t && t < x.endMs()).findFirst().orElse(null);
            if (o == null) {
                pending.add(inner.poll());
                return true;
            }
            long flushAt = o.endMs() + 500 + random.nextInt(30_000);
            ArrayDeque<TrafficEvent> held = new ArrayDeque<>();
            TrafficEvent latest = null;
            while (inner.peekTime() < flushAt) {
                TrafficEvent e = inner.poll();
                latest = e;
                if (e.type() == TrafficEventType.REQUEST) {
                    held.add(e);
                    if (held.size() > MAX_HELD_REQUESTS) {
                        held.poll();
                    }
                }
            }
            InetSocketAddress source = latest.source();
            long tt = flushAt;
            pending.add(TrafficEvent
                    .builder(random.nextBoolean() ? TrafficEventType.SESSION_RESUMED : TrafficEventType.HANDSHAKE_SUCCEEDED,
                            latest.transport(), source)
                    .deviceId(latest.deviceId().orElse(null)).time(Instant.ofEpochMilli(tt)).build());
            tt += 40 + random.nextInt(80);
            for (TrafficEvent e : held) {
                pending.add(retime(e, tt, source));
                tt += 15 + random.nextInt(60);
            }
            // what the device sends while it flushes comes behind the flush
            while (inner.peekTime() <= tt) {
                pending.add(retime(inner.poll(), tt, null));
                tt += 15 + random.nextInt(60);
            }
            return true;
        }
    }

    /**
     * A firmware update at {@code at}: the device closes its session, reboots, makes a full handshake
     * about a minute later, and from then on posts to {@link #FIRMWARE_RESOURCE} after one report in
     * five.
     */
    static final class FirmwareUpdate extends TrafficGenerator.Source {
        private final TrafficGenerator.Source inner;
        private final long at;
        private final SplittableRandom random;
        private boolean updated;
        private long last = Long.MIN_VALUE;

        FirmwareUpdate(TrafficGenerator.Source inner, long at, SplittableRandom random) {
            this.inner = inner;
            this.at = at;
            this.random = random;
        }

        @Override
        boolean refill() {
            long t = inner.peekTime();
            if (t == Long.MAX_VALUE) {
                return false;
            }
            TrafficEvent e = inner.poll();
            if (!updated && t >= at && e.deviceId().isPresent()) {
                updated = true;
                long reboot = Math.min(t, Math.max(at, last + 1));
                pending.add(TrafficEvent.builder(TrafficEventType.SESSION_CLOSED, e.transport(), e.source())
                        .deviceId(e.deviceId().get()).reason("closed by peer: reboot for firmware update")
                        .time(Instant.ofEpochMilli(reboot)).build());
                pending.add(TrafficEvent.builder(TrafficEventType.HANDSHAKE_SUCCEEDED, e.transport(), e.source())
                        .deviceId(e.deviceId().get()).time(Instant.ofEpochMilli(Math.min(t, Math.max(reboot, t - 50)))).build());
            }
            pending.add(e);
            last = t;
            if (updated && e.type() == TrafficEventType.REQUEST && random.nextInt(5) == 0) {
                pending.add(TrafficEvent.builder(TrafficEventType.REQUEST, e.transport(), e.source())
                        .deviceId(e.deviceId().orElse(null)).resource(FIRMWARE_RESOURCE).bytes(30 + random.nextInt(30))
                        .time(Instant.ofEpochMilli(t + 1)).build());
                last = t + 1;
            }
            return true;
        }
    }
}
