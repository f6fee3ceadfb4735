package org.m2mgw.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.inject.Inject;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Shared Pax Exam configuration: boots the distro's exact bundle set (see {@link DistroBundles})
 * on the framework found on the test class path: Felix in one failsafe execution, Equinox in the
 * other.
 */
public abstract class GatewayTestSupport {

    @Inject
    protected BundleContext context;

    protected static String framework() {
        return System.getProperty("m2mgw.framework", "felix");
    }

    @Configuration
    public Option[] config() throws IOException {
        Path target = Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath();
        Path work = target.resolve("paxexam-" + framework());
        List<Option> options = new ArrayList<>();
        options.add(workingDirectory(work.resolve("exam").toString()));
        options.add(cleanCaches());
        options.add(frameworkStartLevel(10));
        String repo = System.getProperty("m2mgw.local.repo",
                System.getProperty("user.home") + "/.m2/repository");
        options.add(systemProperty("org.ops4j.pax.url.mvn.localRepository").value(repo));
        options.add(systemProperty("org.ops4j.pax.url.mvn.repositories").value(""));
        options.add(systemProperty("org.ops4j.pax.url.mvn.useFallbackRepositories").value("false"));
        options.add(systemProperty("org.ops4j.pax.url.mvn.offline").value("true"));

        // The same framework properties as the distro, on free ports and a test data directory.
        options.add(frameworkProperty("m2mgw.data.dir").value(work.resolve("data").toString()));
        options.add(frameworkProperty("m2mgw.log.forward").value("true"));
        options.add(frameworkProperty("felix.webconsole.security.providers").value("m2mgw"));
        options.add(frameworkProperty("org.apache.felix.http.host").value("127.0.0.1"));
        options.add(frameworkProperty("org.osgi.service.http.port").value(Integer.toString(freePort())));
        options.add(frameworkProperty("gosh.args").value("--nointeractive"));
        options.add(frameworkProperty("ds.loglevel").value("warn"));

        for (DistroBundles.Entry e : DistroBundles.extract(target.resolve("distro-bundles"))) {
            if (e.fragment) {
                // Fragments (the SPI Fly framework extension) are attached, never started.
                options.add(bundle(e.file.toUri().toString()).noStart());
            } else {
                options.add(bundle(e.file.toUri().toString()).startLevel(e.startLevel));
            }
        }
        options.add(junitBundles());
        return options.toArray(new Option[0]);
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for a service, never sleeping a fixed time. */
    protected <T> T service(Class<T> type, long timeoutMs) throws InterruptedException {
        ServiceTracker<T, T> t = new ServiceTracker<>(context, type, null);
        t.open();
        try {
            T s = t.waitForService(timeoutMs);
            if (s == null) {
                throw new AssertionError("service " + type.getName() + " not available within " + timeoutMs + " ms");
            }
            return s;
        } finally {
            t.close();
        }
    }

    /** Polls until {@code actual} holds a value that satisfies the condition, else fails with it. */
    protected static <T> T awaitValue(String what, long timeoutMs, java.util.function.Supplier<T> actual,
            java.util.function.Predicate<T> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        T value = actual.get();
        while (!condition.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what
                        + "; last value: " + value);
            }
            Thread.sleep(50);
            value = actual.get();
        }
        return value;
    }

    /** Polls a condition until it holds or the timeout passes. */
    protected static void await(String what, long timeoutMs, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}
