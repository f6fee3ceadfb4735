package org.m2mgw.codec.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.SecuritySummary;
import org.m2mgw.codec.PayloadEncoder;
import org.m2mgw.codec.PayloadEncoders;
import org.m2mgw.codec.PayloadException;

/**
 * The gateway JSON: one object with the message's envelope and its decoded {@code values}.
 *
 * <pre>
 * {"gateway":"gw-1","device":"meter-7","resource":"telemetry","messageId":"...",
 *  "timestamp":"2024-05-01T10:00:00Z","contentFormat":110,
 *  "security":{"protocol":"DTLSv1.2","cipherSuite":"...","credential":"PSK","cid":true,"resumed":false},
 *  "values":[{"n":"urn:dev:ow:10e2073a01080063:voltage","t":1714557600,"u":"V","v":120.1}]}
 * </pre>
 *
 * <p>{@code values} is the parsed JSON, CBOR as JSON (byte strings base64url, other keys as their
 * JSON text), resolved SenML records, a string for text/plain, or {@code {"base64": ...}} for
 * anything else.
 *
 * @since 0.1
 */
public final class JsonEncoder implements PayloadEncoder {

    @Override
    public String id() {
        return PayloadEncoders.JSON;
    }

    @Override
    public String contentType() {
        return "application/json";
    }

    @Override
    public byte[] encode(DeviceMessage message, String gatewayId) throws PayloadException {
        Objects.requireNonNull(gatewayId, "gatewayId");
        Decoded decoded = PayloadDecoder.decodeForEncoding(message);
        SecuritySummary s = message.security();
        StringBuilder sb = new StringBuilder(320 + message.payloadLength() * 2);
        JsonOut.string(JsonOut.member(sb.append('{'), "gateway"), gatewayId);
        JsonOut.string(JsonOut.member(sb.append(','), "device"), message.deviceId());
        JsonOut.string(JsonOut.member(sb.append(','), "resource"), message.resource());
        JsonOut.string(JsonOut.member(sb.append(','), "messageId"), message.messageId());
        JsonOut.string(JsonOut.member(sb.append(','), "timestamp"), message.receivedAt().toString());
        JsonOut.member(sb.append(','), "contentFormat").append(message.contentFormat());
        JsonOut.member(sb.append(','), "security").append('{');
        JsonOut.string(JsonOut.member(sb, "protocol"), s.protocol());
        JsonOut.string(JsonOut.member(sb.append(','), "cipherSuite"), s.cipherSuite());
        JsonOut.string(JsonOut.member(sb.append(','), "credential"), s.credentialType().name());
        JsonOut.member(sb.append(','), "cid").append(s.connectionId()).append('}');
        JsonOut.member(sb.append(','), "values");
        values(sb, decoded);
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void values(StringBuilder sb, Decoded decoded) {
        if (decoded instanceof Decoded.Structured s) {
            JsonOut.write(sb, s.value());
        } else if (decoded instanceof Decoded.Senml s) {
            sb.append('[');
            boolean first = true;
            for (SenmlRecord r : s.records()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                r.writeJson(sb);
            }
            sb.append(']');
        } else if (decoded instanceof Decoded.Text t) {
            JsonOut.string(sb, t.text());
        } else {
            JsonOut.string(JsonOut.member(sb.append('{'), "base64"),
                    Base64.getEncoder().encodeToString(((Decoded.Opaque) decoded).bytes())).append('}');
        }
    }
}
