package org.m2mgw.cloud.testsupport;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.SecuritySummary;

/** Device messages that carry their number in the first 4 payload bytes, for tests and benchmarks. */
public final class TestMessages {
    public static final SecuritySummary SECURITY =
            new SecuritySummary("DTLSv1.2", "TLS_PSK_WITH_AES_128_CCM_8", CredentialType.PSK, true);

    private TestMessages() {
    }

    public static DeviceMessage message(String device, int number) {
        return message(device, number, 200);
    }

    public static DeviceMessage message(String device, int number, int payloadBytes) {
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
}
