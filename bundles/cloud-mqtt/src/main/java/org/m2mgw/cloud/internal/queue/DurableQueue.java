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
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>Thread-safe. Payloads are never logged.
 */
public final class DurableQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DurableQueue.class);
    private static final String LOCK_FILE = "queue.lock";
    private static final int MAX_BATCH = 8192;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    /** Wakes the writer: to persist acknowledgements, or to notice {@link #close}. */
    private static final Submission WAKE = new Submission(null, null, null, 0);

    private final Path dir;
    private final QueueOptions options;
    private final Acceptance closedRefusal;
    private final FileChannel lockChannel;
    private final LinkedBlockingQueue<Submission> submissions = new LinkedBlockingQueue<>();
    /** Messages and bytes submitted but not yet taken by the writer: bounds memory when flooded. */
    private final AtomicInteger pendingMessages = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final ExecutorService completer;
    private final Thread writer;
    private volatile boolean closed;
    private volatile boolean crashed;
    private volatile boolean writerDone;

    // Writer thread only (and the constructor before the writer starts).
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
    private long fullRefusalsUnlogged;
    private long lastFullLog;

    private final QueueIndex index = new QueueIndex();
    /** Set when the writer was woken to write removals down; cleared by the writer before it does. */
    private final AtomicBoolean removalsSignalled = new AtomicBoolean();

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
        lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), CREATE, READ, WRITE);
        try {
            lock();
            recover();
        } catch (IOException | RuntimeException | Error e) {
            segments.values().forEach(Segment::close);
            lockChannel.close();
            throw e;
        }
        String name = threadName(dir);
        completer = Executors.newSingleThreadExecutor(r -> daemon(r, "m2mgw-queue-done-" + name));
        writer = daemon(this::runWriter, "m2mgw-queue-writer-" + name);
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
        if (closed) {
            return refuse(closedRefusal);
        }
        byte[] record;
        try {
            record = MessageCodec.encode(message);
        } catch (IllegalArgumentException e) {
            return refuse(Acceptance.refused("message cannot be stored: " + e.getMessage(), options.retryAfterSeconds()));
        }
        byte[] key = message.deviceId().getBytes(StandardCharsets.UTF_8);
        if (key.length > Frames.MAX_KEY_BYTES) {
            return refuse(Acceptance.refused("device id longer than " + Frames.MAX_KEY_BYTES + " bytes",
                    options.retryAfterSeconds()));
        }
        if (record.length > options.maxRecordBytes()) {
            return refuse(Acceptance.refused("message too large: " + record.length + " bytes, "
                    + QueueOptions.MAX_RECORD_BYTES + " is " + options.maxRecordBytes(), options.retryAfterSeconds()));
        }
        int frameLength = Frames.dataFrameLength(key.length, record.length);
        if (frameLength > options.maxBytes()) {
            return refuse(Acceptance.refused("message too large: " + frameLength + " bytes, "
                    + QueueOptions.MAX_BYTES + " is " + options.maxBytes(), options.retryAfterSeconds()));
        }
        int waiting = pendingMessages.incrementAndGet();
        long waitingBytes = pendingBytes.addAndGet(frameLength);
        if (waiting > options.maxMessages() || waitingBytes > options.maxBytes()) {
            pendingMessages.decrementAndGet();
            pendingBytes.addAndGet(-frameLength);
            return refuse(fullRefusal(index.size() + waiting - 1, index.bytes() + waitingBytes - frameLength));
        }
        Submission s = new Submission(message.deviceId(), key, record, frameLength);
        submissions.add(s);
        if (writerDone) {
            // The writer may have taken its last look before this submission arrived.
            refuseLeftovers();
        }
        return s.future;
    }

    /**
     * Makes every acknowledgement given so far durable now, rather than within
     * {@link QueueOptions#ackSyncMillis()}. Accepted messages are always durable already.
     *
     * @return completes once the acknowledgement files are fsynced
     */
    public CompletableFuture<Void> sync() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submissions.add(new Submission(done));
        if (writerDone) {
            refuseLeftovers();
        }
        return done;
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
        if (max <= 0 || closed) {
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
            signalRemovals();
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
        closed = true;
        submissions.add(WAKE);
        awaitWriter();
    }

    /**
     * Stops as a SIGKILL would: the writer ends after its current batch and writes nothing more,
     * acknowledgements not yet written are lost, nothing is fsynced, and the directory lock is
     * released so that a new queue can open the same files in this JVM.
     */
    void crashForTest() {
        crashed = true;
        closed = true;
        submissions.add(WAKE);
        awaitWriter();
    }

    private void awaitWriter() {
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
            if (writer.isAlive()) {
                LOG.warn("Queue {}: writer still busy after 30 s; closing anyway", dir);
            }
            completer.shutdown();
            completer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the writer thread

    private void runWriter() {
        List<Submission> batch = new ArrayList<>();
        try {
            while (!crashed) {
                Submission first = awaitWork();
                batch.clear();
                if (first != null) {
                    batch.add(first);
                }
                submissions.drainTo(batch, MAX_BATCH);
                if (crashed) {
                    batch.forEach(DurableQueue.this::abandon);
                    break;
                }
                process(batch);
                if (closed && submissions.isEmpty()) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("Queue {}: writer failed; the queue refuses messages from now on", dir, e);
            closed = true;
            // Whatever this batch did not answer yet is answered now; one that was stored after
            // all comes back after a restart as a duplicate, never as a loss.
            for (Submission s : batch) {
                if (s.future != null) {
                    s.future.completeExceptionally(e);
                } else if (s.sync != null) {
                    s.sync.completeExceptionally(e);
                }
            }
        } finally {
            if (!crashed) {
                try {
                    persistRemovals(true);
                } catch (IOException e) {
                    LOG.error("Queue {}: cannot write acknowledgements at close: {}", dir, e.toString());
                }
            }
            segments.values().forEach(Segment::close);
            try {
                lockChannel.close();
            } catch (IOException ignored) {
                // the lock goes with the process anyway
            }
            writerDone = true;
            refuseLeftovers();
        }
    }

    private Submission awaitWork() throws InterruptedException {
        if (!acksUnsynced) {
            return submissions.take();
        }
        long wait = ackSyncDeadline - System.nanoTime();
        return wait <= 0 ? submissions.poll() : submissions.poll(wait, TimeUnit.NANOSECONDS);
    }

    private void process(List<Submission> batch) {
        List<Submission> messages = new ArrayList<>(batch.size());
        List<CompletableFuture<Void>> syncs = new ArrayList<>(0);
        long batchBytes = 0;
        for (Submission s : batch) {
            if (s.sync != null) {
                syncs.add(s.sync);
            } else if (s != WAKE) {
                messages.add(s);
                batchBytes += s.frameLength;
            }
        }
        pendingMessages.addAndGet(-messages.size());
        pendingBytes.addAndGet(-batchBytes);
        if (!messages.isEmpty()) {
            append(messages);
        }
        try {
            persistRemovals(!syncs.isEmpty());
            syncs.forEach(f -> f.complete(null));
        } catch (IOException e) {
            storageError("write acknowledgements", e);
            syncs.forEach(f -> f.completeExceptionally(e));
        }
    }

    /** Admits what fits, writes it, fsyncs once, and only then makes it visible and accepted. */
    private void append(List<Submission> messages) {
        List<Submission> admitted = new ArrayList<>(messages.size());
        List<Submission> full = new ArrayList<>(0);
        int droppedNow = 0;
        synchronized (index) {
            int count = 0;
            long admittedBytes = 0;
            for (Submission s : messages) {
                while (!fits(count, admittedBytes, s.frameLength)
                        && options.fullPolicy() == FullPolicy.DROP_OLDEST && index.dropOldest()) {
                    droppedNow++;
                }
                if (fits(count, admittedBytes, s.frameLength)) {
                    count++;
                    admittedBytes += s.frameLength;
                    admitted.add(s);
                } else {
                    s.outcome = fullRefusal(index.size() + count, index.bytes() + admittedBytes);
                    full.add(s);
                }
            }
        }
        if (droppedNow > 0) {
            dropped.add(droppedNow);
            LOG.warn("Queue {} full: dropped the {} oldest messages to make room ({} dropped since open)",
                    dir, droppedNow, dropped.sum());
        }
        if (!full.isEmpty()) {
            refused.add(full.size());
            logFull(full.size());
            complete(full);
        }
        if (admitted.isEmpty()) {
            return;
        }
        List<Entry> written = new ArrayList<>(admitted.size());
        try {
            write(admitted, written);
        } catch (IOException e) {
            storageError("store messages", e);
            // After a failed write or fsync the file's state is unknown: continue in a new one,
            // under a sequence (and so a file name) not tried yet. Refused messages of this batch
            // that did reach the disk come back after a restart: duplicates, never losses.
            active = null;
            nextSequence++;
            Acceptance failed = Acceptance.refused("queue storage error: " + e.getClass().getSimpleName(),
                    options.retryAfterSeconds());
            admitted.forEach(s -> s.outcome = failed);
            refused.add(admitted.size());
            complete(admitted);
            return;
        }
        for (int i = 0; i < written.size(); i++) {
            index.add(written.get(i), admitted.get(i).key);
        }
        accepted.add(admitted.size());
        admitted.forEach(s -> s.outcome = Acceptance.accepted());
        complete(admitted);
    }

    private boolean fits(int admittedCount, long admittedBytes, int frameLength) {
        return index.size() + admittedCount < options.maxMessages()
                && index.bytes() + admittedBytes + frameLength <= options.maxBytes();
    }

    private void write(List<Submission> admitted, List<Entry> written) throws IOException {
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
        syncDirectory(dir);
        return s;
    }

    /**
     * Writes the acknowledgements and drops noted since the last call to the segments'
     * acknowledgement files, deletes segments left empty, and fsyncs when due.
     */
    private void persistRemovals(boolean forceSync) throws IOException {
        removalsSignalled.set(false);
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
                syncDirectory(dir);
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

    private void complete(List<Submission> done) {
        Runnable task = () -> {
            for (Submission s : done) {
                s.future.complete(s.outcome);
            }
        };
        try {
            completer.execute(task);
        } catch (RejectedExecutionException closing) {
            // close() gave up waiting for the writer: answer here rather than never.
            task.run();
        }
    }

    private void refuseLeftovers() {
        Submission s;
        while ((s = submissions.poll()) != null) {
            abandon(s);
        }
    }

    /** Answers a submission that the writer will not process: the queue is closed. */
    private void abandon(Submission s) {
        if (s.sync != null) {
            if (crashed) {
                s.sync.completeExceptionally(new IllegalStateException("queue crashed"));
            } else {
                s.sync.complete(null);
            }
        } else if (s != WAKE) {
            pendingMessages.decrementAndGet();
            pendingBytes.addAndGet(-s.frameLength);
            refused.increment();
            s.future.complete(closedRefusal);
        }
    }

    private void storageError(String what, IOException e) {
        storageErrors++;
        long now = System.nanoTime();
        if (storageErrors == 1 || now - lastStorageErrorLog >= LOG_INTERVAL_NANOS) {
            lastStorageErrorLog = now;
            LOG.error("Queue {}: cannot {}: {} ({} storage errors since open)", dir, what, e.toString(), storageErrors);
        }
    }

    private void logFull(int refusedNow) {
        fullRefusalsUnlogged += refusedNow;
        long now = System.nanoTime();
        if (lastFullLog == 0 || now - lastFullLog >= LOG_INTERVAL_NANOS) {
            lastFullLog = now;
            LOG.warn("Queue {} full ({} messages / {} bytes; {} {}, {} {}): refused {} messages since the last report",
                    dir, index.size(), index.bytes(), QueueOptions.MAX_MESSAGES, options.maxMessages(), QueueOptions.MAX_BYTES,
                    options.maxBytes(), fullRefusalsUnlogged);
            fullRefusalsUnlogged = 0;
        }
    }

    private void signalRemovals() {
        if (removalsSignalled.compareAndSet(false, true)) {
            submissions.add(WAKE);
        }
    }

    private void discardCorrupt(Entry e) {
        if (index.discard(e)) {
            corrupt.increment();
            LOG.error("Queue {}: entry {} in {} at offset {} is damaged on disk; dropped", dir, e.sequence,
                    e.segment, e.position);
            signalRemovals();
        }
    }

    private Acceptance fullRefusal(long messages, long inBytes) {
        return Acceptance.refused("queue full: " + messages + " messages / " + inBytes + " bytes",
                options.retryAfterSeconds());
    }

    private CompletableFuture<Acceptance> refuse(Acceptance refusal) {
        refused.increment();
        return CompletableFuture.completedFuture(refusal);
    }

    // ---------------------------------------------------------------- opening

    private void lock() throws IOException {
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

    private void recover() throws IOException {
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
        nextSequence = maxSequence + 1;
        active = segments.isEmpty() ? null : segments.lastEntry().getValue();
        checkDeletions = true;
        persistRemovals(true);
        if (!segments.isEmpty()) {
            LOG.info("Queue {} opened: {} messages ({} bytes) to deliver in {} segments, next sequence {}",
                    dir, index.size(), index.bytes(), segments.size(), nextSequence);
        }
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

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            if (POSIX) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        if (POSIX) {
            try (FileChannel channel = FileChannel.open(dir, READ)) {
                channel.force(true);
            }
        }
    }

    private static String threadName(Path dir) {
        Path parent = dir.getParent();
        return parent == null || parent.getFileName() == null ? String.valueOf(dir.getFileName())
                : parent.getFileName() + "/" + dir.getFileName();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    // ---------------------------------------------------------------- records

    /** A message waiting for the writer, or a request to sync, or {@link #WAKE}. */
    private static final class Submission {
        final String key;
        final byte[] keyBytes;
        final byte[] record;
        final int frameLength;
        final CompletableFuture<Acceptance> future;
        final CompletableFuture<Void> sync;
        Acceptance outcome;

        Submission(String key, byte[] keyBytes, byte[] record, int frameLength) {
            this.key = key;
            this.keyBytes = keyBytes;
            this.record = record;
            this.frameLength = frameLength;
            this.future = new CompletableFuture<>();
            this.sync = null;
        }

        Submission(CompletableFuture<Void> sync) {
            this.key = null;
            this.keyBytes = null;
            this.record = null;
            this.frameLength = 0;
            this.future = null;
            this.sync = sync;
        }
    }
}
