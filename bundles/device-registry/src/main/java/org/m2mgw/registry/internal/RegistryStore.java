package org.m2mgw.registry.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's state at rest: {@value #STORE_FILE}, encrypted with AES-256-GCM under a random
 * gateway key kept in {@value #KEY_FILE} (mode 0600), both in the registry's data directory.
 *
 * <p>File format: the ASCII magic {@code M2MR}, a version byte (1), a 12-byte random nonce, then
 * the ciphertext and 128-bit tag of the UTF-8 JSON; magic and version are the additional
 * authenticated data. Every write goes to a 0600 temporary file in the same directory, is forced
 * to disk and then renamed atomically over the old file.
 *
 * <p>An unreadable key or store is reported as a {@link StoreException} naming the file and the
 * reason; this class never overwrites such a file (the caller goes read-only).
 */
final class RegistryStore {
    static final String STORE_FILE = "devices.enc";
    static final String KEY_FILE = "registry.key";
    static final byte[] MAGIC = {'M', '2', 'M', 'R'};
    static final byte VERSION = 1;
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;
    static final int KEY_BYTES = 32;
    private static final int HEADER_BYTES = MAGIC.length + 1;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    private static final Logger LOG = LoggerFactory.getLogger(RegistryStore.class);

    /** The key or the store cannot be used; the message names the file and the reason. */
    static final class StoreException extends Exception {
        private static final long serialVersionUID = 1L;

        StoreException(Path file, String reason) {
            super(file + ": " + reason, null, false, false);
        }
    }

    private final Path dir;
    private final Path storeFile;
    private final Path keyFile;
    private final SecureRandom random;
    private final boolean posix;
    private SecretKey key;

    RegistryStore(Path dir, SecureRandom random) {
        this.dir = dir;
        this.storeFile = dir.resolve(STORE_FILE);
        this.keyFile = dir.resolve(KEY_FILE);
        this.random = random;
        this.posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                && FileSystems.getDefault().equals(dir.getFileSystem());
    }

    Path storeFile() {
        return storeFile;
    }

    Path keyFile() {
        return keyFile;
    }

    /**
     * Loads the key (creating it on first use) and decrypts the store.
     *
     * @return the plaintext JSON, or null when there is no store yet
     * @throws StoreException if the key or the store cannot be read or decrypted
     */
    byte[] load() throws StoreException {
        boolean hasStore = Files.exists(storeFile);
        if (Files.exists(keyFile)) {
            key = readKey();
        } else if (hasStore) {
            throw new StoreException(keyFile, "the key file is missing, so " + STORE_FILE
                    + " cannot be decrypted (restore the key file from the backup taken with it)");
        } else {
            key = createKey();
        }
        if (!hasStore) {
            return null;
        }
        byte[] data;
        try {
            data = Files.readAllBytes(storeFile);
        } catch (IOException e) {
            throw new StoreException(storeFile, "cannot be read: " + describe(e));
        }
        return decrypt(data);
    }

    private SecretKey readKey() throws StoreException {
        byte[] bytes;
        try {
            tightenPermissions(keyFile);
            bytes = Files.readAllBytes(keyFile);
        } catch (IOException e) {
            throw new StoreException(keyFile, "cannot be read: " + describe(e));
        }
        try {
            if (bytes.length != KEY_BYTES) {
                throw new StoreException(keyFile, "holds " + bytes.length + " bytes, expected a "
                        + KEY_BYTES + "-byte AES key");
            }
            return new SecretKeySpec(bytes, "AES");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private SecretKey createKey() throws StoreException {
        byte[] bytes = new byte[KEY_BYTES];
        random.nextBytes(bytes);
        try {
            SecretKey created = new SecretKeySpec(bytes, "AES");
            writeAtomically(keyFile, ByteBuffer.wrap(bytes));
            LOG.info("Created the device registry key {} (mode 0600)", keyFile);
            return created;
        } catch (IOException e) {
            throw new StoreException(keyFile, "cannot be created: " + describe(e));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private byte[] decrypt(byte[] data) throws StoreException {
        if (data.length < HEADER_BYTES + NONCE_BYTES + TAG_BITS / 8) {
            throw new StoreException(storeFile, "is truncated (" + data.length + " bytes)");
        }
        if (!Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new StoreException(storeFile, "is not a device registry file (bad magic)");
        }
        if (data[MAGIC.length] != VERSION) {
            throw new StoreException(storeFile, "has unsupported format version " + data[MAGIC.length]);
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key,
                    new GCMParameterSpec(TAG_BITS, data, HEADER_BYTES, NONCE_BYTES));
            cipher.updateAAD(data, 0, HEADER_BYTES);
            int offset = HEADER_BYTES + NONCE_BYTES;
            return cipher.doFinal(data, offset, data.length - offset);
        } catch (AEADBadTagException e) {
            throw new StoreException(storeFile, "authentication failed: the file was modified, "
                    + "damaged or written with another key than " + keyFile.getFileName());
        } catch (GeneralSecurityException e) {
            throw new StoreException(storeFile, "cannot be decrypted: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Encrypts and writes the state, atomically. Only call after a successful {@link #load()}.
     *
     * @param plaintext the UTF-8 JSON; not modified
     */
    void save(byte[] plaintext) throws IOException {
        if (key == null) {
            throw new IllegalStateException("registry store not loaded");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        ByteBuffer out;
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] header = new byte[HEADER_BYTES];
            System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
            header[MAGIC.length] = VERSION;
            cipher.updateAAD(header);
            byte[] ciphertext = cipher.doFinal(plaintext);
            out = ByteBuffer.allocate(HEADER_BYTES + NONCE_BYTES + ciphertext.length);
            out.put(header).put(nonce).put(ciphertext).flip();
        } catch (GeneralSecurityException e) {
            throw new IOException("AES-GCM encryption failed: " + e.getClass().getSimpleName(), e);
        }
        writeAtomically(storeFile, out);
    }

    /** Writes a 0600 temporary file, forces it to disk and renames it over {@code target}. */
    private void writeAtomically(Path target, ByteBuffer content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            try (FileChannel ch = posix
                    ? FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            PosixFilePermissions.asFileAttribute(OWNER_RW))
                    : FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (content.hasRemaining()) {
                    ch.write(content);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        forceDirectory();
    }

    /** Makes the rename durable; not possible on every platform, so best effort. */
    private void forceDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            // Directories cannot be opened on some platforms.
        }
    }

    private void tightenPermissions(Path file) throws IOException {
        if (posix && !Files.getPosixFilePermissions(file).equals(OWNER_RW)) {
            Files.setPosixFilePermissions(file, OWNER_RW);
            LOG.warn("{} was readable by other users; its permissions are now rw-------", file);
        }
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }
}
