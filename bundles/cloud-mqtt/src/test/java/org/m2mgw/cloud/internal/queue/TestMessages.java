package org.m2mgw.cloud.internal.queue;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.SecuritySummary;

/** Messages that carry their number in the first 4 payload bytes, and helpers to drain a queue. */
final class TestMessages {
    static final SecuritySummary SECURITY =
            new SecuritySummary("DTLSv1.2", "TLS_PSK_WITH_AES_128_CCM_8", CredentialType.PSK, true);

    private TestMessages() {
    }

    static DeviceMessage message(String device, int number) {
        return message(device, number, 200);
    }

    static DeviceMessage message(String device, int number, int payloadBytes) {
        byte[] payload = new byte[Math.max(4, payloadBytes)];
        ByteBuffer.wrap(payload).putInt(number);
        return DeviceMessage.builder()
                .messageId(device + "-" + number)
                .deviceId(device)
                .resource("telemetry/temp")
                .contentFormat(ContentFormats.CBOR)
                .payload(payload)
                .receivedAt(Instant.ofEpochSecond(1_700_000_000L, number))
                .security(SECURITY)
                .build();
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
