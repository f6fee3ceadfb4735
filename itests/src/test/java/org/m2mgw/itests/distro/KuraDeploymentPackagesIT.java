package org.m2mgw.itests.distro;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * The features' Kura deployment packages: well-formed, and free of the bundles that only the
 * standalone distro needs (on Kura, Kura provides its API and its own console and clouds).
 */
public class KuraDeploymentPackagesIT {
    private static final Set<String> DISTRO_ONLY = Set.of("org.m2mgw.kura-compat",
            "org.m2mgw.embedded-broker", "org.m2mgw.console-security", "org.m2mgw.operator-console",
            "org.m2mgw.gateway-config");

    private static List<Path> packages() throws IOException {
        Path features = Paths.get(System.getProperty("m2mgw.distro.jar")).getParent().getParent()
                .getParent().resolve("features");
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(features, 3)) {
            s.filter(p -> p.toString().endsWith(".dp") && p.getParent().getFileName().toString().equals("target"))
                    .forEach(out::add);
        }
        return out;
    }

    @Test
    public void everyFeatureHasAWellFormedPackageWithoutDistroOnlyBundles() throws Exception {
        List<Path> dps = packages();
        assertFalse("no .dp built under features/*/target", dps.isEmpty());
        for (Path dp : dps) {
            int bundles = 0;
            try (JarInputStream in = new JarInputStream(Files.newInputStream(dp))) {
                Manifest m = in.getManifest();
                assertNotNull(dp + " has a manifest", m);
                assertNotNull(m.getMainAttributes().getValue("DeploymentPackage-SymbolicName"));
                assertNotNull(m.getMainAttributes().getValue("DeploymentPackage-Version"));
                JarEntry e;
                while ((e = in.getNextJarEntry()) != null) {
                    if (!e.getName().endsWith(".jar")) {
                        continue;
                    }
                    Attributes section = m.getAttributes(e.getName());
                    assertNotNull("manifest section for " + e.getName(), section);
                    String bsn = section.getValue("Bundle-SymbolicName");
                    assertFalse(dp.getFileName() + " must not contain " + bsn, DISTRO_ONLY.contains(bsn));
                    checkKuraImport(dp, e.getName(), in);
                    bundles++;
                }
            }
            assertTrue(dp + " contains bundles", bundles > 0);
        }
    }

    /** A bundle that imports the Kura configuration API must accept Kura's version, 1.2.0. */
    private static void checkKuraImport(Path dp, String name, InputStream entry) throws IOException {
        JarInputStream bundle = new JarInputStream(entry);
        Manifest bm = bundle.getManifest();
        String imports = bm.getMainAttributes().getValue("Import-Package");
        if (imports == null || !imports.contains("org.eclipse.kura.configuration")) {
            return;
        }
        int i = imports.indexOf("org.eclipse.kura.configuration;version=\"");
        assertTrue(name + " imports the Kura package with a version range", i >= 0);
        String range = imports.substring(i + "org.eclipse.kura.configuration;version=\"".length());
        range = range.substring(0, range.indexOf('"'));
        assertEquals(dp.getFileName() + "/" + name, "[1.2,2)", range);
    }
}
