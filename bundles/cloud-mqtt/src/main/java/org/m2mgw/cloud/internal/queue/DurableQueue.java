package org.m2mgw.cloud.internal.queue;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.cloud.internal.queue.QueueIndex.Entry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cloud bridge's on-disk queue of device messages (architecture invariant 1): a message is
 * {@linkplain Acceptance#accepted() accepted} only once it is fsynced, and it stays until the
 * publisher {@linkplain #ack acknowledges} it, across crashes, power cuts and bundle updates.
 * Delivery is at least once.
 *
 * <p><b>Writing.</b> {@link #offer} hands the serialized message to one writer thread, which
 * takes every message waiting, appends them to the current segment file in one write, calls
 * {@code fdatasync} once, and only then completes their futures (group commit). Futures are
 * completed on a separate thread, so the callers' continuations never slow the writer down.
 *
 * <p><b>Reading.</b> {@link #peek} hands out the oldest entries and marks them in flight;
 * {@link #ack} removes one, {@link #release} puts one back. A device with an entry in flight gets
 * no other entry handed out until that one is acknowledged or released, so a retried message
 * can never be overtaken by a later one of the same device. Other devices go on meanwhile.
 *
 * <p><b>Files</b> (in the directory given to the constructor, used by one queue at a time):
 * {@code <first sequence>.seg} segments of framed, checksummed entries (see {@link Frames});
 * {@code <first sequence>.acks}, the sequences acknowledged or dropped from that segment,
 * appended by the writer thread and fsynced within {@link QueueOptions#ackSyncMillis()};
 * {@code queue.lock}. A segment is deleted when none of its entries is left, except the newest,
 * which keeps the sequence numbers growing across restarts. An acknowledgement lost in a crash
 * only means that its message is delivered again.
 *
 * <p>The work is split by role: {@link QueueWriter} is the writer thread, {@link SegmentFiles}
 * the files it writes, {@link QueueRecovery} what happens at open, {@link QueueIndex} what is held
 * in memory.
 *
 * <p>Thread-safe. Payloads are never logged.
 */
public final class DurableQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DurableQueue.class);
    private static final String LOCK_FILE = "queue.lock";
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path dir;
    private final QueueOptions options;
    private final Acceptance closedRefusal;
    private final QueueIndex index = new QueueIndex();
    private final QueueWriter writer;

    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder released = new LongAdder();
    private final LongAdder corrupt = new LongAdder();
    private final LongAdder truncatedBytes = new LongAdder();

    /**
     * Opens the queue in {@code directory}, creating it if needed, and recovers what is stored:
     * torn tails are cut, corrupt entries skipped (both logged), acknowledged entries left out.
     *
     * @param directory the queue's own directory, e.g. {@code <data>/cloud-mqtt/<connection>/queue}
     * @param options limits and tuning
     * @throws IOException if the directory or its files cannot be read or written
     * @throws IllegalStateException if another open queue uses the directory
     */
    public DurableQueue(Path directory, QueueOptions options) throws IOException {
        this.dir = directory.toAbsolutePath().normalize();
        this.options = Objects.requireNonNull(options, "options");
        this.closedRefusal = Acceptance.refused("queue closed", options.retryAfterSeconds());
        createPrivateDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), CREATE, READ, WRITE);
        SegmentFiles files;
        try {
            lock(lockChannel);
            files = SegmentFiles.open(dir, options, index, corrupt, truncatedBytes);
        } catch (IOException | RuntimeException | Error e) {
            lockChannel.close();
            throw e;
        }
        writer = new QueueWriter(dir, options, index, files, lockChannel, closedRefusal, accepted, refused, dropped);
        writer.start();
    }

    // ---------------------------------------------------------------- producers

    /**
     * Stores a message.
     *
     * <p>Continuations attached without an executor run on the queue's completion thread: keep
     * them short.
     *
     * @param message the message
     * @return completes {@linkplain Acceptance#accepted() accepted} once the message is fsynced,
     *     or refused: queue full, queue closed, message too large, or a storage error
     */
    public CompletableFuture<Acceptance> offer(DeviceMessage message) {
        Objects.requireNonNull(message, "message");
        if (writer.isClosed()) {
            return refuse(closedRefusal);
        }
        byte[] record;
        try {
            record = MessageCodec.encode(message);
        } catch (IllegalArgumentException e) {
            return refuse(Acceptance.refused("message cannot be stored: " + e.getMessage(), options.retryAfterSeconds()));
        }
        return offerRecord(message.deviceId(), record);
    }

    /**
     * Stores a record that is not a device message (an alert), or a message record as
     * {@link QueuedMessage#record()} handed it out (a dead letter put back). Entries with the same
     * key are handed out in order, one at a time, like the messages of one device.
     *
     * @param key the ordering key, at most 65,535 UTF-8 bytes
     * @param record the bytes to store, owned by the queue from now on
     * @return as for {@link #offer(DeviceMessage)}
     */
    public CompletableFuture<Acceptance> offerRecord(String key, byte[] record) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(record, "record");
        if (writer.isClosed()) {
            return refuse(closedRefusal);
        }
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        if (keyBytes.length > Frames.MAX_KEY_BYTES) {
            return refuse(Acceptance.refused("device id longer than " + Frames.MAX_KEY_BYTES + " bytes",
                    options.retryAfterSeconds()));
        }
        if (record.length > options.maxRecordBytes()) {
            return refuse(Acceptance.refused("message too large: " + record.length + " bytes, "
                    + QueueOptions.MAX_RECORD_BYTES + " is " + options.maxRecordBytes(), options.retryAfterSeconds()));
        }
        int frameLength = Frames.dataFrameLength(keyBytes.length, record.length);
        if (frameLength > options.maxBytes()) {
            return refuse(Acceptance.refused("message too large: " + frameLength + " bytes, "
                    + QueueOptions.MAX_BYTES + " is " + options.maxBytes(), options.retryAfterSeconds()));
        }
        return writer.submit(new Submission(key, keyBytes, record, frameLength));
    }

    /**
     * Makes every acknowledgement given so far durable now, rather than within
     * {@link QueueOptions#ackSyncMillis()}. Accepted messages are always durable already.
     *
     * @return completes once the acknowledgement files are fsynced
     */
    public CompletableFuture<Void> sync() {
        return writer.sync();
    }

    // ---------------------------------------------------------------- the publisher

    /**
     * Hands out the oldest entries that may be published now, in sequence order, and marks them
     * in flight: at most one per device, and none of a device that already has one in flight.
     *
     * @param max the most entries to return
     * @return the entries, possibly none; none once the queue is closed
     * @throws UncheckedIOException if no entry could be read; the entries are back in the queue
     */
    public List<QueuedMessage> peek(int max) {
        if (max <= 0 || writer.isClosed()) {
            return List.of();
        }
        List<Entry> taken = index.take(max);
        List<QueuedMessage> out = new ArrayList<>(taken.size());
        CRC32C crc = new CRC32C();
        for (int i = 0; i < taken.size(); i++) {
            Entry e = taken.get(i);
            ByteBuffer frame = ByteBuffer.allocate(e.frameLength);
            try {
                e.segment.read(frame, e.position);
            } catch (IOException ex) {
                index.releaseAll(taken.subList(i, taken.size()));
                if (out.isEmpty()) {
                    throw new UncheckedIOException("cannot read queue " + dir, ex);
                }
                LOG.error("Queue {}: cannot read {} at offset {}: {}", dir, e.segment, e.position, ex.toString());
                return out;
            }
            byte[] record = Frames.recordOf(frame, e.sequence, crc);
            if (record == null) {
                discardCorrupt(e);
            } else {
                out.add(new QueuedMessage(e.sequence, e.key(), record));
            }
        }
        return out;
    }

    /**
     * Removes an entry handed out by {@link #peek}, once the broker has it. Unknown sequences,
     * and entries not in flight, are ignored.
     *
     * @param sequence the entry's {@link QueuedMessage#sequence()}
     */
    public void ack(long sequence) {
        if (index.ack(sequence)) {
            acked.increment();
            writer.signalRemovals();
        }
    }

    /**
     * Puts an in-flight entry back, ahead of its device's later entries, to be handed out again
     * (for example after the connection was lost). Unknown sequences are ignored.
     *
     * @param sequence the entry's {@link QueuedMessage#sequence()}
     */
    public void release(long sequence) {
        if (index.release(sequence)) {
            released.increment();
        }
    }

    /** @return entries stored and not acknowledged, in flight included */
    public int size() {
        return index.size();
    }

    /** @return bytes those entries take in the segment files */
    public long bytes() {
        return index.bytes();
    }

    /** @return entries handed out by {@link #peek} and not yet acknowledged or released */
    public int inFlight() {
        return index.inFlight();
    }

    /**
     * @return a snapshot: {@code accepted}, {@code refused}, {@code dropped} (to make room),
     *     {@code acked}, {@code released}, {@code corrupt} (entries skipped as damaged) and
     *     {@code truncatedBytes} (torn tails cut at open), all since this queue was opened
     */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("accepted", accepted.sum());
        m.put("refused", refused.sum());
        m.put("dropped", dropped.sum());
        m.put("acked", acked.sum());
        m.put("released", released.sum());
        m.put("corrupt", corrupt.sum());
        m.put("truncatedBytes", truncatedBytes.sum());
        return Collections.unmodifiableMap(m);
    }

    /** @return the queue's directory */
    public Path directory() {
        return dir;
    }

    /**
     * Stores what was offered before, writes the acknowledgements down, and closes the files.
     * Later offers are refused with "queue closed". Waits up to 30 s for the writer.
     */
    @Override
    public void close() {
        writer.close();
    }

    /**
     * Stops as a SIGKILL would: the writer ends after its current batch and writes nothing more,
     * acknowledgements not yet written are lost, nothing is fsynced, and the directory lock is
     * released so that a new queue can open the same files in this JVM.
     */
    void crashForTest() {
        writer.crash();
    }

    private void discardCorrupt(Entry e) {
        if (index.discard(e)) {
            corrupt.increment();
            LOG.error("Queue {}: entry {} in {} at offset {} is damaged on disk; dropped", dir, e.sequence,
                    e.segment, e.position);
            writer.signalRemovals();
        }
    }

    private CompletableFuture<Acceptance> refuse(Acceptance refusal) {
        refused.increment();
        return CompletableFuture.completedFuture(refusal);
    }

    // ---------------------------------------------------------------- opening

    private void lock(FileChannel lockChannel) throws IOException {
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            lock = null;
        }
        if (lock == null) {
            throw new IllegalStateException("queue directory " + dir + " is in use by another queue");
        }
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            if (POSIX) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        }
    }
}
