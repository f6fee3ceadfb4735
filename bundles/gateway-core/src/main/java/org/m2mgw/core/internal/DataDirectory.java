package org.m2mgw.core.internal;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;

/** The gateway's data directory: validated once, created with owner-only permissions. */
final class DataDirectory {
    /** Framework property that names the data directory. */
    static final String PROPERTY = "m2mgw.data.dir";
    private static final Pattern SIMPLE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /** Set by Eclipse Kura to its data directory; used when {@value #PROPERTY} is not set. */
    static final String KURA_DATA = "kura.data";

    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rwx------");

    private final Path root;

    /**
     * @param properties framework property lookup
     * @return {@value #PROPERTY}, or a {@code m2mgw} directory below Kura's data directory when
     *     running on Kura, or {@code null} when neither is set
     */
    static String configuredPath(java.util.function.UnaryOperator<String> properties) {
        String value = properties.apply(PROPERTY);
        if (value != null && !value.isBlank()) {
            return value;
        }
        String kura = properties.apply(KURA_DATA);
        if (kura != null && !kura.isBlank()) {
            return Paths.get(kura.trim(), "m2mgw").toString();
        }
        return value;
    }

    private DataDirectory(Path root) {
        this.root = root;
    }

    /**
     * @param value the property value
     * @return the data directory, created if it did not exist
     * @throws IllegalStateException with a message naming {@value #PROPERTY} if the value is
     *     missing, not a path, or not a writable directory
     */
    static DataDirectory fromProperty(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(PROPERTY + " is not set: start the gateway with "
                    + "-D" + PROPERTY + "=<directory>");
        }
        Path path;
        try {
            path = Paths.get(value.trim()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalStateException(PROPERTY + "='" + value + "' is not a valid path: "
                    + e.getReason());
        }
        try {
            createPrivateDirectories(path);
        } catch (IOException e) {
            throw new IllegalStateException(PROPERTY + "='" + value + "' cannot be created: "
                    + e.getClass().getSimpleName() + " " + e.getMessage());
        }
        if (!Files.isDirectory(path)) {
            throw new IllegalStateException(PROPERTY + "='" + value + "' is not a directory");
        }
        if (!Files.isWritable(path)) {
            throw new IllegalStateException(PROPERTY + "='" + value + "' is not writable");
        }
        return new DataDirectory(path);
    }

    Path root() {
        return root;
    }

    Path sub(String name) throws IOException {
        if (name == null || !SIMPLE_NAME.matcher(name).matches() || name.startsWith(".")) {
            throw new IllegalArgumentException("not a simple directory name: " + name);
        }
        Path dir = root.resolve(name);
        createPrivateDirectories(dir);
        return dir;
    }

    static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            if (POSIX && !Files.getPosixFilePermissions(dir).equals(OWNER_ONLY)) {
                // The framework may have created it first, with the default umask.
                Files.setPosixFilePermissions(dir, OWNER_ONLY);
            }
            return;
        }
        Files.createDirectories(dir);
        if (POSIX) {
            Files.setPosixFilePermissions(dir, OWNER_ONLY);
        }
    }
}
