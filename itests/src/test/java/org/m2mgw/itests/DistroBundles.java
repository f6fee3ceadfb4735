package org.m2mgw.itests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

/**
 * The distro's run set, read from the exported executable jar (its {@code jar/} entries and the
 * start levels in {@code launcher.properties}), so that the integration tests boot exactly the
 * bundles the product ships.
 */
public final class DistroBundles {

    /** One bundle of the run set. */
    public static final class Entry {
        public final Path file;
        public final String symbolicName;
        public final int startLevel;
        public final boolean fragment;

        Entry(Path file, String symbolicName, int startLevel, boolean fragment) {
            this.file = file;
            this.symbolicName = symbolicName;
            this.startLevel = startLevel;
            this.fragment = fragment;
        }
    }

    private DistroBundles() {
    }

    public static Path distroJar() {
        String jar = System.getProperty("m2mgw.distro.jar", "../distro/target/m2mgw.jar");
        Path p = Paths.get(jar).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("distro jar not found: " + p + " (build the distro module first)");
        }
        return p;
    }

    /**
     * Extracts the run set into {@code dir} (once per JVM) and returns it in launch order.
     */
    public static synchronized List<Entry> extract(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Entry> out = new ArrayList<>();
        try (JarFile jar = new JarFile(distroJar().toFile())) {
            Properties launch = new Properties();
            try (InputStream in = jar.getInputStream(jar.getEntry("launcher.properties"))) {
                launch.load(in);
            }
            Map<String, Integer> levels = startLevels(launch.getProperty("launch.runbundles.attrs", ""));
            for (String path : launch.getProperty("launch.bundles").split(",")) {
                path = path.trim();
                if (path.isEmpty()) {
                    continue;
                }
                ZipEntry e = jar.getEntry(path);
                Path target = dir.resolve(Paths.get(path).getFileName().toString());
                try (InputStream in = jar.getInputStream(e)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                String bsn;
                boolean fragment;
                try (JarFile b = new JarFile(target.toFile())) {
                    Manifest m = b.getManifest();
                    bsn = m.getMainAttributes().getValue("Bundle-SymbolicName").split(";")[0].trim();
                    fragment = m.getMainAttributes().getValue("Fragment-Host") != null;
                }
                out.add(new Entry(target, bsn, levels.getOrDefault(bsn, 2), fragment));
            }
        }
        return out;
    }

    /** Parses {@code bsn;version="x";startlevel=n,...} as written by bnd. */
    static Map<String, Integer> startLevels(String attrs) {
        Map<String, Integer> out = new HashMap<>();
        for (String clause : attrs.split(",")) {
            String[] parts = clause.split(";");
            String bsn = parts[0].trim();
            for (String p : parts) {
                p = p.trim();
                if (p.startsWith("startlevel=")) {
                    out.put(bsn, Integer.parseInt(p.substring("startlevel=".length()).replace("\"", "")));
                }
            }
        }
        return out;
    }
}
