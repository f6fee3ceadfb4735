package org.m2mgw.itests.distro;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.m2mgw.itests.DistroBundles;

/** The exported distro jar, run as a separate JVM the way an operator runs it. */
final class DistroProcess implements AutoCloseable {
    final Path dataDir;
    final int consolePort;
    final Path log;
    private final Process process;
    private final long startedAt = System.nanoTime();

    private DistroProcess(Path dataDir, int consolePort, Path log, Process process) {
        this.dataDir = dataDir;
        this.consolePort = consolePort;
        this.log = log;
        this.process = process;
    }

    static DistroProcess start(Path dataDir, int consolePort, Path log, String... extraJvmArgs)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-Dm2mgw.data.dir=" + dataDir);
        cmd.add("-Dorg.osgi.framework.storage=" + dataDir.resolve("framework"));
        cmd.add("-Dfelix.cm.dir=" + dataDir.resolve("config"));
        cmd.add("-Dorg.osgi.service.http.port=" + consolePort);
        cmd.add("-Dgosh.args=--nointeractive");
        cmd.addAll(List.of(extraJvmArgs));
        cmd.add("-jar");
        cmd.add(DistroBundles.distroJar().toString());
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        return new DistroProcess(dataDir, consolePort, log, p);
    }

    String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the output matches, and returns the first group (or the whole match). */
    String awaitOutput(String regex, long timeoutMs) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            Matcher m = p.matcher(output());
            if (m.find()) {
                return m.groupCount() > 0 ? m.group(1) : m.group();
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("distro output did not match /" + regex + "/ within " + timeoutMs
                + " ms (alive=" + process.isAlive() + "). Output:\n" + output());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM and returns the milliseconds until the JVM exited, or -1 on timeout. */
    long terminate(long timeoutMs) throws InterruptedException {
        long t0 = System.nanoTime();
        process.destroy();
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            return -1;
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /** SIGKILL: the JVM dies at once, without shutdown hooks. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    int exitValue() {
        return process.exitValue();
    }

    /** @return the HTTP status of a GET on the console, with Basic credentials when given */
    int consoleStatus(String path, String user, String password) throws IOException {
        HttpURLConnection c = open(path, user, password);
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    /** @return the body of a GET on the console (an error if it does not answer 200) */
    String consoleGet(String path, String user, String password) throws IOException {
        HttpURLConnection c = open(path, user, password);
        try {
            if (c.getResponseCode() != 200) {
                throw new IOException("GET " + path + " answered " + c.getResponseCode());
            }
            return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    /** Posts a form to the console, as its configuration editor does. */
    int consolePost(String path, String user, String password, String form) throws IOException {
        HttpURLConnection c = open(path, user, password);
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
        c.getOutputStream().write(form.getBytes(StandardCharsets.UTF_8));
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    private HttpURLConnection open(String path, String user, String password) throws IOException {
        URL url = URI.create("http://127.0.0.1:" + consolePort + path).toURL();
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        c.setConnectTimeout(3000);
        // The console answers a saved form with a redirect; following it would drop the
        // credentials and report 401 for a request that succeeded.
        c.setInstanceFollowRedirects(false);
        c.setReadTimeout(10000);
        if (user != null) {
            String token = Base64.getEncoder().encodeToString(
                    (user + ":" + password).getBytes(StandardCharsets.UTF_8));
            c.setRequestProperty("Authorization", "Basic " + token);
        }
        return c;
    }

    long uptimeMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
