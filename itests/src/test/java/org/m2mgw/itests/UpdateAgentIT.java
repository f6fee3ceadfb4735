package org.m2mgw.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.options.FrameworkPropertyOption;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

/**
 * The update agent with OSGi Deployment Admin on Felix and on Equinox: a signed, newer
 * anomaly-feature package replaces the distro's anomaly bundle and is committed; a tampered one is
 * refused before Deployment Admin sees it; uninstalling brings the distro's bundle back. The keys
 * and packages are made outside the framework, and the trust store is provisioned in this test's
 * own data directory before the framework starts.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class UpdateAgentIT extends GatewayTestSupport {
    private static final String ANOMALY = "org.m2mgw.anomaly-detector";
    private static final String COMMANDS = "org.m2mgw.update.internal.UpdateCommands";

    @Inject
    BundleContext context;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws IOException {
        Path target = Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath();
        Path work = target.resolve("update-agent-" + framework()).resolve(Long.toString(System.nanoTime()));
        Path data = work.resolve("data");
        Path keys = work.resolve("keys");
        try {
            org.m2mgw.crypto.sign.SignTool.run("keygen", keys.toString());
            org.m2mgw.crypto.sign.SignTool.run("provision", keys.toString(), data.toString());
            byte[] original;
            Path features = Paths.get("../features/anomaly-feature/target").toAbsolutePath().normalize();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(features, "anomaly-feature_*.dp")) {
                original = Files.readAllBytes(s.iterator().next());
            }
            Path good = Files.write(work.resolve("anomaly-feature_0.2.0.dp"),
                    org.m2mgw.update.internal.tool.PackageRewrite.withVersion(original, "0.2.0"));
            org.m2mgw.crypto.sign.SignTool.run("sign", keys.toString(), "package", good.toString());
            byte[] v3 = org.m2mgw.update.internal.tool.PackageRewrite.withVersion(original, "0.3.0");
            Path bad = Files.write(work.resolve("anomaly-feature_0.3.0.dp"), v3);
            org.m2mgw.crypto.sign.SignTool.run("sign", keys.toString(), "package", bad.toString());
            v3[v3.length / 2] ^= 1;
            Files.write(bad, v3);
        } catch (Exception e) {
            throw new IOException("cannot prepare the signed packages: " + e, e);
        }
        Option[] options = Arrays.stream(super.config())
                .filter(o -> !(o instanceof FrameworkPropertyOption p && p.getKey().equals("m2mgw.data.dir")))
                .toArray(Option[]::new);
        Option[] mine = {frameworkProperty("m2mgw.data.dir").value(data.toString()),
            systemProperty("m2mgw.test.update.dir").value(work.toString())};
        Option[] all = Arrays.copyOf(options, options.length + mine.length);
        System.arraycopy(mine, 0, all, options.length, mine.length);
        return all;
    }

    @Test
    public void givenSignedPackage_whenInstalledThroughTheAgent_thenDeploymentAdminRunsItAndUninstallRestores()
            throws Exception {
        Path work = Path.of(System.getProperty("m2mgw.test.update.dir"));
        awaitActive(ANOMALY, false);

        String tampered = command("updateinstall", work.resolve("anomaly-feature_0.3.0.dp").toString());
        assertTrue(tampered, tampered.startsWith("refused: signature refused"));
        assertTrue("the distro's bundle still runs", awaitActive(ANOMALY, false).getLocation().startsWith("file:"));

        String installed = command("updateinstall", work.resolve("anomaly-feature_0.2.0.dp").toString());
        assertTrue(installed, installed.startsWith("installed and committed anomaly-feature 0.2.0"));
        Bundle fromPackage = awaitActive(ANOMALY, true);
        assertEquals("osgi-dp:" + ANOMALY, fromPackage.getLocation());
        assertTrue(command("packages"), command("packages").contains("anomaly-feature 0.2.0 committed"));

        String removed = command("updateuninstall", "anomaly-feature");
        assertTrue(removed, removed.startsWith("uninstalled anomaly-feature"));
        assertTrue("the distro's bundle is back", awaitActive(ANOMALY, false).getLocation().startsWith("file:"));
        assertTrue(command("updates"), command("updates").contains("UNINSTALLED"));
    }

    /** Calls one of the agent's shell commands through its service, as Gogo would. */
    private String command(String name, String... args) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        ServiceReference<?> ref;
        while ((ref = context.getServiceReference(COMMANDS)) == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue("update commands registered", ref != null);
        Object service = context.getService(ref);
        try {
            Class<?>[] types = new Class<?>[args.length];
            Arrays.fill(types, String.class);
            Method m = service.getClass().getMethod(name, types);
            return String.valueOf(m.invoke(service, (Object[]) args));
        } finally {
            context.ungetService(ref);
        }
    }

    private Bundle awaitActive(String bsn, boolean fromPackage) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (Bundle b : context.getBundles()) {
                if (bsn.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE
                        && b.getLocation().startsWith("osgi-dp:") == fromPackage) {
                    return b;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(bsn + " is not active" + (fromPackage ? " from the package" : " from the distro"));
    }
}
