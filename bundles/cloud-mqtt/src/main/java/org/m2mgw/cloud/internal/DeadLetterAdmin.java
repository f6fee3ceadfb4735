package org.m2mgw.cloud.internal;

import java.time.Instant;
import java.util.List;

/**
 * The dead letters of one cloud connection, for the operator's commands
 * ({@link DeadLetterCommands}). A service of this bundle only: the package is not exported.
 */
public interface DeadLetterAdmin {

    /**
     * One dead letter as the operator sees it (never its payload).
     *
     * @param id its number in its connection
     * @param kind {@code MESSAGE} or {@code ALERT}
     * @param key the device id, or {@code alerts}
     * @param parkedAt when it was parked
     * @param reason why
     * @param bytes the size of what is kept
     */
    record Summary(long id, String kind, String key, Instant parkedAt, String reason, int bytes) {
    }

    /** @return the connection's short name, e.g. {@code default} */
    String connectionName();

    /** @return its dead letters, oldest first; empty when the connection is not running */
    List<Summary> deadLetters();

    /** @return whether the store is full, so that the next letter parked evicts the oldest */
    boolean deadLettersFull();

    /**
     * Puts a dead letter back at the end of its queue, and deletes it once the queue has it.
     *
     * @return what happened, in words
     */
    String retryDeadLetter(long id);

    /** @return whether the letter existed and is now deleted */
    boolean deleteDeadLetter(long id);
}
