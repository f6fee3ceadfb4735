package org.m2mgw.cloud.internal.queue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;
import org.m2mgw.cloud.internal.queue.QueueIndex.Entry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash recovery of a {@link DurableQueue} at open: finds the segment and acknowledgement files,
 * deletes acknowledgement files whose segment is gone, scans every segment checking each frame's
 * CRC, skips damaged frames (counted and logged), cuts torn tails of segments and acknowledgement
 * files (logged), and rebuilds the index of the entries not acknowledged.
 *
 * <p>Runs on the opening thread, before the queue's writer starts; used once.
 */
final class QueueRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(QueueRecovery.class);

    private final Path dir;
    private final QueueIndex index;
    private final LongAdder corrupt;
    private final LongAdder truncatedBytes;

    /**
     * @param dir the queue's directory, locked by the caller
     * @param index the empty index to fill
     * @param corrupt counts the damaged frames skipped
     * @param truncatedBytes counts the bytes cut from torn segment tails
     */
    QueueRecovery(Path dir, QueueIndex index, LongAdder corrupt, LongAdder truncatedBytes) {
        this.dir = dir;
        this.index = index;
        this.corrupt = corrupt;
        this.truncatedBytes = truncatedBytes;
    }

    /**
     * Opens every segment in the directory into {@code segments}, by first sequence, and adds
     * their entries not acknowledged to the index. On failure the segments opened so far are in
     * {@code segments}, for the caller to close.
     *
     * @param segments the empty map to fill
     * @return the sequence the next entry gets: above every sequence ever used in the directory
     * @throws IOException if a file cannot be read, cut or deleted
     */
    long recover(NavigableMap<Long, Segment> segments) throws IOException {
        TreeSet<Long> dataFiles = new TreeSet<>();
        List<Long> ackFiles = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                long data = Segment.sequenceOf(name, Segment.DATA_SUFFIX);
                long ack = Segment.sequenceOf(name, Segment.ACK_SUFFIX);
                if (data >= 0) {
                    dataFiles.add(data);
                } else if (ack >= 0) {
                    ackFiles.add(ack);
                }
            }
        }
        for (long ack : ackFiles) {
            if (!dataFiles.contains(ack)) {
                Files.deleteIfExists(dir.resolve(Segment.baseName(ack) + Segment.ACK_SUFFIX));
            }
        }
        long maxSequence = 0;
        for (long first : dataFiles) {
            Segment s = Segment.open(dir, first);
            segments.put(first, s);
            maxSequence = Math.max(maxSequence, Math.max(first - 1, recoverSegment(s)));
        }
        return maxSequence + 1;
    }

    /** @return the highest sequence seen in the segment, acknowledged or not */
    private long recoverSegment(Segment s) throws IOException {
        BitSet acknowledged = new BitSet();
        long[] maxAcked = {-1};
        if (Files.exists(s.ackFile)) {
            byte[] content = Files.readAllBytes(s.ackFile);
            int end = Frames.scanAcks(content, content.length, offset -> {
                if (offset >= 0) {
                    acknowledged.set(offset);
                    maxAcked[0] = Math.max(maxAcked[0], offset);
                }
            });
            if (end < content.length) {
                s.truncateAcks(end);
                LOG.warn("Queue {}: cut {} bytes of a torn or damaged record at the end of {}; some acknowledged "
                        + "messages will be delivered again", dir, content.length - end, s.ackFile.getFileName());
            }
        }
        byte[] content = Files.readAllBytes(s.dataFile);
        long[] maxSequence = {maxAcked[0] < 0 ? 0 : s.firstSequence + maxAcked[0]};
        int end = Frames.scanData(content, content.length, s.firstSequence, new Frames.DataVisitor() {
            @Override
            public void frame(long sequence, String key, int position, int frameLength) {
                maxSequence[0] = Math.max(maxSequence[0], sequence);
                long offset = sequence - s.firstSequence;
                if (offset > Integer.MAX_VALUE || !acknowledged.get((int) offset)) {
                    index.add(new Entry(sequence, s, position, frameLength), key);
                }
            }

            @Override
            public void corrupt(int position, int length) {
                corrupt.increment();
                LOG.error("Queue {}: skipped {} damaged bytes in {} at offset {}; the entries in them are lost",
                        dir, length, s, position);
            }
        });
        if (end < content.length) {
            s.truncateData(end);
            truncatedBytes.add(content.length - end);
            LOG.warn("Queue {}: cut {} bytes of a torn record at the end of {} (interrupted write)", dir,
                    content.length - end, s);
        }
        return maxSequence[0];
    }
}
