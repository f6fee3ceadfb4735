package org.m2mgw.cloud.internal.queue;

/**
 * Limits and tuning of a {@link DurableQueue}. Every value is checked when the options are
 * created; a bad one gives an {@link IllegalArgumentException} whose message names its
 * configuration key.
 *
 * @param maxMessages most messages held ({@value #MAX_MESSAGES})
 * @param maxBytes most bytes held, counted as stored on disk ({@value #MAX_BYTES})
 * @param fullPolicy what a full queue does with a new message ({@value #FULL_POLICY})
 * @param segmentBytes size at which a new segment file is started ({@value #SEGMENT_BYTES})
 * @param maxRecordBytes largest serialized message taken ({@value #MAX_RECORD_BYTES})
 * @param retryAfterSeconds retry hint sent with a refusal ({@value #RETRY_AFTER_SECONDS})
 * @param ackSyncMillis longest time an acknowledgement stays written but not fsynced; 0 syncs
 *     each batch ({@value #ACK_SYNC_MS})
 */
public record QueueOptions(int maxMessages, long maxBytes, FullPolicy fullPolicy, int segmentBytes,
        int maxRecordBytes, int retryAfterSeconds, int ackSyncMillis) {

    public static final String MAX_MESSAGES = "queue.max.messages";
    public static final String MAX_BYTES = "queue.max.bytes";
    public static final String FULL_POLICY = "queue.full.policy";
    public static final String SEGMENT_BYTES = "queue.segment.bytes";
    public static final String MAX_RECORD_BYTES = "queue.max.record.bytes";
    public static final String RETRY_AFTER_SECONDS = "queue.retry.after.seconds";
    public static final String ACK_SYNC_MS = "queue.ack.sync.ms";

    /** Recovery reads a whole segment into memory, so segments stay small. */
    static final int MAX_SEGMENT_BYTES = 64 << 20;

    public QueueOptions {
        range(MAX_MESSAGES, maxMessages, 1, 10_000_000);
        range(MAX_BYTES, maxBytes, 1024, 1L << 40);
        if (fullPolicy == null) {
            throw new IllegalArgumentException(FULL_POLICY + " must be REFUSE or DROP_OLDEST: null");
        }
        range(SEGMENT_BYTES, segmentBytes, 4096, MAX_SEGMENT_BYTES);
        if (maxRecordBytes < 256 || maxRecordBytes > segmentBytes) {
            throw new IllegalArgumentException(MAX_RECORD_BYTES + " must be between 256 and "
                    + SEGMENT_BYTES + " (" + segmentBytes + "): " + maxRecordBytes);
        }
        range(RETRY_AFTER_SECONDS, retryAfterSeconds, 1, 86_400);
        range(ACK_SYNC_MS, ackSyncMillis, 0, 60_000);
    }

    /**
     * @return 250,000 messages, 64 MiB, {@link FullPolicy#REFUSE}, 8 MiB segments, 1 MiB records,
     *     retry after 30 s, acknowledgements fsynced within 100 ms
     */
    public static QueueOptions defaults() {
        return new QueueOptions(250_000, 64L << 20, FullPolicy.REFUSE, 8 << 20, 1 << 20, 30, 100);
    }

    public QueueOptions withMaxMessages(int v) {
        return new QueueOptions(v, maxBytes, fullPolicy, segmentBytes, maxRecordBytes, retryAfterSeconds, ackSyncMillis);
    }

    public QueueOptions withMaxBytes(long v) {
        return new QueueOptions(maxMessages, v, fullPolicy, segmentBytes, maxRecordBytes, retryAfterSeconds, ackSyncMillis);
    }

    public QueueOptions withFullPolicy(FullPolicy v) {
        return new QueueOptions(maxMessages, maxBytes, v, segmentBytes, maxRecordBytes, retryAfterSeconds, ackSyncMillis);
    }

    /** Also lowers {@link #maxRecordBytes()} to fit, so that small test segments are easy. */
    public QueueOptions withSegmentBytes(int v) {
        return new QueueOptions(maxMessages, maxBytes, fullPolicy, v, Math.min(maxRecordBytes, v),
                retryAfterSeconds, ackSyncMillis);
    }

    public QueueOptions withMaxRecordBytes(int v) {
        return new QueueOptions(maxMessages, maxBytes, fullPolicy, segmentBytes, v, retryAfterSeconds, ackSyncMillis);
    }

    public QueueOptions withRetryAfterSeconds(int v) {
        return new QueueOptions(maxMessages, maxBytes, fullPolicy, segmentBytes, maxRecordBytes, v, ackSyncMillis);
    }

    public QueueOptions withAckSyncMillis(int v) {
        return new QueueOptions(maxMessages, maxBytes, fullPolicy, segmentBytes, maxRecordBytes, retryAfterSeconds, v);
    }

    private static void range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ": " + value);
        }
    }
}
