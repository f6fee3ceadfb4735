package org.m2mgw.bench.anomaly;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.NamedThreadFactory;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.m2mgw.bench.loadgen.DeviceClient;
import org.m2mgw.bench.loadgen.Fleet;
import org.m2mgw.bench.loadgen.LoadGenerator;
import org.m2mgw.bench.suite.GatewayProcess;
import org.m2mgw.cloud.testsupport.Mosquitto;

/**
 * Evaluation of the anomaly detector through the real transport: labelled traffic from simulated
 * devices over real DTLS to the exported distro, alerts read from the gateway's MQTT alert topic.
 *
 * <p>Normal devices: periodic sensors (a report every 2 s, 5% jitter), bursty event devices
 * (Poisson, sometimes a burst of 3 to 6) and sleepy devices (wake every 20 s, resume the DTLS
 * session, report once), each from its own loopback address. Every attacker is first a normal
 * periodic sensor during the learning phase; then, in each round, one fresh attacker per
 * scenario turns bad at the same moment: (1) message flood, (2) PSK identity guessing from one
 * address, (3) replayed and tampered records injected on the path, (4) exfiltration: large
 * payloads to a resource it never used, (5) reports 10 times as often, (6) a slow ramp of +10%
 * rate every 2 s. A scenario counts as detected when any alert names its attacker (device or
 * address) within the budget: 10 s, 60 s for the ramp. An alert about the gateway or a network
 * prefix is false only before the first attack begins (after that it describes the attacks
 * together, and earns no scenario a detection). Any other alert on anything else is a false
 * alert.
 */
public final class DetectionHarness {

    /** How long and how big. */
    public record Profile(String name, int normalDevices, int learnSeconds, int rounds, int warmupSeconds,
            int warmupEvents, int rcfSampleSize, int rcfWarmupWindows) {
        public static Profile full() {
            return new Profile("full", 60, 150, 4, 60, 20, 128, 600);
        }

        public static Profile smoke() {
            return new Profile("smoke", 24, 60, 1, 30, 10, 64, 100);
        }
    }

    /** One row of the result table. */
    public record ScenarioResult(String scenario, int runs, int detected, double medianSecondsToDetect,
            double maxSecondsToDetect, double budgetSeconds, String detectors) {
        public double rate() {
            return runs == 0 ? 0 : detected / (double) runs;
        }
    }

    /** Everything the harness measured. */
    public record Result(List<ScenarioResult> scenarios, int falseAlerts, double normalDeviceHours,
            double cpuMicrosPerEvent, long eventsProcessed, long eventsDropped, List<String> falseAlertLines) {
        public double falseAlertsPer100DeviceHours() {
            return normalDeviceHours == 0 ? 0 : 100 * falseAlerts / normalDeviceHours;
        }
    }

    static final String[] SCENARIOS = {"1 message flood", "2 identity guessing from one address",
        "3 replayed and tampered records", "4 exfiltration: size jump, new resource", "5 rate change (10x)",
        "6 slow ramp (+10% per 2 s)"};

    private record AlertSeen(long nanos, String subject, String detector, String line) {
    }

    private final Profile profile;
    private final Path work;
    private final List<AlertSeen> alerts = new CopyOnWriteArrayList<>();
    private final Map<String, Long> attackStart = new ConcurrentHashMap<>();
    private final Map<String, Integer> attackScenario = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Random random = new Random(7);
    private ScheduledExecutorService executor;
    private ScheduledExecutorService secondary;
    private Configuration cfg;
    private URI gatewayUri;
    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    private DetectionHarness(Profile profile, Path work) {
        this.profile = profile;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Profile p = Profile.full();
        Path out = Path.of("target", "anomaly");
        Path distro = Path.of(System.getProperty("m2mgw.distro.jar", "distro/target/m2mgw.jar"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> p = Profile.smoke();
                case "--rounds" -> p = new Profile(p.name(), p.normalDevices(), p.learnSeconds(),
                        Integer.parseInt(args[++i]), p.warmupSeconds(), p.warmupEvents(), p.rcfSampleSize(),
                        p.rcfWarmupWindows());
                case "--out" -> out = Path.of(args[++i]);
                case "--distro" -> distro = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: DetectionHarness [--smoke] [--rounds N] [--out DIR] [--distro JAR]");
                    System.exit(2);
                }
            }
        }
        run(p, out.toAbsolutePath(), distro.toAbsolutePath());
    }

    public static Result run(Profile profile, Path out, Path distroJar) throws Exception {
        GatewayProcess.deleteTree(out);
        Files.createDirectories(out);
        return new DetectionHarness(profile, out).execute(distroJar);
    }

    private void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[anomaly %s] %s%n", Instant.now().toString().substring(11, 19),
                String.format(Locale.ROOT, format, args));
    }

    private Result execute(Path distroJar) throws Exception {
        int attackers = SCENARIOS.length * profile.rounds();
        Fleet fleet = Fleet.generate(profile.normalDevices() + attackers, "field", "m2mgw-anomaly-" + System.nanoTime());
        Path registry = work.resolve("devices.json");
        fleet.writeRegistry(registry);
        Path mq = work.resolve("mosquitto");
        Files.createDirectories(mq);
        try (Mosquitto broker = new Mosquitto(mq, "persistence false\n").start();
                GatewayProcess gateway = GatewayProcess.gateway(distroJar, work.resolve("gateway"), "512m", List.of())) {
            gateway.await("CoAPS listener \\S+ listening on udp", 0, 120_000);
            gateway.awaitFile(work.resolve("gateway/console/admin-password"), 60_000);
            int port = GatewayProcess.freePort();
            gatewayUri = URI.create("coaps://127.0.0.1:" + port);
            gateway.configure("org.m2mgw.broker", GatewayProcess.props("broker.enabled", "false"));
            gateway.configure("org.m2mgw.anomaly", GatewayProcess.props(
                    "detector.enabled", "true",
                    "detector.warmup.seconds", Integer.toString(profile.warmupSeconds()),
                    "detector.warmup.events", Integer.toString(profile.warmupEvents()),
                    "rcf.sample.size", Integer.toString(profile.rcfSampleSize()),
                    "rcf.warmup.windows", Integer.toString(profile.rcfWarmupWindows())));
            gateway.configure("org.m2mgw.cloud.mqtt~default", GatewayProcess.props("broker.url", broker.url(),
                    "mqtt.version", "3.1.1"));
            gateway.configure("org.m2mgw.transport.coaps~default", GatewayProcess.props("listener.address", "127.0.0.1",
                    "listener.port", Integer.toString(port)));
            gateway.configure("org.m2mgw.registry", GatewayProcess.props("registry.import.file", registry.toString()));
            gateway.await("Imported \\S+devices.json", 0, 120_000);
            if (gateway.output().contains("Anomaly detector not started")) {
                throw new IllegalStateException("the gateway refused the harness's detector configuration: "
                        + gateway.output().lines().filter(l -> l.contains("Anomaly detector not started")).findFirst()
                                .orElse(""));
            }
            gateway.await("Cloud connection \\S+ connected to " + Pattern.quote(broker.url()), 0, 60_000);
            gateway.await("listening on udp 127\\.0\\.0\\.1:" + port, 0, 60_000);

            MqttClient sub = new MqttClient(broker.url(), "anomaly-harness", new MemoryPersistence());
            sub.connect(new MqttConnectOptions());
            Pattern subject = Pattern.compile("\"subject\":\"([^\"]+)\"");
            Pattern detector = Pattern.compile("\"detector\":\"([^\"]+)\"");
            sub.subscribe("m2mgw/+/alerts", 1, (t, m) -> {
                String json = new String(m.getPayload(), StandardCharsets.UTF_8);
                Matcher s = subject.matcher(json);
                Matcher d = detector.matcher(json);
                alerts.add(new AlertSeen(System.nanoTime(), s.find() ? s.group(1) : "?", d.find() ? d.group(1) : "?",
                        json));
            });

            executor = ExecutorsUtil.newScheduledThreadPool(2, new NamedThreadFactory("harness#"));
            secondary = ExecutorsUtil.newDefaultSecondaryScheduler("harness-timer#");
            cfg = LoadGenerator.clientConfiguration(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
            long runStart = System.nanoTime();

            // Normal fleet: a third each of periodic, bursty and sleepy devices.
            for (int i = 0; i < profile.normalDevices(); i++) {
                DeviceClient c = client(fleet.get(i), gatewayUri, "127.20." + (i / 250) + "." + (i % 250 + 1));
                switch (i % 3) {
                    case 0 -> periodic(c, 2000, () -> false);
                    case 1 -> bursty(c);
                    default -> sleepy(c);
                }
            }
            // Attackers behave as periodic sensors until their round. Replay attackers talk through a relay.
            List<Attacker> all = new ArrayList<>();
            for (int r = 0; r < profile.rounds(); r++) {
                for (int s = 0; s < SCENARIOS.length; s++) {
                    int index = profile.normalDevices() + r * SCENARIOS.length + s;
                    Fleet.Device d = fleet.get(index);
                    Attacker a = new Attacker(d, s, r, "127.30." + r + "." + (s + 1));
                    if (s == 2) {
                        a.relay = new UdpRelay(new InetSocketAddress("127.0.0.1", port), a.ip);
                        closeables.add(a.relay);
                        a.client = client(d, URI.create("coaps://127.0.0.1:" + a.relay.address().getPort()), null);
                    } else {
                        a.client = client(d, gatewayUri, a.ip);
                    }
                    periodic(a.client, 2000, () -> a.attacking || stop.get());
                    all.add(a);
                }
            }
            log("%d normal devices and %d attackers reporting; learning for %d s", profile.normalDevices(),
                    all.size(), profile.learnSeconds());
            Thread.sleep(profile.learnSeconds() * 1000L);

            for (int r = 0; r < profile.rounds(); r++) {
                log("round %d: all six attacks start", r + 1);
                for (Attacker a : all) {
                    if (a.round == r) {
                        attack(a);
                    }
                }
                Thread.sleep(65_000);
                for (Attacker a : all) {
                    if (a.round == r) {
                        a.stopped = true;
                        if (a.relay != null) {
                            a.relay.replay(0);
                            a.relay.tamper(false);
                        }
                    }
                }
                Thread.sleep(2000);
            }
            stop.set(true);
            double hours = (System.nanoTime() - runStart) / 3.6e12;
            String status = gateway.get("/system/console/status-m2mgw.json");
            sub.disconnect();
            sub.close();
            Result result = evaluate(all, hours * profile.normalDevices(), status);
            report(result);
            return result;
        } finally {
            stop.set(true);
            for (AutoCloseable c : closeables) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // best effort
                }
            }
            if (executor != null) {
                executor.shutdownNow();
                secondary.shutdownNow();
            }
        }
    }

    private final class Attacker {
        final Fleet.Device device;
        final int scenario;
        final int round;
        final String ip;
        DeviceClient client;
        UdpRelay relay;
        volatile boolean attacking;
        volatile boolean stopped;

        Attacker(Fleet.Device device, int scenario, int round, String ip) {
            this.device = device;
            this.scenario = scenario;
            this.round = round;
            this.ip = ip;
        }
    }

    private DeviceClient client(Fleet.Device d, URI target, String ip) throws IOException {
        DeviceClient c = new DeviceClient(d, target, cfg, executor, secondary,
                new InetSocketAddress(ip == null ? "127.0.0.1" : ip, 0));
        closeables.add(c);
        return c;
    }

    private byte[] reading(int bytes) {
        StringBuilder sb = new StringBuilder("{\"t\":").append(String.format(Locale.ROOT, "%.1f",
                20 + random.nextGaussian())).append(",\"pad\":\"");
        while (sb.length() < bytes - 2) {
            sb.append('a');
        }
        return sb.append("\"}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private void post(DeviceClient c, String path, int bytes) {
        c.send(path, reading(bytes), MediaTypeRegistry.APPLICATION_JSON, null);
    }

    private long jitter(long ms, double fraction) {
        return (long) (ms * (1 + fraction * (2 * random.nextDouble() - 1)));
    }

    /** A report every {@code periodMs} (5% jitter) until {@code done} says so. */
    private void periodic(DeviceClient c, long periodMs, java.util.function.BooleanSupplier done) {
        executor.schedule(new Runnable() {
            @Override
            public void run() {
                if (stop.get() || done.getAsBoolean()) {
                    return;
                }
                post(c, "telemetry/temp", 40);
                executor.schedule(this, jitter(periodMs, 0.05), TimeUnit.MILLISECONDS);
            }
        }, random.nextInt((int) periodMs), TimeUnit.MILLISECONDS);
    }

    private void bursty(DeviceClient c) {
        executor.schedule(new Runnable() {
            @Override
            public void run() {
                if (stop.get()) {
                    return;
                }
                int n = random.nextDouble() < 0.2 ? 3 + random.nextInt(4) : 1;
                for (int i = 0; i < n; i++) {
                    executor.schedule(() -> post(c, "events", 60), i * 150L, TimeUnit.MILLISECONDS);
                }
                long next = (long) (-Math.log(1 - random.nextDouble()) * 5000); // Poisson, mean 5 s
                executor.schedule(this, Math.max(200, next), TimeUnit.MILLISECONDS);
            }
        }, random.nextInt(5000), TimeUnit.MILLISECONDS);
    }

    private void sleepy(DeviceClient c) {
        executor.schedule(new Runnable() {
            @Override
            public void run() {
                if (stop.get()) {
                    return;
                }
                c.resumeNext();
                post(c, "telemetry/temp", 40);
                executor.schedule(this, jitter(20_000, 0.1), TimeUnit.MILLISECONDS);
            }
        }, random.nextInt(20_000), TimeUnit.MILLISECONDS);
    }

    private void attack(Attacker a) {
        a.attacking = true;
        long start = System.nanoTime();
        attackStart.put(a.device.id(), start);
        attackScenario.put(a.device.id(), a.scenario);
        attackStart.put(a.ip, start);
        attackScenario.put(a.ip, a.scenario);
        DeviceClient c = a.client;
        switch (a.scenario) {
            case 0 -> flood(a);
            case 1 -> guessIdentities(a);
            case 2 -> {
                a.relay.replay(2);
                a.relay.tamper(true);
                periodic(c, 200, () -> a.stopped || stop.get());
            }
            case 3 -> executor.schedule(new Runnable() {
                @Override
                public void run() {
                    if (a.stopped || stop.get()) {
                        return;
                    }
                    post(c, "telemetry/dump", 900);
                    executor.schedule(this, jitter(2000, 0.05), TimeUnit.MILLISECONDS);
                }
            }, 0, TimeUnit.MILLISECONDS);
            case 4 -> periodic(c, 200, () -> a.stopped || stop.get());
            default -> executor.schedule(new Runnable() {
                double period = 2000;

                @Override
                public void run() {
                    if (a.stopped || stop.get()) {
                        return;
                    }
                    post(c, "telemetry/temp", 40);
                    period = 2000 / Math.pow(1.10, (System.nanoTime() - start) / 2e9);
                    executor.schedule(this, (long) period, TimeUnit.MILLISECONDS);
                }
            }, 0, TimeUnit.MILLISECONDS);
        }
    }

    /** As fast as the gateway answers: the next POST when the last one is answered. */
    private void flood(Attacker a) {
        if (a.stopped || stop.get()) {
            return;
        }
        a.client.send("telemetry/temp", reading(40), MediaTypeRegistry.APPLICATION_JSON, null)
                .whenComplete((o, e) -> executor.schedule(() -> flood(a), 2, TimeUnit.MILLISECONDS));
    }

    /** Handshakes with made-up identities from one address, 10 per second. */
    private void guessIdentities(Attacker a) {
        SecureRandom rnd = new SecureRandom();
        executor.schedule(new Runnable() {
            int n;

            @Override
            public void run() {
                if (a.stopped || stop.get()) {
                    return;
                }
                byte[] key = new byte[16];
                rnd.nextBytes(key);
                Fleet.Device guess = new Fleet.Device("guess", "sensor-" + (1000 + n++), key);
                try {
                    DeviceClient c = new DeviceClient(guess, gatewayUri, cfg, executor, secondary,
                            new InetSocketAddress(a.ip, 0));
                    c.send("telemetry/temp", reading(40), MediaTypeRegistry.APPLICATION_JSON, null)
                            .whenComplete((o, e) -> c.close());
                    executor.schedule(() -> c.close(), 5, TimeUnit.SECONDS);
                } catch (IOException e) {
                    // address in use: try again next time
                }
                executor.schedule(this, 100, TimeUnit.MILLISECONDS);
            }
        }, 0, TimeUnit.MILLISECONDS);
    }

    private Result evaluate(List<Attacker> attackers, double normalDeviceHours, String status) {
        List<ScenarioResult> out = new ArrayList<>();
        for (int s = 0; s < SCENARIOS.length; s++) {
            double budget = s == 5 ? 60 : 10;
            int runs = 0;
            int detected = 0;
            List<Double> times = new ArrayList<>();
            Map<String, Integer> detectors = new LinkedHashMap<>();
            for (Attacker a : attackers) {
                if (a.scenario != s) {
                    continue;
                }
                runs++;
                long start = attackStart.get(a.device.id());
                AlertSeen first = null;
                for (AlertSeen al : alerts) {
                    if ((al.subject.equals(a.device.id()) || al.subject.equals(a.ip)) && al.nanos >= start
                            && (first == null || al.nanos < first.nanos)) {
                        first = al;
                    }
                }
                if (first != null && (first.nanos - start) / 1e9 <= budget) {
                    detected++;
                    times.add((first.nanos - start) / 1e9);
                    detectors.merge(first.detector, 1, Integer::sum);
                }
            }
            times.sort(null);
            out.add(new ScenarioResult(SCENARIOS[s], runs, detected,
                    times.isEmpty() ? Double.NaN : times.get(times.size() / 2),
                    times.isEmpty() ? Double.NaN : times.get(times.size() - 1), budget, detectors.toString()));
        }
        List<String> falseLines = new ArrayList<>();
        long firstAttack = attackStart.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
        for (AlertSeen al : alerts) {
            Long start = attackStart.get(al.subject);
            // An alert about the gateway or a prefix (all devices here share 127.0.0.0/24) speaks of
            // what every attacker together does: false only when it comes before any attack began.
            boolean aggregate = al.line.contains("\"subjectKind\":\"GATEWAY\"")
                    || al.line.contains("\"subjectKind\":\"PREFIX\"");
            if (aggregate ? al.nanos < firstAttack : start == null || al.nanos < start) {
                falseLines.add(al.line);
            }
        }
        long processed = counter(status, "events.processed");
        long cpu = counter(status, "worker.cpu.micros");
        return new Result(out, falseLines.size(), normalDeviceHours, processed == 0 ? Double.NaN : cpu / (double) processed,
                processed, counter(status, "events.dropped"), falseLines);
    }

    private static long counter(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":(\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private void report(Result r) throws IOException {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "m2mgw anomaly detection through real DTLS (%s run: %d normal devices, "
                + "%d s learning, %d round(s)), JDK %s%n", profile.name(), profile.normalDevices(),
                profile.learnSeconds(), profile.rounds(), System.getProperty("java.version")));
        t.append(String.format(Locale.ROOT, "%-42s %9s %9s %12s %10s %8s  %s%n", "scenario", "detected", "rate",
                "median s", "max s", "budget", "first detector"));
        for (ScenarioResult s : r.scenarios()) {
            t.append(String.format(Locale.ROOT, "%-42s %5d/%-3d %8.0f%% %12s %10s %7.0fs  %s%n", s.scenario(),
                    s.detected(), s.runs(), 100 * s.rate(), fmt(s.medianSecondsToDetect()),
                    fmt(s.maxSecondsToDetect()), s.budgetSeconds(), s.detectors()));
        }
        t.append(String.format(Locale.ROOT, "false alerts: %d in %.1f normal device-hours (%.2f per 100 device-hours)%n",
                r.falseAlerts(), r.normalDeviceHours(), r.falseAlertsPer100DeviceHours()));
        t.append(String.format(Locale.ROOT, "detector CPU: %.1f us per event (%d events processed, %d dropped)%n",
                r.cpuMicrosPerEvent(), r.eventsProcessed(), r.eventsDropped()));
        for (String line : r.falseAlertLines()) {
            t.append("  false alert: ").append(line).append('\n');
        }
        System.out.print(t);
        Files.writeString(work.resolve("results.txt"), t, StandardCharsets.UTF_8);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }
}
