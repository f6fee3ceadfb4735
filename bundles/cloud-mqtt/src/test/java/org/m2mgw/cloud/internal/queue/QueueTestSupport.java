package org.m2mgw.cloud.internal.queue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.m2mgw.api.message.DeviceMessage;

/** Queue helpers for the queue's own tests: message numbers, frame sizes, draining. */
final class QueueTestSupport {
    private QueueTestSupport() {
    }

    static int number(QueuedMessage m) {
        return ByteBuffer.wrap(m.message().payload()).getInt();
    }

    /** @return the bytes one test message takes in a segment */
    static int frameLength(DeviceMessage m) {
        return Frames.dataFrameLength(m.deviceId().length(), MessageCodec.encode(m).length);
    }

    /** Takes and acknowledges everything, in the order handed out. */
    static List<QueuedMessage> drain(DurableQueue queue) {
        List<QueuedMessage> all = new ArrayList<>();
        List<QueuedMessage> batch;
        while (!(batch = queue.peek(1000)).isEmpty()) {
            for (QueuedMessage m : batch) {
                all.add(m);
                queue.ack(m.sequence());
            }
        }
        return all;
    }
}
