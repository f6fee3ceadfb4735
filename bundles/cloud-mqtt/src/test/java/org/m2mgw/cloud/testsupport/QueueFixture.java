package org.m2mgw.cloud.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.cloud.internal.queue.DurableQueue;
import org.m2mgw.cloud.internal.queue.QueueOptions;
import org.m2mgw.cloud.internal.queue.QueuedMessage;

/**
 * The cloud connection's durable queue for benchmarks, without reaching into the bundle's
 * internal packages: open, offer (waiting until the message is durable), drain, close.
 */
public final class QueueFixture implements AutoCloseable {
    private final DurableQueue queue;

    private QueueFixture(DurableQueue queue) {
        this.queue = queue;
    }

    /** Opens (or recovers) a queue in {@code dir} that holds up to the given count and bytes. */
    public static QueueFixture open(Path dir, int maxMessages, long maxBytes) throws IOException {
        return new QueueFixture(new DurableQueue(dir,
                QueueOptions.defaults().withMaxMessages(maxMessages).withMaxBytes(maxBytes)));
    }

    /** @return whether the queue accepted the message; returns once it is durable */
    public boolean offer(DeviceMessage message) {
        return queue.offer(message).join().isAccepted();
    }

    /** Offers without waiting for durability (to fill a queue). */
    public void offerNoWait(DeviceMessage message) {
        queue.offer(message);
    }

    /** Waits until everything offered is durable. */
    public void sync() {
        queue.sync().join();
    }

    /** Peeks and acknowledges everything, as the publisher does; @return the count */
    public int drain(int batch) {
        int n = 0;
        List<QueuedMessage> b;
        while (!(b = queue.peek(batch)).isEmpty()) {
            for (QueuedMessage m : b) {
                queue.ack(m.sequence());
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        queue.close();
    }
}
