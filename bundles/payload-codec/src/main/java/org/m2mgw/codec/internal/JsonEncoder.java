package org.m2mgw.codec.internal;

import com.upokecenter.cbor.CBORObject;
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
        CBORObject security = CBORObject.NewOrderedMap()
                .Add("protocol", s.protocol())
                .Add("cipherSuite", s.cipherSuite())
                .Add("credential", s.credentialType().name())
                .Add("cid", s.connectionId())
                .Add("resumed", s.resumed());
        CBORObject json = CBORObject.NewOrderedMap()
                .Add("gateway", gatewayId)
                .Add("device", message.deviceId())
                .Add("resource", message.resource())
                .Add("messageId", message.messageId())
                .Add("timestamp", message.receivedAt().toString())
                .Add("contentFormat", message.contentFormat())
                .Add("security", security)
                .Add("values", values(decoded));
        return json.ToJSONString().getBytes(StandardCharsets.UTF_8);
    }

    private static CBORObject values(Decoded decoded) {
        if (decoded instanceof Decoded.Structured s) {
            return JsonOut.toCbor(s.value());
        } else if (decoded instanceof Decoded.Senml s) {
            CBORObject records = CBORObject.NewArray();
            for (SenmlRecord r : s.records()) {
                records.Add(r.toJson());
            }
            return records;
        } else if (decoded instanceof Decoded.Text t) {
            return CBORObject.FromObject(t.text());
        } else {
            return CBORObject.NewOrderedMap()
                    .Add("base64", Base64.getEncoder().encodeToString(((Decoded.Opaque) decoded).bytes()));
        }
    }
}
