package org.m2mgw.support.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Set;

/**
 * The console's admin password, kept in a file that only the gateway's user can read (0600).
 * The file is generated with a random password at first start. An operator may write a new
 * password into it; it is picked up on the next login attempt.
 *
 * <p>Only a digest of the password is held in memory; comparisons are constant-time.
 */
public final class AdminPasswordFile {
    public static final String FILE_NAME = "admin-password";
    static final int GENERATED_LENGTH = 24;
    /** No look-alike characters (0/O, 1/l/I), so the password can be read off a screen. */
    private static final char[] ALPHABET =
            "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path file;
    private final boolean created;
    private volatile byte[] digest;
    private volatile FileTime loadedModified;

    private AdminPasswordFile(Path file, boolean created) {
        this.file = file;
        this.created = created;
    }

    /**
     * Opens the password file in {@code dir}, generating it if it does not exist.
     *
     * @throws IOException if the file cannot be created or read
     */
    public static AdminPasswordFile openOrCreate(Path dir, SecureRandom random) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        boolean created = false;
        if (!Files.exists(file)) {
            writePrivate(file, generate(random));
            created = true;
        } else {
            tightenPermissions(file);
        }
        AdminPasswordFile f = new AdminPasswordFile(file, created);
        f.reload();
        return f;
    }

    static String generate(SecureRandom random) {
        char[] out = new char[GENERATED_LENGTH];
        for (int i = 0; i < out.length; i++) {
            out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    /** Writes through a 0600 temporary file and an atomic rename, so no reader sees a partial file. */
    private static void writePrivate(Path file, String password) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (POSIX) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_RW));
        } else {
            Files.createFile(tmp);
        }
        Files.write(tmp, (password + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** @return whether the file was not there and we fixed its permissions */
    static boolean tightenPermissions(Path file) throws IOException {
        if (!POSIX) {
            return false;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (!perms.equals(OWNER_RW)) {
            Files.setPosixFilePermissions(file, OWNER_RW);
            return true;
        }
        return false;
    }

    /** Re-reads the file if it changed since it was last read. */
    public void reloadIfChanged() throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        if (!modified.equals(loadedModified)) {
            reload();
        }
    }

    private void reload() throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        String content = Files.readString(file, StandardCharsets.UTF_8).strip();
        digest = content.isEmpty() ? null : sha256(content);
        loadedModified = modified;
    }

    /** @return whether the file holds a usable (non-empty) password */
    public boolean isUsable() {
        return digest != null;
    }

    /** @return whether {@code candidate} equals the stored password, in constant time */
    public boolean matches(String candidate) {
        byte[] expected = digest;
        if (expected == null || candidate == null) {
            return false;
        }
        return MessageDigest.isEqual(expected, sha256(candidate));
    }

    public Path path() {
        return file;
    }

    public boolean wasCreated() {
        return created;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
