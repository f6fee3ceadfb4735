package org.m2mgw.itests.distro;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.Test;
import org.m2mgw.cloud.testsupport.Mosquitto;
import org.m2mgw.crypto.sign.SignTool;
import org.m2mgw.itests.GatewayTestSupport;
import org.m2mgw.update.internal.kura.KuraPayload;
import org.m2mgw.update.testsupport.PackageServer;

/**
 * Remote updates as the cloud does them, against the exported distro: DEPLOY-V2 requests through a
 * real mosquitto (the first one published with {@code mosquitto_pub}), packages served over HTTP,
 * signed with keys the gateway's trust store holds. A signed newer anomaly feature is installed and
 * committed; tampered, unsigned-by-both, unknown-key, downgraded, wrong-hash and cut downloads are
 * refused with their reason and change nothing; a package whose bundle cannot resolve is rolled
 * back automatically; a package over the size limit is refused; a SIGKILL during the health check,
 * one during a download and one inside Deployment Admin's install leave the gateway, after restart,
 * on the committed version, and the cloud is told.
 */
public class RemoteUpdateIT {
    private static final String CLIENT = "gw-update-it";
    private static final String PREFIX = "$EDC/m2mgw/";
    private static final int MAX_BYTES = 1_000_000;
    private static final String SLOW_BSN = "org.m2mgw.itests.slowstart";
    private final BlockingQueue<String[]> seen = new LinkedBlockingQueue<>();
    private final List<String> log = new ArrayList<>();
    private final AtomicLong requestIds = new AtomicLong();

    @Test
    public void givenSignedPackages_whenRequestedOverDeployV2_thenOnlyGoodOnesInstallAndBadOnesRollBack() throws Exception {
        Path target = Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath();
        Path base = Files.createDirectories(target.resolve("update-it").resolve(Long.toString(System.currentTimeMillis())));
        Path keys = base.resolve("keys");
        Path strangerKeys = base.resolve("stranger");
        SignTool.run("keygen", keys.toString());
        SignTool.run("keygen", strangerKeys.toString());
        Path data = base.resolve("data");
        seedTrustStore(data, keys);

        byte[] factory = Files.readAllBytes(anomalyFeature());
        Path pkgs = Files.createDirectories(base.resolve("packages"));
        byte[] v2 = withVersion(factory, "0.2.0", false);
        byte[] bad = withVersion(factory, "0.3.0", true);
        byte[] bad4 = withVersion(factory, "0.4.0", true);
        byte[] old = withVersion(factory, "0.1.5", false);
        byte[] v25 = withVersion(factory, "0.2.5", false);

        Mosquitto broker = Mosquitto.plain(base.resolve("broker")).start();
        PackageServer http = PackageServer.http();
        http.serve("/v2.dp", v2).serve("/v2.dp.sig", sign(keys, pkgs, "v2.dp", v2));
        http.serve("/bad.dp", bad).serve("/bad.dp.sig", sign(keys, pkgs, "bad.dp", bad));
        http.serve("/bad4.dp", bad4).serve("/bad4.dp.sig", sign(keys, pkgs, "bad4.dp", bad4));
        http.serve("/old.dp", old).serve("/old.dp.sig", sign(keys, pkgs, "old.dp", old));
        http.serve("/stranger.dp", v25).serve("/stranger.dp.sig", sign(strangerKeys, pkgs, "stranger.dp", v25));
        byte[] v25sig = sign(keys, pkgs, "v25.dp", v25);
        byte[] tampered = v25.clone();
        tampered[tampered.length / 2] ^= 1;
        http.serve("/tampered.dp", tampered).serve("/tampered.dp.sig", v25sig);
        http.serve("/one.dp", v25).serve("/one.dp.sig", onlyEs256(v25sig));
        http.serve("/cut.dp", v25).serve("/cut.dp.sig", v25sig).cutAfter("/cut.dp", v25.length / 3);
        http.serve("/stall.dp", v25).serve("/stall.dp.sig", v25sig).stallAfter("/stall.dp", v25.length / 3,
                java.time.Duration.ofSeconds(20));

        byte[] huge = new byte[MAX_BYTES + 1];
        new java.util.Random(7).nextBytes(huge);
        http.serve("/huge.dp", huge).serve("/huge.dp.sig", sign(keys, pkgs, "huge.dp", huge));
        byte[] slow = withSlowStartingBundle(withVersion(factory, "0.2.8", false));
        http.serve("/slow.dp", slow).serve("/slow.dp.sig", sign(keys, pkgs, "slow.dp", slow));

        MqttClient cloud = new MqttClient(broker.url(), "update-it-cloud", new MemoryPersistence());
        cloud.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                KuraPayload p = KuraPayload.decode(m.getPayload());
                String line = topic + " " + p.metrics() + (p.body() == null ? "" : " body=" + new String(p.body(),
                        StandardCharsets.UTF_8));
                synchronized (log) {
                    log.add(line);
                }
                seen.add(new String[] {topic, line});
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setAutomaticReconnect(true);
        o.setMaxReconnectDelay(500);
        cloud.connect(o);
        cloud.subscribe(PREFIX + "cloud/DEPLOY-V2/#", 1);

        int consolePort = GatewayTestSupport.freePort();
        String floor = "-Dm2mgw.update.floor.dir=" + base.resolve("floor");
        DistroProcess gateway = DistroProcess.start(data, consolePort, base.resolve("run1.log"), floor);
        try {
            String file = gateway.awaitOutput("password generated in (\\S+) \\(", 60_000);
            String password = Files.readString(Path.of(file)).strip();
            configure(gateway, password, broker.url(), java.util.Map.of("download.max.bytes", Integer.toString(MAX_BYTES)));
            gateway.awaitOutput("listening for DEPLOY-V2 requests on \\S+" + CLIENT, 30_000);

            // 1. A signed newer version, requested with mosquitto_pub: downloaded, installed, committed.
            mosquittoPub(broker, "EXEC/download", download(http, "/v2.dp", "0.2.0", 1));
            expect("reply 200", t -> t[0].contains("/REPLY/") && t[1].contains("response.code=200"), 10);
            expect("download completed", t -> t[0].endsWith("/download") && t[1].contains("COMPLETED"), 60);
            expect("install completed", t -> t[0].endsWith("/install") && t[1].contains("dp.install.status=COMPLETED")
                    && t[1].contains("0.2.0"), 90);
            String packages = get("GET/packages");
            assertTrue(packages, packages.contains("<name>anomaly-feature</name><version>0.2.0</version>"));
            String page = gateway.consoleGet("/system/console/m2mgw-updates", "admin", password);
            assertTrue(page, page.contains("2 active, 0 retired") && page.contains("ML-DSA-65")
                    && page.contains("<td>COMMITTED</td>"));
            assertTrue(get("GET/bundles"), get("GET/bundles").matches(
                    "(?s).*<name>org\\.m2mgw\\.anomaly-detector</name><version>[^<]+</version><id>\\d+</id><state>ACTIVE</state>.*"));

            // 2. Refusals: each with its reason, nothing installed.
            refused("/tampered.dp", "0.2.5", 2, "signature refused");
            refused("/stranger.dp", "0.2.5", 3, "signature refused");
            refused("/one.dp", "0.2.5", 4, "signature refused");
            refused("/old.dp", "0.1.5", 5, "not higher than 0.2.0");
            publish("EXEC/download", download(http, "/one.dp", "0.2.5", 6).put("dp.download.hash", "SHA-256:"
                    + "00".repeat(32)));
            expect("hash mismatch refused", t -> t[0].endsWith("/download") && t[1].contains("job.id=6")
                    && t[1].contains("FAILED")
                    && t[1].toLowerCase().contains("hash"), 60);
            publish("EXEC/download", download(http, "/cut.dp", "0.2.5", 7).put("dp.download.resume", false));
            expect("cut download refused", t -> t[0].endsWith("/download") && t[1].contains("job.id=7")
                    && t[1].contains("FAILED"), 90);
            publish("EXEC/download", download(http, "/huge.dp", "0.2.5", 11));
            expect("package too large refused", t -> t[0].endsWith("/download") && t[1].contains("job.id=11")
                    && t[1].contains("FAILED") && t[1].contains("larger than the limit of " + MAX_BYTES), 60);
            assertTrue(get("GET/packages").contains("<version>0.2.0</version>"));

            // 3. A package whose bundle cannot resolve: installed, unhealthy, rolled back to 0.2.0.
            publish("EXEC/download", download(http, "/bad.dp", "0.3.0", 8));
            expect("rolled back", t -> t[0].endsWith("/install") && t[1].contains("job.id=8")
                    && t[1].contains("FAILED") && t[1].contains("rolled back to 0.2.0"), 120);
            assertTrue(get("GET/packages").contains("<version>0.2.0</version>"));

            // 4. SIGKILL during the health check of another bad package.
            publish("EXEC/download", download(http, "/bad4.dp", "0.4.0", 9));
            awaitJournal(data, "0.4.0\tINSTALLED", 120);
            gateway.kill();
            seen.clear();
            gateway = DistroProcess.start(data, consolePort, base.resolve("run2.log"), floor);
            expect("outcome told after restart", t -> t[0].endsWith("/install") && t[1].contains("job.id=9")
                    && t[1].contains("FAILED") && t[1].contains("interrupted by a restart"), 120);
            gateway.awaitOutput("anomaly-feature 0\\.2\\.0 runs again", 60_000);
            String after = get("GET/packages");
            assertTrue(after, after.contains("<name>anomaly-feature</name><version>0.2.0</version>"));
            String journal = Files.readString(data.resolve("updates/journal.log"));
            assertTrue(journal, journal.contains("0.4.0\tROLLED_BACK"));
            assertEquals("the version floor was kept outside the data directory", true,
                    Files.readString(base.resolve("floor/version-floor.properties")).contains("floor.anomaly-feature=0.2.0"));

            // 5. SIGKILL during a download (the server stalls it): after restart, nothing installed, the cloud told.
            gateway.awaitOutput("listening for DEPLOY-V2 requests", 30_000);
            publish("EXEC/download", download(http, "/stall.dp", "0.2.7", 10));
            awaitJournal(data, "0.2.7\tREQUESTED", 60);
            Thread.sleep(500);
            gateway.kill();
            seen.clear();
            gateway = DistroProcess.start(data, consolePort, base.resolve("run3.log"), floor);
            expect("interrupted download told", t -> t[0].endsWith("/install") && t[1].contains("job.id=10")
                    && t[1].contains("FAILED") && t[1].contains("nothing was installed"), 120);
            gateway.awaitOutput("anomaly-feature 0\\.2\\.0 runs again", 60_000);
            assertTrue(get("GET/packages").contains("<name>anomaly-feature</name><version>0.2.0</version>"));

            // 6. SIGKILL inside Deployment Admin's install: the package carries a bundle whose activator
            // takes seconds to start, so the kill lands between INSTALLING and INSTALLED.
            gateway.awaitOutput("listening for DEPLOY-V2 requests", 30_000);
            publish("EXEC/download", download(http, "/slow.dp", "0.2.8", 12));
            awaitJournal(data, "0.2.8\tINSTALLING", 90);
            Thread.sleep(300);
            gateway.kill();
            String atKill = Files.readString(data.resolve("updates/journal.log"));
            assertFalse("the kill came after the install step had ended:\n" + atKill,
                    atKill.contains("0.2.8\tINSTALLED"));
            seen.clear();
            gateway = DistroProcess.start(data, consolePort, base.resolve("run4.log"), floor);
            expect("interrupted install told", t -> t[0].endsWith("/install") && t[1].contains("job.id=12")
                    && t[1].contains("FAILED") && t[1].contains("interrupted by a restart while installing"), 120);
            gateway.awaitOutput("anomaly-feature 0\\.2\\.0 runs again", 60_000);
            assertTrue(get("GET/packages").contains("<name>anomaly-feature</name><version>0.2.0</version>"));
            String bundles = get("GET/bundles");
            assertFalse("the half-installed package's bundle is gone: " + bundles, bundles.contains(SLOW_BSN));
            assertTrue(Files.readString(data.resolve("updates/journal.log")).contains("0.2.8\tROLLED_BACK"));
        } finally {
            System.out.println("update IT messages:\n" + String.join("\n", log));
            gateway.close();
            cloud.disconnectForcibly(500);
            cloud.close();
            http.close();
            broker.close();
        }
    }

    private void refused(String path, String version, long job, String reason) throws Exception {
        publish("EXEC/download", download(null, path, version, job));
        expect(path + " refused", t -> t[0].endsWith("/install") && t[1].contains("job.id=" + job)
                && t[1].contains("FAILED") && t[1].contains(reason), 60);
    }

    private PackageServer server;

    private KuraPayload download(PackageServer http, String path, String version, long job) {
        if (http != null) {
            server = http;
        }
        return new KuraPayload().put("dp.uri", server.uri(path).toString()).put("dp.name", "anomaly-feature")
                .put("dp.version", version).put("dp.download.protocol", "HTTP").put("job.id", job)
                .put("dp.install.system.update", false).put("dp.install", true);
    }

    private KuraPayload request(KuraPayload p) {
        return p.put("requester.client.id", "cloud").put("request.id", "r" + requestIds.incrementAndGet());
    }

    private MqttClient publisher;

    private void publish(String resource, KuraPayload p) throws Exception {
        if (publisher == null) {
            publisher = new MqttClient(brokerUrl, "update-it-requests", new MemoryPersistence());
            publisher.connect();
        }
        publisher.publish(PREFIX + CLIENT + "/DEPLOY-V2/" + resource, request(p).encode(), 1, false);
    }

    private String brokerUrl;

    private void mosquittoPub(Mosquitto broker, String resource, KuraPayload p) throws Exception {
        brokerUrl = broker.url();
        Path f = Files.createTempFile("deploy", ".pb");
        Files.write(f, request(p).encode());
        Process proc = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(broker.port),
                "-q", "1", "-t", PREFIX + CLIENT + "/DEPLOY-V2/" + resource, "-f", f.toString())
                .redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("mosquitto_pub failed: " + out, proc.waitFor(10, TimeUnit.SECONDS) && proc.exitValue() == 0);
    }

    private String get(String resource) throws Exception {
        seen.clear();
        publish(resource, new KuraPayload());
        String[] r = expect(resource + " reply", t -> t[0].contains("/REPLY/") && t[1].contains("response.code=200"), 20);
        return r[1];
    }

    private String[] expect(String what, Predicate<String[]> p, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String[] t = seen.poll(200, TimeUnit.MILLISECONDS);
            if (t != null && p.test(t)) {
                return t;
            }
        }
        synchronized (log) {
            throw new AssertionError("not seen within " + seconds + " s: " + what + "; messages:\n"
                    + String.join("\n", log));
        }
    }

    private static void awaitJournal(Path data, String line, int seconds) throws Exception {
        Path j = data.resolve("updates/journal.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(j) && Files.readString(j).contains(line)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("journal never showed " + line);
    }

    static void configure(DistroProcess gateway, String password, String brokerUrl) throws Exception {
        configure(gateway, password, brokerUrl, java.util.Map.of());
    }

    /** @param more further properties of the update agent's configuration */
    static void configure(DistroProcess gateway, String password, String brokerUrl, java.util.Map<String, String> more)
            throws Exception {
        StringBuilder names = new StringBuilder("broker.url,client.id,health.timeout.seconds");
        StringBuilder values = new StringBuilder();
        more.forEach((k, v) -> {
            names.append(',').append(k);
            values.append('&').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
        String form = "apply=true&action=ajaxConfigManager&propertylist=" + names
                + "&broker.url=" + URLEncoder.encode(brokerUrl, StandardCharsets.UTF_8) + "&client.id=" + CLIENT
                + "&health.timeout.seconds=15" + values;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (gateway.consolePost("/system/console/configMgr/org.m2mgw.update", "admin", password, form) < 400) {
                    return;
                }
            } catch (IOException notYet) {
                // console not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("console did not accept the update agent's configuration");
            }
            Thread.sleep(200);
        }
    }

    /** The gateway's trust store, holding the test's ES256 and ML-DSA-65 public keys. */
    static void seedTrustStore(Path data, Path keys) throws Exception {
        SignTool.run("provision", keys.toString(), data.toString());
    }

    static byte[] sign(Path keys, Path dir, String name, byte[] content) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, content);
        SignTool.run("sign", keys.toString(), "package", f.toString());
        return Files.readAllBytes(dir.resolve(name + ".sig"));
    }

    /** The signature document with its ML-DSA-65 signature removed. */
    private static byte[] onlyEs256(byte[] doc) {
        String s = new String(doc, StandardCharsets.UTF_8);
        return s.replaceFirst(",\\{\"key\":\"[^\"]+\",\"alg\":\"ML-DSA-65\",\"value\":\"[^\"]+\"\\}", "")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static Path anomalyFeature() throws IOException {
        return feature("anomaly-feature");
    }

    static Path feature(String name) throws IOException {
        Path dir = Paths.get("../features/" + name + "/target").toAbsolutePath().normalize();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, name + "_*.dp")) {
            for (Path p : s) {
                return p;
            }
        }
        throw new IllegalStateException("no " + name + " .dp in " + dir);
    }

    /**
     * The package with another DeploymentPackage-Version; {@code broken}: its bundle, with a higher
     * qualifier (Deployment Admin leaves a bundle of the same version alone), also imports a package
     * nobody exports, so it installs but never resolves.
     */
    static byte[] withVersion(byte[] dp, String version, boolean broken) throws IOException {
        if (!broken) {
            return org.m2mgw.update.internal.tool.PackageRewrite.withVersion(dp, version);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new java.io.ByteArrayInputStream(dp))) {
            Manifest m = new Manifest(in.getManifest());
            m.getMainAttributes().putValue("DeploymentPackage-Version", version);
            if (broken) {
                for (Attributes a : m.getEntries().values()) {
                    a.putValue("Bundle-Version", a.getValue("Bundle-Version") + "broken");
                }
            }
            try (JarOutputStream jar = new JarOutputStream(out, m)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    byte[] content = in.readAllBytes();
                    if (broken && e.getName().endsWith(".jar")) {
                        content = unresolvable(content);
                    }
                    jar.putNextEntry(new JarEntry(e.getName()));
                    jar.write(content);
                    jar.closeEntry();
                }
            }
        }
        return out.toByteArray();
    }

    /**
     * The package with one more bundle, whose activator ({@link SlowStart}) takes seconds: Deployment
     * Admin starts a package's bundles inside its install, so the install step lasts that long.
     */
    private static byte[] withSlowStartingBundle(byte[] dp) throws IOException {
        Manifest bm = new Manifest();
        Attributes b = bm.getMainAttributes();
        b.putValue("Manifest-Version", "1.0");
        b.putValue("Bundle-ManifestVersion", "2");
        b.putValue("Bundle-SymbolicName", SLOW_BSN);
        b.putValue("Bundle-Version", "1.0.0");
        b.putValue("Bundle-Activator", SlowStart.class.getName());
        b.putValue("Import-Package", "org.osgi.framework");
        ByteArrayOutputStream bundle = new ByteArrayOutputStream();
        String cls = SlowStart.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream jar = new JarOutputStream(bundle, bm);
                java.io.InputStream code = RemoteUpdateIT.class.getResourceAsStream("/" + cls)) {
            jar.putNextEntry(new JarEntry(cls));
            jar.write(code.readAllBytes());
            jar.closeEntry();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new java.io.ByteArrayInputStream(dp))) {
            Manifest m = new Manifest(in.getManifest());
            Attributes entry = new Attributes();
            entry.putValue("Bundle-SymbolicName", SLOW_BSN);
            entry.putValue("Bundle-Version", "1.0.0");
            m.getEntries().put("slow-start.jar", entry);
            try (JarOutputStream jar = new JarOutputStream(out, m)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    jar.putNextEntry(new JarEntry(e.getName()));
                    jar.write(in.readAllBytes());
                    jar.closeEntry();
                }
                jar.putNextEntry(new JarEntry("slow-start.jar"));
                jar.write(bundle.toByteArray());
                jar.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] unresolvable(byte[] bundle) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new java.io.ByteArrayInputStream(bundle))) {
            Manifest m = new Manifest(in.getManifest());
            Attributes a = m.getMainAttributes();
            a.putValue("Import-Package", a.getValue("Import-Package") + ",org.m2mgw.nobody.exports.this");
            a.putValue("Bundle-Version", a.getValue("Bundle-Version") + "broken");
            try (JarOutputStream jar = new JarOutputStream(out, m)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    jar.putNextEntry(new JarEntry(e.getName()));
                    jar.write(in.readAllBytes());
                    jar.closeEntry();
                }
            }
        }
        return out.toByteArray();
    }
}
