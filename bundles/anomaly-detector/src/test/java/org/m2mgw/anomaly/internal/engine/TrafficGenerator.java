package org.m2mgw.anomaly.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.LongToDoubleFunction;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * Synthetic device traffic in simulated time, as the CoAP/DTLS transport would report it: periodic
 * sensors with jitter, bursty event devices and sleepy devices, plus attacks. Events come out in time
 * order; every random choice comes from one seed, so a run can be repeated.
 */
final class TrafficGenerator {
    static final Instant T0 = Instant.parse("2025-03-01T00:00:00Z");
    static final String TRANSPORT = "coaps";

    private final SplittableRandom random;
    private final PriorityQueue<Source> sources = new PriorityQueue<>(Comparator.comparingLong(Source::peekTime));
    private final List<String> deviceIds = new ArrayList<>();
    private long emitted;

    TrafficGenerator(long seed) {
        random = new SplittableRandom(seed);
    }

    /** @return {@link #T0} plus the offset, in epoch milliseconds */
    static long millis(Duration offset) {
        return T0.plus(offset).toEpochMilli();
    }

    /**
     * A fleet of normal devices: a third each periodic sensors (every 5 s to 5 min), bursty event
     * devices and sleepy devices (waking every 10 to 60 min), four devices behind each NAT address.
     */
    static TrafficGenerator fleet(long seed, int devices) {
        TrafficGenerator g = new TrafficGenerator(seed);
        double[] periods = {5, 10, 15, 30, 60, 120, 300};
        for (int i = 0; i < devices; i++) {
            String host = "10.0." + (i / 4 / 250) + "." + (1 + i / 4 % 250);
            switch (i % 3) {
                case 0 -> g.add(g.periodic("sensor-" + i, host, periods[(i / 3) % periods.length]));
                case 1 -> g.add(g.bursty("button-" + i, host));
                default -> g.add(g.sleepy("sleepy-" + i, host, 600 + g.random.nextInt(3000)));
            }
        }
        return g;
    }

    void add(Source s) {
        if (s instanceof Device d) {
            deviceIds.add(d.id);
        }
        sources.add(s);
    }

    List<String> deviceIds() {
        return deviceIds;
    }

    long emitted() {
        return emitted;
    }

    /** Feeds every event before {@code T0 + until} to the sink, in time order. */
    void runUntil(Duration until, Consumer<TrafficEvent> sink) {
        long end = millis(until);
        while (!sources.isEmpty() && sources.peek().peekTime() < end) {
            Source s = sources.poll();
            sink.accept(s.poll());
            emitted++;
            if (s.peekTime() != Long.MAX_VALUE) {
                sources.add(s);
            }
        }
    }

    // --- normal devices ---

    /** A sensor reporting every {@code periodSeconds}, ±10 %, one to three resources at a time. */
    PeriodicSensor periodic(String id, String host, double periodSeconds) {
        return periodic(id, host, t -> periodSeconds);
    }

    PeriodicSensor periodic(String id, String host, LongToDoubleFunction periodAt) {
        return periodic(id, host, periodAt, 1 + random.nextInt(3), 20 + random.nextInt(100));
    }

    /**
     * A sensor whose period depends on the time, for rate changes and ramps.
     *
     * @param periodAt milliseconds since {@link #T0} to the period in seconds
     * @param resources how many resources (1 to 3) it posts to in each report
     * @param size its usual payload size in bytes
     */
    PeriodicSensor periodic(String id, String host, LongToDoubleFunction periodAt, int resources, int size) {
        return new PeriodicSensor(id, host, 20_000 + random.nextInt(40_000), periodAt, resources, size,
                random.split());
    }

    BurstyDevice bursty(String id, String host) {
        return new BurstyDevice(id, host, 20_000 + random.nextInt(40_000), 60 + random.nextInt(240),
                1200 + random.nextInt(2400), random.split());
    }

    SleepyDevice sleepy(String id, String host, double wakeSeconds) {
        return new SleepyDevice(id, host, 20_000 + random.nextInt(40_000), wakeSeconds, random.split());
    }

    /** Makes events; {@link #refill()} appends the next step's events to {@link #pending} in time order. */
    abstract static class Source {
        final ArrayDeque<TrafficEvent> pending = new ArrayDeque<>();

        /** @return false when there will be no more events */
        abstract boolean refill();

        long peekTime() {
            while (pending.isEmpty()) {
                if (!refill()) {
                    return Long.MAX_VALUE;
                }
            }
            return pending.peek().time().toEpochMilli();
        }

        TrafficEvent poll() {
            return pending.poll();
        }

        static TrafficEvent event(TrafficEventType type, String device, String address, long t) {
            return TrafficEvent.builder(type, TRANSPORT, address).deviceId(device).time(Instant.ofEpochMilli(t))
                    .build();
        }

        static TrafficEvent request(String device, String address, long t, String resource, long bytes) {
            return TrafficEvent.builder(TrafficEventType.REQUEST, TRANSPORT, address).deviceId(device)
                    .resource(resource).bytes(bytes).time(Instant.ofEpochMilli(t)).build();
        }
    }

    /** A device behind a NAT: its port changes now and then, which the transport reports. */
    abstract static class Device extends Source {
        final String id;
        final String host;
        int port;
        final SplittableRandom random;
        long next;

        Device(String id, String host, int port, SplittableRandom random) {
            this.id = id;
            this.host = host;
            this.port = port;
            this.random = random;
        }

        String address() {
            return host + ":" + port;
        }

        void rebind(long t) {
            String old = address();
            port = 20_000 + random.nextInt(40_000);
            pending.add(TrafficEvent.builder(TrafficEventType.ADDRESS_CHANGED, TRANSPORT, address()).deviceId(id)
                    .reason("from " + old).time(Instant.ofEpochMilli(t)).build());
        }
    }

    static final class PeriodicSensor extends Device {
        private final LongToDoubleFunction periodAt;
        private final String[] resources;
        private final int size;
        private boolean connected;

        PeriodicSensor(String id, String host, int port, LongToDoubleFunction periodAt, int resources, int size,
                SplittableRandom random) {
            super(id, host, port, random);
            this.periodAt = periodAt;
            this.resources = new String[resources];
            String[] names = {"telemetry/temperature", "telemetry/humidity", "telemetry/battery"};
            System.arraycopy(names, 0, this.resources, 0, resources);
            this.size = size;
            this.next = millis(Duration.ZERO) + (long) (random.nextDouble() * periodAt.applyAsDouble(0) * 1000);
        }

        @Override
        boolean refill() {
            long t = next;
            if (!connected) {
                connected = true;
                pending.add(event(TrafficEventType.HANDSHAKE_SUCCEEDED, id, address(), t));
                t += 40;
            } else if (random.nextDouble() < 0.001) {
                rebind(t);
                t += 5;
            } else if (random.nextDouble() < 0.0005) {
                pending.add(event(TrafficEventType.SESSION_RESUMED, id, address(), t));
                t += 40;
            }
            if (random.nextDouble() >= 0.005) { // 0.5 % of reports are lost on the way
                for (String r : resources) {
                    long bytes = Math.max(1, Math.round(size + random.nextGaussian() * size * 0.05));
                    pending.add(request(id, address(), t, r, bytes));
                    t += 20 + random.nextInt(80);
                }
            }
            double period = periodAt.applyAsDouble(next - millis(Duration.ZERO));
            next += Math.max(t - next + 1, (long) (period * 1000 * (0.9 + 0.2 * random.nextDouble())));
            return true;
        }
    }

    /** Reports now and then, and in bursts when something happens (motion, alarms). */
    static final class BurstyDevice extends Device {
        private final double backgroundSeconds;
        private final double burstEverySeconds;
        private long nextBurst;
        private boolean connected;

        BurstyDevice(String id, String host, int port, double backgroundSeconds, double burstEverySeconds,
                SplittableRandom random) {
            super(id, host, port, random);
            this.backgroundSeconds = backgroundSeconds;
            this.burstEverySeconds = burstEverySeconds;
            next = millis(Duration.ZERO) + exponential(backgroundSeconds);
            nextBurst = millis(Duration.ZERO) + exponential(burstEverySeconds);
        }

        private long exponential(double meanSeconds) {
            return 1 + (long) (-Math.log(1 - random.nextDouble()) * meanSeconds * 1000);
        }

        private String resource() {
            return random.nextBoolean() ? "events/motion" : "telemetry/state";
        }

        private long size() {
            return 60 + random.nextInt(340);
        }

        @Override
        boolean refill() {
            if (!connected) {
                connected = true;
                pending.add(event(TrafficEventType.HANDSHAKE_SUCCEEDED, id, address(), Math.min(next, nextBurst) - 50));
            }
            if (random.nextDouble() < 0.005) {
                rebind(Math.min(next, nextBurst) - 10);
            }
            if (next < nextBurst) {
                pending.add(request(id, address(), next, resource(), size()));
                next += exponential(backgroundSeconds);
                return true;
            }
            long t = nextBurst;
            int n = 5 + random.nextInt(21);
            for (int i = 0; i < n; i++) {
                pending.add(request(id, address(), t, resource(), size()));
                t += 300 + random.nextInt(2700);
            }
            nextBurst += exponential(burstEverySeconds);
            if (next < t) {
                next = t + exponential(backgroundSeconds);
            }
            if (nextBurst < t) {
                nextBurst = t + exponential(burstEverySeconds);
            }
            return true;
        }
    }

    /** Sleeps for minutes, wakes, maybe resumes its session from a new NAT port, posts, sleeps again. */
    static final class SleepyDevice extends Device {
        private final double wakeSeconds;
        private boolean connected;

        SleepyDevice(String id, String host, int port, double wakeSeconds, SplittableRandom random) {
            super(id, host, port, random);
            this.wakeSeconds = wakeSeconds;
            next = millis(Duration.ZERO) + (long) (random.nextDouble() * wakeSeconds * 1000);
        }

        @Override
        boolean refill() {
            long t = next;
            if (!connected) {
                connected = true;
                pending.add(event(TrafficEventType.HANDSHAKE_SUCCEEDED, id, address(), t));
                t += 60;
            } else {
                double r = random.nextDouble();
                if (r < 0.3) {
                    rebind(t);
                    t += 10;
                } else if (r < 0.4) {
                    pending.add(event(TrafficEventType.SESSION_RESUMED, id, address(), t));
                    t += 60;
                }
            }
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                pending.add(request(id, address(), t, "telemetry", 20 + random.nextInt(20)));
                t += 100 + random.nextInt(200);
            }
            next += Math.max(t - next + 1, (long) (wakeSeconds * 1000 * (0.85 + 0.3 * random.nextDouble())));
            return true;
        }
    }

    // --- attacks ---

    /** Events at a fixed rate from {@code start} for {@code duration}, each made by {@code make(i, t)}. */
    static Source steady(Duration start, double perSecond, Duration duration, EventMaker make) {
        long begin = millis(start);
        long end = begin + duration.toMillis();
        return new Source() {
            private int i;

            @Override
            boolean refill() {
                long t = begin + (long) (i * 1000 / perSecond);
                if (t >= end) {
                    return false;
                }
                pending.add(make.make(i++, t));
                return true;
            }
        };
    }

    /** Given events, in time order. */
    static Source events(List<TrafficEvent> events) {
        return new Source() {
            private boolean done;

            @Override
            boolean refill() {
                if (done) {
                    return false;
                }
                done = true;
                pending.addAll(events);
                return true;
            }
        };
    }

    /** Requests from an authenticated device far faster than its normal rate. */
    static Source flood(String device, String address, Duration start, double perSecond, Duration duration) {
        return steady(start, perSecond, duration,
                (i, t) -> Source.request(device, address, t, "telemetry/temperature", 40));
    }

    /** Handshakes from one address, each with a different unknown PSK identity. */
    static Source identityGuessing(String host, Duration start, double perSecond, Duration duration) {
        return steady(start, perSecond, duration, (i, t) -> TrafficEvent
                .builder(TrafficEventType.HANDSHAKE_FAILED, TRANSPORT, host + ":" + (40_000 + i % 1000))
                .cause(org.m2mgw.api.traffic.FailureCause.UNKNOWN_IDENTITY).claimedIdentity("guess-" + i)
                .reason("unknown PSK identity 'guess-" + i + "'").time(Instant.ofEpochMilli(t)).build());
    }

    /** Replayed and tampered records on a device's session, alternating. */
    static Source replayStorm(String device, String address, Duration start, double perSecond, Duration duration) {
        return steady(start, perSecond, duration, (i, t) -> TrafficEvent
                .builder(i % 2 == 0 ? TrafficEventType.REPLAY_DROPPED : TrafficEventType.RECORD_MAC_FAILED, TRANSPORT,
                        address)
                .deviceId(device).reason(i % 2 == 0 ? "record epoch 1 seq " + i + " already received or too old"
                        : "on established session")
                .time(Instant.ofEpochMilli(t)).build());
    }

    @FunctionalInterface
    interface EventMaker {
        TrafficEvent make(int index, long time);
    }
}
