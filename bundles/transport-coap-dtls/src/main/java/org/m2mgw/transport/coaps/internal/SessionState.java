package org.m2mgw.transport.coaps.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.elements.util.EncryptedPersistentComponentUtil;
import org.m2mgw.support.PrivateFiles;

/**
 * Saves a listener's DTLS connections (keys, sequence numbers, CIDs) when it stops and restores
 * them when it starts again, encrypted under a gateway key in a 0600 file, so that a bundle update
 * or restart costs devices no new handshake (architecture invariant 2). A saved state is used
 * once: it is deleted after loading, so stale keys never come back.
 */
final class SessionState {
    private final Path file;
    private final SecretKey key;
    private final SessionBindings bindings;

    private SessionState(Path file, SecretKey key, Path bindingsFile) {
        this.file = file;
        this.key = key;
        this.bindings = new SessionBindings(bindingsFile, key);
    }

    static SessionState in(Path dir, String listenerName) throws IOException {
        String safe = listenerName.replaceAll("[^A-Za-z0-9._-]", "_");
        return new SessionState(dir.resolve(safe + ".sessions"), loadOrCreateKey(dir.resolve("session-state.key")),
                dir.resolve(safe + ".bindings"));
    }

    /** @return the credential digests saved with the sessions */
    SessionBindings bindings() {
        return bindings;
    }

    private static SecretKey loadOrCreateKey(Path keyFile) throws IOException {
        if (!Files.exists(keyFile)) {
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            PrivateFiles.write(keyFile, k);
        }
        return new SecretKeySpec(Files.readAllBytes(keyFile), "PW");
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
        PrivateFiles.write(file, out -> util.saveComponents(out, key, maxQuietSeconds));
    }

    Path file() {
        return file;
    }
}
