package org.m2mgw.anomaly.internal.engine;

import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * A periodic sensor that an attack takes over at a known time: until then it behaves like
 * {@link TrafficGenerator.PeriodicSensor} (±10 % jitter, a few resources, sizes ±5 %); from then on its
 * {@link Script} may change its period and payload sizes and add events to each report.
 */
final class ScriptedDevice extends TrafficGenerator.Device {

    /** What the attack does to the device; each method gets the milliseconds since the attack began. */
    interface Script {
        /** @return the factor its period is multiplied by */
        default double periodFactor(long sinceAttack) {
            return 1;
        }

        /** @return the payload size of a report to {@code resource} whose usual size is {@code usual} */
        default long size(String resource, long usual, long sinceAttack) {
            return usual;
        }

        /**
         * Adds events after report number {@code report} (counted from the attack's start), each at
         * least at {@code t} and less than {@code t + 1000}.
         */
        default void afterReport(ScriptedDevice d, int report, long t, long sinceAttack, List<TrafficEvent> out) {
        }
    }

    static final Script NONE = new Script() {
    };

    private final double periodSeconds;
    private final String[] resources;
    private final int size;
    private final long attackAt;
    private final Script script;
    private boolean connected;
    private int attackReports;

    /**
     * @param firstReport epoch milliseconds of its first report (its handshake is just before)
     * @param attackAt epoch milliseconds the script starts
     */
    ScriptedDevice(String id, String host, int port, double periodSeconds, String[] resources, int size,
            long firstReport, long attackAt, Script script, SplittableRandom random) {
        super(id, host, port, random);
        this.periodSeconds = periodSeconds;
        this.resources = resources;
        this.size = size;
        this.attackAt = attackAt;
        this.script = script;
        this.next = firstReport;
    }

    @Override
    boolean refill() {
        long t = next;
        if (!connected) {
            connected = true;
            pending.add(event(TrafficEventType.HANDSHAKE_SUCCEEDED, id, address(), t));
            t += 40;
        }
        boolean attacking = t >= attackAt;
        long since = t - attackAt;
        if (random.nextDouble() >= 0.005) {
            for (String r : resources) {
                long usual = Math.max(1, Math.round(size + random.nextGaussian() * size * 0.05));
                pending.add(request(id, address(), t, r, attacking ? script.size(r, usual, since) : usual));
                t += 20 + random.nextInt(80);
            }
        }
        if (attacking) {
            List<TrafficEvent> extra = new java.util.ArrayList<>();
            script.afterReport(this, attackReports++, t, since, extra);
            extra.sort(java.util.Comparator.comparing(TrafficEvent::time));
            pending.addAll(extra);
            if (!extra.isEmpty()) {
                t = Math.max(t, extra.get(extra.size() - 1).time().toEpochMilli() + 1);
            }
        }
        double period = periodSeconds * (attacking ? script.periodFactor(since) : 1);
        next += Math.max(t - next + 1, (long) (period * 1000 * (0.9 + 0.2 * random.nextDouble())));
        return true;
    }

    double periodSeconds() {
        return periodSeconds;
    }

    /** @return an event of this device from its address */
    TrafficEvent event(TrafficEventType type, long t) {
        return TrafficEvent.builder(type, TrafficGenerator.TRANSPORT, address()).deviceId(id)
                .time(Instant.ofEpochMilli(t)).build();
    }
}
