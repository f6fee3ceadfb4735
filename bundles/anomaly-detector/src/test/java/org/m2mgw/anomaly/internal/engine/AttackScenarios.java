package org.m2mgw.anomaly.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * The evaluation's attack scenarios (issue 17, part 5): each named after an entry of a published
 * IoT/ICS attack taxonomy, expressed only in the events the CoAP/DTLS/OSCORE transports report, with
 * three intensities. The table of definitions is in {@code docs/anomaly-evaluation.md}.
 *
 * <p>The split into {@link Split#TUNED} and {@link Split#HELD_OUT} was fixed before any result was
 * looked at and must not change afterwards: the scenarios come in pairs of one kind (flood,
 * guessing, credential misuse, ...), and within each pair the one closer to what the rules were first
 * written for (and so already, in effect, tuned on) is TUNED. Detector authors may look at and tune on
 * TUNED scenarios; nobody tunes on HELD_OUT ones.
 */
final class AttackScenarios {

    enum Split {
        TUNED, HELD_OUT
    }

    /**
     * How hard an attack pushes, and how long the detector has to find it (the attack lasts exactly its
     * budget, from a known start).
     */
    enum Intensity {
        /** Low and slow: at most about one attack event every few minutes per source, or a change within a device's usual variation; 2 h. */
        LOW(Duration.ofHours(2)),
        /** Within a device's usual rate, or about one attack event every few seconds; 15 min. */
        MEDIUM(Duration.ofMinutes(15)),
        /** Overt: several attack events per second; 2 min. */
        HIGH(Duration.ofMinutes(2));

        final Duration budget;

        Intensity(Duration budget) {
            this.budget = budget;
        }

        double pick(double low, double medium, double high) {
            return this == LOW ? low : this == MEDIUM ? medium : high;
        }
    }

    /**
     * @param id short id, {@code E01}...
     * @param name what the attacker does
     * @param taxonomy the published taxonomy entries it stands for
     * @param split whether detector authors may tune on it
     * @param spread whether it is spread over many addresses or devices, so that a prefix-wide or
     *     gateway-wide alert counts as detection
     * @param levels what LOW, MEDIUM and HIGH mean for it
     * @param build adds the attack to a run
     */
    record Scenario(String id, String name, String taxonomy, Split split, boolean spread, String levels,
            Consumer<Ctx> build) {
    }

    /** One run's attack: where it starts, its intensity, and whom it is about. */
    static final class Ctx {
        final TrafficGenerator g;
        final SplittableRandom random;
        final Intensity level;
        final long start;
        final long end;
        /** Device ids the attack uses (compromised, cloned or attacked devices). */
        final Set<String> devices = new HashSet<>();
        /** IP addresses the attack's traffic comes from. */
        final Set<String> ips = new HashSet<>();

        Ctx(TrafficGenerator g, long seed, Intensity level, Duration start) {
            this.g = g;
            this.random = new SplittableRandom(seed);
            this.level = level;
            this.start = TrafficGenerator.millis(start);
            this.end = this.start + level.budget.toMillis();
        }

        double pick(double low, double medium, double high) {
            return level.pick(low, medium, high);
        }

        /**
         * A periodic sensor that has been part of the fleet since the beginning (period 15, 30 or 60 s,
         * two resources, 64-byte reports) and that the script takes over at the attack's start.
         */
        ScriptedDevice victim(String id, String host, ScriptedDevice.Script script) {
            double period = new double[] {15, 30, 60}[random.nextInt(3)];
            return device(id, host, period, TrafficGenerator.millis(Duration.ZERO) + random.nextInt(30_000), script);
        }

        ScriptedDevice device(String id, String host, double period, long firstReport, ScriptedDevice.Script script) {
            ScriptedDevice d = new ScriptedDevice(id, host, 40_000 + random.nextInt(20_000), period,
                    new String[] {"telemetry/temperature", "telemetry/humidity"}, 64, firstReport, start, script,
                    random.split());
            g.add(d);
            devices.add(id);
            ips.add(host);
            return d;
        }

        /** Adds attack traffic: {@code perSecond} steps from the start until the end, each giving events. */
        void steady(double perSecond, Step step) {
            g.add(new Steps(start, end, 1000.0 / perSecond, step, random.split()));
        }

        String port(String host) {
            return host + ":" + (1024 + random.nextInt(60_000));
        }

        /** @return {@code n} distinct addresses in {@code a.b.0.0/16} */
        List<String> sixteen(String ab, int n) {
            Set<String> s = new java.util.LinkedHashSet<>();
            while (s.size() < n) {
                s.add(ab + "." + random.nextInt(256) + "." + (1 + random.nextInt(254)));
            }
            return new ArrayList<>(s);
        }

        /** @return an address anywhere on the Internet (outside the fleet's 10/8 and 100.64/10) */
        String anywhere() {
            return (11 + random.nextInt(89)) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
                    + (1 + random.nextInt(254));
        }
    }

    @FunctionalInterface
    interface Step {
        /** Adds the events of step {@code i} at time {@code t}, at or after {@code t}, in time order. */
        void make(int i, long t, List<TrafficEvent> out);
    }

    /** Steps every {@code everyMs} (±10 %) from {@code start} to {@code end}. */
    static final class Steps extends TrafficGenerator.Source {
        private final long end;
        private final double everyMs;
        private final Step step;
        private final SplittableRandom jitter;
        private double next;
        private long last = Long.MIN_VALUE;
        private int i;

        Steps(long start, long end, double everyMs, Step step, SplittableRandom jitter) {
            this.end = end;
            this.everyMs = everyMs;
            this.step = step;
            this.next = start;
            this.jitter = jitter;
        }

        @Override
        boolean refill() {
            long t = Math.max((long) next, last + 1);
            if (t >= end) {
                return false;
            }
            List<TrafficEvent> out = new ArrayList<>(2);
            step.make(i++, t, out);
            for (TrafficEvent e : out) {
                last = Math.max(last, e.time().toEpochMilli());
            }
            pending.addAll(out);
            next += everyMs * (0.9 + 0.2 * jitter.nextDouble());
            return true;
        }
    }

    static TrafficEvent.Builder ev(TrafficEventType type, String address, long t) {
        return TrafficEvent.builder(type, TrafficGenerator.TRANSPORT, address).time(Instant.ofEpochMilli(t));
    }

    private static final String[] WORDLIST = {"admin", "config", "fw/update", "debug", "shell", "cmd", "api/v1",
        "status", "keys", "users", "login", "setup", "mgmt", "diag", "test", "backup", "logs", "rpc", "exec", "system"};

    private static final String VICTIM = "meter-victim";
    private static final String VICTIM_HOST = "10.250.0.7";

    // The pairs (kind: TUNED / HELD_OUT): handshake DoS E01/E02, credential guessing E03/E04,
    // key guessing vs coordinated fleet E05/E18, credential misuse E06/E15, forbidden requests E08/E09,
    // content manipulation E14/E07, on-path forgery E11/E12, device DoS E17/E13, malformed input E16/E10.
    static final List<Scenario> ALL = List.of(
        new Scenario("E01", "DTLS handshake flood from one address",
            "ATT&CK for ICS T0814 Denial of Service; CICIoT2023 DoS (UDP flood)", Split.TUNED, false,
            "handshakes abandoned after the cookie exchange: LOW 1 per 20 s, MEDIUM 1/s, HIGH 20/s",
            c -> {
                String host = "203.0.113.10";
                c.ips.add(host);
                c.steady(c.pick(1 / 20.0, 1, 20), (i, t, out) -> out.add(ev(TrafficEventType.HANDSHAKE_FAILED,
                        c.port(host), t).cause(FailureCause.TIMEOUT)
                        .reason("handshake timed out after ClientHello with cookie").build()));
            }),
        new Scenario("E02", "distributed DTLS handshake flood (botnet)",
            "ATT&CK for ICS T0814 Denial of Service; CICIoT2023 DDoS; IoT-23 DDoS (Mirai)", Split.HELD_OUT, true,
            "abandoned handshakes from addresses all over the Internet: LOW 0.5/s from 2,000 addresses, "
                + "MEDIUM 5/s from 500, HIGH 100/s from 5,000 (each address ≤ about 1/min)",
            c -> {
                int n = (int) c.pick(2000, 500, 5000);
                List<String> pool = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    pool.add(c.anywhere());
                }
                c.ips.addAll(pool);
                c.steady(c.pick(0.5, 5, 100), (i, t, out) -> out.add(ev(TrafficEventType.HANDSHAKE_FAILED,
                        c.port(pool.get(i % n)), t).cause(FailureCause.TIMEOUT)
                        .reason("handshake timed out after ClientHello with cookie").build()));
            }),
        new Scenario("E03", "PSK identity guessing from one address",
            "CICIoT2023 Brute Force (dictionary); ATT&CK T1110.001 Password Guessing; ICS T0812 Default Credentials",
            Split.TUNED, false, "unknown PSK identities: LOW 1/min, MEDIUM 1 per 5 s, HIGH 5/s",
            c -> {
                String host = "203.0.113.20";
                c.ips.add(host);
                c.steady(c.pick(1 / 60.0, 1 / 5.0, 5), (i, t, out) -> out.add(ev(TrafficEventType.HANDSHAKE_FAILED,
                        c.port(host), t).cause(FailureCause.UNKNOWN_IDENTITY).claimedIdentity("sensor-" + (1000 + i))
                        .reason("unknown PSK identity").build()));
            }),
        new Scenario("E04", "credential stuffing spread over a /16",
            "ATT&CK T1110.004 Credential Stuffing / T1110.003 Password Spraying; CICIoT2023 Brute Force; TON_IoT password",
            Split.HELD_OUT, true,
            "unknown identities from one /16, each address trying one or two: LOW 1/min from 4,096 addresses, "
                + "MEDIUM 1/s from 4,096, HIGH 20/s from 16,384",
            c -> {
                List<String> pool = c.sixteen("198.18", (int) c.pick(4096, 4096, 16384));
                c.ips.addAll(pool);
                c.steady(c.pick(1 / 60.0, 1, 20), (i, t, out) -> out.add(ev(TrafficEventType.HANDSHAKE_FAILED,
                        c.port(pool.get(i % pool.size())), t).cause(FailureCause.UNKNOWN_IDENTITY)
                        .claimedIdentity((i % 3 == 0 ? "meter-" : i % 3 == 1 ? "sensor-" : "gw-") + (i * 37 % 5000))
                        .reason("unknown PSK identity").build()));
            }),
        new Scenario("E05", "PSK key guessing for a known identity",
            "ATT&CK for ICS T0812 Default Credentials; ATT&CK T1110.001 Password Guessing", Split.TUNED, false,
            "handshakes naming a registered device's identity whose Finished fails (wrong key), from one address: "
                + "LOW 1 per 3 min, MEDIUM 1 per 10 s, HIGH 2/s",
            c -> {
                c.victim(VICTIM, VICTIM_HOST, ScriptedDevice.NONE);
                String host = "192.0.2.77";
                c.ips.add(host);
                c.steady(c.pick(1 / 180.0, 1 / 10.0, 2), (i, t, out) -> {
                    String a = c.port(host);
                    out.add(ev(TrafficEventType.RECORD_MAC_FAILED, a, t).cause(FailureCause.BAD_MAC)
                            .reason("during handshake").build());
                    out.add(ev(TrafficEventType.HANDSHAKE_FAILED, a, t + 1).cause(FailureCause.BAD_MAC)
                            .claimedIdentity(VICTIM).reason("bad Finished (wrong PSK?)").build());
                });
            }),
        new Scenario("E06", "cloned device: a valid credential used from a second address at the same time",
            "ATT&CK for ICS T0859 Valid Accounts; T0849 Masquerading", Split.TUNED, false,
            "the real device keeps reporting; a clone with its PSK connects from a carrier NAT and reports the same "
                + "resources and sizes: LOW every 10 min, MEDIUM at the device's own period, HIGH every 3 s",
            c -> {
                ScriptedDevice real = c.victim(VICTIM, VICTIM_HOST, ScriptedDevice.NONE);
                String cloneHost = "100.100.9.9";
                double period = c.pick(600, periodOf(real), 3);
                c.device(VICTIM, cloneHost, period, c.start, ScriptedDevice.NONE);
            }),
        new Scenario("E07", "spoofed reports: manipulated values at the usual rate",
            "ATT&CK for ICS T0856 Spoof Reporting Message; T0832 Manipulation of View", Split.HELD_OUT, false,
            "a compromised device keeps its period but its reports change size: LOW +25 % on one resource, "
                + "MEDIUM 2x on all, HIGH 5x on all",
            c -> c.victim(VICTIM, VICTIM_HOST, new ScriptedDevice.Script() {
                @Override
                public long size(String resource, long usual, long since) {
                    return switch (c.level) {
                        case LOW -> resource.endsWith("temperature") ? Math.round(usual * 1.25) : usual;
                        case MEDIUM -> usual * 2;
                        case HIGH -> usual * 5;
                    };
                }
            })),
        new Scenario("E08", "unauthorized command messages at the usual rate",
            "ATT&CK for ICS T0855 Unauthorized Command Message; T0831 Manipulation of Control", Split.TUNED, false,
            "a compromised sensor writes actuator resources it may not use (4.03): LOW once every 20 reports, "
                + "MEDIUM once per report, HIGH 2/s",
            c -> {
                ScriptedDevice d = c.victim(VICTIM, VICTIM_HOST, new ScriptedDevice.Script() {
                    @Override
                    public void afterReport(ScriptedDevice d, int report, long t, long since, List<TrafficEvent> out) {
                        if (c.level == Intensity.MEDIUM || c.level == Intensity.LOW && report % 20 == 0) {
                            out.add(forbidden(d, report, t + 5));
                        }
                    }
                });
                if (c.level == Intensity.HIGH) {
                    c.steady(2, (i, t, out) -> out.add(forbidden(d, i, t)));
                }
            }),
        new Scenario("E09", "resource discovery by an authenticated device",
            "ATT&CK for ICS T0846 Remote System Discovery / T0888 Remote System Information Discovery; "
                + "CICIoT2023 Recon (VulnerabilityScan)", Split.HELD_OUT, false,
            "a compromised device walks a word list (4.04, some 4.03): LOW 1 probe per 5 min, MEDIUM 1 per 10 s, "
                + "HIGH 10/s and a GET of /.well-known/core first",
            c -> {
                ScriptedDevice d = c.victim(VICTIM, VICTIM_HOST, ScriptedDevice.NONE);
                c.steady(c.pick(1 / 300.0, 1 / 10.0, 10), (i, t, out) -> {
                    if (i == 0 && c.level == Intensity.HIGH) {
                        out.add(ev(TrafficEventType.REQUEST, d.address(), t).deviceId(VICTIM)
                                .resource(".well-known/core").bytes(0).build());
                        t += 30;
                    }
                    boolean denied = i % 5 == 4;
                    out.add(ev(TrafficEventType.REQUEST_REJECTED, d.address(), t).deviceId(VICTIM)
                            .resource(WORDLIST[i % WORDLIST.length] + (i >= WORDLIST.length ? "/" + i : ""))
                            .cause(denied ? FailureCause.ACCESS_DENIED : FailureCause.OTHER)
                            .reason(denied ? "4.03 Forbidden" : "4.04 Not Found").build());
                });
            }),
        new Scenario("E10", "Mirai-like horizontal scan of the DTLS port",
            "IoT-23 PartOfAHorizontalPortScan; CICIoT2023 Recon (PortScan) and Mirai; ATT&CK for ICS T0846, T0883 "
                + "Internet Accessible Device", Split.HELD_OUT, true,
            "datagrams that are not DTLS (plain CoAP, garbage) from fresh addresses, one or two each: "
                + "LOW 1/min, MEDIUM 1/s, HIGH 50/s",
            c -> c.steady(c.pick(1 / 60.0, 1, 50), (i, t, out) -> {
                String host = c.anywhere();
                c.ips.add(host);
                String a = c.port(host);
                out.add(ev(TrafficEventType.MALFORMED_INPUT, a, t).cause(FailureCause.MALFORMED)
                        .reason("not a DTLS record").build());
                if (i % 2 == 0) {
                    out.add(ev(TrafficEventType.MALFORMED_INPUT, a, t + 200).cause(FailureCause.MALFORMED)
                            .reason("not a DTLS record").build());
                }
            })),
        new Scenario("E11", "replayed DTLS records on a device's session",
            "ATT&CK for ICS T0830 Adversary-in-the-Middle; TON_IoT MITM; CICIoT2023 Spoofing", Split.TUNED, false,
            "an on-path attacker replays captured records of one device: LOW 1 per 2 min, MEDIUM 1 per 5 s, HIGH 10/s",
            c -> {
                ScriptedDevice d = c.victim(VICTIM, VICTIM_HOST, ScriptedDevice.NONE);
                c.steady(c.pick(1 / 120.0, 1 / 5.0, 10), (i, t, out) -> out.add(ev(TrafficEventType.REPLAY_DROPPED,
                        d.address(), t).deviceId(VICTIM).cause(FailureCause.REPLAY)
                        .reason("record epoch 1 seq " + i + " already received").build()));
            }),
        new Scenario("E12", "forged OSCORE requests with a device's key id",
            "ATT&CK for ICS T0830 Adversary-in-the-Middle, T0855 Unauthorized Command Message; TON_IoT injection",
            Split.HELD_OUT, false,
            "OSCORE requests naming the device's kid that fail decryption (4.01), from the attacker's own address: "
                + "LOW 1 per 2 min, MEDIUM 1 per 5 s, HIGH 10/s",
            c -> {
                c.victim(VICTIM, VICTIM_HOST, ScriptedDevice.NONE);
                String host = "203.0.113.66";
                c.ips.add(host);
                c.steady(c.pick(1 / 120.0, 1 / 5.0, 10), (i, t, out) -> out.add(ev(TrafficEventType.REQUEST_REJECTED,
                        c.port(host), t).deviceId(VICTIM).resource("actuators/valve").cause(FailureCause.BAD_MAC)
                        .reason("OSCORE: decryption failed (4.01 Unauthorized)").build()));
            }),
        new Scenario("E13", "session churn: a device exhausting the session cache",
            "ATT&CK for ICS T0814 Denial of Service; TON_IoT DoS", Split.HELD_OUT, false,
            "a compromised device closes its session and makes a new full handshake: LOW every 5 min, "
                + "MEDIUM every 20 s, HIGH 2/s",
            c -> {
                ScriptedDevice d = c.victim(VICTIM, VICTIM_HOST, ScriptedDevice.NONE);
                c.steady(c.pick(1 / 300.0, 1 / 20.0, 2), (i, t, out) -> {
                    out.add(ev(TrafficEventType.SESSION_CLOSED, d.address(), t).deviceId(VICTIM)
                            .reason("closed by peer (close_notify)").build());
                    out.add(ev(TrafficEventType.HANDSHAKE_SUCCEEDED, d.address(), t + 60).deviceId(VICTIM).build());
                });
            }),
        new Scenario("E14", "exfiltration through a device's own resources",
            "ATT&CK for ICS T0882 Theft of Operational Information; ATT&CK TA0010 Exfiltration (T1041)",
            Split.TUNED, false,
            "extra uploads to a resource the device already uses: LOW one usual-sized extra every 10 reports, "
                + "MEDIUM a 1 KiB extra per report, HIGH 16 KiB at 1/s",
            c -> {
                ScriptedDevice d = c.victim(VICTIM, VICTIM_HOST, new ScriptedDevice.Script() {
                    @Override
                    public void afterReport(ScriptedDevice d, int report, long t, long since, List<TrafficEvent> out) {
                        if (c.level == Intensity.MEDIUM || c.level == Intensity.LOW && report % 10 == 0) {
                            out.add(ev(TrafficEventType.REQUEST, d.address(), t + 10).deviceId(VICTIM)
                                    .resource("telemetry/humidity").bytes(c.level == Intensity.LOW ? 64 : 1024).build());
                        }
                    }
                });
                if (c.level == Intensity.HIGH) {
                    c.steady(1, (i, t, out) -> out.add(ev(TrafficEventType.REQUEST, d.address(), t).deviceId(VICTIM)
                            .resource("telemetry/humidity").bytes(16_384).build()));
                }
            }),
        new Scenario("E15", "session hijack through the connection id",
            "ATT&CK for ICS T0830 Adversary-in-the-Middle; T0859 Valid Accounts", Split.HELD_OUT, false,
            "an attacker sends records with the device's CID from a foreign address (the transport reports an "
                + "address change each time the session moves): LOW every 10 min, MEDIUM every 30 s, HIGH every 2 s",
            c -> {
                String attacker = "198.51.100.200:" + (30_000 + c.random.nextInt(30_000));
                c.ips.add("198.51.100.200");
                double every = c.pick(600, 30, 2) * 1000;
                // when each side last used the session: the transport reports an address change only when
                // the session really moves
                long[] lastUse = {Long.MIN_VALUE, Long.MIN_VALUE}; // {real device, attacker}
                ScriptedDevice real = c.victim(VICTIM, VICTIM_HOST, new ScriptedDevice.Script() {
                    @Override
                    public void afterReport(ScriptedDevice d, int report, long t, long since, List<TrafficEvent> out) {
                        if (lastUse[1] > lastUse[0]) {
                            out.add(ev(TrafficEventType.ADDRESS_CHANGED, d.address(), t + 1).deviceId(VICTIM)
                                    .reason("from " + attacker).build());
                        }
                        lastUse[0] = t;
                    }
                });
                c.steady(1000 / every, (i, t, out) -> {
                    if (lastUse[0] >= lastUse[1]) {
                        out.add(ev(TrafficEventType.ADDRESS_CHANGED, attacker, t).deviceId(VICTIM)
                                .reason("from " + real.address()).build());
                    }
                    out.add(ev(TrafficEventType.REQUEST, attacker, t + 20).deviceId(VICTIM)
                            .resource("telemetry/temperature").bytes(64).build());
                    lastUse[1] = t;
                });
            }),
        new Scenario("E16", "malformed input from an authenticated device (fuzzing, injection)",
            "ATT&CK for ICS T0866 Exploitation of Remote Services; CICIoT2023 Web-based (CommandInjection); "
                + "TON_IoT injection", Split.TUNED, false,
            "malformed CoAP on a valid session: LOW 1 per 10 min, MEDIUM 1 per 10 s, HIGH 5/s",
            c -> {
                ScriptedDevice d = c.victim(VICTIM, VICTIM_HOST, ScriptedDevice.NONE);
                c.steady(c.pick(1 / 600.0, 1 / 10.0, 5), (i, t, out) -> out.add(ev(TrafficEventType.MALFORMED_INPUT,
                        d.address(), t).deviceId(VICTIM).cause(FailureCause.MALFORMED)
                        .reason("malformed CoAP: option delta 15 is reserved").build()));
            }),
        new Scenario("E17", "slowly ramping message flood from a device",
            "ATT&CK for ICS T0814 Denial of Service; CICIoT2023 DoS", Split.TUNED, false,
            "the device's rate grows exponentially: LOW +10 % every 10 min, MEDIUM +10 % every minute, "
                + "HIGH doubling every 20 s (at most 100x)",
            c -> c.victim(VICTIM, VICTIM_HOST, new ScriptedDevice.Script() {
                @Override
                public double periodFactor(long since) {
                    double growth = switch (c.level) {
                        case LOW -> Math.pow(1.1, since / 600_000.0);
                        case MEDIUM -> Math.pow(1.1, since / 60_000.0);
                        case HIGH -> Math.pow(2, since / 20_000.0);
                    };
                    return 1 / Math.min(100, growth);
                }
            })),
        new Scenario("E18", "coordinated flood from 20 compromised devices of one site",
            "CICIoT2023 Mirai (greeth/greip flood); IoT-23 Mirai; ATT&CK for ICS T0814 Denial of Service",
            Split.HELD_OUT, true,
            "20 devices of one /24 (behind 5 NAT addresses), each usually reporting every 60 s, all report "
                + "faster at once: LOW 1.5x, MEDIUM 3x, HIGH 10x",
            c -> {
                double factor = c.pick(1.5, 3, 10);
                for (int k = 0; k < 20; k++) {
                    c.device("cam-" + k, "10.77.0." + (1 + k / 4), 60,
                            TrafficGenerator.millis(Duration.ZERO) + c.random.nextInt(60_000),
                            new ScriptedDevice.Script() {
                                @Override
                                public double periodFactor(long since) {
                                    return 1 / factor;
                                }
                            });
                }
            }));

    private static TrafficEvent forbidden(ScriptedDevice d, int i, long t) {
        return ev(TrafficEventType.REQUEST_REJECTED, d.address(), t).deviceId(d.id)
                .resource("actuators/valve-" + (i % 4) + "/setpoint").cause(FailureCause.ACCESS_DENIED)
                .reason("4.03 Forbidden: not permitted for this device").build();
    }

    private static double periodOf(ScriptedDevice d) {
        return d.periodSeconds();
    }

    private AttackScenarios() {
    }
}
