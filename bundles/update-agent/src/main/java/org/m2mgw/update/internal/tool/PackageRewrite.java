package org.m2mgw.update.internal.tool;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Rewrites deployment packages. As a build step ({@code main}): Deployment Admin installs and starts a package's bundles
 * in the order they appear in the package's stream, and the packaging plugin writes them in no
 * useful order. This rewrites each package so that library bundles (no {@code Service-Component},
 * no {@code Bundle-Activator}) come first: when an update replaces a feature, the JSON provider,
 * Bouncy Castle and Californium are started before the registry and the transport activate.
 * Run before signing: {@code PackageRewrite FILE.dp...}. For tests and benchmarks,
 * {@link #withVersion} makes a newer package of the same content.
 */
public final class PackageRewrite {
    private PackageRewrite() {
    }

    /** @return the package with another {@code DeploymentPackage-Version}, its entries unchanged */
    public static byte[] withVersion(byte[] dp, String version) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(dp), false)) {
            Manifest m = new Manifest(in.getManifest());
            m.getMainAttributes().putValue("DeploymentPackage-Version", version);
            try (JarOutputStream jar = new JarOutputStream(out, m)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    jar.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(jar);
                    jar.closeEntry();
                }
            }
        }
        return out.toByteArray();
    }

    public static void main(String[] args) throws IOException {
        for (String a : args) {
            System.out.println(reorder(Path.of(a)));
        }
    }

    /** @return what was done */
    static String reorder(Path dp) throws IOException {
        Manifest manifest;
        Map<String, byte[]> libraries = new LinkedHashMap<>();
        Map<String, byte[]> others = new LinkedHashMap<>();
        try (JarInputStream in = new JarInputStream(Files.newInputStream(dp), false)) {
            manifest = in.getManifest();
            if (manifest == null || manifest.getMainAttributes().getValue("DeploymentPackage-SymbolicName") == null) {
                throw new IOException(dp + " is not a deployment package");
            }
            for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                byte[] content = in.readAllBytes();
                (isLibrary(content) ? libraries : others).put(e.getName(), content);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out, manifest)) {
            for (Map<String, byte[]> group : List.of(libraries, others)) {
                for (Map.Entry<String, byte[]> e : group.entrySet()) {
                    jar.putNextEntry(new JarEntry(e.getKey()));
                    jar.write(e.getValue());
                    jar.closeEntry();
                }
            }
        }
        Files.write(dp, out.toByteArray());
        List<String> order = new ArrayList<>(libraries.keySet());
        order.addAll(others.keySet());
        return dp.getFileName() + ": " + String.join(", ", order);
    }

    private static boolean isLibrary(byte[] content) throws IOException {
        try (InputStream raw = new ByteArrayInputStream(content); JarInputStream bundle = new JarInputStream(raw)) {
            Manifest m = bundle.getManifest();
            return m != null && m.getMainAttributes().getValue("Bundle-SymbolicName") != null
                    && m.getMainAttributes().getValue("Service-Component") == null
                    && m.getMainAttributes().getValue("Bundle-Activator") == null;
        }
    }
}
