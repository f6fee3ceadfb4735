package org.m2mgw.codec;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.JSONOptions;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.SecuritySummary;

/** Messages as the CoAP transport would hand them over. */
final class TestMessages {
    static final String GATEWAY = "gw-1";
    static final String DEVICE = "sensor-1";
    static final Instant RECEIVED = Instant.parse("2024-05-01T10:00:00.250Z");
    static final double RECEIVED_SECONDS = 1714557600.25;
    private static final JSONOptions IN_ORDER = new JSONOptions("keepkeyorder=true");

    private TestMessages() {
    }

    static DeviceMessage message(int contentFormat, byte[] payload) {
        return DeviceMessage.builder()
                .messageId("msg-1")
                .deviceId(DEVICE)
                .resource("/telemetry")
                .contentFormat(contentFormat)
                .payload(payload)
                .receivedAt(RECEIVED)
                .security(new SecuritySummary("DTLSv1.2", "TLS_PSK_WITH_AES_128_CCM_8", CredentialType.PSK, true))
                .build();
    }

    static DeviceMessage message(int contentFormat, String payload) {
        return message(contentFormat, payload.getBytes(StandardCharsets.UTF_8));
    }

    static DeviceMessage message(int contentFormat, CBORObject payload) {
        return message(contentFormat, payload.EncodeToBytes());
    }

    static PayloadEncoder encoder(String id) {
        return PayloadEncoders.byId(id).orElseThrow();
    }

    /** @return the gateway JSON of the message, parsed */
    static CBORObject json(DeviceMessage message) throws PayloadException {
        return CBORObject.FromJSONBytes(encoder(PayloadEncoders.JSON).encode(message, GATEWAY), IN_ORDER);
    }
}
