package org.m2mgw.cloud.internal.queue;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One append-only segment file, {@code <first sequence>.seg}, and its acknowledgement file,
 * {@code <first sequence>.acks}.
 *
 * <p>Only the queue's writer thread appends, truncates, closes and deletes. Any thread may
 * {@link #read} an entry that is still in the queue: a segment is deleted only once it holds none.
 */
final class Segment {
    static final String DATA_SUFFIX = ".seg";
    static final String ACK_SUFFIX = ".acks";
    private static final Pattern NAME = Pattern.compile("(\\d{20})(\\.seg|\\.acks)");

    final long firstSequence;
    final Path dataFile;
    final Path ackFile;
    private final FileChannel data;
    private FileChannel acks;
    /** Where the next frame goes; writer thread only. */
    long end;
    long ackEnd;
    boolean acksUnsynced;
    /** Entries still in the queue; guarded by the queue's index lock. */
    int live;
    /** Set, under the index lock, once the writer has decided to delete this segment. */
    boolean deleted;

    private Segment(Path dir, long firstSequence, FileChannel data) {
        this.firstSequence = firstSequence;
        this.dataFile = dataPath(dir, firstSequence);
        this.ackFile = dir.resolve(baseName(firstSequence) + ACK_SUFFIX);
        this.data = data;
    }

    static String baseName(long firstSequence) {
        return String.format("%020d", firstSequence);
    }

    static Path dataPath(Path dir, long firstSequence) {
        return dir.resolve(baseName(firstSequence) + DATA_SUFFIX);
    }

    /** @return the first sequence named by a segment or acknowledgement file, or -1 */
    static long sequenceOf(String fileName, String suffix) {
        Matcher m = NAME.matcher(fileName);
        return m.matches() && m.group(2).equals(suffix) ? Long.parseLong(m.group(1)) : -1;
    }

    /** Creates a new, empty segment; the caller makes the directory entry durable. */
    static Segment create(Path dir, long firstSequence) throws IOException {
        return new Segment(dir, firstSequence, FileChannel.open(dataPath(dir, firstSequence), CREATE_NEW, READ, WRITE));
    }

    /** Opens an existing segment, and its acknowledgement file if there is one. */
    static Segment open(Path dir, long firstSequence) throws IOException {
        Segment s = new Segment(dir, firstSequence, FileChannel.open(dataPath(dir, firstSequence), READ, WRITE));
        s.end = s.data.size();
        if (Files.exists(s.ackFile)) {
            s.acks = FileChannel.open(s.ackFile, READ, WRITE);
            s.ackEnd = s.acks.size();
        }
        return s;
    }

    void write(ByteBuffer frames) throws IOException {
        while (frames.hasRemaining()) {
            end += data.write(frames, end);
        }
    }

    /** fdatasync: enough for appends, as the new file length is needed to read the data back. */
    void force() throws IOException {
        data.force(false);
    }

    void read(ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            if (data.read(into, position + into.position()) < 0) {
                throw new EOFException(dataFile + " ends before offset " + (position + into.limit()));
            }
        }
    }

    /** Cuts the data file at {@code size}, durably, before anything is appended after it. */
    void truncateData(long size) throws IOException {
        data.truncate(size);
        data.force(true);
        end = size;
    }

    void truncateAcks(long size) throws IOException {
        acks.truncate(size);
        acks.force(true);
        ackEnd = size;
    }

    /** @return whether the acknowledgement file was created, so the directory needs a sync */
    boolean appendAcks(ByteBuffer frame) throws IOException {
        boolean created = false;
        if (acks == null) {
            acks = FileChannel.open(ackFile, CREATE, READ, WRITE);
            ackEnd = acks.size();
            created = true;
        }
        while (frame.hasRemaining()) {
            ackEnd += acks.write(frame, ackEnd);
        }
        acksUnsynced = true;
        return created;
    }

    void syncAcks() throws IOException {
        if (acksUnsynced) {
            acks.force(false);
            acksUnsynced = false;
        }
    }

    void close() {
        closeQuietly(data);
        closeQuietly(acks);
    }

    /** Deletes the data file first: an acknowledgement file left alone is removed at the next open. */
    void delete() throws IOException {
        close();
        Files.deleteIfExists(dataFile);
        Files.deleteIfExists(ackFile);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to do with it
            }
        }
    }

    @Override
    public String toString() {
        return dataFile.getFileName().toString();
    }
}
