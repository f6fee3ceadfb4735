package org.m2mgw.access.internal;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.m2mgw.api.access.Restriction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the restriction table to its file after changes, on one background thread, coalescing
 * changes that come faster than the disk: callers never wait for an fsync.
 */
final class TableSaver {
    private static final Logger LOG = LoggerFactory.getLogger(TableSaver.class);

    private final RestrictionStore store;
    private final ExecutorService executor;
    private final Supplier<List<Restriction>> table;
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final LongAdder failures = new LongAdder();

    TableSaver(RestrictionStore store, ExecutorService executor, Supplier<List<Restriction>> table) {
        this.store = store;
        this.executor = executor;
        this.table = table;
    }

    /** The table changed: save it soon. */
    void changed() {
        if (dirty.compareAndSet(false, true)) {
            try {
                executor.execute(this::saveNow);
            } catch (RejectedExecutionException stopping) {
                // close() saves once more after the executor ended
            }
        }
    }

    /** Saves now if anything changed since the last save. */
    void saveNow() {
        if (!dirty.getAndSet(false)) {
            return;
        }
        try {
            store.save(table.get());
        } catch (IOException | RuntimeException e) {
            failures.increment();
            dirty.set(true);
            LOG.error("Restrictions could not be saved to {}: {}; they hold until the gateway stops",
                    store.file(), e.toString());
        }
    }

    /** Ends the background thread and saves what is pending. */
    void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        saveNow();
    }

    long failures() {
        return failures.sum();
    }
}
