package org.m2mgw.update.internal.kura;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KuraPayloadTest {

    @Test
    void roundTripsEveryTypeTimestampAndBody() {
        KuraPayload payload = new KuraPayload()
                .timestamp(1_700_000_000_123L)
                .put("string", "héllo ✓")
                .put("emptyString", "")
                .put("long", Long.MIN_VALUE)
                .put("longMax", Long.MAX_VALUE)
                .put("int", -7)
                .put("intMax", Integer.MAX_VALUE)
                .put("true", true)
                .put("false", false)
                .put("double", -1.5e300)
                .put("nan", Double.NaN)
                .put("float", 3.25f)
                .put("bytes", new byte[] {0, (byte) 0xFF, 7})
                .put("emptyBytes", new byte[0])
                .body("body".getBytes(StandardCharsets.US_ASCII));

        KuraPayload decoded = KuraPayload.decode(payload.encode());

        assertThat(decoded.timestamp()).isEqualTo(1_700_000_000_123L);
        assertThat(decoded.body()).isEqualTo("body".getBytes(StandardCharsets.US_ASCII));
        assertThat(decoded.metrics().keySet()).containsExactlyElementsOf(payload.metrics().keySet());
        for (Map.Entry<String, Object> metric : payload.metrics().entrySet()) {
            assertThat(decoded.metrics().get(metric.getKey())).as(metric.getKey())
                    .isInstanceOf(metric.getValue().getClass())
                    .isEqualTo(metric.getValue());
        }
    }

    @Test
    void anEmptyPayloadHasNoTimestampMetricsOrBody() {
        assertThat(new KuraPayload().encode()).isEmpty();
        KuraPayload decoded = KuraPayload.decode(new byte[0]);
        assertThat(decoded.timestamp()).isNull();
        assertThat(decoded.metrics()).isEmpty();
        assertThat(decoded.body()).isNull();
    }

    /** Computed by hand from the protobuf encoding rules. */
    @Test
    void encodesTheWireFormatByTheRules() {
        byte[] bytes = new KuraPayload().timestamp(1L).put("a", 1).body("hi".getBytes(StandardCharsets.US_ASCII))
                .encode();
        // 08 01: timestamp = 1; C2 B8 02: field 5000, length-delimited; 07: length;
        // 0A 01 61: name "a"; 10 03: type INT32; 30 01: int_value 1; CA B8 02 02 68 69: body "hi"
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("0801c2b802070a016110033001cab802026869");
    }

    @Test
    void encodesNegativeInt32AsTenByteVarint() {
        byte[] bytes = new KuraPayload().put("n", -1).encode();
        // metric: 0A 01 6E, 10 03, 30 + ten bytes FF..FF 01
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("c2b802100a016e100330ffffffffffffffffff01");
    }

    @Test
    void decodesFixedWidthValuesLittleEndian() {
        // metric "d" DOUBLE 1.0 (3FF0000000000000), then metric "f" FLOAT 1.0 (3F800000)
        byte[] bytes = hex("c2b8020e0a016410001900000000 0000f03f"
                + "c2b8020a0a0166100125 0000803f");
        KuraPayload decoded = KuraPayload.decode(bytes);
        assertThat(decoded.metrics()).containsExactly(Map.entry("d", 1.0d), Map.entry("f", 1.0f));
    }

    @Test
    void skipsThePositionExtensionsAndUnknownFields() {
        byte[] bytes = hex(
                "12 09 09 000000000000f03f" // position { latitude = 1.0 }
                + "18 96 01" // extension field 3, varint 150
                + "25 01020304" // field 4, fixed32
                + "29 0102030405060708" // field 5, fixed64
                + "33 08 01 34" // field 6, a group holding field 1 = 1
                + "08 05" // timestamp 5
                + "c2b802 0c 0a0178 1002 2805 f8010a 4a00" // metric x INT64 5, unknown field 31, bytes_value
                + "a01f 01"); // field 500, varint
        KuraPayload decoded = KuraPayload.decode(bytes);
        assertThat(decoded.timestamp()).isEqualTo(5L);
        assertThat(decoded.metrics()).containsExactly(Map.entry("x", 5L));
    }

    @Test
    void aMetricWithoutItsValueFieldHasTheTypesDefault() {
        // metrics s: STRING, i: INT64, b: BOOL, each without a value
        KuraPayload decoded = KuraPayload.decode(hex("c2b802 05 0a0173 1005" + "c2b802 05 0a0169 1002"
                + "c2b802 05 0a0162 1004"));
        assertThat(decoded.metrics()).containsExactly(Map.entry("s", ""), Map.entry("i", 0L), Map.entry("b", false));
    }

    @Test
    void aNameReceivedTwiceKeepsItsPlaceAndItsLastValue() {
        KuraPayload decoded = KuraPayload.decode(hex("c2b802 07 0a0161 1002 2801" + "c2b802 07 0a0162 1002 2802"
                + "c2b802 07 0a0161 1002 2803"));
        assertThat(decoded.metrics()).containsExactly(Map.entry("a", 3L), Map.entry("b", 2L));
    }

    @Test
    void typedAccessorsTakeTheTypesCloudsSend() {
        KuraPayload payload = new KuraPayload()
                .put("long", 42L).put("int", 42).put("digits", " 42 ").put("negative", "-42")
                .put("bool", true).put("TRUE", "TRUE").put("false", "false")
                .put("text", "x");

        assertThat(payload.number("long")).contains(42L);
        assertThat(payload.number("int")).contains(42L);
        assertThat(payload.number("digits")).contains(42L);
        assertThat(payload.number("negative")).contains(-42L);
        assertThat(payload.bool("bool")).contains(true);
        assertThat(payload.bool("TRUE")).contains(true);
        assertThat(payload.bool("false")).contains(false);
        assertThat(payload.string("text")).contains("x");
        assertThat(payload.string("long")).contains("42");
        assertThat(payload.string("bool")).contains("true");
        assertThat(payload.string("missing")).isEmpty();
        assertThat(payload.number("missing")).isEmpty();
        assertThat(payload.bool("missing")).isEmpty();
    }

    @Test
    void typedAccessorsRefuseWhatCannotMeanTheType() {
        KuraPayload payload = new KuraPayload().put("text", "x").put("bytes", new byte[2]).put("double", 1.5)
                .put("huge", "99999999999999999999").put("number", 1L);

        assertThatIllegalArgumentException().isThrownBy(() -> payload.number("text"))
                .withMessageContaining("metric text").withMessageContaining("whole number");
        assertThatIllegalArgumentException().isThrownBy(() -> payload.number("double"));
        assertThatIllegalArgumentException().isThrownBy(() -> payload.number("huge"));
        assertThatIllegalArgumentException().isThrownBy(() -> payload.bool("text"));
        assertThatIllegalArgumentException().isThrownBy(() -> payload.bool("number"));
        assertThatIllegalArgumentException().isThrownBy(() -> payload.string("bytes"))
                .withMessageContaining("2 bytes");
    }

    @Test
    void putRefusesTypesAKuraMetricCannotHold() {
        assertThatIllegalArgumentException().isThrownBy(() -> new KuraPayload().put("x", new Object()))
                .withMessageContaining("cannot hold");
        assertThatIllegalArgumentException().isThrownBy(() -> new KuraPayload().put("x", (short) 1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "truncated varint | 0880 | truncated varint",
        "varint longer than 10 bytes | 08ffffffffffffffffffff01 | longer than 10 bytes",
        "length beyond the end | c2b802050a | beyond the end",
        "body length beyond the end | cab80209 6869 | beyond the end",
        "timestamp as fixed64 | 090100000000000000 | timestamp (field 1) has wire type 1",
        "metric as varint | c0b80201 | metric (field 5000) has wire type 0",
        "position as varint | 1001 | position (field 2) has wire type 0",
        "metric name as varint | c2b802 04 0801 1002 | metric name (field 1) has wire type 0",
        "metric value of the wrong wire type | c2b802 07 0a0161 1002 2d01 | value (field 5) has wire type 5",
        "metric without a name | c2b802 04 1002 2801 | has no name",
        "metric without a type | c2b802 05 0a0161 2801 | 'a' has no type",
        "metric of an unknown type | c2b802 05 0a0161 1007 | unknown type 7",
        "field number 0 | 0001 | invalid field number 0",
        "wire type 6 | 1e | invalid wire type 6",
        "end group without start | 1c | without a start",
        "group not ended | 1b 0801 | not ended",
        "fixed64 cut short | 19 010203 | needs 8 bytes",
        "name not UTF-8 | c2b802 05 0a01ff 1005 | not valid UTF-8",
    })
    void refusesMalformedInput(String what, String input, String reason) {
        assertThatIllegalArgumentException().as(what).isThrownBy(() -> KuraPayload.decode(hex(input)))
                .withMessageStartingWith("not a valid Kura payload")
                .withMessageContaining(reason);
    }

    @Test
    void refusesMoreThanOneMebibyte() {
        byte[] large = new KuraPayload().body(new byte[KuraPayload.MAX_ENCODED_SIZE]).encode();
        assertThatIllegalArgumentException().isThrownBy(() -> KuraPayload.decode(large))
                .withMessageContaining("more than the limit of 1048576 bytes");
    }

    @Test
    void refusesGroupsNestedTooDeep() {
        byte[] nested = hex("1b".repeat(200));
        assertThatIllegalArgumentException().isThrownBy(() -> KuraPayload.decode(nested))
                .withMessageContaining("nested deeper");
    }

    private static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }
}
