package org.m2mgw.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.m2mgw.codec.TestMessages.GATEWAY;
import static org.m2mgw.codec.TestMessages.encoder;
import static org.m2mgw.codec.TestMessages.json;
import static org.m2mgw.codec.TestMessages.message;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.numbers.EInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.message.ContentFormats;

class JsonEncoderTest {

    @Test
    void givenJsonPayload_whenEncoded_thenEnvelopeDescribesMessageAndValuesAreTheParsedJson() throws Exception {
        CBORObject out = json(message(ContentFormats.JSON, "{\"temp\":21.5,\"tags\":[\"a\",null],\"on\":true,\"n\":-3}"));

        assertThat(out.get("gateway").AsString()).isEqualTo(GATEWAY);
        assertThat(out.get("device").AsString()).isEqualTo("sensor-1");
        assertThat(out.get("resource").AsString()).isEqualTo("telemetry");
        assertThat(out.get("messageId").AsString()).isEqualTo("msg-1");
        assertThat(out.get("timestamp").AsString()).isEqualTo("2024-05-01T10:00:00.250Z");
        assertThat(out.get("contentFormat").AsInt32Value()).isEqualTo(50);
        CBORObject security = out.get("security");
        assertThat(security.get("protocol").AsString()).isEqualTo("DTLSv1.2");
        assertThat(security.get("cipherSuite").AsString()).isEqualTo("TLS_PSK_WITH_AES_128_CCM_8");
        assertThat(security.get("credential").AsString()).isEqualTo("PSK");
        assertThat(security.get("cid").isTrue()).isTrue();
        assertThat(security.ContainsKey("resumed")).as("no field that was never true").isFalse();
        assertThat(out.get("values").ToJSONString()).isEqualTo("{\"temp\":21.5,\"tags\":[\"a\",null],\"on\":true,\"n\":-3}");
    }

    @Test
    void givenJsonIntegersBeyond64Bits_whenEncoded_thenTheyStayExact() throws Exception {
        CBORObject out = json(message(ContentFormats.JSON, "[18446744073709551616,9007199254740993]"));

        assertThat(out.get("values").ToJSONString()).isEqualTo("[18446744073709551616,9007199254740993]");
    }

    @Test
    void givenCborMapWithByteStringsAndIntegerKeys_whenEncoded_thenBase64urlStringsAndStringifiedKeys() throws Exception {
        CBORObject payload = CBORObject.NewOrderedMap()
                .Add(1, new byte[] {(byte) 0xfb, (byte) 0xff, 0x01})
                .Add("name", "pump")
                .Add(-7, CBORObject.NewOrderedMap().Add(2, new byte[0]))
                .Add(CBORObject.FromObject(new byte[] {1, 2}), true)
                .Add("big", CBORObject.FromObject(EInteger.FromString("18446744073709551616")))
                .Add("when", CBORObject.FromObjectAndTag(1714557600, 1));

        CBORObject values = json(message(ContentFormats.CBOR, payload)).get("values");

        assertThat(values.ToJSONString()).isEqualTo(
                "{\"1\":\"-_8B\",\"name\":\"pump\",\"-7\":{\"2\":\"\"},\"AQI\":true,"
                        + "\"big\":18446744073709551616,\"when\":1714557600}");
    }

    @Test
    void givenCborKeysThatCollideAsJsonNames_whenEncoded_thenRefused() {
        CBORObject payload = CBORObject.NewOrderedMap().Add(1, "a").Add("1", "b");

        assertThatThrownBy(() -> json(message(ContentFormats.CBOR, payload)))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("two keys").hasMessageContaining("'1'");
    }

    @Test
    void givenTextPlain_whenEncoded_thenValuesIsAJsonString() throws Exception {
        CBORObject out = json(message(ContentFormats.TEXT_PLAIN, "21.5 °C \"ok\""));

        assertThat(out.get("values").AsString()).isEqualTo("21.5 °C \"ok\"");
    }

    @Test
    void givenTextWithQuotesBackslashesAndControlCharacters_whenEncoded_thenTheJsonParsesBackToIt() throws Exception {
        String tricky = "a\"b\\c\n\t\u0001\u001f\u2028 é 😀 </script>";
        CBORObject out = json(message(ContentFormats.TEXT_PLAIN, tricky));

        assertThat(out.get("values").AsString()).isEqualTo(tricky);
    }

    @Test
    void givenNumbers_whenEncoded_thenTheirValuesSurvive() throws Exception {
        CBORObject out = json(message(ContentFormats.JSON,
                "{\"i\":-9007199254740993,\"d\":1e-7,\"big\":1.5e300,\"whole\":1714557600.0,\"neg\":-0.25}"));

        CBORObject v = out.get("values");
        assertThat(v.get("i").ToJSONString()).isEqualTo("-9007199254740993");
        assertThat(Double.parseDouble(v.get("d").ToJSONString())).isEqualTo(1e-7);
        assertThat(Double.parseDouble(v.get("big").ToJSONString())).isEqualTo(1.5e300);
        assertThat(Double.parseDouble(v.get("whole").ToJSONString())).isEqualTo(1714557600.0);
        assertThat(Double.parseDouble(v.get("neg").ToJSONString())).isEqualTo(-0.25);
    }

    @Test
    void givenOctetStreamOrNoContentFormat_whenEncoded_thenValuesCarryBase64() throws Exception {
        byte[] bytes = {0, (byte) 0xff, 0x10, (byte) 0xfb};

        for (int cf : new int[] {ContentFormats.OCTET_STREAM, ContentFormats.UNDEFINED}) {
            CBORObject values = json(message(cf, bytes)).get("values");
            assertThat(values.ToJSONString()).isEqualTo("{\"base64\":\"AP8Q+w==\"}");
        }
    }

    @Test
    void givenMalformedJson_whenEncoded_thenPayloadExceptionNamesDeviceResourceAndReason() {
        assertThatThrownBy(() -> json(message(ContentFormats.JSON, "{\"temp\": 21.5,")))
                .isInstanceOfSatisfying(PayloadException.class, e -> {
                    assertThat(e.getMessage()).startsWith("device 'sensor-1' /telemetry: JSON payload is malformed near byte");
                    assertThat(e.deviceId()).isEqualTo("sensor-1");
                    assertThat(e.resource()).isEqualTo("telemetry");
                    assertThat(e.reason()).startsWith("JSON payload is malformed");
                    assertThat(e.getCause()).isNull();
                });
        assertThatThrownBy(() -> json(message(ContentFormats.JSON, "")))
                .hasMessage("device 'sensor-1' /telemetry: JSON payload is empty");
        assertThatThrownBy(() -> json(message(ContentFormats.JSON, "{\"a\":1,\"a\":2}")))
                .hasMessageContaining("device 'sensor-1'").hasMessageContaining("duplicate key");
    }

    @Test
    void givenTruncatedCbor_whenEncoded_thenPayloadExceptionSaysWhereItEnds() {
        byte[] whole = CBORObject.NewOrderedMap().Add("temp", 21.5).Add("unit", "Cel").EncodeToBytes();
        byte[] truncated = Arrays.copyOf(whole, whole.length - 2);

        assertThatThrownBy(() -> json(message(ContentFormats.CBOR, truncated)))
                .isInstanceOf(PayloadException.class)
                .hasMessage("device 'sensor-1' /telemetry: CBOR payload is malformed at byte " + (whole.length - 4)
                        + ": the payload ends inside the data item that starts there (truncated?)");
    }

    @Test
    void givenCborThatIsWellFormedButInvalid_whenEncoded_thenPayloadException() {
        byte[] badUtf8Text = {0x62, (byte) 0xc3, 0x28};

        assertThatThrownBy(() -> json(message(ContentFormats.CBOR, badUtf8Text)))
                .isInstanceOf(PayloadException.class)
                .hasMessageStartingWith("device 'sensor-1' /telemetry: CBOR payload is not valid");
    }

    @Test
    void givenTextThatIsNotUtf8_whenEncoded_thenPayloadExceptionNamesTheByte() {
        byte[] latin1 = "caf\u00e9 ok".getBytes(StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> json(message(ContentFormats.TEXT_PLAIN, latin1)))
                .hasMessage("device 'sensor-1' /telemetry: text/plain payload is not valid UTF-8 at byte 3");
    }

    @Test
    void givenDeeplyNestedPayloads_whenEncoded_thenRefusedBeforeTheyCostMuch() {
        String deepJson = "[".repeat(40) + "]".repeat(40);
        byte[] deepCbor = new byte[41];
        Arrays.fill(deepCbor, (byte) 0x81);
        deepCbor[40] = 0x00;

        assertThatThrownBy(() -> json(message(ContentFormats.JSON, deepJson)))
                .hasMessageContaining("JSON payload nests arrays or maps deeper than 32 levels");
        assertThatThrownBy(() -> json(message(ContentFormats.CBOR, deepCbor)))
                .hasMessageContaining("CBOR payload is malformed at byte 32: arrays, maps and tags nest deeper than 32");
    }

    @Test
    void givenPayloadAboveTheDecodingLimit_whenEncoded_thenRefusedWithItsSize() {
        byte[] big = ("\"" + "x".repeat(70_000) + "\"").getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> json(message(ContentFormats.JSON, big)))
                .hasMessageContaining("JSON payload of 70002 bytes is larger than the 65536 bytes this gateway decodes");
    }

    @Test
    void givenNoGatewayId_whenEncoded_thenNullPointerException() {
        assertThatThrownBy(() -> encoder(PayloadEncoders.JSON).encode(message(ContentFormats.JSON, "{}"), null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("gatewayId");
    }
}
