package org.m2mgw.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.m2mgw.codec.TestMessages.RECEIVED_SECONDS;
import static org.m2mgw.codec.TestMessages.json;
import static org.m2mgw.codec.TestMessages.message;

import com.upokecenter.cbor.CBORObject;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.message.ContentFormats;

/**
 * SenML (RFC 8428) in, resolved records out. The vectors are the two packs of RFC 8428 section
 * 5.1.2 "Multiple Datapoints", as printed there; the CBOR forms use the integer labels of section 6.
 */
class SenmlTest {
    // SenML CBOR labels, RFC 8428 section 6
    private static final int BVER = -1;
    private static final int BN = -2;
    private static final int BT = -3;
    private static final int BU = -4;
    private static final int BV = -5;
    private static final int N = 0;
    private static final int U = 1;
    private static final int V = 2;
    private static final int VS = 3;
    private static final int VB = 4;
    private static final int T = 6;
    private static final int VD = 8;

    /** RFC 8428 section 5.1.2, first example: voltage and current "now". */
    private static final String RFC8428_5_1_2_NOW = """
            [
              {"bn":"urn:dev:ow:10e2073a01080063:","n":"voltage","u":"V","v":120.1},
              {"n":"current","u":"A","v":1.2}
            ]""";

    /**
     * RFC 8428 section 5.1.2, second example: current at Tue Jun 8 18:01:16.001 UTC 2010 and each
     * second for the 5 seconds before. The RFC prints this base name with one digit less than the
     * first example's.
     */
    private static final String RFC8428_5_1_2_TIMED = """
            [
              {"bn":"urn:dev:ow:10e2073a0108006:","bt":1.276020076001e+09,
               "bu":"A","bver":5,
               "n":"voltage","u":"V","v":120.1},
              {"n":"current","t":-5,"v":1.2},
              {"n":"current","t":-4,"v":1.3},
              {"n":"current","t":-3,"v":1.4},
              {"n":"current","t":-2,"v":1.5},
              {"n":"current","t":-1,"v":1.6},
              {"n":"current","v":1.7}
            ]""";

    static CBORObject rfc8428Section512NowAsCbor() {
        return CBORObject.NewArray()
                .Add(CBORObject.NewOrderedMap().Add(BN, "urn:dev:ow:10e2073a01080063:").Add(N, "voltage").Add(U, "V")
                        .Add(V, 120.1))
                .Add(CBORObject.NewOrderedMap().Add(N, "current").Add(U, "A").Add(V, 1.2));
    }

    static CBORObject rfc8428Section512TimedAsCbor() {
        CBORObject pack = CBORObject.NewArray()
                .Add(CBORObject.NewOrderedMap().Add(BN, "urn:dev:ow:10e2073a0108006:").Add(BT, 1.276020076001e+09)
                        .Add(BU, "A").Add(BVER, 5).Add(N, "voltage").Add(U, "V").Add(V, 120.1));
        double[] currents = {1.2, 1.3, 1.4, 1.5, 1.6};
        for (int i = 0; i < currents.length; i++) {
            pack.Add(CBORObject.NewOrderedMap().Add(N, "current").Add(T, i - 5).Add(V, currents[i]));
        }
        return pack.Add(CBORObject.NewOrderedMap().Add(N, "current").Add(V, 1.7));
    }

    @Test
    void givenRfc8428Section512PackWithoutTime_whenSentAsJsonAndAsCbor_thenSameRecordsResolvedToReceiveTime()
            throws Exception {
        CBORObject fromJson = json(message(ContentFormats.SENML_JSON, RFC8428_5_1_2_NOW)).get("values");
        CBORObject fromCbor = json(message(ContentFormats.SENML_CBOR, rfc8428Section512NowAsCbor())).get("values");

        assertThat(fromCbor.ToJSONString()).isEqualTo(fromJson.ToJSONString());
        assertThat(fromJson.size()).isEqualTo(2);
        assertRecord(fromJson.get(0), "urn:dev:ow:10e2073a01080063:voltage", RECEIVED_SECONDS, "V", 120.1);
        assertRecord(fromJson.get(1), "urn:dev:ow:10e2073a01080063:current", RECEIVED_SECONDS, "A", 1.2);
        assertThat(fromJson.get(0).getKeys()).extracting(CBORObject::AsString).containsExactly("n", "t", "u", "v");
    }

    @Test
    void givenRfc8428Section512PackWithBaseTimeAndUnit_whenSentAsJsonAndAsCbor_thenSameRecordsWithAbsoluteTimes()
            throws Exception {
        CBORObject fromJson = json(message(ContentFormats.SENML_JSON, RFC8428_5_1_2_TIMED)).get("values");
        CBORObject fromCbor = json(message(ContentFormats.SENML_CBOR, rfc8428Section512TimedAsCbor())).get("values");

        assertThat(fromCbor.ToJSONString()).isEqualTo(fromJson.ToJSONString());
        assertThat(fromJson.size()).isEqualTo(7);
        double bt = 1.276020076001e+09;
        assertRecord(fromJson.get(0), "urn:dev:ow:10e2073a0108006:voltage", bt, "V", 120.1);
        double[] currents = {1.2, 1.3, 1.4, 1.5, 1.6, 1.7};
        for (int i = 0; i < currents.length; i++) {
            // the base unit "A" applies where a record has no unit of its own
            assertRecord(fromJson.get(i + 1), "urn:dev:ow:10e2073a0108006:current", bt + i - 5, "A", currents[i]);
        }
        // RFC 8428 section 4.6: a version other than the default stays in every resolved record
        assertThat(fromJson.get(6).get("bver").AsInt32Value()).isEqualTo(5);
    }

    @Test
    void givenBaseValueAndEveryValueType_whenResolved_thenBaseValueAddedAndTypesKept() throws Exception {
        String pack = """
                [{"bn":"dev-1/","bv":100,"n":"level","v":-2},
                 {"n":"label","vs":"Machine Room"},
                 {"n":"open","vb":false},
                 {"n":"nfc-reader","vd":"aGkgCg"}]""";
        CBORObject cbor = CBORObject.NewArray()
                .Add(CBORObject.NewOrderedMap().Add(BN, "dev-1/").Add(BV, 100).Add(N, "level").Add(V, -2))
                .Add(CBORObject.NewOrderedMap().Add(N, "label").Add(VS, "Machine Room"))
                .Add(CBORObject.NewOrderedMap().Add(N, "open").Add(VB, false))
                .Add(CBORObject.NewOrderedMap().Add(N, "nfc-reader").Add(VD, new byte[] {'h', 'i', ' ', '\n'}));

        CBORObject fromJson = json(message(ContentFormats.SENML_JSON, pack)).get("values");
        CBORObject fromCbor = json(message(ContentFormats.SENML_CBOR, cbor)).get("values");

        assertThat(fromCbor.ToJSONString()).isEqualTo(fromJson.ToJSONString());
        assertThat(fromJson.get(0).get("v").AsInt64Value()).isEqualTo(98);
        assertThat(fromJson.get(1).get("vs").AsString()).isEqualTo("Machine Room");
        assertThat(fromJson.get(2).get("vb").isFalse()).isTrue();
        assertThat(fromJson.get(3).get("vd").AsString()).isEqualTo("aGkgCg");
        assertThat(fromJson.get(3).get("n").AsString()).isEqualTo("dev-1/nfc-reader");
    }

    @Test
    void givenRecordWithoutValue_whenEncoded_thenPayloadExceptionNamesDeviceAndRecord() {
        String json = "[{\"bn\":\"dev-1/\",\"n\":\"temp\",\"u\":\"Cel\"}]";
        CBORObject cbor = CBORObject.NewArray().Add(CBORObject.NewOrderedMap().Add(BN, "dev-1/").Add(N, "temp").Add(U, "Cel"));
        String expected = "device 'sensor-1' /telemetry: SenML record 0 'dev-1/temp' has no value (v, vs, vb or vd) and no sum";

        assertThatThrownBy(() -> json(message(ContentFormats.SENML_JSON, json)))
                .isInstanceOf(PayloadException.class).hasMessage(expected);
        assertThatThrownBy(() -> json(message(ContentFormats.SENML_CBOR, cbor)))
                .isInstanceOf(PayloadException.class).hasMessage(expected);
    }

    @Test
    void givenPacksThatBreakRfc8428_whenEncoded_thenEachIsRefusedWithItsReason() {
        assertThatThrownBy(() -> json(message(ContentFormats.SENML_JSON, "{\"n\":\"x\",\"v\":1}")))
                .hasMessageEndingWith("SenML JSON payload is not an array of records");
        assertThatThrownBy(() -> json(message(ContentFormats.SENML_JSON, "[{\"n\":\"temp\",\"v\":\"21\"}]")))
                .hasMessageEndingWith("SenML record 0: 'v' must be a number");
        assertThatThrownBy(() -> json(message(ContentFormats.SENML_JSON, "[{\"n\":\"a\",\"v\":1,\"vs\":\"1\"}]")))
                .hasMessageEndingWith("SenML record 0 'a' has more than one of v, vs, vb, vd");
        assertThatThrownBy(() -> json(message(ContentFormats.SENML_JSON, "[{\"n\":\"bad name\",\"v\":1}]")))
                .hasMessageEndingWith("SenML record 0 has the name 'bad name', which RFC 8428 section 4.5.1 does not allow");
        assertThatThrownBy(() -> json(message(ContentFormats.SENML_JSON, "[{\"n\":\"a\",\"v\":1,\"crit_\":1}]")))
                .hasMessageEndingWith("SenML record 0 has the must-understand field 'crit_', which this gateway does not know");
        assertThatThrownBy(() -> json(message(ContentFormats.SENML_JSON, "[{\"bver\":11,\"n\":\"a\",\"v\":1}]")))
                .hasMessageEndingWith("SenML record 0 needs SenML version 11; this gateway supports up to 10");
        assertThatThrownBy(() -> json(message(ContentFormats.SENML_JSON, "[{\"v\":1}]")))
                .hasMessageEndingWith("SenML record 0 has no name: neither 'n' nor a base name 'bn'");
    }

    @Test
    void givenRecordWithOnlyBaseFieldsAndUnknownExtensions_whenResolved_thenItOnlySetsContext() throws Exception {
        String pack = """
                [{"bn":"urn:dev:ow:10e2073a01080063:","bt":1320078429},
                 {"n":"temp","u":"Cel","v":23.1,"ext":"ignored"},
                 {"n":"heat","u":"/","t":0.5,"v":1}]""";

        CBORObject values = json(message(ContentFormats.SENML_JSON, pack)).get("values");

        assertThat(values.size()).isEqualTo(2);
        assertThat(values.get(0).get("t").AsInt64Value()).isEqualTo(1320078429L);
        assertThat(values.get(0).ContainsKey("ext")).isFalse();
        assertThat(values.get(1).get("n").AsString()).isEqualTo("urn:dev:ow:10e2073a01080063:heat");
        assertThat(values.get(1).get("t").AsNumber().ToEDecimal().ToDouble()).isEqualTo(1320078429.5);
    }

    private static void assertRecord(CBORObject r, String name, double time, String unit, double value) {
        assertThat(r.get("n").AsString()).isEqualTo(name);
        assertThat(r.get("t").AsNumber().ToEDecimal().ToDouble()).isCloseTo(time, within(1e-6));
        assertThat(r.get("u").AsString()).isEqualTo(unit);
        assertThat(r.get("v").AsNumber().ToEDecimal().ToDouble()).isEqualTo(value);
    }
}
