package org.m2mgw.cloud.internal;

import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.m2mgw.support.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small append-only file of checksummed records, for stores whose changes are few and must be
 * cheap to make durable: each change is one appended record and one {@code fdatasync}, instead of
 * a rewrite of the whole file. The owner replays the records at open and asks for a
 * {@linkplain #compact compaction} once most of the file is garbage.
 *
 * <p>Layout: {@code i32 magic, u8 version}, then records {@code i32 length, i32 crc32c(body), body}.
 * At open a torn last record (a power cut during an append) is cut off; any other damage sets the
 * whole file aside as {@code <name>.damaged-<millis>}, with one log line, and starts empty: the
 * owner's data is not worth stopping the cloud connection for.
 *
 * <p>The file is 0600 from the moment it exists. Not thread-safe: the owner serializes calls.
 */
final class AppendLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppendLog.class);
    private static final int HEADER = 5;
    private static final int MAX_RECORD = 64 << 20;

    private final Path file;
    private final int magic;
    private final byte version;
    private final String what;
    private FileChannel channel;
    private List<ByteBuffer> recovered = new ArrayList<>();
    private long size;
    private int records;

    private AppendLog(Path file, int magic, byte version, String what) {
        this.file = file;
        this.magic = magic;
        this.version = version;
        this.what = what;
    }

    /**
     * Opens or creates the log. What it holds is in {@link #recovered()} until the owner has
     * replayed it.
     *
     * @param what what the file holds, for the log, e.g. {@code command store}
     * @throws IOException if the file cannot be read, written or created
     */
    static AppendLog open(Path file, int magic, int version, String what) throws IOException {
        AppendLog log = new AppendLog(file, magic, (byte) version, what);
        if (Files.exists(file)) {
            log.load();
        } else {
            log.create(List.of());
        }
        return log;
    }

    private void load() throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all);
        if (all.length < HEADER || b.getInt() != magic || b.get() != version) {
            setAside("it does not start as a version " + version + " " + what + " file");
            return;
        }
        CRC32C crc = new CRC32C();
        long good = HEADER;
        while (b.remaining() > 0) {
            if (b.remaining() < 8) {
                break; // torn
            }
            int length = b.getInt();
            int sum = b.getInt();
            if (length < 1 || length > MAX_RECORD) {
                setAside("a record at offset " + good + " has an impossible length " + length);
                return;
            }
            if (length > b.remaining()) {
                break; // torn
            }
            ByteBuffer body = b.slice(b.position(), length);
            b.position(b.position() + length);
            crc.reset();
            crc.update(body.duplicate());
            if ((int) crc.getValue() != sum) {
                if (b.remaining() == 0) {
                    break; // the last record, written in part: torn
                }
                setAside("the record at offset " + good + " fails its checksum");
                return;
            }
            recovered.add(body);
            good = b.position();
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        PrivateFiles.restrictToOwner(file);
        if (good < all.length) {
            LOG.warn("{} {}: cut off a torn last record ({} bytes), as a power cut during a write leaves it",
                    what, file, all.length - good);
            channel.truncate(good);
            channel.force(true);
        }
        channel.position(good);
        size = good;
        records = recovered.size();
    }

    /** @return the record bodies read at open, in order; call {@link #replayed()} once applied */
    List<ByteBuffer> recovered() {
        return recovered;
    }

    /** Frees what {@link #recovered()} held. */
    void replayed() {
        recovered = List.of();
    }

    /**
     * For the owner that could not make sense of a recovered record: sets the file aside and
     * starts empty. The owner clears what it replayed.
     */
    void setAside(String why) throws IOException {
        close();
        Path aside = file.resolveSibling(file.getFileName() + ".damaged-" + System.currentTimeMillis());
        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        LOG.error("{} file {} is damaged ({}): set aside as {}, starting empty", what, file, why, aside.getFileName());
        recovered = List.of();
        create(List.of());
    }

    /** Appends a record; durable after the next {@link #sync()}. */
    void append(byte[] body) throws IOException {
        ByteBuffer b = frame(body);
        while (b.hasRemaining()) {
            channel.write(b);
        }
        size += 8 + body.length;
        records++;
    }

    void sync() throws IOException {
        channel.force(false);
    }

    /**
     * @param liveRecords how many records the owner still needs
     * @return whether more than half of the file's records are garbage, and it is worth rewriting
     */
    boolean garbageDominates(int liveRecords) {
        return records - liveRecords > liveRecords && size > 4096;
    }

    /** Replaces the file, atomically, by one that holds only {@code live}. */
    void compact(List<byte[]> live) throws IOException {
        close();
        create(live);
    }

    /**
     * Creates the log anew, atomically replacing any file there, holding {@code bodies}.
     *
     * @throws IOException if it cannot be written
     */
    static AppendLog create(Path file, int magic, int version, String what, List<byte[]> bodies) throws IOException {
        AppendLog log = new AppendLog(file, magic, (byte) version, what);
        log.create(bodies);
        return log;
    }

    private void create(List<byte[]> bodies) throws IOException {
        PrivateFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(HEADER).putInt(magic).put(version).array());
            for (byte[] body : bodies) {
                out.write(frame(body).array());
            }
        });
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        size = channel.size();
        channel.position(size);
        records = bodies.size();
    }

    private static ByteBuffer frame(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        return ByteBuffer.allocate(8 + body.length).putInt(body.length).putInt((int) crc.getValue()).put(body).flip();
    }

    Path file() {
        return file;
    }

    @Override
    public void close() {
        FileChannel c = channel;
        channel = null;
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing left to write
            }
        }
    }

    /** Writes a string as {@code u16 length, UTF-8}; longer strings are cut. */
    static void writeString(DataOutput out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(utf8.length, 0xffff);
        out.writeShort(n);
        out.write(utf8, 0, n);
    }

    static String string(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return s;
    }
}
