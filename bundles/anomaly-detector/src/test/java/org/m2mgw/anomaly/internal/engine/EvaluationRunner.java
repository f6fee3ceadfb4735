package org.m2mgw.anomaly.internal.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.m2mgw.anomaly.internal.engine.AttackScenarios.Ctx;
import org.m2mgw.anomaly.internal.engine.AttackScenarios.Intensity;
import org.m2mgw.anomaly.internal.engine.AttackScenarios.Scenario;
import org.m2mgw.anomaly.internal.engine.AttackScenarios.Split;
import org.m2mgw.api.alert.Alert;

/**
 * Runs attack scenarios and normal traffic against {@code new DetectionEngine(EngineSettings.defaults())}
 * in simulated time, and writes the results as markdown.
 *
 * <p>What counts as detected, exactly: an alert raised at or after the attack's start and at most its
 * budget later, whose subject is
 * <ul>
 * <li>a device id the attack uses (the compromised, cloned or attacked device), or an IP address its
 * traffic comes from; or
 * <li>an IPv4 prefix {@code a.b.c.d/n} with {@code n >= 16} that contains one of those addresses; or,
 * only for scenarios spread over many addresses or devices,
 * <li>a gateway-wide subject: an alert whose subject kind is neither DEVICE nor ADDRESS (and is not a
 * prefix of /16 or longer), or a prefix shorter than /16.
 * </ul>
 * Every other alert is a false alert: in attack runs it is counted as "other alerts"; alerts about the
 * attacker's subjects before the attack began count there too. Time to detect is from the attack's
 * start (its first event, or the first report the device's script changes) to the first such alert.
 */
final class EvaluationRunner {
    static final Duration LEARNING = Duration.ofHours(2);
    /** Normal devices in each attack run. */
    static final int ATTACK_FLEET = 50;

    enum Match {
        DIRECT, PREFIX, GATEWAY, NONE
    }

    /**
     * @param detectors the detectors whose alerts counted as detection, with how many each raised
     *     (marked "(prefix)" or "(gateway)" when the subject was not the attacker's own)
     * @param others the other alerts by detector from the attack's start to the end of the run: false
     *     alerts about the normal fleet, and alerts the attack caused whose subject does not count
     *     (a gateway-wide alert for an attack from one address, say)
     * @param learning alerts by detector before the attack began (about any subject): false alerts
     */
    record Run(Scenario scenario, Intensity level, long seed, Duration timeToDetect, Map<String, Integer> detectors,
            Map<String, Integer> others, Map<String, Integer> learning, long events) {
        int otherAlerts() {
            return others.values().stream().mapToInt(Integer::intValue).sum();
        }

        boolean detected() {
            return timeToDetect != null;
        }
    }

    record NormalRun(long seed, int devices, double deviceHours, long events, List<Finding> falseAlerts,
            List<String> causes, int learningAlerts) {
    }

    private EvaluationRunner() {
    }

    static VariedFleet.Options attackFleet(int devices) {
        // an outage during learning: the detector has seen a fleet-wide reconnect before the attack
        return new VariedFleet.Options(devices,
                List.of(new VariedFleet.Outage(Duration.ofMinutes(40), Duration.ofMinutes(5))), null, 0);
    }

    /** Runs one scenario at one intensity over a fleet of {@code devices} built from {@code seed}. */
    static Run run(Scenario s, Intensity level, long seed, int devices) {
        VariedFleet fleet = VariedFleet.build(seed, attackFleet(devices));
        Ctx c = new Ctx(fleet.generator, seed * 31 + s.id().hashCode(), level, LEARNING);
        s.build().accept(c);
        Simulation sim = new Simulation(EngineSettings.defaults()).run(fleet.generator,
                LEARNING.plus(level.budget).plusSeconds(1));
        Instant start = Instant.ofEpochMilli(c.start);
        Instant end = Instant.ofEpochMilli(c.end);
        Duration ttd = null;
        Map<String, Integer> detectors = new TreeMap<>();
        Map<String, Integer> other = new TreeMap<>();
        Map<String, Integer> learning = new TreeMap<>();
        for (Finding f : sim.findings) {
            Instant t = f.alert().time();
            Match m = match(f.alert(), c.devices, c.ips, s.spread());
            boolean inBudget = !t.isBefore(start) && !t.isAfter(end);
            if (m != Match.NONE && inBudget) {
                detectors.merge(f.detector() + (m == Match.DIRECT ? "" : " (" + m.name().toLowerCase(Locale.ROOT) + ")"),
                        1, Integer::sum);
                if (ttd == null) {
                    ttd = Duration.between(start, t);
                }
            } else if (t.isBefore(start)) {
                learning.merge(f.detector(), 1, Integer::sum);
            } else {
                other.merge(f.detector(), 1, Integer::sum);
            }
        }
        return new Run(s, level, seed, ttd, detectors, other, learning, fleet.generator.emitted());
    }

    /**
     * @return how the alert's subject relates to the attack's devices and addresses
     */
    static Match match(Alert a, Set<String> devices, Set<String> ips, boolean spread) {
        String subject = a.subject();
        if (devices.contains(subject) || ips.contains(subject)) {
            return Match.DIRECT;
        }
        int slash = subject.indexOf('/');
        if (slash > 0 && subject.substring(0, slash).matches("[0-9.]+")) {
            int bits;
            try {
                bits = Integer.parseInt(subject.substring(slash + 1));
            } catch (NumberFormatException e) {
                return Match.NONE;
            }
            if (bits < 16) {
                return spread ? Match.GATEWAY : Match.NONE;
            }
            for (String ip : ips) {
                if (inPrefix(ip, subject.substring(0, slash), bits)) {
                    return Match.PREFIX;
                }
            }
            return Match.NONE;
        }
        boolean gatewayWide = a.subjectKind() != Alert.SubjectKind.DEVICE && a.subjectKind() != Alert.SubjectKind.ADDRESS;
        return spread && gatewayWide ? Match.GATEWAY : Match.NONE;
    }

    private static boolean inPrefix(String ip, String network, int bits) {
        if (!ip.matches("[0-9.]+")) {
            return false;
        }
        try {
            byte[] a = InetAddress.getByName(ip).getAddress();
            byte[] n = InetAddress.getByName(network).getAddress();
            if (a.length != n.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((a[i / 8] & mask) != (n[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The normal fleet of false-alert runs: outages after learning, and a firmware rollout to 10 % of devices. */
    static VariedFleet.Options normalFleet(int devices, Duration length) {
        List<VariedFleet.Outage> outages = new ArrayList<>();
        // a short, a medium and a long outage, every 3 hours after learning
        Duration[] lengths = {Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofMinutes(45)};
        int k = 0;
        for (Duration at = LEARNING.plusHours(1); at.compareTo(length.minusMinutes(50)) < 0; at = at.plusHours(3)) {
            outages.add(new VariedFleet.Outage(at, lengths[k++ % lengths.length]));
        }
        return new VariedFleet.Options(devices, outages, LEARNING.plusMinutes(30), 0.10);
    }

    /**
     * Normal traffic only: every alert is false. Alerts and device-hours are counted after the first
     * {@link #LEARNING} hours; the alerts during learning are counted apart.
     */
    static NormalRun normal(long seed, int devices, Duration length) {
        VariedFleet.Options o = normalFleet(devices, length);
        VariedFleet fleet = VariedFleet.build(seed, o);
        Simulation sim = new Simulation(EngineSettings.defaults()).run(fleet.generator, length);
        Instant learned = TrafficGenerator.T0.plus(LEARNING);
        List<Finding> after = sim.findings.stream().filter(f -> !f.alert().time().isBefore(learned)).toList();
        List<String> causes = new ArrayList<>();
        for (Finding f : after) {
            Instant t = f.alert().time();
            boolean afterOutage = o.outages().stream().anyMatch(x -> !t.isBefore(TrafficGenerator.T0.plus(x.start()))
                    && t.isBefore(TrafficGenerator.T0.plus(x.start()).plus(x.length()).plus(Duration.ofMinutes(15))));
            if (fleet.firmwareUpdated.contains(f.subject()) && f.detector().equals("rule.new-resource")) {
                causes.add("firmware rollout");
            } else if (afterOutage) {
                causes.add("outage and flush");
            } else {
                causes.add("other (" + fleet.kinds.getOrDefault(f.subject(), "address") + ")");
            }
        }
        double hours = devices * (length.minus(LEARNING).toMillis() / 3_600_000.0);
        return new NormalRun(seed, devices, hours, fleet.generator.emitted(), after, causes,
                sim.findings.size() - after.size());
    }

    // --- reporting ---

    static String seconds(Duration d) {
        if (d == null) {
            return "–";
        }
        double s = d.toMillis() / 1000.0;
        return s < 120 ? String.format(Locale.ROOT, "%.1f s", s) : String.format(Locale.ROOT, "%.1f min", s / 60);
    }

    static Duration median(List<Duration> ds) {
        if (ds.isEmpty()) {
            return null;
        }
        List<Duration> sorted = ds.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
    }

    /** @return the markdown report: the detection curve, the detail table and the false alerts */
    static String report(List<Run> runs, List<NormalRun> normals) {
        StringBuilder sb = new StringBuilder();
        Map<String, List<Run>> byScenario = new LinkedHashMap<>();
        for (Run r : runs) {
            byScenario.computeIfAbsent(r.scenario().id(), k -> new ArrayList<>()).add(r);
        }
        sb.append("### Detection rate against intensity\n\n");
        sb.append("| scenario | split | LOW | MEDIUM | HIGH |\n|---|---|---|---|---|\n");
        for (List<Run> rs : byScenario.values()) {
            Scenario s = rs.get(0).scenario();
            sb.append("| ").append(s.id()).append(' ').append(s.name()).append(" | ").append(split(s)).append(" |");
            for (Intensity i : Intensity.values()) {
                List<Run> at = rs.stream().filter(r -> r.level() == i).toList();
                sb.append(' ').append(at.isEmpty() ? "" : rate(at)).append(" |");
            }
            sb.append('\n');
        }
        sb.append('\n');
        for (Split sp : Split.values()) {
            sb.append("- ").append(split(sp)).append(':');
            for (Intensity i : Intensity.values()) {
                List<Run> at = runs.stream().filter(r -> r.level() == i && r.scenario().split() == sp).toList();
                if (!at.isEmpty()) {
                    sb.append(' ').append(i.name()).append(' ').append(rate(at)).append(';');
                }
            }
            sb.setLength(sb.length() - 1);
            sb.append('\n');
        }
        Map<String, Integer> learning = new TreeMap<>();
        runs.forEach(r -> r.learning().forEach((k, v) -> learning.merge(k, v, Integer::sum)));
        sb.append(String.format(Locale.ROOT, "%nFalse alerts during the %d h of learning, over all %d attack runs "
                + "(the same fleets recur: one per seed): %s.%n", LEARNING.toHours(), runs.size(),
                learning.isEmpty() ? "none" : learning.toString()));
        sb.append("\n### Per scenario and intensity\n\n");
        sb.append("| scenario | taxonomy | split | intensity | detected | median time to detect | slowest | budget "
                + "| detectors that fired (alerts) | other alerts during the attack |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (List<Run> rs : byScenario.values()) {
            for (Intensity i : Intensity.values()) {
                List<Run> at = rs.stream().filter(r -> r.level() == i).toList();
                if (at.isEmpty()) {
                    continue;
                }
                Scenario s = at.get(0).scenario();
                List<Duration> ttds = at.stream().filter(Run::detected).map(Run::timeToDetect).toList();
                Map<String, Integer> dets = new TreeMap<>();
                at.forEach(r -> r.detectors().forEach((k, v) -> dets.merge(k, v, Integer::sum)));
                sb.append("| ").append(s.id()).append(' ').append(s.name()).append(" | ").append(s.taxonomy())
                        .append(" | ").append(split(s)).append(" | ").append(i.name()).append(" | ").append(rate(at))
                        .append(" | ").append(seconds(median(ttds))).append(" | ")
                        .append(seconds(ttds.stream().max(Duration::compareTo).orElse(null))).append(" | ")
                        .append(seconds(i.budget)).append(" | ")
                        .append(dets.isEmpty() ? "none" : dets.entrySet().stream()
                                .map(e -> "`" + e.getKey() + "` (" + e.getValue() + ")").collect(Collectors.joining(", ")))
                        .append(" | ").append(others(at)).append(" |\n");
            }
        }
        if (!normals.isEmpty()) {
            double hours = normals.stream().mapToDouble(NormalRun::deviceHours).sum();
            List<Finding> fa = normals.stream().flatMap(n -> n.falseAlerts().stream()).toList();
            sb.append("\n### False alerts on normal traffic\n\n");
            sb.append(String.format(Locale.ROOT, "%d false alerts in %.0f device-hours after learning "
                    + "(%d runs of %d devices, %,d events in all): **%.2f per 100 device-hours**; %d more alerts "
                    + "during the %d h of learning.%n%n", fa.size(), hours, normals.size(), normals.get(0).devices(),
                    normals.stream().mapToLong(NormalRun::events).sum(), 100.0 * fa.size() / hours,
                    normals.stream().mapToInt(NormalRun::learningAlerts).sum(), LEARNING.toHours()));
            sb.append("| detector | false alerts | per 100 device-hours | why (our reading) |\n|---|---|---|---|\n");
            Map<String, List<Integer>> byDetector = new TreeMap<>();
            List<String> causes = normals.stream().flatMap(n -> n.causes().stream()).toList();
            for (int k = 0; k < fa.size(); k++) {
                byDetector.computeIfAbsent(fa.get(k).detector(), x -> new ArrayList<>()).add(k);
            }
            byDetector.forEach((d, idx) -> {
                Map<String, Long> why = idx.stream().map(causes::get)
                        .collect(Collectors.groupingBy(x -> x, TreeMap::new, Collectors.counting()));
                sb.append("| `").append(d).append("` | ").append(idx.size()).append(" | ")
                        .append(String.format(Locale.ROOT, "%.2f", 100.0 * idx.size() / hours)).append(" | ")
                        .append(why.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                                .collect(Collectors.joining(", ")))
                        .append(" |\n");
            });
            if (byDetector.isEmpty()) {
                sb.append("| (none) | 0 | 0.00 | |\n");
            }
        }
        return sb.toString();
    }

    static String others(Collection<Run> rs) {
        Map<String, Integer> m = new TreeMap<>();
        rs.forEach(r -> r.others().forEach((k, v) -> m.merge(k, v, Integer::sum)));
        int n = m.values().stream().mapToInt(Integer::intValue).sum();
        return n == 0 ? "0" : n + " (" + m.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")) + ")";
    }

    static String rate(Collection<Run> rs) {
        long d = rs.stream().filter(Run::detected).count();
        return d + "/" + rs.size();
    }

    static String split(Scenario s) {
        return split(s.split());
    }

    static String split(Split s) {
        return s == Split.TUNED ? "tuned" : "held-out";
    }
}
