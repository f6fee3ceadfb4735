package org.m2mgw.oscore.internal.oscore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborReader;
import org.m2mgw.oscore.internal.cbor.CborWriter;
import org.m2mgw.support.PrivateFiles;

/**
 * A {@link ContextStore} with one small file per context in a directory the transport gives: CBOR,
 * followed by a digest of it so that a torn or altered file is refused rather than read wrong. Each
 * write replaces the file atomically and is fsynced, file and directory, before it returns; files
 * are 0600 and the directory 0700 when it is created here, since they hold Master Secrets. Nothing
 * is logged from here; file names carry only ids.
 *
 * <p>A file that cannot be read is reported by {@link #loadAll()} and left in place for an
 * operator: it is never reset silently, and its device gets "Security context not found" until
 * it runs EDHOC again.
 */
public final class FileContextStore implements ContextStore {
    /** File name suffix of context files. */
    public static final String SUFFIX = ".oscore";
    private static final String MAGIC = "m2mgw-oscore-context";
    private static final int VERSION = 1;
    private static final int DIGEST_LENGTH = 16;
    private static final int MAX_FILE_BYTES = 64 * 1024;
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path directory;

    /**
     * @param directory where the files are; created (0700) if missing
     * @throws IOException if it cannot be created
     */
    public FileContextStore(Path directory) throws IOException {
        this.directory = directory;
        if (!Files.isDirectory(directory)) {
            if (POSIX) {
                Files.createDirectories(directory,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(directory);
            }
        }
    }

    /** @return the directory of the files */
    public Path directory() {
        return directory;
    }

    /**
     * @param recipientId a context's Recipient ID
     * @param idContext its ID Context, or {@code null}
     * @return the file that holds it
     */
    public Path fileOf(byte[] recipientId, byte[] idContext) {
        String name = "r" + Hex.of(recipientId) + (idContext == null ? "" : "-c" + Hex.of(idContext));
        if (name.length() > 180) {
            name = "h" + Hex.of(sha256(name.getBytes(StandardCharsets.US_ASCII)));
        }
        return directory.resolve(name + SUFFIX);
    }

    @Override
    public synchronized void save(StoredContext state) throws IOException {
        OscoreParameters p = state.parameters();
        PrivateFiles.write(fileOf(p.recipientId(), p.idContext()), encode(state));
    }

    @Override
    public synchronized Loaded loadAll() throws IOException {
        List<StoredContext> contexts = new ArrayList<>();
        Map<Path, String> refused = new LinkedHashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    contexts.add(load(file));
                } catch (ContextStoreException e) {
                    refused.put(file, e.getMessage());
                }
            }
        }
        return new Loaded(contexts, refused);
    }

    /**
     * Reads one context file.
     *
     * @param file the file
     * @return its context
     * @throws ContextStoreException if it is unreadable, corrupt, or not where its ids say
     */
    public StoredContext load(Path file) throws ContextStoreException {
        byte[] data;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ContextStoreException(file, "larger than " + MAX_FILE_BYTES + " bytes");
            }
            PrivateFiles.restrictToOwner(file);
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            if (e instanceof ContextStoreException c) {
                throw c;
            }
            throw new ContextStoreException(file, "cannot be read: " + e.getMessage());
        }
        StoredContext s = decode(file, data);
        Path expected = fileOf(s.parameters().recipientId(), s.parameters().idContext());
        if (!expected.getFileName().equals(file.getFileName())) {
            throw new ContextStoreException(file, "holds the context of " + expected.getFileName());
        }
        return s;
    }

    @Override
    public synchronized void delete(byte[] recipientId, byte[] idContext) throws IOException {
        if (Files.deleteIfExists(fileOf(recipientId, idContext))) {
            PrivateFiles.syncDirectory(directory);
        }
    }

    static byte[] encode(StoredContext s) {
        OscoreParameters p = s.parameters();
        CborWriter w = new CborWriter().array(11).text(MAGIC).integer(VERSION).integer(p.algorithm())
                .bytes(p.masterSecret()).bytes(p.masterSalt());
        byte[] idc = p.idContext();
        if (idc == null) {
            w.nil();
        } else {
            w.bytes(idc);
        }
        w.bytes(p.senderId()).bytes(p.recipientId()).integer(p.replayWindowSize()).integer(s.sequenceNumber());
        ReplayWindow.State rw = s.replayWindow();
        if (rw == null) {
            w.nil();
        } else {
            w.array(2).integer(rw.highest()).bytes(rw.received());
        }
        byte[] body = w.toByteArray();
        return new CborWriter().raw(body).bytes(Arrays.copyOf(sha256(body), DIGEST_LENGTH)).toByteArray();
    }

    static StoredContext decode(Path file, byte[] data) throws ContextStoreException {
        try {
            CborReader r = new CborReader(data);
            int start = r.position();
            byte[] body;
            if (r.readArray() != 11) {
                throw new ContextStoreException(file, "not a context record of this version");
            }
            if (!MAGIC.equals(r.readText())) {
                throw new ContextStoreException(file, "not an OSCORE context file");
            }
            int version = r.readSmallInt();
            if (version != VERSION) {
                throw new ContextStoreException(file, "unsupported version " + version);
            }
            int alg = r.readSmallInt();
            byte[] secret = r.readBytes();
            byte[] salt = r.readBytes();
            byte[] idContext = r.readNullIf() ? null : r.readBytes();
            byte[] senderId = r.readBytes();
            byte[] recipientId = r.readBytes();
            int windowSize = r.readSmallInt();
            long ssn = r.readInt();
            ReplayWindow.State window = null;
            if (!r.readNullIf()) {
                if (r.readArray() != 2) {
                    throw new ContextStoreException(file, "malformed replay window");
                }
                long highest = r.readInt();
                byte[] bits = r.readBytes();
                window = new ReplayWindow.State(windowSize, highest, bits);
            }
            body = Arrays.copyOfRange(data, start, r.position());
            byte[] digest = r.readBytes();
            r.expectEnd();
            if (!MessageDigest.isEqual(digest, Arrays.copyOf(sha256(body), DIGEST_LENGTH))) {
                throw new ContextStoreException(file, "digest mismatch (corrupt or altered)");
            }
            OscoreParameters p = new OscoreParameters(secret, salt, idContext, senderId, recipientId, alg, windowSize);
            Arrays.fill(secret, (byte) 0);
            StoredContext s = new StoredContext(p, ssn, window);
            if (window != null) {
                ReplayWindow.restore(window);
            }
            return s;
        } catch (CborException e) {
            throw new ContextStoreException(file, "corrupt: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ContextStoreException(file, "invalid values: " + e.getMessage());
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "FileContextStore[" + directory + "]";
    }
}
