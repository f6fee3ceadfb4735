package org.m2mgw.cloud.internal.queue;

import org.m2mgw.api.message.DeviceMessage;

/**
 * A message handed out by {@link DurableQueue#peek(int)}: in flight until it is
 * {@linkplain DurableQueue#ack(long) acknowledged} or {@linkplain DurableQueue#release(long)
 * released}.
 */
public final class QueuedMessage {
    private final long sequence;
    private final String key;
    private final byte[] record;

    QueuedMessage(long sequence, String key, byte[] record) {
        this.sequence = sequence;
        this.key = key;
        this.record = record;
    }

    /** @return the queue's sequence number, to pass to ack or release */
    public long sequence() {
        return sequence;
    }

    /** @return the ordering key: the device id */
    public String key() {
        return key;
    }

    /** @return the stored record, see {@link MessageCodec}; owned by the caller, not copied */
    public byte[] record() {
        return record;
    }

    /**
     * @return the decoded message
     * @throws IllegalArgumentException if the record is not a message this version can read
     */
    public DeviceMessage message() {
        return MessageCodec.decode(record);
    }

    @Override
    public String toString() {
        return "QueuedMessage[" + sequence + " of " + key + ", " + record.length + " bytes]";
    }
}
