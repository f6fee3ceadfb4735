package org.m2mgw.bench.suite;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM process under test: the exported gateway distro, or the bare baseline server. Output goes
 * to a log file that can be waited on; the console (gateway only) is driven over HTTP the way an
 * operator's browser does.
 */
public final class GatewayProcess implements AutoCloseable {
    final Path log;
    final int consolePort;
    private final Path dataDir;
    private final Process process;
    private String password;

    private GatewayProcess(Process process, Path log, Path dataDir, int consolePort) {
        this.process = process;
        this.log = log;
        this.dataDir = dataDir;
        this.consolePort = consolePort;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts the distro jar with its data in {@code dataDir}. */
    public static GatewayProcess gateway(Path distroJar, Path dataDir, String heap, List<String> jvmArgs) throws IOException {
        Files.createDirectories(dataDir);
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx" + heap, "-Xms" + heap,
                "-Dm2mgw.data.dir=" + dataDir, "-Dorg.osgi.framework.storage=" + dataDir.resolve("framework"),
                "-Dfelix.cm.dir=" + dataDir.resolve("config"), "-Dorg.osgi.service.http.port=" + port,
                "-Dgosh.args=--nointeractive", "-Dm2mgw.demo.device=false"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", distroJar.toString()));
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        return new GatewayProcess(start(cmd, log), log, dataDir, port);
    }

    /** Starts a main class of this module in its own JVM. */
    public static GatewayProcess java(String heap, Path log, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx" + heap, "-Xms" + heap,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                mainClass));
        cmd.addAll(List.of(args));
        return new GatewayProcess(start(cmd, log), log, null, -1);
    }

    private static Process start(List<String> cmd, Path log) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    public long pid() {
        return process.pid();
    }

    /** @return the gateway's data directory ({@code null} for a plain Java process) */
    public Path dataDir() {
        return dataDir;
    }

    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits for a line matching {@code regex} after {@code from} characters of output; returns the match end. */
    public int await(String regex, int from, long timeoutMs) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            String out = output();
            Matcher m = p.matcher(out);
            if (from <= out.length() && m.find(from)) {
                return m.end();
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        String out = output();
        throw new IllegalStateException("no /" + regex + "/ in " + log + " within " + timeoutMs + " ms; last output:\n"
                + out.substring(Math.max(0, out.length() - 3000)));
    }

    /** Posts a configuration to the console (Felix web console's configuration manager). */
    public void configure(String pid, Map<String, String> properties) throws IOException {
        StringBuilder form = new StringBuilder("apply=true&action=ajaxConfigManager&propertylist=")
                .append(URLEncoder.encode(String.join(",", properties.keySet()), StandardCharsets.UTF_8));
        for (Map.Entry<String, String> e : properties.entrySet()) {
            form.append('&').append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        post("/system/console/configMgr/" + pid, form.toString());
    }

    public static Map<String, String> props(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Stops or starts a bundle by symbolic name through the console. */
    public void bundle(String symbolicName, String action) throws IOException {
        post("/system/console/bundles/" + symbolicName, "action=" + action);
    }

    /** GETs a console page. */
    public String get(String path) throws IOException {
        HttpURLConnection c = open(path);
        try (java.io.InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    /** The number of messages waiting in the cloud connection's durable queue (status page). */
    public long queued() throws IOException {
        Matcher m = Pattern.compile("\"queued\":(\\d+)").matcher(get("/system/console/status-m2mgw.json"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** A CoAPS listener as the console's status page shows it: its status line and its counters. */
    public record Listener(String status, Map<String, Long> counters) {
        /** @return the counter, 0 when the page does not show it (traffic counters appear once non-zero) */
        public long counter(String name) {
            return counters.getOrDefault(name, 0L);
        }
    }

    /** The CoAPS listener {@code name} (its configuration PID) from the status page (JSON). */
    public Listener listener(String name) throws IOException {
        String page = get("/system/console/status-m2mgw.json");
        jakarta.json.JsonObject all;
        try (jakarta.json.JsonReader r = jakarta.json.Json.createReader(new java.io.StringReader(page))) {
            all = r.readObject();
        } catch (RuntimeException e) {
            throw new IOException("the status page is not JSON: " + page.substring(0, Math.min(200, page.length())), e);
        }
        jakarta.json.JsonObject l = all.getJsonObject(name);
        if (l == null) {
            throw new IOException("no " + name + " on the status page; it shows " + all.keySet());
        }
        Map<String, Long> counters = new LinkedHashMap<>();
        l.getJsonObject("counters").forEach((k, v) -> counters.put(k, ((jakarta.json.JsonNumber) v).longValue()));
        return new Listener(l.getString("status"), counters);
    }

    private HttpURLConnection open(String path) throws IOException {
        if (password == null) {
            password = Files.readString(dataDir.resolve("console/admin-password")).strip();
        }
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + consolePort + path).toURL()
                .openConnection();
        c.setInstanceFollowRedirects(false);
        c.setConnectTimeout(5000);
        c.setReadTimeout(120_000);
        c.setRequestProperty("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                ("admin:" + password).getBytes(StandardCharsets.UTF_8)));
        return c;
    }

    private void post(String path, String form) throws IOException {
        HttpURLConnection c = open(path);
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
        c.getOutputStream().write(form.getBytes(StandardCharsets.UTF_8));
        int status = c.getResponseCode();
        c.disconnect();
        if (status >= 400) {
            throw new IOException("console answered " + status + " to POST " + path);
        }
    }

    /** Heap in use after a full GC, in bytes (jcmd GC.run, then GC.heap_info). */
    public long liveHeapBytes() throws IOException, InterruptedException {
        jcmd("GC.run");
        Thread.sleep(500);
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new IOException("unexpected GC.heap_info output: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    /**
     * Starts a Java Flight Recorder recording in the process: the JDK's profile settings, with
     * Java methods sampled every millisecond instead of every 10 (a few seconds of load give
     * thousands of samples rather than a hundred).
     */
    public void jfrStart(String name) throws IOException, InterruptedException {
        jfrStart(name, true);
    }

    /**
     * @param fine sample Java methods every millisecond (for an uncounted run: it slows the
     *        process down two to three times), or else every 10 ms as the JDK's profile settings do
     *        (a few percent; for a measured phase)
     */
    public void jfrStart(String name, boolean fine) throws IOException, InterruptedException {
        if (!fine) {
            jcmd("JFR.start", "name=" + name, "settings=profile");
            return;
        }
        Path settings = Path.of(System.getProperty("java.io.tmpdir"), "m2mgw-bench-profile-1ms.jfc");
        if (!Files.exists(settings)) {
            String profile = Files.readString(Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc"));
            Files.writeString(settings, profile.replace(
                    "<setting name=\"period\" control=\"method-sampling-java-interval\">10 ms</setting>",
                    "<setting name=\"period\" control=\"method-sampling-java-interval\">1 ms</setting>"));
        }
        jcmd("JFR.start", "name=" + name, "settings=" + settings);
    }

    /** Stops the recording into {@code file}. */
    public void jfrStop(String name, Path file) throws IOException, InterruptedException {
        jcmd("JFR.stop", "name=" + name, "filename=" + file);
    }

    /**
     * The methods most often on top of the stack in a recording's execution samples, with their
     * share of all samples: where the CPU time goes.
     */
    public static String hotMethods(Path jfr, int n) throws IOException, InterruptedException {
        return samples(jfr, 1, stack -> stack.get(0), n);
    }

    /**
     * The gateway's own share of a recording: for each execution sample, the topmost frame in a
     * {@code org.m2mgw} class (the gateway code that is running, or that called the library code
     * on top of the stack), with its share of all samples. Samples without such a frame are
     * counted as Californium, JDK or other library time on their own.
     */
    public static String ownFrames(Path jfr, int n) throws IOException, InterruptedException {
        return samples(jfr, 64, stack -> stack.stream().filter(f -> f.startsWith("org.m2mgw.")).findFirst()
                .orElse("(no gateway frame: library or JDK code alone)"), n);
    }

    /**
     * Reads a recording's execution samples (each stack top first, at most {@code depth} frames),
     * names each with {@code pick}, and lists the {@code n} most frequent names with their shares.
     */
    private static String samples(Path jfr, int depth, java.util.function.Function<List<String>, String> pick, int n)
            throws IOException, InterruptedException {
        Path tool = Path.of(System.getProperty("java.home"), "bin", "jfr");
        Process p = new ProcessBuilder(tool.toString(), "print", "--events", "jdk.ExecutionSample", "--stack-depth",
                Integer.toString(depth), jfr.toString()).redirectErrorStream(true).start();
        Map<String, Integer> counts = new java.util.HashMap<>();
        int total = 0;
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            List<String> stack = null;
            while ((line = r.readLine()) != null) {
                String t = line.strip();
                if (t.contains("stackTrace = [")) {
                    stack = new ArrayList<>();
                } else if (stack != null && t.startsWith("]")) {
                    if (!stack.isEmpty()) {
                        counts.merge(pick.apply(stack), 1, Integer::sum);
                        total++;
                    }
                    stack = null;
                } else if (stack != null && !t.isEmpty() && !t.equals("...")) {
                    stack.add(t.replaceAll("\\s+line:.*$", ""));
                }
            }
        }
        p.waitFor(60, TimeUnit.SECONDS);
        int all = Math.max(1, total);
        StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "%d samples%n", total));
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(n)
                .forEach(e -> sb.append(String.format(java.util.Locale.ROOT, "%5.1f%%  %s%n", 100.0 * e.getValue() / all,
                        e.getKey())));
        return sb.toString();
    }

    /** A thread dump of the process (jcmd Thread.print). */
    public String threadDump() throws IOException, InterruptedException {
        return jcmd("Thread.print");
    }

    /** The first {@code lines} lines of a class histogram of live objects. */
    public String histogram(int lines) throws IOException, InterruptedException {
        String h = jcmd("GC.class_histogram");
        return String.join("\n", h.lines().limit(lines + 3).toList()) + "\n";
    }

    private String jcmd(String... command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> cmd = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid())));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    /** Waits until a file exists (the console password appears once the console is up). */
    public void awaitFile(Path file, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new IllegalStateException(file + " did not appear within " + timeoutMs + " ms");
            }
            Thread.sleep(100);
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
