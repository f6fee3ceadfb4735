package org.m2mgw.cloud.internal.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.cloud.internal.queue.QueueIndex.Entry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer thread of a {@link DurableQueue} (group commit): takes every submission waiting,
 * admits what fits (dropping the oldest entries if the policy says so), appends them to the
 * {@link SegmentFiles} in one write with one fsync, and only then adds them to the index and
 * completes their futures, on a separate completion thread so that the callers' continuations
 * never slow the writer down. Between batches it writes removals down and fsyncs them when due.
 *
 * <p>At close it writes the removals down, closes the files and releases the directory lock, and
 * answers every submission left with "queue closed".
 */
final class QueueWriter {
    private static final Logger LOG = LoggerFactory.getLogger(QueueWriter.class);
    private static final int MAX_BATCH = 8192;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Wakes the writer: to persist acknowledgements, or to notice {@link #close}. */
    private static final Submission WAKE = new Submission(null, null, null, 0);

    private final Path dir;
    private final QueueOptions options;
    private final QueueIndex index;
    private final SegmentFiles files;
    private final FileChannel lockChannel;
    private final Acceptance closedRefusal;
    private final LongAdder accepted;
    private final LongAdder refused;
    private final LongAdder dropped;
    private final LinkedBlockingQueue<Submission> submissions = new LinkedBlockingQueue<>();
    /** Messages and bytes submitted but not yet taken by the writer: bounds memory when flooded. */
    private final AtomicInteger pendingMessages = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final ExecutorService completer;
    private final Thread writer;
    private volatile boolean closed;
    private volatile boolean crashed;
    private volatile boolean writerDone;
    /** Set when the writer was woken to write removals down; cleared by the writer before it does. */
    private final AtomicBoolean removalsSignalled = new AtomicBoolean();

    // Writer thread only.
    private long fullRefusalsUnlogged;
    private long lastFullLog;

    /**
     * @param dir the queue's directory
     * @param files the queue's files, recovered; the writer closes them
     * @param lockChannel holds the directory lock; the writer closes it when it ends
     * @param closedRefusal the answer once the queue is closed
     * @param accepted counts the messages stored
     * @param refused counts the messages refused
     * @param dropped counts the oldest entries dropped to make room
     */
    QueueWriter(Path dir, QueueOptions options, QueueIndex index, SegmentFiles files, FileChannel lockChannel,
            Acceptance closedRefusal, LongAdder accepted, LongAdder refused, LongAdder dropped) {
        this.dir = dir;
        this.options = options;
        this.index = index;
        this.files = files;
        this.lockChannel = lockChannel;
        this.closedRefusal = closedRefusal;
        this.accepted = accepted;
        this.refused = refused;
        this.dropped = dropped;
        String name = threadName(dir);
        completer = Executors.newSingleThreadExecutor(r -> daemon(r, "m2mgw-queue-done-" + name));
        writer = daemon(this::runWriter, "m2mgw-queue-writer-" + name);
    }

    void start() {
        writer.start();
    }

    /** @return whether the queue is closed, or its writer failed */
    boolean isClosed() {
        return closed;
    }

    /**
     * Hands a message to the writer, unless as many messages or bytes as the queue holds are
     * already waiting for it.
     *
     * @return completes with the outcome once the writer has dealt with it
     */
    CompletableFuture<Acceptance> submit(Submission s) {
        int waiting = pendingMessages.incrementAndGet();
        long waitingBytes = pendingBytes.addAndGet(s.frameLength);
        if (waiting > options.maxMessages() || waitingBytes > options.maxBytes()) {
            pendingMessages.decrementAndGet();
            pendingBytes.addAndGet(-s.frameLength);
            refused.increment();
            return CompletableFuture.completedFuture(
                    fullRefusal(index.size() + waiting - 1, index.bytes() + waitingBytes - s.frameLength));
        }
        submissions.add(s);
        if (writerDone) {
            // The writer may have taken its last look before this submission arrived.
            refuseLeftovers();
        }
        return s.future;
    }

    /** @return completes once the acknowledgement files are fsynced */
    CompletableFuture<Void> sync() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submissions.add(new Submission(done));
        if (writerDone) {
            refuseLeftovers();
        }
        return done;
    }

    /** Wakes the writer to write down what the index removed, unless it was woken for that already. */
    void signalRemovals() {
        if (removalsSignalled.compareAndSet(false, true)) {
            submissions.add(WAKE);
        }
    }

    /** Stores what was submitted before, writes the removals down and ends; waits up to 30 s. */
    void close() {
        closed = true;
        submissions.add(WAKE);
        awaitWriter();
    }

    /** Ends after the current batch without writing or fsyncing anything more; see {@link DurableQueue#crashForTest}. */
    void crash() {
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
                    batch.forEach(this::abandon);
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
            files.closeAll();
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
        if (!files.acksUnsynced()) {
            return submissions.take();
        }
        long wait = files.ackSyncDeadline() - System.nanoTime();
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
            files.storageError("write acknowledgements", e);
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
            files.write(admitted, written);
        } catch (IOException e) {
            files.storageError("store messages", e);
            // After a failed write or fsync the file's state is unknown: continue in a new one,
            // under a sequence (and so a file name) not tried yet. Refused messages of this batch
            // that did reach the disk come back after a restart: duplicates, never losses.
            files.abandonActive();
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

    private void persistRemovals(boolean forceSync) throws IOException {
        removalsSignalled.set(false);
        files.persistRemovals(forceSync);
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

    private Acceptance fullRefusal(long messages, long inBytes) {
        return Acceptance.refused("queue full: " + messages + " messages / " + inBytes + " bytes",
                options.retryAfterSeconds());
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
}
