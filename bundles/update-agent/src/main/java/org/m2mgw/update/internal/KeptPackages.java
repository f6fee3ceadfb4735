package org.m2mgw.update.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.m2mgw.support.PrivateFiles;
import org.osgi.framework.Version;

/**
 * Copies the agent keeps so that it can always go back: each verified package it installs (the
 * current and the previous version of each package), and the distro's own ("factory") bundles that
 * a package replaced, with their original locations.
 */
final class KeptPackages {
    private final Path packages;
    private final Path factory;

    KeptPackages(Path root) throws IOException {
        this.packages = Files.createDirectories(root.resolve("packages"));
        this.factory = Files.createDirectories(root.resolve("factory"));
    }

    /** Keeps a verified package and its signature document; durable on return. */
    Path keep(String name, Version version, Path dp, byte[] signature) throws IOException {
        Path dir = Files.createDirectories(packages.resolve(safe(name)));
        Path target = dir.resolve(version + ".dp");
        if (!dp.equals(target)) {
            PrivateFiles.write(target, out -> Files.copy(dp, out));
        }
        if (signature != null) {
            PrivateFiles.write(dir.resolve(version + ".dp.sig"), signature);
        }
        return target;
    }

    Optional<Path> kept(String name, Version version) {
        Path p = packages.resolve(safe(name)).resolve(version + ".dp");
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /** Deletes kept versions of a package other than those named. */
    void prune(String name, Set<Version> keep) throws IOException {
        Path dir = packages.resolve(safe(name));
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.dp")) {
            for (Path p : s) {
                String v = p.getFileName().toString().replaceFirst("\\.dp$", "");
                if (keep.stream().noneMatch(k -> k.toString().equals(v))) {
                    Files.deleteIfExists(p);
                    Files.deleteIfExists(p.resolveSibling(p.getFileName() + ".sig"));
                }
            }
        }
    }

    /** Keeps a copy of a factory bundle, once: the first copy is the factory's. */
    void keepFactory(String bsn, String location, InputStream content) throws IOException {
        Path jar = factory.resolve(safe(bsn) + ".jar");
        if (Files.exists(jar)) {
            return;
        }
        PrivateFiles.write(factory.resolve(safe(bsn) + ".location"), location.getBytes(StandardCharsets.UTF_8));
        PrivateFiles.write(jar, out -> content.transferTo(out));
    }

    /** @return the kept factory bundle and its original location */
    Optional<FactoryBundle> factory(String bsn) throws IOException {
        Path jar = factory.resolve(safe(bsn) + ".jar");
        Path loc = factory.resolve(safe(bsn) + ".location");
        if (!Files.exists(jar) || !Files.exists(loc)) {
            return Optional.empty();
        }
        return Optional.of(new FactoryBundle(bsn, Files.readString(loc, StandardCharsets.UTF_8), jar));
    }

    /** A kept factory bundle. */
    record FactoryBundle(String symbolicName, String location, Path jar) {
    }

    private static String safe(String name) {
        if (!name.matches("[A-Za-z0-9._-]{1,200}") || name.startsWith(".")) {
            throw new IllegalArgumentException("unusable package or bundle name '" + name + "'");
        }
        return name;
    }
}
