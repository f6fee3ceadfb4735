package org.m2mgw.cloud.internal.queue;

import org.m2mgw.support.PrivateFiles;


import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;
import org.m2mgw.cloud.internal.queue.QueueIndex.Entry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a {@link DurableQueue}, as its writer thread keeps them: the segments, the one
 * appended to, the next sequence, and the acknowledgement files with their pending fsync.
 * Appends batches of frames with one fdatasync, rolls to a new segment when one is full, writes
 * removals to the acknowledgement files, and deletes segments left empty.
 *
 * <p>Writer thread only (and the opening thread before the writer starts). Any thread may read
 * an entry through its {@link Segment}.
 */
final class SegmentFiles {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentFiles.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Path dir;
    private final QueueOptions options;
    private final QueueIndex index;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private Segment active;
    private long nextSequence;
    private ByteBuffer batchBuffer = ByteBuffer.allocateDirect(1 << 20);
    private final CRC32C writerCrc = new CRC32C();
    private boolean checkDeletions;
    private boolean acksUnsynced;
    private boolean ackDirectoryUnsynced;
    private long ackSyncDeadline;
    private long storageErrors;
    private long lastStorageErrorLog;

    private SegmentFiles(Path dir, QueueOptions options, QueueIndex index) {
        this.dir = dir;
        this.options = options;
        this.index = index;
    }

    /**
     * Opens the files in a locked queue directory: recovers them ({@link QueueRecovery}) into
     * {@code index}, then writes down what recovery removed.
     *
     * @throws IOException if the files cannot be read or written; none is left open then
     */
    static SegmentFiles open(Path dir, QueueOptions options, QueueIndex index, LongAdder corrupt,
            LongAdder truncatedBytes) throws IOException {
        SegmentFiles f = new SegmentFiles(dir, options, index);
        try {
            f.nextSequence = new QueueRecovery(dir, index, corrupt, truncatedBytes).recover(f.segments);
            f.active = f.segments.isEmpty() ? null : f.segments.lastEntry().getValue();
            f.checkDeletions = true;
            f.persistRemovals(true);
        } catch (IOException | RuntimeException | Error e) {
            f.closeAll();
            throw e;
        }
        if (!f.segments.isEmpty()) {
            LOG.info("Queue {} opened: {} messages ({} bytes) to deliver in {} segments, next sequence {}",
                    dir, index.size(), index.bytes(), f.segments.size(), f.nextSequence);
        }
        return f;
    }

    /**
     * Appends the messages in one write per segment and fsyncs, rolling to a new segment when the
     * current one is full.
     *
     * @param admitted the messages, in order
     * @param written receives their entries, in the same order, as they are framed; on failure
     *     it may hold entries not durable
     * @throws IOException if a write or fsync failed; then call {@link #abandonActive}
     */
    void write(List<Submission> admitted, List<Entry> written) throws IOException {
        ByteBuffer buf = batchBuffer;
        buf.clear();
        Segment segment = active;
        for (Submission s : admitted) {
            long pendingEnd = segment == null ? 0 : segment.end + buf.position();
            if (segment == null || (pendingEnd > 0 && pendingEnd + s.frameLength > options.segmentBytes())) {
                if (segment != null) {
                    flush(buf, segment);
                    segment.force();
                }
                segment = roll(nextSequence);
            }
            if (buf.remaining() < s.frameLength) {
                flush(buf, segment);
                if (buf.capacity() < s.frameLength) {
                    batchBuffer = buf = ByteBuffer.allocateDirect(s.frameLength);
                }
            }
            long sequence = nextSequence++;
            written.add(new Entry(sequence, segment, segment.end + buf.position(), s.frameLength));
            Frames.putData(buf, sequence, s.keyBytes, s.record, writerCrc);
        }
        flush(buf, segment);
        segment.force();
    }

    /**
     * After a failed write or fsync the file's state is unknown: continues in a new segment,
     * under a sequence (and so a file name) not tried yet.
     */
    void abandonActive() {
        active = null;
        nextSequence++;
    }

    private static void flush(ByteBuffer buf, Segment segment) throws IOException {
        buf.flip();
        segment.write(buf);
        buf.clear();
    }

    private Segment roll(long firstSequence) throws IOException {
        Segment s = Segment.create(dir, firstSequence);
        segments.put(firstSequence, s);
        active = s;
        checkDeletions = true;
        // The new file's name must survive a power cut as well as the data in it.
        PrivateFiles.syncDirectory(dir);
        return s;
    }

    /**
     * Writes the acknowledgements and drops noted since the last call to the segments'
     * acknowledgement files, deletes segments left empty, and fsyncs when due.
     */
    void persistRemovals(boolean forceSync) throws IOException {
        List<Entry> batch = index.drainRemoved();
        List<Segment> deletable = List.of();
        if (!batch.isEmpty() || checkDeletions) {
            deletable = index.takeEmpty(segments.values(), active, segments.isEmpty() ? null : segments.lastEntry().getValue());
        }
        checkDeletions = false;
        for (Segment s : deletable) {
            segments.remove(s.firstSequence);
            try {
                s.delete();
            } catch (IOException e) {
                storageError("delete " + s, e);
            }
        }
        if (!batch.isEmpty()) {
            writeAcks(batch);
        }
        if (acksUnsynced && (forceSync || System.nanoTime() - ackSyncDeadline >= 0)) {
            for (Segment s : segments.values()) {
                s.syncAcks();
            }
            if (ackDirectoryUnsynced) {
                PrivateFiles.syncDirectory(dir);
                ackDirectoryUnsynced = false;
            }
            acksUnsynced = false;
        }
    }

    private void writeAcks(List<Entry> batch) throws IOException {
        Map<Segment, int[]> offsets = new IdentityHashMap<>();
        Map<Segment, Integer> counts = new IdentityHashMap<>();
        for (Entry e : batch) {
            if (e.segment.deleted) {
                continue;
            }
            int n = counts.merge(e.segment, 1, Integer::sum);
            int[] list = offsets.computeIfAbsent(e.segment, s -> new int[16]);
            if (n > list.length) {
                list = Arrays.copyOf(list, list.length * 2);
                offsets.put(e.segment, list);
            }
            list[n - 1] = (int) (e.sequence - e.segment.firstSequence);
        }
        for (Map.Entry<Segment, int[]> o : offsets.entrySet()) {
            Segment s = o.getKey();
            if (s.appendAcks(Frames.ackFrame(o.getValue(), counts.get(s), writerCrc))) {
                ackDirectoryUnsynced = true;
            }
        }
        if (!offsets.isEmpty() && !acksUnsynced) {
            acksUnsynced = true;
            ackSyncDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.ackSyncMillis());
        }
    }

    /** @return whether acknowledgements were written and not fsynced yet */
    boolean acksUnsynced() {
        return acksUnsynced;
    }

    /** @return when, in {@link System#nanoTime()}, the unsynced acknowledgements are due to be fsynced */
    long ackSyncDeadline() {
        return ackSyncDeadline;
    }

    /** Logs a storage error: the first, then at most one a minute, with the count since open. */
    void storageError(String what, IOException e) {
        storageErrors++;
        long now = System.nanoTime();
        if (storageErrors == 1 || now - lastStorageErrorLog >= LOG_INTERVAL_NANOS) {
            lastStorageErrorLog = now;
            LOG.error("Queue {}: cannot {}: {} ({} storage errors since open)", dir, what, e.toString(), storageErrors);
        }
    }

    /** Closes every segment's files, without writing anything. */
    void closeAll() {
        segments.values().forEach(Segment::close);
    }
}
