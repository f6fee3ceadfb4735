package org.m2mgw.update.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.m2mgw.support.PrivateFiles;
import org.osgi.framework.Version;

/**
 * What the agent has committed, per package: the version to run (re-applied at every start, since
 * the distro's framework storage is rebuilt from its jar) with the SHA-256 of its kept copy, and the
 * version floor, the highest version ever committed. The floor is written twice: in the data
 * directory and in a second directory ({@code floor.dir}) that a reinstall of the data directory
 * leaves alone; the higher of the two counts.
 */
final class PackageState {
    private final Path file;
    private final Path floorFile;
    private final Properties props = new Properties();

    PackageState(Path file, Path floorDir) throws IOException {
        this.file = file;
        this.floorFile = floorDir == null ? null : floorDir.resolve("version-floor.properties");
        Files.createDirectories(file.getParent());
        load(file, props);
        if (floorFile != null) {
            Files.createDirectories(floorDir);
        }
    }

    private static void load(Path f, Properties into) throws IOException {
        if (Files.exists(f)) {
            try (InputStream in = Files.newInputStream(f)) {
                into.load(in);
            }
        }
    }

    /** @return the committed version and hash of a package, if the agent installed one */
    synchronized Optional<Committed> committed(String name) {
        String v = props.getProperty("committed." + name);
        String h = props.getProperty("sha256." + name);
        return v == null ? Optional.empty() : Optional.of(new Committed(name, Version.parseVersion(v), h));
    }

    /** @return every committed package, by name */
    synchronized Map<String, Committed> allCommitted() {
        Map<String, Committed> out = new TreeMap<>();
        for (String k : props.stringPropertyNames()) {
            if (k.startsWith("committed.")) {
                String n = k.substring("committed.".length());
                committed(n).ifPresent(c -> out.put(n, c));
            }
        }
        return out;
    }

    /** @return the highest version ever committed, from either copy of the floor */
    synchronized Optional<Version> floor(String name) throws IOException {
        Version best = null;
        Properties mirror = new Properties();
        if (floorFile != null) {
            load(floorFile, mirror);
        }
        for (Properties p : new Properties[] {props, mirror}) {
            String v = p.getProperty("floor." + name);
            if (v != null) {
                Version parsed = Version.parseVersion(v);
                best = best == null || parsed.compareTo(best) > 0 ? parsed : best;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Records a committed version and raises the floor if it is higher; durable on return. */
    synchronized void commit(String name, Version version, String sha256) throws IOException {
        props.setProperty("committed." + name, version.toString());
        props.setProperty("sha256." + name, sha256);
        Optional<Version> floor = floor(name);
        if (floor.isEmpty() || version.compareTo(floor.get()) > 0) {
            props.setProperty("floor." + name, version.toString());
            if (floorFile != null) {
                Properties mirror = new Properties();
                load(floorFile, mirror);
                mirror.setProperty("floor." + name, version.toString());
                PrivateFiles.write(floorFile, bytes(mirror));
            }
        }
        save();
    }

    /** The package is gone: the factory bundles run again. The floor stays. */
    synchronized void uncommit(String name) throws IOException {
        props.remove("committed." + name);
        props.remove("sha256." + name);
        save();
    }

    private void save() throws IOException {
        PrivateFiles.write(file, bytes(props));
    }

    private static byte[] bytes(Properties p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.store(out, "m2mgw update agent: committed packages and version floors");
        return out.toByteArray();
    }

    /** A committed package. */
    record Committed(String name, Version version, String sha256) {
    }
}
