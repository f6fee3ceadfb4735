package org.m2mgw.transport.coaps.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.elements.util.EncryptedPersistentComponentUtil;

/**
 * Saves a listener's DTLS connections (keys, sequence numbers, CIDs) when it stops and restores
 * them when it starts again, encrypted under a gateway key in a 0600 file, so that a bundle update
 * or restart costs devices no new handshake (architecture invariant 2). A saved state is used
 * once: it is deleted after loading, so stale keys never come back.
 */
final class SessionState {
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path file;
    private final SecretKey key;

    private SessionState(Path file, SecretKey key) {
        this.file = file;
        this.key = key;
    }

    static SessionState in(Path dir, String listenerName) throws IOException {
        String safe = listenerName.replaceAll("[^A-Za-z0-9._-]", "_");
        return new SessionState(dir.resolve(safe + ".sessions"), loadOrCreateKey(dir.resolve("session-state.key")));
    }

    private static SecretKey loadOrCreateKey(Path keyFile) throws IOException {
        if (!Files.exists(keyFile)) {
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            writePrivate(keyFile, out -> out.write(k));
        }
        return new SecretKeySpec(Files.readAllBytes(keyFile), "PW");
    }

    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static void writePrivate(Path file, Writer writer) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (POSIX) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            OutputStream raw = java.nio.channels.Channels.newOutputStream(ch);
            // The writer may close its stream; keep the channel open for the fsync below.
            OutputStream shielded = new java.io.FilterOutputStream(raw) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
            writer.write(shielded);
            shielded.flush();
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Restores saved connections into a server that is built but not started.
     *
     * @return the number of restored connections, 0 when nothing was saved
     * @throws IOException if the saved state cannot be read; it is deleted anyway
     */
    int restore(CoapServer server) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            EncryptedPersistentComponentUtil util = new EncryptedPersistentComponentUtil();
            util.addProvider(server);
            return util.loadComponents(in, key);
        } catch (RuntimeException e) {
            throw new IOException("saved sessions in " + file + " are unreadable: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Saves the connections of a stopped server. */
    void save(CoapServer server, long maxQuietSeconds) throws IOException {
        EncryptedPersistentComponentUtil util = new EncryptedPersistentComponentUtil();
        util.addProvider(server);
        writePrivate(file, out -> util.saveComponents(out, key, maxQuietSeconds));
    }

    Path file() {
        return file;
    }
}
