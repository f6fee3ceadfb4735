package org.m2mgw.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.m2mgw.codec.TestMessages.GATEWAY;
import static org.m2mgw.codec.TestMessages.RECEIVED;
import static org.m2mgw.codec.TestMessages.encoder;
import static org.m2mgw.codec.TestMessages.message;

import com.upokecenter.cbor.CBORObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.codec.KuraSchema.Metric;
import org.m2mgw.codec.KuraSchema.Payload;

class KuraProtobufEncoderTest {
    private static final Metric DEVICE = new Metric("STRING", "sensor-1");
    private static final Metric RESOURCE = new Metric("STRING", "telemetry");
    private static final Metric MESSAGE_ID = new Metric("STRING", "msg-1");

    private static Payload kura(DeviceMessage message) throws Exception {
        return KuraSchema.parse(encoder(PayloadEncoders.KURA_PROTOBUF).encode(message, GATEWAY));
    }

    @Test
    void givenJsonObjectOfScalars_whenEncoded_thenKuraSchemaReadsOneTypedMetricPerMemberAndNoBody() throws Exception {
        Payload p = kura(message(ContentFormats.JSON,
                "{\"temp\":21.5,\"count\":3,\"delta\":-7,\"whole\":20.0,\"huge\":1e300,\"ok\":true,\"label\":\"hall\"}"));

        assertThat(p.timestamp()).isEqualTo(RECEIVED.toEpochMilli());
        assertThat(p.metrics()).containsExactly(
                entry("device", DEVICE),
                entry("resource", RESOURCE),
                entry("message_id", MESSAGE_ID),
                entry("temp", new Metric("DOUBLE", 21.5)),
                entry("count", new Metric("INT64", 3L)),
                entry("delta", new Metric("INT64", -7L)),
                entry("whole", new Metric("INT64", 20L)),
                entry("huge", new Metric("DOUBLE", 1e300)),
                entry("ok", new Metric("BOOL", true)),
                entry("label", new Metric("STRING", "hall")));
        assertThat(p.body()).isNull();
    }

    @Test
    void givenSenmlCbor_whenEncoded_thenOneMetricPerResolvedRecordNamedByFullName() throws Exception {
        Payload p = kura(message(ContentFormats.SENML_CBOR, SenmlTest.rfc8428Section512NowAsCbor()));

        assertThat(p.metrics()).containsExactly(
                entry("device", DEVICE),
                entry("resource", RESOURCE),
                entry("message_id", MESSAGE_ID),
                entry("urn:dev:ow:10e2073a01080063:voltage", new Metric("DOUBLE", 120.1)),
                entry("urn:dev:ow:10e2073a01080063:current", new Metric("DOUBLE", 1.2)));
        assertThat(p.body()).isNull();
    }

    @Test
    void givenSenmlSeriesOfOneName_whenEncoded_thenMetricHoldsTheLatestAndBodyKeepsTheSeries() throws Exception {
        DeviceMessage m = message(ContentFormats.SENML_CBOR, SenmlTest.rfc8428Section512TimedAsCbor());

        Payload p = kura(m);

        assertThat(p.metrics()).containsEntry("urn:dev:ow:10e2073a0108006:current", new Metric("DOUBLE", 1.7))
                .containsEntry("urn:dev:ow:10e2073a0108006:voltage", new Metric("DOUBLE", 120.1))
                .hasSize(5);
        assertThat(p.body()).isEqualTo(m.payload());
    }

    @Test
    void givenCborMapWithBytesAndIntegerKey_whenEncoded_thenBytesMetricAndStringifiedName() throws Exception {
        CBORObject map = CBORObject.NewOrderedMap().Add(1, new byte[] {1, 2, 3}).Add("rssi", -71);

        Payload p = kura(message(ContentFormats.CBOR, map));

        assertThat(p.metrics().get("1").type()).isEqualTo("BYTES");
        assertThat((byte[]) p.metrics().get("1").value()).containsExactly(1, 2, 3);
        assertThat(p.metrics().get("rssi")).isEqualTo(new Metric("INT64", -71L));
        assertThat(p.body()).isNull();
    }

    @Test
    void givenPayloadsThatCannotBeFlattened_whenEncoded_thenOriginalBytesInBodyBesideTheEnvelopeMetrics()
            throws Exception {
        DeviceMessage[] messages = {
            message(ContentFormats.OCTET_STREAM, new byte[] {0, 1, (byte) 0xff}),
            message(ContentFormats.UNDEFINED, new byte[] {42}),
            message(ContentFormats.TEXT_PLAIN, "21.5 °C"),
            message(ContentFormats.CBOR, CBORObject.NewArray().Add(1).Add(2)),
            message(ContentFormats.JSON, "[1,2]"),
        };
        for (DeviceMessage m : messages) {
            Payload p = kura(m);
            assertThat(p.metrics()).containsOnlyKeys("device", "resource", "message_id");
            assertThat(p.body()).isEqualTo(m.payload());
            assertThat(p.timestamp()).isEqualTo(RECEIVED.toEpochMilli());
        }
    }

    @Test
    void givenJsonWithNestedOrNullMembers_whenEncoded_thenScalarsAsMetricsAndWholePayloadInBody() throws Exception {
        DeviceMessage m = message(ContentFormats.JSON, "{\"temp\":21.5,\"pos\":{\"lat\":1},\"list\":[1],\"none\":null}");

        Payload p = kura(m);

        assertThat(p.metrics()).containsOnlyKeys("device", "resource", "message_id", "temp");
        assertThat(p.body()).isEqualTo(m.payload());
    }

    @Test
    void givenMemberNamedLikeAnEnvelopeMetric_whenEncoded_thenEnvelopeWinsAndBodyKeepsThePayload() throws Exception {
        DeviceMessage m = message(ContentFormats.JSON, "{\"device\":\"spoofed\",\"temp\":1.5}");

        Payload p = kura(m);

        assertThat(p.metrics().get("device")).isEqualTo(DEVICE);
        assertThat(p.metrics().get("temp")).isEqualTo(new Metric("DOUBLE", 1.5));
        assertThat(new String(p.body(), StandardCharsets.UTF_8)).contains("spoofed");
    }

    @Test
    void givenMalformedPayload_whenEncoded_thenPayloadExceptionAsForJson() {
        assertThatThrownBy(() -> kura(message(ContentFormats.SENML_JSON, "[{\"n\":\"temp\"}]")))
                .isInstanceOf(PayloadException.class)
                .hasMessage("device 'sensor-1' /telemetry: SenML record 0 'temp' has no value (v, vs, vb or vd) and no sum");
    }
}
