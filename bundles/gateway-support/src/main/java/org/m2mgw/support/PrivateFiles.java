package org.m2mgw.support;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes files that hold secrets or state that must survive a power cut: readable by the
 * gateway's user only (0600 from the moment they exist), the file fsynced, replaced atomically so
 * that a reader sees the old content or the new, never a part, and the directory fsynced so the
 * rename itself survives a power cut.
 */
public final class PrivateFiles {
    /** Owner read and write, nothing else (0600). */
    public static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /** Writes the content of a file. */
    @FunctionalInterface
    public interface Content {
        /**
         * @param out the stream to write to; closing it is allowed
         * @throws IOException if writing fails
         */
        void writeTo(OutputStream out) throws IOException;
    }

    private PrivateFiles() {
    }

    /** Replaces {@code file} with {@code data}; on failure the old file is unchanged. */
    public static void write(Path file, byte[] data) throws IOException {
        write(file, out -> out.write(data));
    }

    /** Replaces {@code file} with what {@code content} writes; on failure the old file is unchanged. */
    public static void write(Path file, Content content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (POSIX) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_RW));
        } else {
            Files.createFile(tmp);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            OutputStream raw = Channels.newOutputStream(ch);
            // The content may close its stream; the channel must stay open for the fsync.
            OutputStream shielded = new FilterOutputStream(raw) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
            content.writeTo(shielded);
            shielded.flush();
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(file.toAbsolutePath().getParent());
    }

    /** Makes a rename or creation in {@code dir} durable (a no-op where directories cannot be opened). */
    public static void syncDirectory(Path dir) throws IOException {
        if (dir == null || !POSIX) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Narrows an existing file to 0600 if it is wider; a no-op off POSIX. */
    public static void restrictToOwner(Path file) throws IOException {
        if (POSIX && !Files.getPosixFilePermissions(file).equals(OWNER_RW)) {
            Files.setPosixFilePermissions(file, OWNER_RW);
        }
    }
}
