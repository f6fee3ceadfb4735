package org.m2mgw.bench.suite;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.m2mgw.bench.baseline.BareScandiumServer;
import org.m2mgw.bench.loadgen.EdhocDevices;
import org.m2mgw.bench.loadgen.Fleet;
import org.m2mgw.bench.loadgen.IdleSessions;
import org.m2mgw.bench.loadgen.LoadGenerator;
import org.m2mgw.bench.loadgen.LoadGenerator.Mode;
import org.m2mgw.bench.loadgen.Stats;
import org.m2mgw.cloud.testsupport.Mosquitto;
import org.m2mgw.cloud.testsupport.QueueVsPahoFile;
import org.m2mgw.crypto.sign.SignTool;
import org.m2mgw.update.internal.kura.KuraPayload;
import org.m2mgw.update.internal.tool.PackageRewrite;
import org.m2mgw.update.testsupport.PackageServer;

/**
 * The benchmark suite: starts mosquitto, the exported gateway distro and the bare Scandium
 * baseline, each in its own process on loopback, runs every scenario against the gateway and its
 * same-run baseline, prints a table and writes {@code results.json}. Run it with
 * {@code itests/benchmarks/bench} ({@code --smoke} for a few seconds of tiny load).
 */
public final class BenchmarkSuite {

    private final Profile profile;
    private final Path work;
    private final List<Row> rows = new ArrayList<>();
    private final StringBuilder notes = new StringBuilder();
    private Fleet fleet;
    /** Raw public key devices (P-256), one per handshake client; private keys in rpk-keys.json. */
    private Fleet rpkFleet;
    /** EDHOC devices (P-256 static DH, suite 2): the OSCORE load, one per POST client. */
    private List<EdhocDevices.Device> edhocFleet;
    /** EDHOC devices with one-byte kids for the bytes-on-air scenario. */
    private List<EdhocDevices.Device> edhocAirDevices;
    private Mosquitto broker;
    private GatewayProcess gateway;
    private GatewayProcess bare;
    private URI gatewayUri;
    private URI bareUri;

    /** Scenarios named with {@code --only}; empty: all. */
    private final java.util.Set<String> only;

    private BenchmarkSuite(Profile profile, Path work, java.util.Set<String> only) {
        this.profile = profile;
        this.work = work;
        this.only = only;
    }

    public static void main(String[] args) throws Exception {
        Profile profile = Profile.full();
        Path out = Path.of("target", "bench");
        Path distro = Path.of(System.getProperty("m2mgw.distro.jar", "distro/target/m2mgw.jar"));
        java.util.Set<String> only = new java.util.LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> profile = Profile.smoke();
                case "--full" -> profile = Profile.full();
                case "--out" -> out = Path.of(args[++i]);
                case "--idle" -> profile = profile.withIdleSessions(Integer.parseInt(args[++i]));
                case "--restart" -> profile = profile.withRestartSessions(Integer.parseInt(args[++i]));
                case "--curve-sessions" -> profile = profile.withCurveSessions(java.util.Arrays.stream(
                        args[++i].split(",")).mapToInt(Integer::parseInt).toArray());
                case "--distro" -> distro = Path.of(args[++i]);
                case "--only" -> {
                    for (String name : args[++i].split(",")) {
                        if (!SCENARIOS.contains(name)) {
                            System.err.println("unknown scenario " + name + "; known: " + SCENARIOS);
                            System.exit(2);
                        }
                        only.add(name);
                    }
                }
                default -> {
                    System.err.println("usage: BenchmarkSuite [--smoke|--full] [--out DIR] [--distro m2mgw.jar] [--only a,b,..] "
                            + "[--idle N] [--restart N]; scenarios: " + SCENARIOS);
                    System.exit(2);
                }
            }
        }
        List<Row> rows = run(profile, out.toAbsolutePath(), distro.toAbsolutePath(), only);
        long missed = rows.stream().filter(r -> Boolean.FALSE.equals(r.met())).count();
        System.out.printf("%d scenario(s), %d target(s) missed%n", rows.size(), missed);
    }

    /** Runs the whole suite; returns its rows (also printed and written to {@code out/results.json}). */
    public static List<Row> run(Profile profile, Path out, Path distroJar) throws Exception {
        return run(profile, out, distroJar, java.util.Set.of());
    }

    /**
     * Runs the scenarios named in {@code only} (all when it is empty); returns their rows (also
     * printed and written to {@code out/results.json}).
     */
    public static List<Row> run(Profile profile, Path out, Path distroJar, java.util.Set<String> only)
            throws Exception {
        if (!Files.isRegularFile(distroJar)) {
            throw new IllegalStateException(distroJar + " not found: build the distro first (mvn -DskipTests install)");
        }
        GatewayProcess.deleteTree(out);
        Files.createDirectories(out);
        BenchmarkSuite suite = new BenchmarkSuite(profile, out, java.util.Set.copyOf(only));
        long t0 = System.nanoTime();
        try {
            suite.setUp(distroJar);
            suite.scenarios();
        } finally {
            suite.tearDown();
        }
        double minutes = (System.nanoTime() - t0) / 6e10;
        suite.report(minutes);
        return suite.rows;
    }

    static Row rowFor(List<Row> rows, String scenario) {
        return rows.stream().filter(r -> r.scenario().equals(scenario)).findFirst().orElse(null);
    }

    private void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench %s] %s%n", Instant.now().toString().substring(11, 19),
                String.format(Locale.ROOT, format, args));
    }

    private void setUp(Path distroJar) throws Exception {
        // the heap curve's devices (100,000 in a full run) only when the curves run
        fleet = Fleet.generate(runs("curves") ? profile.fleetSize() : profile.curveOffset(), "bench",
                "m2mgw-bench-" + System.nanoTime());
        rpkFleet = Fleet.generateRpk(profile.handshakeClients(), "bench-rpk");
        edhocFleet = EdhocDevices.generate(profile.postClients(), "bench-edhoc", 2, 0x1000);
        edhocAirDevices = EdhocDevices.generate(2, "bench-edhoc-air", 1, 0x21);
        List<String> edhocEntries = new ArrayList<>();
        for (EdhocDevices.Device d : edhocAirDevices) {
            edhocEntries.add(d.registryEntry());
        }
        for (EdhocDevices.Device d : edhocFleet) {
            edhocEntries.add(d.registryEntry());
        }
        Path registry = work.resolve("devices.json");
        fleet.slice(0, profile.curveOffset()).plus(rpkFleet).writeRegistry(registry, edhocEntries);
        if (runs("curves")) {
            // imported only before the heap curve, so that no other scenario carries their registry
            int n = profile.curveSessions()[profile.curveSessions().length - 1];
            fleet.slice(profile.curveOffset(), n).writeRegistry(work.resolve("curve-devices.json"));
        }
        rpkFleet.writeRpkKeys(work.resolve("rpk-keys.json"));
        log("%s run: %d generated PSK devices, %d raw public key devices (P-256) and %d EDHOC devices (P-256 "
                + "static DH) in %s", profile.name(), fleet.size(), rpkFleet.size(), edhocEntries.size(), registry);

        // Signing keys for the remote update scenario, trusted by the gateway from its first start.
        SignTool.run("keygen", work.resolve("update-keys").toString());
        SignTool.run("provision", work.resolve("update-keys").toString(), work.resolve("gateway").toString());

        Path mq = work.resolve("mosquitto");
        Files.createDirectories(mq);
        broker = new Mosquitto(mq, "persistence false\n").start();
        log("mosquitto on %s", broker.url());

        startServers(distroJar, true);
    }

    private Path distroJar;
    /** Whether the servers know the heap curve's devices (imported just before the curve). */
    private boolean curveDevices;
    private int gatewayPort;
    private int barePort;
    private int oscorePort;

    /**
     * Starts the bare server and the gateway; the first time, configures the gateway through its
     * console (the configuration stays in its data directory for later starts).
     */
    private void startServers(Path distro, boolean first) throws Exception {
        distroJar = distro;
        Path registry = work.resolve("devices.json");
        if (first) {
            barePort = GatewayProcess.freePort();
            gatewayPort = GatewayProcess.freePort();
            oscorePort = GatewayProcess.freePort();
        }
        List<String> bareArgs = new ArrayList<>(List.of(Integer.toString(barePort), registry.toString(), "--bc-ec"));
        if (curveDevices) {
            bareArgs.addAll(List.of("--also", work.resolve("curve-devices.json").toString()));
        }
        bare = GatewayProcess.java("512m", work.resolve("bare-scandium.log"), BareScandiumServer.class.getName(),
                bareArgs.toArray(String[]::new));
        bareUri = URI.create("coaps://127.0.0.1:" + barePort);
        gateway = GatewayProcess.gateway(distroJar, work.resolve("gateway"), "512m", List.of());
        gatewayUri = URI.create("coaps://127.0.0.1:" + gatewayPort);
        if (first) {
            configureNew(gateway, gatewayPort, oscorePort, true, null);
        } else {
            gateway.await("Device registry loaded: [^\\n]*", 0, 120_000);
        }
        gateway.await("Cloud connection \\S+ connected to " + broker.url().replace(".", "\\."), 0, 60_000);
        gateway.await("listening on udp 127\\.0\\.0\\.1:" + gatewayPort, 0, 60_000);
        gateway.await("OSCORE listener \\S+ listening on udp 127\\.0\\.0\\.1:" + oscorePort, 0, 60_000);
        bare.await("bare scandium server on", 0, 60_000);
        log("gateway (pid %d) and bare scandium (pid %d) ready", gateway.pid(), bare.pid());
    }

    /**
     * Fresh processes with empty connection stores: every full handshake leaves a connection in
     * Scandium's store (the bare server's as much as the gateway's) until it is stale, so the
     * handshake runs would otherwise fill the stores that the later scenarios need.
     */
    private void restartServers() throws Exception {
        gateway.close();
        bare.close();
        // the gateway saved its sessions at the stop and would restore them: start empty
        try (var saved = Files.list(work.resolve("gateway/coaps"))) {
            for (Path p : saved.toList()) {
                Files.delete(p);
            }
        }
        startServers(distroJar, false);
    }

    /**
     * Configures a gateway started on an empty data directory through its console, as an operator
     * would: mosquitto instead of the embedded broker, detection, the listeners on loopback ports,
     * the run's device registry.
     *
     * @param clientId the cloud connection's MQTT client id, {@code null} for the default
     */
    private void configureNew(GatewayProcess g, int coapsPort, int oscoreListenerPort, boolean detectionOn,
            String clientId) throws Exception {
        Path registry = work.resolve("devices.json");
        g.await("CoAPS listener \\S+ listening on udp", 0, 120_000);
        g.awaitFile(g.dataDir().resolve("console/admin-password"), 60_000);
        // The embedded broker is not used: the gateway publishes to mosquitto.
        g.configure("org.m2mgw.broker", GatewayProcess.props("broker.enabled", "false"));
        detection(g, detectionOn);
        Map<String, String> cloud = GatewayProcess.props("broker.url", broker.url(), "mqtt.version", "3.1.1");
        if (clientId != null) {
            cloud.put("client.id", clientId);
        }
        g.configure("org.m2mgw.cloud.mqtt~default", cloud);
        g.configure("org.m2mgw.transport.coaps~default", GatewayProcess.props("listener.address",
                "127.0.0.1", "listener.port", Integer.toString(coapsPort), "dtls.max.connections", "150000",
                // the simulated fleet shares a few loopback addresses (20,000 devices per address in
                // the idle scenario), as devices behind one carrier-grade NAT would
                "dtls.max.connections.per.address", "150000"));
        // the OSCORE listener on loopback too, and on a free port rather than 5683
        g.configure(OSCORE, GatewayProcess.props("listener.address", "127.0.0.1", "listener.port",
                Integer.toString(oscoreListenerPort)));
        long importStart = System.nanoTime();
        g.configure("org.m2mgw.registry", GatewayProcess.props("registry.import.file", registry.toString()));
        int end = g.await("Imported \\S+devices.json: [^\\n]*", 0, 600_000);
        String imported = g.output().substring(0, end);
        log("gateway imported %d devices in %.1f s: %s", fleet.size() + rpkFleet.size(),
                (System.nanoTime() - importStart) / 1e9, imported.substring(imported.lastIndexOf("Imported ")));
    }

    /** Scenario names for {@code --only}; a run without it runs them all, in this order. */
    static final List<String> SCENARIOS = List.of("handshake", "policy", "resume", "gateway-ecdsa", "swap", "update",
            "idle", "ecdsa", "queue", "aead", "e2e", "detection", "cloud", "restart", "backlog", "air", "oscore", "curves");

    private boolean runs(String scenario) {
        return only.isEmpty() || only.contains(scenario);
    }

    private void scenarios() throws Exception {
        if (runs("handshake")) {
            loadScenario("full PSK handshakes/s (CCM_8, cookie)", Mode.HANDSHAKE, 0, profile.handshakeClients(),
                    0.90, "handshakes/s");
            restartServers();
        }
        if (runs("policy")) {
            cryptoPolicyCost();
            restartServers();
        }
        if (runs("resume")) {
            loadScenario("session resumptions/s", Mode.RESUME, 100, profile.handshakeClients(), 0.90,
                    "resumptions/s");
        }
        if (runs("gateway-ecdsa")) {
            gatewayEcdsaProviders();
        }
        if (runs("swap")) {
            providerSwapUnderLoad();
        }
        if (runs("update")) {
            remoteUpdateUnderLoad();
        }
        restartServers();
        if (runs("idle")) {
            idleSessions();
        } else {
            offServerScenarios();
        }
        if (runs("e2e")) {
            endToEnd();
        }
        if (runs("detection")) {
            detectionCost();
        }
        if (runs("cloud")) {
            cloudRow();
        }
        if (runs("restart")) {
            restartWithSessions();
        }
        if (runs("backlog")) {
            backlogDrain();
        }
        if (runs("air")) {
            bytesOnAir();
        }
        if (runs("oscore")) {
            oscoreVsDtls();
        }
        if (runs("curves")) {
            scalingCurves();
        }
    }

    /**
     * The scenarios that load neither the gateway nor the bare server (they run in the suite's JVM,
     * in JMH's, or against mosquitto alone): they fill the idle sessions' wait.
     */
    private void offServerScenarios() throws Exception {
        if (runs("ecdsa")) {
            ecdsaProviders();
        }
        if (runs("queue")) {
            queueBaselines();
        }
        if (runs("aead")) {
            oscoreAeadCost();
        }
        if (runs("cloud")) {
            pahoDirect();
        }
    }

    /**
     * Heap per idle session, on freshly started servers that hold nothing else: each idle device
     * makes one handshake and one request and goes quiet. The request leaves a CoAP
     * deduplication entry for EXCHANGE_LIFETIME (247 s) on both servers, so the heap is read once
     * it has expired; the scenarios that load neither server run meanwhile.
     */
    private void idleSessions() throws Exception {
        long[] idleBefore = {gateway.liveHeapBytes(), bare.liveHeapBytes()};
        String[] histogramsBefore = {gateway.histogram(100_000), bare.histogram(100_000)};
        Fleet idleFleet = fleet.slice(1000, profile.idleSessions());
        int parallel = 16;
        long t = System.nanoTime();
        int idleGw = IdleSessions.establish(gatewayUri, idleFleet, idleFleet.size(), parallel, 10);
        log("idle sessions: %d of %d on the gateway in %.1f s", idleGw, idleFleet.size(), (System.nanoTime() - t) / 1e9);
        t = System.nanoTime();
        int idleBare = IdleSessions.establish(bareUri, idleFleet, idleFleet.size(), parallel, 11);
        log("idle sessions: %d of %d on bare scandium in %.1f s", idleBare, idleFleet.size(), (System.nanoTime() - t) / 1e9);
        // the last request's deduplication entry expires EXCHANGE_LIFETIME (247 s) after it was
        // made, at the deduplicator's next sweep (10 s)
        long idleAt = System.nanoTime();
        if (idleGw < idleFleet.size() || idleBare < idleFleet.size()) {
            throw new IllegalStateException("idle sessions: only " + idleGw + " (gateway) and " + idleBare
                    + " (bare) of " + idleFleet.size() + " devices got a session: the scenario did not run as designed");
        }
        offServerScenarios();
        long wait = TimeUnit.SECONDS.toNanos(260) - (System.nanoTime() - idleAt);
        if (profile.idleSessions() >= 10_000 && wait > 0) {
            log("waiting %d s more for the exchange lifetime of the idle sessions' requests",
                    TimeUnit.NANOSECONDS.toSeconds(wait));
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(wait));
        }
        double perGw = (gateway.liveHeapBytes() - idleBefore[0]) / (double) idleGw;
        Files.writeString(work.resolve("idle-heap-per-session-gateway.txt"),
                HeapDiff.perSession(histogramsBefore[0], gateway.histogram(100_000), idleGw, 60));
        double perBare = (bare.liveHeapBytes() - idleBefore[1]) / (double) idleBare;
        Files.writeString(work.resolve("idle-heap-per-session-bare.txt"),
                HeapDiff.perSession(histogramsBefore[1], bare.histogram(100_000), idleBare, 60));
        double projected = perGw * 100_000 / (1024 * 1024);
        boolean expired = profile.idleSessions() >= 10_000;
        rows.add(new Row("idle sessions: heap per session", "bytes", perGw, "bare Scandium", perBare, true,
                "<= 1.5 x bare Scandium (100,000 at -Xmx512m: see the heap curve)", perGw <= 1.5 * perBare,
                String.format(Locale.ROOT, "%d of %d idle devices connected (bare %d); heap after full GC, nothing "
                        + "else on either server, requests' deduplication entries %s; 100k would use %.0f MiB; "
                        + "-Xmx512m; classes per session in idle-heap-per-session-*.txt", idleGw, idleFleet.size(),
                        idleBare, expired ? "expired" : "still held (smoke run: no wait)", projected)));
    }

    // ---------------------------------------------------------------------------------------------
    // Issue 14: bytes on air per report of a sleeping device, OSCORE against DTLS through the
    // gateway, Ascon against AES-CCM per OSCORE message.

    /** A report: a 64-byte JSON reading, POSTed confirmable, as the end-to-end load sends. */
    private static final String REPORT_PATH = "telemetry/load";
    private static final int REPORT_BYTES = 64;
    /** A report every 10 minutes: 144 a day. */
    private static final int REPORTS_PER_DAY = 144;
    /** Published handshake sizes (draft-ietf-iotops-security-protocol-comparison, with connection IDs). */
    private static final String PUBLISHED_DTLS = "DTLS 1.3 RPK + ECDHE 756 B (PSK 351 B)";
    private static final String PUBLISHED_EDHOC = "EDHOC method 3, kid (RPK + ECDHE) 101 B";

    /** One line of the bytes-on-air table. */
    private record AirLine(String variant, double handshake, double handshakeRelay, double handshakesPerReport,
            double report, double reportRelay, double perReportGateway, double perReportRelay, String published) {
    }

    private final List<AirLine> airLines = new ArrayList<>();

    /** "gateway / relay" in bytes, one decimal; "-" for a relay figure it cannot tell apart. */
    private static String airPair(double gateway, double relay) {
        return String.format(Locale.ROOT, "%.1f / %s", gateway, Double.isNaN(relay) ? "-"
                : String.format(Locale.ROOT, "%.1f", relay));
    }
    private static final String AIR_TITLE = "Bytes on air for one 64-byte reading every 10 minutes (UDP payloads, "
            + "both directions, CoAP included; one handshake a day amortised over 144 reports): measured by the "
            + "gateway's airtime counters and by a UDP relay. Published sizes: "
            + "draft-ietf-iotops-security-protocol-comparison (Preuss Mattsson, Palombini, Vucinic), message sizes "
            + "with connection ID, DTLS 1.3 and EDHOC handshakes without CoAP/UDP; not measured here.";

    /** The gateway's airtime counters of one listener (totals since start), from the status page. */
    private Map<String, Long> airtime(String listener) throws IOException {
        Map<String, Long> out = new java.util.TreeMap<>();
        gateway.listener(listener).counters().forEach((k, v) -> {
            if (k.startsWith("airtime.")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** What one phase cost on the air, by the gateway's counters (deltas) and by the relay. */
    private record AirPhase(Map<String, Long> delta, AirtimeRelay.Counts relay) {
        long get(String key) {
            return delta.getOrDefault(key, 0L);
        }

        long gatewayBytes() {
            return delta.entrySet().stream().filter(e -> e.getKey().endsWith(".bytes.in")
                    || e.getKey().endsWith(".bytes.out") || e.getKey().equals("airtime.unattributed.bytes"))
                    .mapToLong(Map.Entry::getValue).sum();
        }

        long gatewayDatagrams() {
            return delta.entrySet().stream().filter(e -> e.getKey().endsWith(".datagrams.in")
                    || e.getKey().endsWith(".datagrams.out") || e.getKey().equals("airtime.unattributed.datagrams"))
                    .mapToLong(Map.Entry::getValue).sum();
        }

        /** Bytes of one protocol in both directions ({@code airtime.edhoc}, ...). */
        long bytes(String slug) {
            return get(slug + ".bytes.in") + get(slug + ".bytes.out");
        }

        boolean agree() {
            return gatewayBytes() == relay.bytes() && gatewayDatagrams() == relay.datagrams();
        }

        private long sum(String suffix) {
            return delta.entrySet().stream().filter(e -> e.getKey().endsWith(suffix)).mapToLong(Map.Entry::getValue)
                    .sum();
        }

        String describe() {
            long unattributed = get("airtime.unattributed.bytes");
            return String.format(Locale.ROOT, "gateway %d B in %d datagrams (in %d B/%d, out %d B/%d%s), relay %d B in "
                    + "%d datagrams (in %d B/%d, out %d B/%d)", gatewayBytes(), gatewayDatagrams(), sum(".bytes.in"),
                    sum(".datagrams.in"), sum(".bytes.out"), sum(".datagrams.out"), unattributed == 0 ? ""
                            : ", no device " + unattributed + " B/" + get("airtime.unattributed.datagrams"),
                    relay.bytes(), relay.datagrams(), relay.bytesUp(), relay.datagramsUp(), relay.bytesDown(),
                    relay.datagramsDown());
        }
    }

    /**
     * Runs {@code body} (a device talking through {@code relay}) and returns what it cost by both
     * counts. The gateway adds a handshake's datagrams once the handshake ended, so its counters are
     * read again for up to 5 s until they stop moving or equal the relay's.
     */
    private AirPhase airPhase(String listener, AirtimeRelay relay, java.util.concurrent.Callable<?> body)
            throws Exception {
        Map<String, Long> before = airtime(listener);
        AirtimeRelay.Counts r0 = relay.counts();
        body.call();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        AirPhase p = null;
        AirPhase previous;
        do {
            Thread.sleep(200);
            previous = p;
            Map<String, Long> after = airtime(listener);
            Map<String, Long> delta = new java.util.TreeMap<>();
            for (String k : after.keySet()) {
                long d = after.get(k) - before.getOrDefault(k, 0L);
                if (d != 0) {
                    delta.put(k, d);
                }
            }
            p = new AirPhase(delta, relay.counts().minus(r0));
        } while (!p.agree() && System.nanoTime() < deadline
                && (previous == null || !previous.delta().equals(p.delta()) || !previous.relay().equals(p.relay())));
        return p;
    }

    private static void expect(boolean ok, String what, AirPhase p) {
        if (!ok) {
            throw new IllegalStateException("bytes on air: " + what + "; the phase did not run as designed: "
                    + p.describe() + "; gateway counters moved: " + p.delta());
        }
    }

    private static void report(org.m2mgw.bench.loadgen.DeviceClient c, int seq) throws Exception {
        org.m2mgw.bench.loadgen.DeviceClient.Outcome o = c.send(REPORT_PATH, LoadGenerator.reading(seq, REPORT_BYTES),
                org.eclipse.californium.core.coap.MediaTypeRegistry.APPLICATION_JSON, null).get(30, TimeUnit.SECONDS);
        if (!o.success()) {
            throw new IllegalStateException("bytes on air: report " + seq + " failed: "
                    + (o.error() != null ? o.error() : o.code()));
        }
    }

    private static void report(org.m2mgw.bench.loadgen.OscoreDevice d, int seq) throws Exception {
        org.m2mgw.bench.loadgen.DeviceClient.Outcome o = d.post(REPORT_PATH, LoadGenerator.reading(seq, REPORT_BYTES),
                org.eclipse.californium.core.coap.MediaTypeRegistry.APPLICATION_JSON, null).get(30, TimeUnit.SECONDS);
        if (!o.success()) {
            throw new IllegalStateException("bytes on air: OSCORE report " + seq + " of " + d.device().id()
                    + " failed: " + (o.error() != null ? o.error() : o.code()));
        }
    }

    /**
     * Bytes on air for one 64-byte reading of a device that reports every 10 minutes and sleeps in
     * between, handshakes amortised: DTLS 1.2 PSK with a full handshake per report, with a session
     * resumption per report, with a connection ID (session kept, one full handshake a day), and EDHOC
     * + OSCORE (context kept, EDHOC once a day), also with message_3 inside the first request (RFC
     * 9668). Each device talks through its own {@link AirtimeRelay}, which moves to a new port
     * before every report (the NAT binding of a sleeping device expires); the bytes are the
     * gateway's {@code airtime.*} counters, and the relay's count of the same datagrams must agree
     * exactly. The sleep itself is not waited out: the gateway keeps DTLS sessions and OSCORE
     * contexts far longer than 10 minutes (dtls.stale.connection.seconds, contexts on disk).
     */
    private void bytesOnAir() throws Exception {
        int reports = Math.max(3, 2 * profile.measureSeconds());
        InetSocketAddress coaps = new InetSocketAddress("127.0.0.1", gatewayPort);
        InetSocketAddress oscore = new InetSocketAddress("127.0.0.1", oscorePort);
        var executor = org.eclipse.californium.elements.util.ExecutorsUtil.newScheduledThreadPool(2,
                new org.eclipse.californium.elements.util.NamedThreadFactory("air#"));
        var secondary = org.eclipse.californium.elements.util.ExecutorsUtil.newDefaultSecondaryScheduler("air-timer#");
        var psk = org.eclipse.californium.scandium.dtls.cipher.CipherSuite.TLS_PSK_WITH_AES_128_CCM_8;
        // without RFC 9146 connection IDs (the devices of the first two variants) and with them (the
        // device offers none, the gateway's is used for what the device sends, as the load generator does)
        var noCid = LoadGenerator.clientConfiguration(psk);
        noCid.set(org.eclipse.californium.scandium.config.DtlsConfig.DTLS_CONNECTION_ID_LENGTH, null);
        var withCid = LoadGenerator.clientConfiguration(psk);
        String slugFull = "airtime.dtls-full-handshake";
        String slugResumed = "airtime.dtls-resumption";
        String slugCid = "airtime.dtls-records-with-cid";
        boolean agree = true;
        List<String> details = new ArrayList<>();
        try {
            // 1. DTLS 1.2 PSK, a full handshake (with the cookie exchange) for every report
            try (AirtimeRelay relay = new AirtimeRelay(coaps)) {
                var c = new org.m2mgw.bench.loadgen.DeviceClient(fleet.get(990),
                        URI.create("coaps://127.0.0.1:" + relay.address().getPort()), noCid, executor, secondary,
                        "127.0.0.1");
                try {
                    AirPhase p = airPhase(COAPS, relay, () -> {
                        for (int i = 0; i < reports; i++) {
                            relay.rebind();
                            c.forgetSession();
                            report(c, i);
                        }
                        return null;
                    });
                    expect(p.get(slugFull + ".handshakes") == reports, reports + " full handshakes expected, the "
                            + "gateway counted " + p.get(slugFull + ".handshakes"), p);
                    double hs = p.bytes(slugFull) / (double) reports;
                    double all = p.gatewayBytes() / (double) reports;
                    airLines.add(new AirLine("DTLS 1.2 PSK, full handshake each report", hs, Double.NaN, 1, all - hs,
                            Double.NaN, all, p.relay().bytes() / (double) reports, PUBLISHED_DTLS));
                    agree &= airRow("DTLS 1.2 PSK, full handshake each report", p, reports, String.format(Locale.ROOT,
                            "full handshake (cookie exchange, CCM_8, no CID) %.0f B in %.0f datagrams + POST and "
                                    + "2.04 %.0f B", hs, (p.get(slugFull + ".datagrams.in")
                                    + p.get(slugFull + ".datagrams.out")) / (double) reports, all - hs));
                } finally {
                    c.close();
                }
            }
            // 2. DTLS 1.2 PSK, an abbreviated handshake (session resumption) for every report
            try (AirtimeRelay relay = new AirtimeRelay(coaps)) {
                var c = new org.m2mgw.bench.loadgen.DeviceClient(fleet.get(991),
                        URI.create("coaps://127.0.0.1:" + relay.address().getPort()), noCid, executor, secondary,
                        "127.0.0.1");
                try {
                    report(c, 0); // the session to resume: its full handshake is not counted here
                    AirPhase p = airPhase(COAPS, relay, () -> {
                        for (int i = 1; i <= reports; i++) {
                            relay.rebind();
                            c.resumeNext();
                            report(c, i);
                        }
                        return null;
                    });
                    expect(p.get(slugResumed + ".handshakes") == reports && p.get(slugFull + ".handshakes") == 0,
                            reports + " resumptions and no full handshake expected, the gateway counted "
                                    + p.get(slugResumed + ".handshakes") + " and " + p.get(slugFull + ".handshakes"), p);
                    double hs = p.bytes(slugResumed) / (double) reports;
                    double all = p.gatewayBytes() / (double) reports;
                    airLines.add(new AirLine("DTLS 1.2 PSK, resumption each report", hs, Double.NaN, 1, all - hs,
                            Double.NaN, all, p.relay().bytes() / (double) reports, PUBLISHED_DTLS));
                    agree &= airRow("DTLS 1.2 PSK, resumption each report", p, reports, String.format(Locale.ROOT,
                            "abbreviated handshake %.0f B + POST and 2.04 %.0f B; full handshakes a day: none "
                                    + "counted (the session's own full handshake is not amortised)", hs, all - hs));
                } finally {
                    c.close();
                }
            }
            // 3. DTLS 1.2 PSK with a connection ID: the session is kept over the sleep and the new address
            try (AirtimeRelay relay = new AirtimeRelay(coaps)) {
                var c = new org.m2mgw.bench.loadgen.DeviceClient(fleet.get(992),
                        URI.create("coaps://127.0.0.1:" + relay.address().getPort()), withCid, executor, secondary,
                        "127.0.0.1");
                try {
                    AirPhase first = airPhase(COAPS, relay, () -> {
                        report(c, 0);
                        return null;
                    });
                    expect(first.get(slugFull + ".handshakes") == 1, "one full handshake expected", first);
                    AirPhase p = airPhase(COAPS, relay, () -> {
                        for (int i = 1; i <= reports; i++) {
                            relay.rebind();
                            report(c, i);
                        }
                        return null;
                    });
                    expect(p.get(slugFull + ".handshakes") + p.get(slugResumed + ".handshakes") == 0
                            && p.get(slugCid + ".datagrams.in") == reports, "the session kept over " + reports
                                    + " new addresses expected, with " + reports + " CID records in", p);
                    agree &= airAmortised("DTLS 1.2 PSK with CID, session kept", first, p, reports, PUBLISHED_DTLS,
                            "full handshake with CID (once a day)");
                } finally {
                    c.close();
                }
            }
            // 4. EDHOC + OSCORE: EDHOC once a day, the context kept
            var creds = EdhocDevices.gatewayCredentials(work.resolve("gateway/oscore/identity"));
            var cfg = org.m2mgw.bench.loadgen.OscoreDevice.clientConfiguration();
            try (AirtimeRelay relay = new AirtimeRelay(oscore);
                    var d = new org.m2mgw.bench.loadgen.OscoreDevice(edhocAirDevices.get(0), creds, relay.address(), cfg,
                            null, null)) {
                org.m2mgw.bench.loadgen.OscoreDevice.EdhocSizes[] sizes = new org.m2mgw.bench.loadgen.OscoreDevice.EdhocSizes[1];
                AirPhase edhoc = airPhase(OSCORE, relay, () -> sizes[0] = d.edhoc());
                expect(edhoc.get("airtime.edhoc.handshakes") == 1, "one EDHOC handshake expected", edhoc);
                AirPhase p = airPhase(OSCORE, relay, () -> {
                    for (int i = 1; i <= reports; i++) {
                        relay.rebind();
                        report(d, i);
                    }
                    return null;
                });
                expect(p.get("airtime.edhoc.handshakes") == 0 && p.get("airtime.oscore.datagrams.in") == reports,
                        reports + " OSCORE requests and no EDHOC expected", p);
                double report = p.gatewayBytes() / (double) reports;
                double reportRelay = p.relay().bytes() / (double) reports;
                double hs = edhoc.gatewayBytes();
                String published = PUBLISHED_EDHOC + "; measured here without CoAP: " + sizes[0].message1() + "+"
                        + sizes[0].message2() + "+" + sizes[0].message3() + " = " + sizes[0].total() + " B (C_R "
                        + sizes[0].connectionIdR() + " B)";
                airLines.add(new AirLine("EDHOC + OSCORE, context kept", hs, edhoc.relay().bytes(),
                        1.0 / REPORTS_PER_DAY, report, reportRelay, report + hs / REPORTS_PER_DAY,
                        reportRelay + edhoc.relay().bytes() / (double) REPORTS_PER_DAY, published));
                boolean ok = edhoc.agree() && p.agree();
                agree &= ok;
                rows.add(new Row("bytes on air per report: EDHOC + OSCORE, context kept", "bytes/report",
                        report + hs / REPORTS_PER_DAY, "UDP relay (same datagrams)",
                        reportRelay + edhoc.relay().bytes() / (double) REPORTS_PER_DAY, true,
                        "gateway counters = relay, byte for byte", ok, String.format(Locale.ROOT,
                                "%d reports, the relay on a new port before each; EDHOC (method 3, suite 2, kid, "
                                        + "CoAP framing included) %.0f B in %d datagrams once a day / %d + OSCORE POST "
                                        + "and 2.04 %.1f B; EDHOC messages alone %d B, C_R encoded in %d B (published: "
                                        + "101 B with one-byte connection identifiers, not measured); EDHOC: %s; "
                                        + "reports: %s%s", reports, hs, edhoc.gatewayDatagrams(), REPORTS_PER_DAY, report,
                                sizes[0].total(), sizes[0].connectionIdR(), edhoc.describe(), p.describe(),
                                ok ? "; counters and relay agree" : "; COUNTERS AND RELAY DIFFER")));
            }
            // 5. EDHOC + OSCORE with message_3 in the first OSCORE request (RFC 9668): one round trip less
            try (AirtimeRelay relay = new AirtimeRelay(oscore);
                    var d = new org.m2mgw.bench.loadgen.OscoreDevice(edhocAirDevices.get(1), creds, relay.address(), cfg,
                            null, null)) {
                AirPhase first = airPhase(OSCORE, relay, () -> d.edhocCombined(REPORT_PATH,
                        LoadGenerator.reading(0, REPORT_BYTES),
                        org.eclipse.californium.core.coap.MediaTypeRegistry.APPLICATION_JSON));
                expect(first.get("airtime.edhoc.handshakes") == 1, "one EDHOC handshake expected", first);
                AirPhase p = airPhase(OSCORE, relay, () -> {
                    for (int i = 1; i <= reports; i++) {
                        relay.rebind();
                        report(d, i);
                    }
                    return null;
                });
                expect(p.get("airtime.edhoc.handshakes") == 0 && p.get("airtime.oscore.datagrams.in") == reports,
                        reports + " OSCORE requests and no EDHOC expected", p);
                agree &= airAmortised("EDHOC + OSCORE combined request (RFC 9668)", first, p, reports,
                        PUBLISHED_EDHOC, "EDHOC with message_3 in the first request (once a day)");
            }
        } finally {
            executor.shutdownNow();
            secondary.shutdownNow();
        }
        log("bytes on air: gateway counters and relay %s", agree ? "agree" : "DIFFER");
    }

    /** A row for a variant with a handshake per report: everything in one phase. */
    private boolean airRow(String variant, AirPhase p, int reports, String what) {
        boolean ok = p.agree();
        rows.add(new Row("bytes on air per report: " + variant, "bytes/report", p.gatewayBytes() / (double) reports,
                "UDP relay (same datagrams)", p.relay().bytes() / (double) reports, true,
                "gateway counters = relay, byte for byte", ok, String.format(Locale.ROOT,
                        "%d reports, the relay on a new port before each; %s; %s%s", reports, what, p.describe(),
                        ok ? "; counters and relay agree" : "; COUNTERS AND RELAY DIFFER")));
        return ok;
    }

    /**
     * A row for a variant with one handshake a day: {@code first} is the handshake with the first
     * report, {@code p} the following reports; the handshake is what the first phase cost beyond a
     * report, amortised over 144 reports.
     */
    private boolean airAmortised(String variant, AirPhase first, AirPhase p, int reports, String published,
            String handshakeName) {
        double report = p.gatewayBytes() / (double) reports;
        double reportRelay = p.relay().bytes() / (double) reports;
        double hs = first.gatewayBytes() - report;
        double hsRelay = first.relay().bytes() - reportRelay;
        double perReport = report + hs / REPORTS_PER_DAY;
        double perReportRelay = reportRelay + hsRelay / REPORTS_PER_DAY;
        airLines.add(new AirLine(variant, hs, hsRelay, 1.0 / REPORTS_PER_DAY, report, reportRelay, perReport,
                perReportRelay, published));
        boolean ok = first.agree() && p.agree();
        rows.add(new Row("bytes on air per report: " + variant, "bytes/report", perReport,
                "UDP relay (same datagrams)", perReportRelay, true, "gateway counters = relay, byte for byte", ok,
                String.format(Locale.ROOT, "%d reports, the relay on a new port before each; %s %.0f B / %d + POST "
                        + "and 2.04 %.1f B; first report with the handshake: %s; reports: %s%s", reports,
                        handshakeName, hs, REPORTS_PER_DAY, report, first.describe(), p.describe(),
                        ok ? "; counters and relay agree" : "; COUNTERS AND RELAY DIFFER")));
        return ok;
    }

    /**
     * OSCORE POSTs through the gateway against DTLS POSTs, in the same run: the same number of
     * devices (each its own socket), the same 64-byte JSON to the same resource, closed loop, the
     * same durable queue and QoS 1 path to mosquitto as the end-to-end row; rounds interleaved and
     * their order alternated, one uncounted warm-up run each, median of 3. The OSCORE devices run
     * EDHOC once (not measured); the DTLS devices handshake before each run (not measured).
     */
    private void oscoreVsDtls() throws Exception {
        int clients = profile.postClients();
        Fleet dtlsDevices = fleet.slice(200, clients);
        var creds = EdhocDevices.gatewayCredentials(work.resolve("gateway/oscore/identity"));
        double[] os = new double[profile.rounds()];
        double[] dt = new double[profile.rounds()];
        double[] osP99 = new double[profile.rounds()];
        double[] dtP99 = new double[profile.rounds()];
        double[] osDelivered = new double[profile.rounds()];
        long osErrors = 0;
        long dtErrors = 0;
        try (org.m2mgw.bench.loadgen.OscoreLoad load = new org.m2mgw.bench.loadgen.OscoreLoad(edhocFleet, creds,
                new InetSocketAddress("127.0.0.1", oscorePort)); Mqtt.Subscriber sub = new Mqtt.Subscriber(broker.url(),
                        "m2mgw/#")) {
            long t = System.nanoTime();
            java.util.concurrent.atomic.AtomicReference<Exception> why = new java.util.concurrent.atomic.AtomicReference<>();
            int failed = load.connectAll(16, why);
            if (failed > 0) {
                throw new IllegalStateException("OSCORE load: " + failed + " of " + load.size()
                        + " devices could not run EDHOC with the gateway: " + why.get(), why.get());
            }
            log("OSCORE load: %d devices ran EDHOC in %.1f s", load.size(), (System.nanoTime() - t) / 1e9);
            Duration warm = Duration.ofSeconds(profile.warmupSeconds());
            Duration measure = Duration.ofSeconds(profile.measureSeconds());
            log("%s", load.run("gateway OSCORE POST, JIT warm-up (not counted)", warm, measure).line());
            awaitQueueEmpty(60);
            measure(gatewayUri, dtlsDevices, clients, Mode.POST, 0, "gateway DTLS POST, JIT warm-up (not counted)");
            awaitQueueEmpty(60);
            for (int r = 0; r < profile.rounds(); r++) {
                for (boolean oscoreArm : r % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                    if (oscoreArm) {
                        long s0 = sub.count();
                        long t0 = System.nanoTime();
                        Stats.Result o = load.run("gateway OSCORE POST e2e", warm, measure);
                        osDelivered[r] = (sub.count() - s0) / ((System.nanoTime() - t0) / 1e9);
                        log("%s", o.line());
                        os[r] = o.perSecond();
                        osP99[r] = o.p99Ms();
                        osErrors += o.errors() + o.refused();
                    } else {
                        Stats.Result d = measure(gatewayUri, dtlsDevices, clients, Mode.POST, 0, "gateway DTLS POST e2e");
                        dt[r] = d.perSecond();
                        dtP99[r] = d.p99Ms();
                        dtErrors += d.errors() + d.refused();
                    }
                    awaitQueueEmpty(60);
                    Thread.sleep(1000);
                }
            }
        }
        double o = median(os);
        double d = median(dt);
        if (!(o > 0)) {
            throw new IllegalStateException("OSCORE POSTs: no request was answered through the gateway; errors "
                    + osErrors + "; see gateway.log");
        }
        rows.add(new Row("OSCORE POSTs end to end vs DTLS", "msgs/s", o, "DTLS POSTs, same run", d, false, "report",
                null, String.format(Locale.ROOT, "%d devices each, closed loop, 64-byte JSON to /telemetry/load, "
                        + "durable queue and QoS 1 to mosquitto; OSCORE: EDHOC suite 2 contexts (AES-CCM-16-64-128), "
                        + "p99 %.1f ms, the subscriber received %.0f/s during its runs, errors %d; DTLS: PSK CCM_8 "
                        + "with CID, p99 %.1f ms, errors %d; rounds interleaved, order alternated, median of %d",
                        clients, median(osP99), median(osDelivered), osErrors, median(dtP99), dtErrors,
                        profile.rounds())));
    }

    /**
     * Ascon-AEAD128 against AES-CCM-16-64-128 per OSCORE message: {@code OscoreAeadBenchmark} (JMH)
     * in a JVM of its own, few iterations (the smoke run one of one second).
     */
    private void oscoreAeadCost() throws Exception {
        boolean smoke = profile.rounds() == 1;
        Path json = work.resolve("jmh-oscore-aead.json");
        Path log = work.resolve("jmh-oscore-aead.log");
        String[] args = {org.m2mgw.bench.jmh.OscoreAeadBenchmark.class.getSimpleName(), "-f", "1", "-wi",
            smoke ? "1" : "3", "-w", "1s", "-i", smoke ? "1" : "5", "-r", "1s", "-rf", "json", "-rff", json.toString()};
        GatewayProcess p = GatewayProcess.java("256m", log, "org.openjdk.jmh.Main", args);
        try (p) {
            p.await("Benchmark result is saved to", 0, 600_000);
        }
        Map<String, double[]> score = new java.util.HashMap<>(); // "message 10" -> score, error
        try (jakarta.json.JsonReader r = jakarta.json.Json.createReader(Files.newBufferedReader(json))) {
            for (jakarta.json.JsonValue v : r.readArray()) {
                jakarta.json.JsonObject b = v.asJsonObject();
                String method = b.getString("benchmark").replaceAll(".*\\.", "");
                String cose = b.getJsonObject("params").getString("cose");
                jakarta.json.JsonObject m = b.getJsonObject("primaryMetric");
                score.put(method + " " + cose, new double[] {m.getJsonNumber("score").doubleValue(),
                        m.get("scoreError") instanceof jakarta.json.JsonNumber e ? e.doubleValue() : Double.NaN});
            }
        }
        double[] ascon = score.get("message -65537");
        double[] ccm = score.get("message 10");
        double[] asconAead = score.get("aead -65537");
        double[] ccmAead = score.get("aead 10");
        if (ascon == null || ccm == null || asconAead == null || ccmAead == null) {
            throw new IllegalStateException("OscoreAeadBenchmark: results missing in " + json + " (" + score.keySet()
                    + "); see " + log);
        }
        log("OSCORE message (protect + verify, 64 B): Ascon %.0f ns, AES-CCM %.0f ns; AEAD alone %.0f / %.0f ns",
                ascon[0], ccm[0], asconAead[0], ccmAead[0]);
        rows.add(new Row("OSCORE protect + verify per message: Ascon-AEAD128 vs AES-CCM-16-64-128", "ns/message",
                ascon[0], "AES-CCM-16-64-128 (COSE 10)", ccm[0], true, "report", null, String.format(Locale.ROOT,
                        "JMH OscoreAeadBenchmark.message (device protects a POST of 64 B JSON, gateway verifies and "
                                + "decrypts; crypto-bc's Bouncy Castle AEADs, one thread; %s): Ascon %.0f%s ns, "
                                + "AES-CCM %.0f%s ns; the AEAD alone (seal + open of 64 B): Ascon %.0f ns, "
                                + "AES-CCM %.0f ns (%.2fx)", smoke ? "1 warm-up and 1 measured second"
                                        : "3 warm-up and 5 measured seconds", ascon[0], err(ascon[1]), ccm[0],
                        err(ccm[1]), asconAead[0], ccmAead[0], asconAead[0] / ccmAead[0])));
    }

    private static String err(double e) {
        return Double.isNaN(e) ? "" : String.format(Locale.ROOT, " +- %.0f", e);
    }

    /** Stops recording {@code tag} and writes it with its hottest methods and the gateway's own frames. */
    private void profileFiles(String tag) throws IOException, InterruptedException {
        Path jfr = work.resolve(tag + ".jfr");
        gateway.jfrStop(tag, jfr);
        Files.writeString(work.resolve(tag + "-hot-methods.txt"), GatewayProcess.hotMethods(jfr, 40));
        Files.writeString(work.resolve(tag + "-own-frames.txt"), GatewayProcess.ownFrames(jfr, 40));
    }

    private void loadScenario(String name, Mode mode, int offset, int clients, double targetRatio, String unit)
            throws Exception {
        double[] gw = new double[profile.rounds()];
        double[] base = new double[profile.rounds()];
        double[] gwP99 = new double[profile.rounds()];
        long errors = 0;
        // one uncounted run on each server first: the first run of a fresh server is its JIT's
        // warm-up (measured: about half the rate of the third), and the bare server ran first
        loadgenProcess(bareUri, offset, clients, mode, "bare " + mode + " warm-up (not counted)");
        loadgenProcess(gatewayUri, offset, clients, mode, "gateway " + mode + " warm-up (not counted)");
        for (int r = 0; r < profile.rounds(); r++) {
            // order alternated between rounds
            double[] b;
            double[] g;
            if (r % 2 == 0) {
                b = loadgenProcess(bareUri, offset, clients, mode, "bare " + mode);
                g = loadgenProcess(gatewayUri, offset, clients, mode, "gateway " + mode);
            } else {
                g = loadgenProcess(gatewayUri, offset, clients, mode, "gateway " + mode);
                b = loadgenProcess(bareUri, offset, clients, mode, "bare " + mode);
            }
            base[r] = b[0];
            gw[r] = g[0];
            gwP99[r] = g[2];
            errors += (long) g[5];
        }
        // where the gateway's time goes on this load: one more run under JFR, not counted
        String tag = "gateway-" + mode.name().toLowerCase(Locale.ROOT);
        gateway.jfrStart(tag);
        loadgenProcess(gatewayUri, offset, clients, mode, "gateway " + mode + " under JFR (not counted)");
        profileFiles(tag);
        double g = median(gw);
        double b = median(base);
        rows.add(new Row(name, unit, g, "bare Scandium", b, false, ">= " + targetRatio + " x bare Scandium",
                g >= targetRatio * b && errors == 0, String.format(Locale.ROOT,
                        "%d devices closed loop, one uncounted warm-up run each, then rounds with the order "
                                + "alternated, median of %d; gateway p99 %.1f ms, errors %d", clients,
                        profile.rounds(), median(gwP99), errors)));
    }

    /**
     * The cost of the crypto policy (suite selection, the check at establishment) and the
     * inventory's reports on full PSK handshakes: the gateway with the crypto-policy bundle
     * running against the same gateway with it stopped (the transport then checks nothing), rounds
     * interleaved and their order alternated, since each run leaves connections in the store.
     */
    private void cryptoPolicyCost() throws Exception {
        double[] on = new double[profile.rounds()];
        double[] off = new double[profile.rounds()];
        long errors = 0;
        try {
            for (int r = 0; r < profile.rounds(); r++) {
                for (boolean policy : r % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                    gateway.bundle("org.m2mgw.crypto-policy", policy ? "start" : "stop");
                    Thread.sleep(500);
                    double[] g = loadgenProcess(gatewayUri, 0, profile.handshakeClients(), Mode.HANDSHAKE,
                            "gateway handshake policy " + (policy ? "on" : "off"));
                    (policy ? on : off)[r] = g[0];
                    errors += (long) g[5];
                }
            }
        } finally {
            gateway.bundle("org.m2mgw.crypto-policy", "start");
        }
        double g = median(on);
        double o = median(off);
        rows.add(new Row("cost of crypto policy + inventory (full PSK handshakes)", "handshakes/s", g,
                "crypto-policy bundle stopped", o, false, ">= 0.97 x without", g >= 0.97 * o && errors == 0,
                String.format(Locale.ROOT, "%d devices closed loop, rounds interleaved, median of %d; errors %d",
                        profile.handshakeClients(), profile.rounds(), errors)));
    }

    /**
     * ECDHE_ECDSA full handshakes between Scandium clients and a Scandium server (raw public keys),
     * once with the JDK as the JCE provider and once with Bouncy Castle, each in a JVM of its own.
     * The gateway's own ECDSA path is {@link #gatewayEcdsaProviders}.
     */
    private void ecdsaProviders() throws Exception {
        double[] rate = new double[2];
        String[] providers = {"SYSTEM", "BC"};
        for (int i = 0; i < 2; i++) {
            Path log = work.resolve("ecdsa-" + providers[i].toLowerCase(Locale.ROOT) + ".log");
            GatewayProcess p = GatewayProcess.java("512m", log, org.m2mgw.bench.baseline.EcdsaHandshakes.class.getName(),
                    Integer.toString(profile.handshakeSeconds()), "16", providers[i]);
            try (p) {
                p.await("RESULT [^\\n]*\\n", 0, (profile.handshakeSeconds() + 60) * 1000L);
            }
            p.output().lines().filter(l -> l.startsWith("ECDHE_ECDSA")).findFirst().ifPresent(l -> log("%s", l));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("RESULT ([0-9.]+)").matcher(p.output());
            rate[i] = m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        }
        rows.add(new Row("ECDHE_ECDSA handshakes/s, bare Scandium: Bouncy Castle vs JDK", "handshakes/s", rate[1],
                "JDK as JCE provider", rate[0], false, "report; pick the faster", null,
                "P-256 raw public keys both ways, CCM_8, cookies, 16 clients, client and server in one JVM"));
    }

    private static final String COAPS = "org.m2mgw.transport.coaps~default";
    private static final String OSCORE = "org.m2mgw.transport.oscore~default";
    private static final String CRYPTO_BC = "org.m2mgw.crypto-bc";

    /**
     * Starts or stops the crypto-bc bundle and waits until the CoAPS listener has restarted its
     * connector for the change (its counter {@code crypto.provider.restarts} went up, it listens
     * again, and its status names the provider: {@code crypto provider BC ...} or
     * {@code crypto provider JDK}). Does nothing when the listener is on that provider already.
     * Fails when the listener does not get there within 30 s.
     *
     * @return milliseconds from the console's answer to the listener listening again (0 if nothing to do)
     */
    private long cryptoBc(boolean active) throws Exception {
        String want = active ? "; crypto provider BC" : "; crypto provider JDK";
        GatewayProcess.Listener before = gateway.listener(COAPS);
        if (before.status().startsWith("listening") && before.status().contains(want)) {
            return 0;
        }
        long restarts = before.counter("crypto.provider.restarts");
        gateway.bundle(CRYPTO_BC, active ? "start" : "stop");
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
        GatewayProcess.Listener now = before;
        while (System.nanoTime() < deadline) {
            now = gateway.listener(COAPS);
            if (now.counter("crypto.provider.restarts") > restarts && now.status().startsWith("listening")
                    && now.status().contains(want)) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("crypto-bc " + (active ? "started" : "stopped") + ", but the CoAPS listener "
                + "did not restart onto " + want.substring(2) + " within 30 s: status '" + now.status()
                + "', crypto.provider.restarts " + now.counter("crypto.provider.restarts") + " (was " + restarts + ")");
    }

    /**
     * ECDHE_ECDSA full handshakes of raw public key devices through the gateway
     * (TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, P-256, cookie; the gateway answers with its own P-256
     * key) with the crypto-bc bundle active (Scandium's threads do their elliptic-curve work with
     * Bouncy Castle) and stopped (the JDK's SunEC), rounds interleaved and their order alternated.
     * Each run is a fresh load-generator JVM on Bouncy Castle in both arms, so that the devices'
     * own elliptic-curve work (as much as the gateway's) takes as little of the shared CPU as it
     * can and the gateway's provider is what differs.
     */
    private void gatewayEcdsaProviders() throws Exception {
        int clients = rpkFleet.size();
        double[] bc = new double[profile.rounds()];
        double[] jdk = new double[profile.rounds()];
        double[] bcP99 = new double[profile.rounds()];
        double[] jdkP99 = new double[profile.rounds()];
        double[] bareEc = new double[profile.rounds()];
        long errors = 0;
        long handshakes0 = gateway.listener(COAPS).counter("HANDSHAKE_SUCCEEDED");
        Exception failure = null;
        try {
            // The gateway has made no ECDHE_ECDSA handshake yet: one run with each provider first,
            // not counted, so that neither arm pays for compiling the other's or the common code.
            for (boolean on : new boolean[] {true, false}) {
                ecdsaRun(on, clients, "warm-up ");
            }
            bareEcdsaRun(clients, "warm-up ");
            for (int r = 0; r < profile.rounds(); r++) {
                for (boolean on : r % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                    double[] g = ecdsaRun(on, clients, "");
                    (on ? bc : jdk)[r] = g[0];
                    (on ? bcP99 : jdkP99)[r] = g[2];
                    errors += (long) g[5];
                }
                bareEc[r] = bareEcdsaRun(clients, "")[0];
            }
        } catch (Exception e) {
            failure = e;
            throw e;
        } finally {
            try {
                cryptoBc(true);
            } catch (Exception e) {
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e);
            }
        }
        long gatewayHandshakes = gateway.listener(COAPS).counter("HANDSHAKE_SUCCEEDED") - handshakes0;
        double b = median(bc);
        double j = median(jdk);
        // Measured warm on 2 cores, 16 devices: 440-490/s with crypto-bc against 236-252/s without,
        // 1.9-2.0x. The load generator shares the CPU and its own handshake work (on Bouncy Castle)
        // and the DTLS/CoAP work of both sides do not get faster, so 2x is this machine's ceiling,
        // not a margin. 1.5x still fails when the connector's threads do not pick the provider up
        // (then the ratio is about 1).
        double target = 1.5;
        rows.add(new Row("ECDHE_ECDSA handshakes through the gateway: crypto-bc vs JDK", "handshakes/s", b,
                "crypto-bc stopped (JDK SunEC)", j, false, ">= " + target + " x JDK", b >= target * j && errors == 0,
                String.format(Locale.ROOT, "%d raw public key devices (P-256), closed loop, full handshakes with "
                        + "cookie, CCM_8; load generator on Bouncy Castle in both; bundle stopped/started from the "
                        + "console, one uncounted warm-up run each, then rounds interleaved, order alternated, median "
                        + "of %d; p99 %.1f ms (JDK %.1f ms); errors %d; the gateway counted %d full handshakes "
                        + "(warm-up included); target 1.5x, not 2x: the load generator shares the CPU, 1.9-2.0x "
                        + "measured warm on 2 cores", clients,
                        profile.rounds(), median(bcP99), median(jdkP99), errors, gatewayHandshakes)));
        double be = median(bareEc);
        rows.add(new Row("ECDHE_ECDSA handshakes through the gateway vs bare Scandium, same provider", "handshakes/s",
                b, "bare Scandium, Bouncy Castle for ECDHE/ECDSA", be, false, ">= 0.85 x bare Scandium", b >= 0.85 * be
                        && errors == 0, String.format(Locale.ROOT, "%d raw public key devices (P-256), closed loop, "
                                + "a full handshake with cookie per GET; the gateway with crypto-bc, the bare server "
                                + "with a provider lending Bouncy Castle's EC key pairs, ECDH and ECDSA first, as "
                                + "crypto-bc does; the bare server trusts exactly the devices' keys; rounds "
                                + "interleaved, median of %d", clients, profile.rounds())));
    }

    private double[] bareEcdsaRun(int clients, String what) throws Exception {
        String label = "bare ecdsa handshake " + what + "bc";
        double[] g = loadgenProcess(bareUri, 0, clients, Mode.HANDSHAKE, label, Math.min(3, profile.warmupSeconds()),
                "--kind", "rpk", "--rpk-keys", work.resolve("rpk-keys.json").toString(), "--jce", "BC");
        if (g[4] == 0) {
            throw new IllegalStateException(label + ": no ECDHE_ECDSA handshake succeeded on the bare server ("
                    + (long) g[5] + " errors); see bare-scandium.log");
        }
        return g;
    }

    /**
     * A signed transport-feature package one version up, installed over DEPLOY-V2 (mosquitto, a
     * local HTTP server) while PSK devices POST on their established sessions; then the same load
     * for as long again without an update. The gateway's transport, registry, crypto and library
     * bundles are replaced; the devices should see a stall and no failure or new handshake. The
     * package is uninstalled afterwards (with a signed permission), so that the later scenarios
     * run the distro's own bundles.
     */
    private void remoteUpdateUnderLoad() throws Exception {
        int n = profile.postClients();
        double rate = 5;
        Path features = distroJar.toAbsolutePath().getParent().getParent().getParent()
                .resolve("features/transport-feature/target");
        Path original;
        try (var s = Files.newDirectoryStream(features, "transport-feature_*.dp")) {
            original = s.iterator().next();
        }
        byte[] dp = PackageRewrite.withVersion(Files.readAllBytes(original), "0.2.0");
        Path dir = Files.createDirectories(work.resolve("update"));
        Path pkg = Files.write(dir.resolve("transport-feature_0.2.0.dp"), dp);
        String keys = work.resolve("update-keys").toString();
        SignTool.run("sign", keys, "package", pkg.toString());
        Path permission = dir.resolve("uninstall.sig");
        SignTool.run("rollback", keys, "transport-feature", "distro", permission.toString());
        int from = gateway.output().length();
        gateway.configure("org.m2mgw.update", GatewayProcess.props("broker.url", broker.url(), "client.id",
                "bench-gateway"));
        gateway.await("listening for DEPLOY-V2 requests on \\S+bench-gateway", from, 60_000);
        Fleet devices = fleet.slice(400, n);
        try (PackageServer http = PackageServer.http(); Mqtt.Deploy cloud = new Mqtt.Deploy(broker.url(), "bench-gateway");
                LoadGenerator gen = new LoadGenerator(devices, gatewayUri, n)) {
            http.serve("/transport.dp", dp).serve("/transport.dp.sig", Files.readAllBytes(dir.resolve(pkg.getFileName()
                    + ".sig")));
            int failedConnect = gen.connectAll(32);
            if (failedConnect > 0) {
                throw new IllegalStateException("remote update: " + failedConnect + " of " + n
                        + " devices could not establish their session");
            }
            String[] outcome = {""};
            double[] commitSeconds = {Double.NaN};
            Stats.Result update = gen.runWhile("POST during a remote update", Mode.POST, rate,
                    Duration.ofSeconds(profile.warmupSeconds()), () -> {
                        Thread.sleep(1000);
                        long t0 = System.nanoTime();
                        outcome[0] = cloud.run("EXEC/download", new KuraPayload()
                                .put("dp.uri", http.uri("/transport.dp").toString()).put("dp.name", "transport-feature")
                                .put("dp.version", "0.2.0").put("dp.download.protocol", "HTTP")
                                .put("dp.install.system.update", false), 1, "install", 180_000);
                        commitSeconds[0] = (System.nanoTime() - t0) / 1e9;
                        Thread.sleep(2000);
                        return null;
                    }, Duration.ofSeconds(300));
            if (!outcome[0].equals("COMPLETED")) {
                throw new IllegalStateException("remote update of the transport feature did not commit: " + outcome[0]
                        + "; see gateway.log");
            }
            GatewayProcess.Listener after = gateway.listener(COAPS);
            log("remote update (%.1f s to committed): %s", commitSeconds[0], update.line());
            Stats.Result calm = gen.runWhile("POST, no update", Mode.POST, rate, Duration.ZERO, () -> {
                Thread.sleep(Math.round(update.seconds() * 1000));
                return null;
            }, Duration.ofSeconds(300));
            log("same load without an update: %s", calm.line());
            String back = cloud.run("EXEC/uninstall", new KuraPayload().put("dp.name", "transport-feature")
                    .put("dp.rollback.permission", Files.readString(permission)), 2, "uninstall", 180_000);
            if (!back.equals("COMPLETED")) {
                throw new IllegalStateException("remote uninstall of the transport feature failed: " + back);
            }
            long failed = update.errors() + update.refused();
            // the listener after the update is a new one: its counters start at the update
            long gatewayHandshakes = after.counter("HANDSHAKE_SUCCEEDED");
            long handshakes = update.handshakes();
            rows.add(new Row("remote update of the transport feature under POST load", "ms longest stall",
                    update.maxMs(), "same load, no update", calm.maxMs(), true,
                    "0 failed, 0 new full handshakes; stall and time to commit: report",
                    failed == 0 && handshakes == 0 && gatewayHandshakes == 0,
                    String.format(Locale.ROOT, "%d PSK devices, %.0f POSTs/s each on established sessions; signed "
                            + "transport-feature 0.2.0 (%.1f MB, 11 bundles) over DEPLOY-V2 from request to "
                            + "committed in %.1f s; requests failed %d (of %d; timeouts %d, refused %d), new full "
                            + "handshakes %d on the devices, %d counted by the new listener; longest request %.0f ms "
                            + "(no update %.0f ms), longest time without an answer %.0f ms (no update %.0f ms); p99 "
                            + "%.1f ms; CoAP retransmissions %d; uninstalled again afterwards",
                            n, rate, dp.length / 1e6, commitSeconds[0], failed,
                            update.ok() + update.errors() + update.refused(), update.timeouts(), update.refused(),
                            handshakes, gatewayHandshakes, update.maxMs(), calm.maxMs(), update.maxGapMs(),
                            calm.maxGapMs(), update.p99Ms(), update.coapRetransmissions())));
        }
    }

    /**
     * One load-generator run of ECDHE_ECDSA full handshakes against the gateway with crypto-bc
     * active or stopped; fails when no handshake succeeded.
     *
     * @return rate, p50, p99, p99.9, ok, errors
     */
    private double[] ecdsaRun(boolean cryptoBcActive, int clients, String what) throws Exception {
        long ms = cryptoBc(cryptoBcActive);
        if (ms > 0) {
            log("crypto-bc %s: the CoAPS listener restarted in %d ms", cryptoBcActive ? "started" : "stopped", ms);
        }
        String label = "gateway ecdsa handshake " + what + (cryptoBcActive ? "crypto-bc" : "jdk");
        double[] g = loadgenProcess(gatewayUri, 0, clients, Mode.HANDSHAKE, label, Math.min(3, profile.warmupSeconds()),
                "--kind", "rpk", "--rpk-keys", work.resolve("rpk-keys.json").toString(), "--jce", "BC");
        if (g[4] == 0) {
            throw new IllegalStateException(label + ": no ECDHE_ECDSA handshake succeeded (" + (long) g[5]
                    + " errors); see "
                    + work.resolve("loadgen-" + label.replace(' ', '-').toLowerCase(Locale.ROOT) + ".log")
                    + " and gateway.log");
        }
        return g;
    }

    /**
     * The crypto-bc bundle stopped and started twice (each a connector restart, sessions kept)
     * while PSK devices POST on their established sessions at a steady rate; then the same load
     * for as long again without a swap, on the same sessions, as the baseline of the stall.
     * Every request sent is accounted for (answered, refused, failed). New full handshakes are
     * read from the gateway's counters and from the devices.
     */
    private void providerSwapUnderLoad() throws Exception {
        int n = profile.postClients();
        double rate = 5;
        Fleet devices = fleet.slice(400, n);
        cryptoBc(true);
        try (LoadGenerator gen = new LoadGenerator(devices, gatewayUri, n)) {
            int failedConnect = gen.connectAll(32);
            if (failedConnect > 0) {
                throw new IllegalStateException("provider swap: " + failedConnect + " of " + n
                        + " devices could not establish their session");
            }
            GatewayProcess.Listener before = gateway.listener(COAPS);
            List<String> swaps = new ArrayList<>();
            Stats.Result swap = gen.runWhile("POST during provider swaps", Mode.POST, rate,
                    Duration.ofSeconds(profile.warmupSeconds()), () -> {
                        for (int i = 0; i < 2; i++) {
                            Thread.sleep(1000);
                            swaps.add("stop " + cryptoBc(false) + " ms");
                            Thread.sleep(1000);
                            swaps.add("start " + cryptoBc(true) + " ms");
                        }
                        Thread.sleep(2000);
                        return null;
                    }, Duration.ofSeconds(90));
            GatewayProcess.Listener after = gateway.listener(COAPS);
            long restarts = after.counter("crypto.provider.restarts") - before.counter("crypto.provider.restarts");
            if (restarts != 4) {
                throw new IllegalStateException("provider swap: 4 connector restarts expected (2 stops, 2 starts), the "
                        + "listener counted " + restarts);
            }
            long fullHandshakes = after.counter("HANDSHAKE_SUCCEEDED") - before.counter("HANDSHAKE_SUCCEEDED");
            long resumed = after.counter("SESSION_RESUMED") - before.counter("SESSION_RESUMED");
            long restored = after.counter("connections.restored") - before.counter("connections.restored");
            long dropped = after.counter("connections.restored.dropped")
                    - before.counter("connections.restored.dropped");
            log("provider swap (%s): %s", String.join(", ", swaps), swap.line());
            Stats.Result calm = gen.runWhile("POST, no swap", Mode.POST, rate, Duration.ZERO, () -> {
                Thread.sleep(Math.round(swap.seconds() * 1000));
                return null;
            }, Duration.ofSeconds(90));
            log("same load without a swap: %s", calm.line());
            long failed = swap.errors() + swap.refused();
            long handshakes = fullHandshakes + swap.handshakes();
            rows.add(new Row("crypto provider swap under POST load (crypto-bc stop/start x2)", "ms longest stall",
                    swap.maxMs(), "same load, no swap", calm.maxMs(), true,
                    "0 failed, 0 new full handshakes; stall: report", failed == 0 && handshakes == 0,
                    String.format(Locale.ROOT, "%d PSK devices, %.0f POSTs/s each on established sessions, %.1f s "
                            + "with 4 connector restarts (%s); requests failed %d (of %d; timeouts %d, refused %d), "
                            + "new full handshakes %d (gateway counter %d, devices %d), resumptions %d; longest "
                            + "request %.0f ms (no swap %.0f ms), longest time without an answer %.0f ms (no swap "
                            + "%.0f ms); p99 %.1f ms; CoAP retransmissions %d; sessions restored %d, dropped %d",
                            n, rate, swap.seconds(), String.join(", ", swaps), failed,
                            swap.ok() + swap.errors() + swap.refused(), swap.timeouts(), swap.refused(), handshakes,
                            fullHandshakes, swap.handshakes(), resumed, swap.maxMs(), calm.maxMs(), swap.maxGapMs(),
                            calm.maxGapMs(), swap.p99Ms(), swap.coapRetransmissions(), restored, dropped)));
        }
    }

    /**
     * Runs the load generator in a JVM of its own (a fresh client per run: Scandium's client
     * side degrades after some hundred thousand handshakes in one JVM).
     *
     * @return rate, p50, p99, p99.9, ok, errors
     */
    private double[] loadgenProcess(URI target, int offset, int clients, Mode mode, String label) throws Exception {
        return loadgenProcess(target, offset, clients, mode, label, Math.min(2, profile.warmupSeconds()));
    }

    /**
     * @param warmup seconds
     * @param more further arguments of the load generator ({@code --kind rpk ...})
     */
    private double[] loadgenProcess(URI target, int offset, int clients, Mode mode, String label, int warmup,
            String... more) throws Exception {
        Path log = work.resolve("loadgen-" + label.replace(' ', '-').toLowerCase(Locale.ROOT) + ".log");
        List<String> args = new ArrayList<>(List.of(
                "--target", target.toString(), "--registry", work.resolve("devices.json").toString(),
                "--offset", Integer.toString(offset), "--clients", Integer.toString(clients),
                "--mode", mode.name().toLowerCase(Locale.ROOT), "--warmup", Integer.toString(warmup),
                "--duration", Integer.toString(profile.handshakeSeconds())));
        args.addAll(List.of(more));
        GatewayProcess p = GatewayProcess.java(loadgenHeap, log, org.m2mgw.bench.loadgen.Main.class.getName(),
                args.toArray(String[]::new));
        try (p) {
            p.await("RESULT [^\\n]*\\n", 0, (warmup + profile.handshakeSeconds() + 120) * 1000L);
        }
        String out = p.output();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("RESULT ([^\\n]*)").matcher(out);
        m.find();
        double[] v = Arrays.stream(m.group(1).trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
        out.lines().filter(l -> l.startsWith(mode.name().toLowerCase(Locale.ROOT))).findFirst()
                .ifPresent(l -> log("%s: %s", label, l));
        return v;
    }

    private Stats.Result measure(URI target, Fleet devices, int clients, Mode mode, double rate, String label)
            throws Exception {
        try (LoadGenerator gen = new LoadGenerator(devices, target, clients)) {
            if (mode != Mode.HANDSHAKE) {
                int failed = gen.connectAll(32);
                if (failed > 0) {
                    log("%s: %d devices could not connect", label, failed);
                }
            }
            Stats.Result r = gen.run(label, mode, rate, Duration.ofSeconds(profile.warmupSeconds()),
                    Duration.ofSeconds(profile.measureSeconds()));
            log("%s", r.line());
            return r;
        }
    }

    private void endToEnd() throws Exception {
        Fleet devices = fleet.slice(200, profile.postClients());
        int clients = profile.postClients();
        double[] gw = new double[profile.rounds()];
        double[] base = new double[profile.rounds()];
        double[] delivered = new double[profile.rounds()];
        double[] p99 = new double[profile.rounds()];
        long errors = 0;
        try (Mqtt.Subscriber sub = new Mqtt.Subscriber(broker.url(), "m2mgw/#")) {
            // The gateway's code paths get compiled first: one run, not counted.
            measure(gatewayUri, devices, clients, Mode.POST, 0, "gateway POST e2e, JIT warm-up (not counted)");
            awaitQueueEmpty(60);
            // Each round: bare Scandium, the gateway with detection, the gateway without.
            for (int r = 0; r < profile.rounds(); r++) {
                base[r] = measure(bareUri, devices, clients, Mode.POST, 0, "bare POST").perSecond();
                long s0 = sub.count();
                long t0 = System.nanoTime();
                Stats.Result g = measure(gatewayUri, devices, clients, Mode.POST, 0, "gateway POST e2e");
                delivered[r] = (sub.count() - s0) / ((System.nanoTime() - t0) / 1e9);
                gw[r] = g.perSecond();
                p99[r] = g.p99Ms();
                errors += g.errors();
                awaitQueueEmpty(60);
            }
            // One more run, not counted, under Java Flight Recorder: where the gateway's time goes.
            gateway.jfrStart("gateway-e2e");
            measure(gatewayUri, devices, clients, Mode.POST, 0, "gateway POST e2e under JFR (not counted)");
            profileFiles("gateway-e2e");
            long drained = awaitQueueEmpty(60);
            log("gateway queue after the e2e runs: %d waiting", drained);
        }
        double g = median(gw);
        double p = median(p99);
        rows.add(new Row("secured POSTs end to end", "msgs/s", g, "bare Scandium (ack at once)", median(base), false,
                ">= 10,000/s, p99 device ack <= 25 ms", g >= 10_000 && p <= 25 && errors == 0,
                String.format(Locale.ROOT, "%d devices closed loop; p99 %.1f ms; the subscriber received %.0f/s "
                        + "during the runs; errors %d", clients, p, median(delivered), errors)));
    }

    /**
     * The cost of anomaly detection: the end-to-end POST load against the gateway (detection on)
     * and against a second gateway from the same distro and registry with detection off, started
     * for this scenario beside it. Both are compiled by an uncounted run first, and then measured in
     * pairs whose order alternates. Switching detection in one running gateway is no way to
     * measure it: each switch deoptimises compiled code around the detector, and the JIT's
     * recompilation fell into the measured window (up to 6 us per message, in the arm with detection
     * on only); gateways restarted for every arm spent their measured runs in the JIT instead.
     *
     * <p>Reported: the throughput of each side (medians; target: the median of the pairs' ratios), the
     * gateway process's CPU per message over exactly the measured window (from {@code /proc}: less
     * disturbed by other load on the machine than the throughput), the CPU of each thread group, and
     * the detector worker's own CPU per event.
     */
    private void detectionCost() throws Exception {
        Fleet devices = fleet.slice(200, profile.postClients());
        int clients = profile.postClients();
        // short arms, many pairs: the machine's own noise drifts over tens of seconds, so a pair's two arms
        // should be close in time
        boolean smoke = profile.rounds() == 1;
        int pairs = smoke ? 1 : 8;
        int pairSeconds = smoke ? profile.measureSeconds() : 6;
        int pairWarmSeconds = smoke ? profile.warmupSeconds() : 2;
        double[] on = new double[pairs];
        double[] off = new double[pairs];
        double[] ratio = new double[pairs];
        double[] cpuOn = new double[pairs];
        double[] cpuOff = new double[pairs];
        double[] cpuRatio = new double[pairs];
        double[] fixedCpuOn = new double[pairs];
        double[] fixedCpuOff = new double[pairs];
        double[] fixedCpuRatio = new double[pairs];
        double[] workerPerEvent = new double[pairs];
        double[] eventsPerMessage = new double[pairs];
        long dropped = 0;
        StringBuilder threadReport = new StringBuilder("Gateway CPU per thread group over each measured window "
                + "(/proc/<pid>/task/*/stat; digits in thread names replaced by #), in us per message\n");
        int offPort = GatewayProcess.freePort();
        try (GatewayProcess plain = GatewayProcess.gateway(distroJar, work.resolve("gateway-detection-off"), "512m",
                List.of())) {
            configureNew(plain, offPort, GatewayProcess.freePort(), false, "bench-detection-off");
            plain.await("Cloud connection \\S+ connected to " + broker.url().replace(".", "\\."), 0, 60_000);
            plain.await("listening on udp 127\\.0\\.0\\.1:" + offPort, 0, 60_000);
            if (!plain.listener(ANOMALY).status().startsWith("disabled")) {
                throw new IllegalStateException("detection cost: the second gateway's detector should be off, its "
                        + "status says: " + plain.listener(ANOMALY).status());
            }
            if (!gateway.listener(ANOMALY).status().startsWith("running")) {
                throw new IllegalStateException("detection cost: the gateway's detector should be on, its status "
                        + "says: " + gateway.listener(ANOMALY).status());
            }
            URI plainUri = URI.create("coaps://127.0.0.1:" + offPort);
            log("second gateway (pid %d), detection off, ready", plain.pid());
            try (LoadGenerator genOn = new LoadGenerator(devices, gatewayUri, clients);
                    LoadGenerator genOff = new LoadGenerator(devices, plainUri, clients)) {
                for (LoadGenerator gen : List.of(genOn, genOff)) {
                    int failed = gen.connectAll(32);
                    if (failed > 0) {
                        throw new IllegalStateException("detection cost: " + failed + " devices could not connect");
                    }
                }
                // three uncounted runs each: the second gateway starts cold, and so does the first in --only
                // runs (with two, the first pairs still ran 0.81-0.88x)
                for (int w = 0; w < 6; w++) {
                    boolean detectionOn = w % 2 == 0;
                    Stats.Result warm = (detectionOn ? genOn : genOff).run("detection " + (detectionOn ? "on" : "off")
                            + ", warm-up (not counted)", Mode.POST, 0, Duration.ofSeconds(profile.warmupSeconds()),
                            Duration.ofSeconds(profile.measureSeconds()));
                    log("%s", warm.line());
                    awaitQueueEmpty(detectionOn ? gateway : plain, 60);
                }
                for (int r = 0; r < pairs; r++) {
                    for (int k = 0; k < 2; k++) {
                        boolean detectionOn = (r % 2 == 0) == (k == 0);
                        GatewayProcess g = detectionOn ? gateway : plain;
                        Arm arm = arm(detectionOn ? genOn : genOff, g, detectionOn, 0, pairWarmSeconds, pairSeconds,
                                "pair " + (r + 1), threadReport);
                        if (detectionOn) {
                            on[r] = arm.perSecond();
                            cpuOn[r] = arm.cpuPerMessage();
                            workerPerEvent[r] = arm.workerPerEvent();
                            eventsPerMessage[r] = arm.eventsPerMessage();
                            dropped += arm.dropped();
                        } else {
                            off[r] = arm.perSecond();
                            cpuOff[r] = arm.cpuPerMessage();
                        }
                        // the same devices at a fixed rate well below what either gateway takes: the CPU
                        // each message costs, without the two cores saturated by gateway and load generator
                        Arm fixed = arm(detectionOn ? genOn : genOff, g, detectionOn, FIXED_RATE_PER_DEVICE,
                                pairWarmSeconds, pairSeconds, "pair " + (r + 1) + ", fixed rate", threadReport);
                        (detectionOn ? fixedCpuOn : fixedCpuOff)[r] = fixed.cpuPerMessage();
                    }
                    ratio[r] = on[r] / off[r];
                    cpuRatio[r] = cpuOn[r] / cpuOff[r];
                    fixedCpuRatio[r] = fixedCpuOn[r] / fixedCpuOff[r];
                    log("detection cost, pair %d: on %.0f/s, off %.0f/s (%.2fx); gateway CPU %.1f against %.1f "
                            + "us/message; at a fixed rate %.1f against %.1f us/message", r + 1, on[r], off[r],
                            ratio[r], cpuOn[r], cpuOff[r], fixedCpuOn[r], fixedCpuOff[r]);
                }
            }
        }
        Files.writeString(work.resolve("detection-threads.txt"), threadReport);
        double g = median(on);
        double o = median(off);
        double pairRatio = median(ratio);
        rows.add(new Row("cost of detection (e2e POSTs, detection on)", "msgs/s", g, "second gateway, detection off", o,
                false, ">= 0.95 x detection off (median of the paired ratios)", pairRatio >= 0.95,
                String.format(Locale.ROOT, "%d pairs of %d s each, order alternated; median of the paired ratios "
                        + "%.3f (%s); the table's ratio is that of the medians; events dropped by the detector %d",
                        pairs, pairSeconds, pairRatio, Arrays.toString(round(ratio)), dropped)));
        double c = median(fixedCpuOn);
        double co = median(fixedCpuOff);
        double cpuPairRatio = median(fixedCpuRatio);
        int fixedRate = (int) Math.round(FIXED_RATE_PER_DEVICE * clients);
        rows.add(new Row("gateway CPU per message at " + String.format(Locale.ROOT, "%,d", fixedRate)
                + " msgs/s, detection on", "us/message", c, "second gateway, detection off", co, true,
                "<= 1.05 x detection off (median of the paired ratios)", cpuPairRatio <= 1.05,
                String.format(Locale.ROOT, "process CPU (user + system, /proc) over the measured window / messages "
                        + "answered, the devices at %.0f/s each; median of the paired ratios %.3f (%s); in the "
                        + "closed loop %.3f (on %s, off %s); per thread group in detection-threads.txt",
                        FIXED_RATE_PER_DEVICE, cpuPairRatio, Arrays.toString(round(fixedCpuRatio)), median(cpuRatio),
                        Arrays.toString(round(cpuOn)), Arrays.toString(round(cpuOff)))));
        rows.add(new Row("anomaly detector worker CPU per event", "us/event", median(workerPerEvent), "-", Double.NaN,
                true, "report", null, String.format(Locale.ROOT, "the detector thread's CPU time / events it "
                        + "processed; %.2f events per message reach the detector (the per-datagram byte counts "
                        + "among them are counted and not queued)", median(eventsPerMessage))));
    }

    private static final String ANOMALY = "org.m2mgw.anomaly";
    /** Requests per second per device in the detection cost's fixed-rate arms (200 devices: 4,000/s). */
    private static final double FIXED_RATE_PER_DEVICE = 20;

    /** One measured run of the detection cost. */
    private record Arm(double perSecond, double cpuPerMessage, double workerPerEvent, double eventsPerMessage,
            long dropped) {
    }

    /**
     * Runs the load on one gateway and reads its process CPU, its thread groups' CPU and (detection
     * on) the detector's counters over exactly the measured window.
     *
     * @param rate requests per second per device, 0 for a closed loop
     */
    private Arm arm(LoadGenerator gen, GatewayProcess g, boolean detectionOn, double rate, int warmSeconds,
            int seconds, String label, StringBuilder threadReport) throws Exception {
        long[] cpu = new long[2];
        List<Map<String, Long>> threads = new ArrayList<>(List.of(Map.of(), Map.of()));
        GatewayProcess.Listener[] det = new GatewayProcess.Listener[2];
        Stats.Result result = gen.runWhile("gateway POST, detection " + (detectionOn ? "on" : "off")
                + (rate > 0 ? ", fixed rate" : ""), Mode.POST, rate, Duration.ofSeconds(warmSeconds), () -> {
                    det[0] = detectionOn ? g.listener(ANOMALY) : null;
                    threads.set(0, threadCpuTicks(g.pid()));
                    cpu[0] = processCpuNanos(g.pid());
                    Thread.sleep(seconds * 1000L);
                    cpu[1] = processCpuNanos(g.pid());
                    threads.set(1, threadCpuTicks(g.pid()));
                    det[1] = detectionOn ? g.listener(ANOMALY) : null;
                    return null;
                }, Duration.ofSeconds(60));
        log("%s", result.line());
        if (result.ok() == 0 || result.errors() > 0) {
            throw new IllegalStateException("detection cost: the load failed: " + result.line());
        }
        threadReport.append(String.format(Locale.ROOT, "%s, detection %s: %.0f msgs/s, %d messages%n", label,
                detectionOn ? "on" : "off", result.perSecond(), result.ok()));
        threadReport.append(threadCpuDiff(threads.get(0), threads.get(1), result.ok()));
        double cpuPerMessage = (cpu[1] - cpu[0]) / 1e3 / result.ok();
        awaitQueueEmpty(g, 60);
        if (!detectionOn) {
            return new Arm(result.perSecond(), cpuPerMessage, Double.NaN, Double.NaN, 0);
        }
        long events = det[1].counter("events.processed") - det[0].counter("events.processed");
        long workerMicros = det[1].counter("worker.cpu.micros") - det[0].counter("worker.cpu.micros");
        return new Arm(result.perSecond(), cpuPerMessage, events == 0 ? Double.NaN : workerMicros / (double) events,
                (events + det[1].counter("events.skipped.bytes") - det[0].counter("events.skipped.bytes"))
                        / (double) result.ok(),
                det[1].counter("events.dropped") - det[0].counter("events.dropped"));
    }

    /** @return user + system CPU time of process {@code pid}, from {@code /proc/<pid>/stat} (Linux) */
    static long processCpuNanos(long pid) throws IOException {
        return cpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) * (1_000_000_000L / CLOCK_TICKS);
    }

    /** @return utime + stime (fields 14 and 15) of a {@code /proc/.../stat} line, in clock ticks */
    private static long cpuTicks(String stat) {
        // the fields after the command name, which is in parentheses and may hold spaces
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** @return CPU ticks (user + system) per thread group of process {@code pid}: threads named alike, digits aside */
    static Map<String, Long> threadCpuTicks(long pid) throws IOException {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                out.merge(name, cpuTicks(stat), Long::sum);
            }
        }
        return out;
    }

    /** @return the thread groups' CPU between two snapshots, in us per message, most first */
    static String threadCpuDiff(Map<String, Long> before, Map<String, Long> after, long messages) {
        StringBuilder sb = new StringBuilder();
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> sb.append(String.format(Locale.ROOT, "  %-18s %7.2f%n", e.getKey(),
                        e.getValue() * (1e6 / CLOCK_TICKS) / messages)));
        return sb.toString();
    }

    /** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
    private static final long CLOCK_TICKS = 100;

    private static double[] round(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.round(v[i] * 1000) / 1000.0;
        }
        return out;
    }

    /**
     * Detection on or off. Its actions only log, and loopback (where every simulated device lives)
     * is allowlisted, so the load itself is never throttled or blocked. The console replaces the
     * whole configuration, so every property is sent each time.
     */
    private void detection(GatewayProcess g, boolean on) throws IOException {
        StringBuilder allow = new StringBuilder("127.0.0.1");
        for (int i = 0; i <= profile.idleSessions() / 20_000; i++) {
            allow.append(",127.10.").append(i).append(".1"); // IdleSessions' addresses (base 10)
        }
        g.configure("org.m2mgw.anomaly", GatewayProcess.props("detector.enabled", Boolean.toString(on),
                "allowlist", allow.toString(), "action.rule.flood", "log", "action.rule.identity-guessing", "log"));
    }

    private long awaitQueueEmpty(int seconds) throws Exception {
        return awaitQueueEmpty(gateway, seconds);
    }

    private static long awaitQueueEmpty(GatewayProcess g, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long q = g.queued();
        while (q > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            q = g.queued();
        }
        return q;
    }

    /** Heap of the load generator's JVM (a 10,000-device fleet needs more than the default). */
    private String loadgenHeap = "512m";

    /**
     * Scaling curves for sizing a gateway: secured POSTs (closed loop, the end-to-end path) against
     * fleet size, and live heap against idle sessions, each for the gateway and bare Scandium in the
     * same run, written as SVG plots and a table. A point that could not be measured (the load
     * generator or a server failed, or a server ran out of heap) is drawn as "did not complete",
     * its reason in the notes; the curve does not stop the suite.
     */
    private void scalingCurves() throws Exception {
        List<double[]> gwRate = new ArrayList<>();
        List<double[]> bareRate = new ArrayList<>();
        List<double[]> gwP99 = new ArrayList<>();
        List<double[]> bareP99 = new ArrayList<>();
        StringBuilder table = new StringBuilder("\nScaling: secured POSTs against fleet size (closed loop, one run per "
                + "point)\n\n| devices | gateway msgs/s | gateway p99 ms | bare msgs/s | bare p99 ms | ratio |\n"
                + "|---|---|---|---|---|---|\n");
        for (int n : profile.curveFleets()) {
            loadgenHeap = n > 2_000 ? "2g" : "512m";
            double[] b = curvePoint(bareUri, n, "bare");
            double[] g = curvePoint(gatewayUri, n, "gateway");
            bareRate.add(new double[] {n, b[0]});
            bareP99.add(new double[] {n, b[1]});
            gwRate.add(new double[] {n, g[0]});
            gwP99.add(new double[] {n, g[1]});
            table.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s | %s |%n", n, Row.num(g[0]),
                    Row.num(g[1]), Row.num(b[0]), Row.num(b[1]), Row.num(g[0] / b[0]) + "x"));
        }
        loadgenHeap = "512m";
        Files.writeString(work.resolve("scaling-posts.svg"), SvgPlot.grid(
                "Secured POSTs against fleet size (loopback, 2 cores, closed loop)", List.of(
                        new SvgPlot("Throughput", "devices", "msgs/s").logX(true)
                                .series("gateway (DTLS, durable queue, MQTT QoS 1)", gwRate)
                                .series("bare Scandium (ack at once)", bareRate),
                        new SvgPlot("p99 device ack", "devices", "ms").logX(true).logY(true)
                                .series("gateway (DTLS, durable queue, MQTT QoS 1)", gwP99)
                                .series("bare Scandium (ack at once)", bareP99).target(25, "25 ms"))));

        // heap against sessions, on fresh servers that know the curve's devices
        curveDevices = true;
        restartServers();
        int from = gateway.output().length();
        gateway.configure("org.m2mgw.registry", GatewayProcess.props("registry.import.file",
                work.resolve("curve-devices.json").toString()));
        gateway.await("Imported \\S+curve-devices.json: [^\\n]*", from, 600_000);
        long[] before = {gateway.liveHeapBytes(), bare.liveHeapBytes()};
        List<double[]> gwHeap = new ArrayList<>();
        List<double[]> bareHeap = new ArrayList<>();
        table.append("\nScaling: live heap against idle sessions (-Xmx512m each; every device made a handshake and "
                + "one request; the requests' deduplication entries are still held on both servers)\n\n"
                + "| sessions | gateway MiB | bare MiB | gateway B/session | bare B/session | ratio |\n"
                + "|---|---|---|---|---|---|\n");
        int made = 0;
        boolean gwUp = true;
        boolean bareUp = true;
        int level = 0;
        for (int n : profile.curveSessions()) {
            Fleet more = fleet.slice(profile.curveOffset() + made, n - made);
            double g = Double.NaN;
            double b = Double.NaN;
            if (gwUp) {
                int ok = IdleSessions.establish(gatewayUri, more, more.size(), 16, 20 + level,
                        TimeUnit.MINUTES.toMillis(8));
                gwUp = ok == more.size() && gateway.isAlive() && !gateway.output().contains("OutOfMemoryError");
                g = gwUp ? liveMiB(gateway, before[0]) : Double.NaN;
                gwUp &= !Double.isNaN(g);
                if (!gwUp) {
                    notes.append(String.format(Locale.ROOT, "- heap curve: the gateway did not complete %,d sessions "
                            + "(%,d of %,d more devices connected%s)%n", n, ok, more.size(),
                            gateway.output().contains("OutOfMemoryError") ? "; it ran out of heap" : ""));
                }
            }
            if (bareUp) {
                int ok = IdleSessions.establish(bareUri, more, more.size(), 16, 40 + level,
                        TimeUnit.MINUTES.toMillis(8));
                bareUp = ok == more.size() && bare.isAlive() && !bare.output().contains("OutOfMemoryError");
                b = bareUp ? liveMiB(bare, before[1]) : Double.NaN;
                bareUp &= !Double.isNaN(b);
                if (!bareUp) {
                    notes.append(String.format(Locale.ROOT, "- heap curve: bare Scandium did not complete %,d "
                            + "sessions (%,d of %,d more devices connected)%n", n, ok, more.size()));
                }
            }
            made = n;
            level++;
            log("heap curve: %d sessions: gateway %s MiB, bare %s MiB", n, Row.num(g), Row.num(b));
            gwHeap.add(new double[] {n, g});
            bareHeap.add(new double[] {n, b});
            table.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s | %s |%n", n, Row.num(g), Row.num(b),
                    Row.num(g * 1048576 / n), Row.num(b * 1048576 / n), Row.num(g / b) + "x"));
        }
        Files.writeString(work.resolve("scaling-heap.svg"), new SvgPlot(
                "Live heap against idle sessions (after full GC, -Xmx512m)", "sessions", "MiB").logX(true).logY(true)
                .series("gateway", gwHeap).series("bare Scandium", bareHeap).target(512, "-Xmx512m").render());
        notes.append(table);
        int last = profile.curveSessions()[profile.curveSessions().length - 1];
        double gLast = gwHeap.get(gwHeap.size() - 1)[1];
        rows.add(new Row("idle sessions: " + String.format(Locale.ROOT, "%,d", last) + " at -Xmx512m", "MiB live heap",
                gLast, "bare Scandium", bareHeap.get(bareHeap.size() - 1)[1], true,
                String.format(Locale.ROOT, "%,d idle devices connected and served at -Xmx512m", last),
                !Double.isNaN(gLast), "heap curve (scaling-heap.svg): " + gwHeap.size() + " levels; deduplication "
                        + "entries of the devices' requests still held on both servers"));
    }

    /** @return the live heap grown since {@code before}, in MiB; NaN if the process cannot tell (it died) */
    private double liveMiB(GatewayProcess p, long before) {
        try {
            return p.isAlive() ? (p.liveHeapBytes() - before) / 1048576.0 : Double.NaN;
        } catch (IOException | RuntimeException e) {
            notes.append("- heap curve: reading a heap failed: ").append(e).append('\n');
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /** @return {msgs/s, p99 ms} of one closed-loop POST run of {@code n} devices, NaN if it failed */
    private double[] curvePoint(URI target, int n, String who) {
        try {
            double[] v = loadgenProcess(target, 1000, n, Mode.POST, who + " curve " + n);
            if (v[5] > 0) {
                notes.append(String.format(Locale.ROOT, "- curve: %s with %,d devices: %.0f errors%n", who, n, v[5]));
            }
            return new double[] {v[0], v[2]};
        } catch (Exception | AssertionError e) {
            notes.append(String.format(Locale.ROOT, "- curve: %s with %,d devices did not complete: %s%n", who, n, e));
            log("curve: %s with %d devices did not complete: %s", who, n, e);
            return new double[] {Double.NaN, Double.NaN};
        }
    }

    /** Paho straight to mosquitto, QoS 1: the ceiling of the cloud leg (loads neither server). */
    private double pahoDirect = Double.NaN;

    private void pahoDirect() throws Exception {
        double[] direct = new double[profile.rounds()];
        for (int r = 0; r < profile.rounds(); r++) {
            direct[r] = Mqtt.pahoDirect(broker.url(), 4, 256, 128, profile.warmupSeconds(), profile.measureSeconds());
            log("paho direct QoS 1: %.0f msgs/s", direct[r]);
        }
        pahoDirect = median(direct);
    }

    private void cloudRow() {
        Row e2e = rowFor(rows, "secured POSTs end to end");
        rows.add(new Row("cloud leg: gateway e2e vs Paho straight to the broker", "msgs/s",
                e2e == null ? Double.NaN : e2e.gateway(), "Paho QoS 1, memory persistence (4 clients)",
                pahoDirect, false, "report", null, "the ceiling of the cloud leg on this broker"));
    }

    /**
     * The durable queue against the disk's limit for its workload (a raw append + fdatasync group
     * commit of records of the queue's size, with the queue's batch limit, written in the benchmark)
     * and against Paho's file persistence; the three interleaved in each round.
     */
    private void queueBaselines() throws Exception {
        int producers = 64;
        int recordBytes = QueueVsPahoFile.queueRecordBytes();
        double[] q = new double[profile.rounds()];
        double[] w = new double[profile.rounds()];
        double[] p = new double[profile.rounds()];
        for (int r = 0; r < profile.rounds(); r++) {
            q[r] = QueueVsPahoFile.queue(producers, profile.queueSeconds());
            w[r] = QueueVsPahoFile.rawGroupCommit(producers, profile.queueSeconds(), recordBytes);
            p[r] = QueueVsPahoFile.paho(producers, profile.queueSeconds());
            log("durable queue %.0f msgs/s, raw group commit %.0f msgs/s, Paho file persistence %.0f msgs/s (%d "
                    + "producers)", q[r], w[r], p[r], producers);
        }
        double qm = median(q);
        double wm = median(w);
        double pm = median(p);
        rows.add(new Row("durable queue enqueue (fsync group commit)", "msgs/s", qm,
                "raw append + fdatasync group commit (the disk's limit)", wm, false,
                ">= 0.80 x raw group commit and >= 5 x Paho file persistence", qm >= 0.80 * wm && qm >= 5 * pm,
                String.format(Locale.ROOT, "%d producers, each waits until its message is durable; raw: records of "
                        + "the queue's %d bytes, its batch limit, one positional write and one fdatasync per batch, "
                        + "no encoding, index or completion thread; Paho file persistence %.0f msgs/s (one directory "
                        + "per producer): queue %.1fx Paho", producers, recordBytes, pm, qm / pm)));
    }

    private void restartWithSessions() throws Exception {
        int n = profile.restartSessions();
        Fleet devices = fleet.slice(1000 + profile.idleSessions(), n);
        try (LoadGenerator gen = new LoadGenerator(devices, gatewayUri, n)) {
            int failed = gen.connectAll(64);
            log("restart: %d of %d sessions live", n - failed, n);
            int from = gateway.output().length();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
                try {
                    gateway.bundle("org.m2mgw.transport-coap-dtls", "stop");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                stopping.get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException slow) {
                Files.writeString(work.resolve("gateway-slow-stop-threads.txt"), gateway.threadDump());
                log("restart: the transport bundle takes more than 20 s to stop; thread dump written");
                stopping.get(120, TimeUnit.SECONDS);
            }
            gateway.await("saved its device sessions", from, 60_000);
            from = gateway.output().length();
            // a measured phase: JFR at the JDK's profile settings (10 ms sampling), which cost a few
            // percent (1 ms sampling slows the gateway two to three times)
            gateway.jfrStart("gateway-restart", false);
            long t0 = System.nanoTime();
            gateway.bundle("org.m2mgw.transport-coap-dtls", "start");
            gateway.await("restored \\d+ device sessions", from, 60_000);
            gateway.await("listening on udp 127\\.0\\.0\\.1:" + gatewayPort, from, 60_000);
            // from the start command to the listener serving the restored sessions
            double seconds = (System.nanoTime() - t0) / 1e9;
            // the first request on every restored session, 64 devices at a time
            Stats.Result first = gen.onceEach("first request after restart", 64);
            profileFiles("gateway-restart");
            log("restart: first requests: %s", first.line());
            String line = gateway.output().substring(from);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "restored (\\d+) device sessions in (\\d+) ms \\(reading (\\d+) ms").matcher(line);
            boolean found = m.find();
            int restored = found ? Integer.parseInt(m.group(1)) : 0;
            long restoreMs = found ? Long.parseLong(m.group(2)) : -1;
            long readMs = found ? Long.parseLong(m.group(3)) : -1;
            // every device sends on its old session: a lost session would time out or handshake again
            Stats.Result after = gen.run("after restart", Mode.POST, 0.2, Duration.ZERO,
                    Duration.ofSeconds(Math.max(3, profile.measureSeconds())));
            long handshakes = after.handshakes();
            log("restart: %d restored in %.2f s; afterwards %s", restored, seconds, after.line());
            double perSecond = restored / seconds;
            handshakes += first.handshakes();
            boolean ok = restored >= n - failed && first.errors() == 0 && after.errors() == 0 && handshakes == 0;
            rows.add(new Row("restart with live sessions (transport bundle stop/start)", "sessions/s", perSecond,
                    "-", Double.NaN, false, ">= 10,000 sessions restored/s; 0 new handshakes; first request p99 "
                            + "<= 50 ms", ok && perSecond >= 10_000 && first.p99Ms() <= 50,
                    String.format(Locale.ROOT, "%d sessions live, %d restored: %.2f s from the bundle start command "
                            + "to the listener serving (under JFR), of which the listener's restore %d ms (reading %d ms; "
                            + "%.0f sessions/s); the first request on each: p50 %.1f ms, p99 %.1f ms, %d CoAP "
                            + "retransmissions; then %d requests on them; all together %d errors, %d new handshakes",
                            n - failed, restored, seconds, restoreMs, readMs, restored * 1000.0 / Math.max(1, restoreMs),
                            first.p50Ms(), first.p99Ms(), first.coapRetransmissions(), after.ok(),
                            first.errors() + after.errors(), handshakes)));
            if (restored < n - failed) {
                throw new IllegalStateException("restart: only " + restored + " of " + (n - failed)
                        + " live sessions were restored: the scenario did not run as designed");
            }
        }
    }

    private void backlogDrain() throws Exception {
        Fleet backlogDevices = fleet.slice(200, profile.postClients());
        Fleet liveDevices = fleet.slice(1000 + profile.idleSessions() + profile.restartSessions(), 50);
        broker.stop();
        log("broker stopped: building a backlog for %d s", profile.backlogSeconds());
        Stats.Result fill;
        try (LoadGenerator gen = new LoadGenerator(backlogDevices, gatewayUri, backlogDevices.size())) {
            gen.connectAll(32);
            fill = gen.run("backlog fill", Mode.POST, 0, Duration.ZERO, Duration.ofSeconds(profile.backlogSeconds()));
        }
        long backlog = gateway.queued();
        log("backlog: %d messages queued (%s)", backlog, fill.line());
        try (LoadGenerator live = new LoadGenerator(liveDevices, gatewayUri, liveDevices.size())) {
            live.connectAll(32);
            CompletableFuture<Stats.Result> liveRun = CompletableFuture.supplyAsync(() -> {
                try {
                    return live.run("live during drain", Mode.POST, 20, Duration.ZERO,
                            Duration.ofSeconds(Math.max(5, profile.backlogSeconds() * 2)));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(1000);
            broker.start();
            long t0 = System.nanoTime();
            long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
            long q = gateway.queued();
            long peak = q;
            long t1 = 0;
            while (q > liveDevices.size() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                q = gateway.queued();
                if (t1 == 0 && q < peak) {
                    t1 = System.nanoTime(); // the gateway reconnected and publishes
                }
                peak = Math.max(peak, q);
            }
            long t2 = System.nanoTime();
            double reconnect = ((t1 == 0 ? t2 : t1) - t0) / 1e9;
            double seconds = (t2 - (t1 == 0 ? t0 : t1)) / 1e9;
            Stats.Result liveResult = liveRun.get(5, TimeUnit.MINUTES);
            double rate = peak / seconds;
            log("drained %d in %.1f s after reconnecting in %.1f s (%.0f msgs/s); live traffic: %s", peak, seconds,
                    reconnect, rate, liveResult.line());
            rows.add(new Row("backlog drain after a broker outage", "msgs/s", rate, "-", Double.NaN, false,
                    ">= 10,000 msgs/s, live p99 <= 100 ms", rate >= 10_000 && liveResult.p99Ms() <= 100,
                    String.format(Locale.ROOT, "%d queued by %d devices (plus live traffic); drained in %.1f s once "
                            + "the gateway had reconnected (%.1f s after the broker came back); live: %d devices "
                            + "at 20/s, p99 %.1f ms, errors %d", peak, backlogDevices.size(), seconds, reconnect,
                            liveDevices.size(), liveResult.p99Ms(), liveResult.errors())));
        }
    }

    private void tearDown() throws InterruptedException {
        if (gateway != null) {
            gateway.close();
        }
        if (bare != null) {
            bare.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private void report(double minutes) throws IOException {
        String header = String.format(Locale.ROOT, "%-55s %14s %14s  %-40s %7s  %-40s %s", "scenario", "gateway",
                "baseline", "baseline is", "ratio", "target", "result");
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "m2mgw benchmarks (%s run, %.1f min), %s, JDK %s, %d cores%n",
                profile.name(), minutes, System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors()));
        table.append(header).append('\n');
        for (Row r : rows) {
            table.append(String.format(Locale.ROOT, "%-55s %14s %14s  %-40s %7s  %-40s %s%n",
                    r.scenario() + " [" + r.unit() + "]", Row.num(r.gateway()), Row.num(r.baseline()),
                    r.baselineName(), Double.isNaN(r.ratio()) ? "-" : Row.num(r.ratio()) + "x", r.target(),
                    r.verdict()));
        }
        for (Row r : rows) {
            table.append("  ").append(r.scenario()).append(": ").append(r.detail()).append('\n');
        }
        if (!airLines.isEmpty()) {
            table.append('\n').append(AIR_TITLE).append('\n');
            String f = "%-43s %15s %9s %15s %15s  %s%n";
            table.append(String.format(Locale.ROOT, f, "variant", "handshake", "hs/report", "req + 2.04",
                    "per report", "published handshake size (not measured)"));
            table.append(String.format(Locale.ROOT, f, "", "gateway/relay", "", "gateway/relay", "gateway/relay", ""));
            for (AirLine a : airLines) {
                table.append(String.format(Locale.ROOT, f, a.variant(), airPair(a.handshake(), a.handshakeRelay()),
                        a.handshakesPerReport() == 1 ? "1" : "1/" + REPORTS_PER_DAY,
                        airPair(a.report(), a.reportRelay()), airPair(a.perReportGateway(), a.perReportRelay()),
                        a.published()));
            }
        }
        table.append(notes);
        System.out.print(table);
        Files.writeString(work.resolve("results.txt"), table, StandardCharsets.UTF_8);
        StringBuilder json = new StringBuilder();
        json.append("{\"profile\":").append(Row.q(profile.name())).append(",\"minutes\":")
                .append(String.format(Locale.ROOT, "%.2f", minutes)).append(",\"jdk\":")
                .append(Row.q(System.getProperty("java.version"))).append(",\"cores\":")
                .append(Runtime.getRuntime().availableProcessors()).append(",\"rows\":[\n");
        for (int i = 0; i < rows.size(); i++) {
            json.append(rows.get(i).json()).append(i + 1 < rows.size() ? ",\n" : "\n");
        }
        json.append("]}\n");
        Files.writeString(work.resolve("results.json"), json, StandardCharsets.UTF_8);
        StringBuilder md = new StringBuilder();
        md.append("| scenario | gateway | baseline | ratio | target | result |\n|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s (%s) | %s | %s | %s | %s | %s |%n", r.scenario(), r.unit(),
                    Row.num(r.gateway()), Double.isNaN(r.baseline()) ? "-" : Row.num(r.baseline()) + " " + r.baselineName(),
                    Double.isNaN(r.ratio()) ? "-" : Row.num(r.ratio()) + "x", r.target(), r.verdict()));
        }
        md.append('\n');
        for (Row r : rows) {
            md.append("- ").append(r.scenario()).append(": ").append(r.detail()).append('\n');
        }
        if (!airLines.isEmpty()) {
            md.append('\n').append(AIR_TITLE).append("\n\n| variant | handshake (B), gateway / relay | handshakes "
                    + "per report | request + 2.04 (B), gateway / relay | per report (B), gateway / relay | published "
                    + "handshake size (not measured) |\n|---|---|---|---|---|---|\n");
            for (AirLine a : airLines) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", a.variant(),
                        airPair(a.handshake(), a.handshakeRelay()),
                        a.handshakesPerReport() == 1 ? "1" : "1/" + REPORTS_PER_DAY, airPair(a.report(), a.reportRelay()),
                        airPair(a.perReportGateway(), a.perReportRelay()), a.published()));
            }
        }
        md.append(notes);
        Files.writeString(work.resolve("results.md"), md, StandardCharsets.UTF_8);
        System.out.println("results: " + work.resolve("results.json"));
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
