package org.m2mgw.update.internal.download;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Runs the blocking calls of one download on a thread of their own, so that the downloading
 * thread can stop waiting at once on a cancel, an interrupt or the overall deadline. A blocked
 * read of {@code HttpURLConnection} notices none of them, cannot be interrupted, and closing its
 * stream from another thread waits for the read to end, which may be a whole stall timeout later;
 * here the downloading thread gives up the call instead, and the connection is released behind it
 * on the call's thread.
 *
 * <p>The cancel flag and the deadline are checked by the downloading thread only: while it waits
 * for a call, a few times a second, and whenever it asks {@link #check()}.
 */
final class BlockingCalls implements AutoCloseable {
    private static final long POLL_MS = 50;

    private final long deadlineNanos;
    private final BooleanSupplier cancelled;
    private final ExecutorService thread;
    private DownloadException.Reason abortReason;

    BlockingCalls(long totalTimeoutMs, BooleanSupplier cancelled) {
        this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(totalTimeoutMs);
        this.cancelled = cancelled;
        this.thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "update-download-io");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code call} on the I/O thread and returns its result, or gives it up when
     * {@link #check()} says to stop: then an {@link InterruptedIOException}, and the call may
     * still be running, so nothing it uses may be used again.
     */
    <T> T call(Callable<T> call) throws IOException {
        Future<T> result = thread.submit(call);
        while (true) {
            try {
                return result.get(POLL_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (check() != null) {
                    throw new InterruptedIOException("download stopped: " + abortReason);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                check();
                throw new InterruptedIOException("download interrupted");
            } catch (ExecutionException e) {
                throw rethrown(e.getCause());
            }
        }
    }

    /** Runs {@code action} on the I/O thread after any call still running there, without waiting. */
    void later(Runnable action) {
        thread.execute(action);
    }

    /**
     * Null if the download may go on, else why it must stop: CANCELLED (the flag, or the
     * downloading thread interrupted) or TIMED_OUT. Once given, the reason stays.
     */
    DownloadException.Reason check() {
        if (abortReason == null) {
            if (Thread.currentThread().isInterrupted() || cancelled.getAsBoolean()) {
                abortReason = DownloadException.Reason.CANCELLED;
            } else if (System.nanoTime() - deadlineNanos >= 0) {
                abortReason = DownloadException.Reason.TIMED_OUT;
            }
        }
        return abortReason;
    }

    /** Milliseconds left until the deadline, at least 1. */
    long remainingMs() {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    /** Lets the I/O thread end once what was queued on it ran. */
    @Override
    public void close() {
        thread.shutdown();
    }

    private static IOException rethrown(Throwable cause) {
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IOException(cause);
    }
}
