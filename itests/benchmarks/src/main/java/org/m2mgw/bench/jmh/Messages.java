package org.m2mgw.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.SecuritySummary;

/** Device messages as the transport hands them over. */
final class Messages {
    static final SecuritySummary SECURITY =
            new SecuritySummary("DTLSv1.2", "TLS_PSK_WITH_AES_128_CCM_8", CredentialType.PSK, true);

    private Messages() {
    }

    static DeviceMessage message(String device, long n, int contentFormat, byte[] payload) {
        return DeviceMessage.builder()
                .messageId(device + "-" + n)
                .deviceId(device)
                .resource("telemetry/temp")
                .contentFormat(contentFormat)
                .payload(payload)
                .receivedAt(Instant.ofEpochSecond(1_700_000_000L, n))
                .security(SECURITY)
                .build();
    }

    static DeviceMessage json(String device, long n) {
        return message(device, n, ContentFormats.JSON,
                ("{\"t\":21.5,\"h\":40.2,\"seq\":" + n + ",\"status\":\"ok\"}").getBytes(StandardCharsets.UTF_8));
    }

    static DeviceMessage senmlJson(String device, long n) {
        return message(device, n, ContentFormats.SENML_JSON, ("[{\"bn\":\"urn:dev:" + device + ":\",\"bt\":1.7e9,"
                + "\"n\":\"temp\",\"u\":\"Cel\",\"v\":21.5},{\"n\":\"hum\",\"u\":\"%RH\",\"v\":40.2}]")
                .getBytes(StandardCharsets.UTF_8));
    }
}
