package org.m2mgw.api.runtime;

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
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes files that hold secrets or state that must survive a power cut: readable by the
 * gateway's user only (0600 from the moment they exist), fsynced, and replaced atomically so that
 * a reader sees the old content or the new, never a part.
 *
 * @since 0.1
 */
public final class PrivateFiles {
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

    /**
     * Replaces {@code file} with {@code data}.
     *
     * @param file the file
     * @param data its new content
     * @throws IOException if it cannot be written; the old file is then unchanged
     */
    public static void write(Path file, byte[] data) throws IOException {
        write(file, out -> out.write(data));
    }

    /**
     * Replaces {@code file} with what {@code content} writes.
     *
     * @param file the file
     * @param content writes the new content
     * @throws IOException if it cannot be written; the old file is then unchanged
     */
    public static void write(Path file, Content content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (POSIX) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
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
    }
}
