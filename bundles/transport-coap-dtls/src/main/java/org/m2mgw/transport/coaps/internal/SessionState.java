package org.m2mgw.transport.coaps.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.elements.util.EncryptedPersistentComponentUtil;
import org.eclipse.californium.elements.util.PersistentComponentUtil;
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

    /** First bytes of a state file written by {@link #save}: format 2, AES-256-GCM over the whole file. */
    static final byte[] MAGIC = "M2MGWSS2".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    /**
     * Restores saved connections into a server that is built but not started.
     *
     * <p>The file is decrypted in one pass and then parsed. (Files of format 1, which Californium's
     * {@code EncryptedPersistentComponentUtil} wrote, are still read: its stream decryption makes
     * the JDK's AES-GCM grow and copy its output buffer for every 512 bytes read, which allocated
     * 63 GB and took 36 s for 30,200 sessions in the benchmark.)
     *
     * @return the number of restored connections, 0 when nothing was saved
     * @throws IOException if the saved state cannot be read; it is deleted anyway
     */
    int restore(CoapServer server) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] plain = null;
        try {
            byte[] all = Files.readAllBytes(file);
            if (!startsWithMagic(all)) {
                try (InputStream in = new java.io.ByteArrayInputStream(all)) {
                    EncryptedPersistentComponentUtil util = new EncryptedPersistentComponentUtil();
                    util.addProvider(server);
                    return util.loadComponents(in, key);
                }
            }
            plain = decrypt(all);
            PersistentComponentUtil util = new PersistentComponentUtil();
            util.addProvider(server);
            return util.loadComponents(new java.io.ByteArrayInputStream(plain));
        } catch (RuntimeException | GeneralSecurityException e) {
            throw new IOException("saved sessions in " + file + " are unreadable: " + e.getMessage(), e);
        } finally {
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
            Files.deleteIfExists(file);
        }
    }

    /** Saves the connections of a stopped server. */
    void save(CoapServer server, long maxQuietSeconds) throws IOException {
        PersistentComponentUtil util = new PersistentComponentUtil();
        util.addProvider(server);
        java.io.ByteArrayOutputStream plain = new java.io.ByteArrayOutputStream(1 << 16);
        util.saveComponents(plain, maxQuietSeconds);
        byte[] bytes = plain.toByteArray();
        try {
            byte[] sealed = encrypt(bytes);
            PrivateFiles.write(file, sealed);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt the saved sessions: " + e, e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static boolean startsWithMagic(byte[] all) {
        return all.length >= MAGIC.length + NONCE_BYTES && Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** The AES key of format 2: HMAC-SHA256 of a fixed label under the state key, not the state key itself. */
    private SecretKey aesKey() throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
        return new SecretKeySpec(mac.doFinal("m2mgw session state v2 aes-256-gcm".getBytes(
                java.nio.charset.StandardCharsets.US_ASCII)), "AES");
    }

    byte[] encrypt(byte[] plain) throws GeneralSecurityException {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, aesKey(), new GCMParameterSpec(TAG_BITS, nonce));
        c.updateAAD(MAGIC);
        byte[] out = new byte[MAGIC.length + NONCE_BYTES + c.getOutputSize(plain.length)];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        System.arraycopy(nonce, 0, out, MAGIC.length, NONCE_BYTES);
        c.doFinal(plain, 0, plain.length, out, MAGIC.length + NONCE_BYTES);
        return out;
    }

    byte[] decrypt(byte[] all) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, aesKey(), new GCMParameterSpec(TAG_BITS, all, MAGIC.length, NONCE_BYTES));
        c.updateAAD(MAGIC);
        int at = MAGIC.length + NONCE_BYTES;
        return c.doFinal(all, at, all.length - at);
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    Path file() {
        return file;
    }
}
