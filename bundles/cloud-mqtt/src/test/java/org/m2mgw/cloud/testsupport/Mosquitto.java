package org.m2mgw.cloud.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real mosquitto broker (Debian package mosquitto, installed by .ci/run) on a loopback port. */
public final class Mosquitto implements AutoCloseable {
    public final int port;
    private final Path dir;
    private final String extraConfig;
    private Process process;

    public Mosquitto(Path dir, String extraConfig) throws IOException {
        this.dir = dir;
        this.extraConfig = extraConfig;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    public static Mosquitto plain(Path dir) throws IOException {
        return new Mosquitto(dir, "");
    }

    public Mosquitto start() throws IOException, InterruptedException {
        Path conf = dir.resolve("mosquitto.conf");
        Files.createDirectories(dir.resolve("persist"));
        // Started as root (CI), mosquitto would switch to its own user, who cannot read the test's
        // private temporary files; started as anyone else, this line is ignored.
        String user = "root".equals(System.getProperty("user.name")) ? "user root\n" : "";
        String c = user + "listener " + port + " 127.0.0.1\n"
                + "allow_anonymous true\n"
                + "persistence true\n"
                + "persistence_location " + dir.resolve("persist") + "/\n"
                + "autosave_interval 1\n"
                + "autosave_on_changes true\n"
                + "max_queued_messages 100000\n"
                + extraConfig;
        Files.writeString(conf, c);
        String exe = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
        process = new ProcessBuilder(exe, "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return this;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
                }
                Thread.sleep(50);
            }
        }
        throw new IOException("mosquitto did not listen on " + port);
    }

    /** Stops the broker the hard way, as a crash or a cut cable would look to the gateway. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Makes mosquitto read its configuration again (SIGHUP), e.g. after an ACL file changed. */
    public void reload() throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            throw new IOException("mosquitto is not running");
        }
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -HUP " + process.pid() + " failed");
        }
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public String log() throws IOException {
        return Files.readString(dir.resolve("mosquitto.log"));
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
