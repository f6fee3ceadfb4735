package org.m2mgw.update.internal.kura;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.DescriptorProto.ExtensionRange;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.UnknownFieldSet;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks the hand-written wire code against the real protobuf runtime, in both directions, with
 * Kura's {@code kurapayload.proto} rebuilt as a descriptor. Needs protobuf-java as a test
 * dependency; the bundle itself never uses it.
 */
class KuraPayloadProtobufTest {
    private static final Descriptor PAYLOAD = kuraPayloadDescriptor();
    private static final Descriptor METRIC = PAYLOAD.findNestedTypeByName("KuraMetric");
    private static final Descriptor POSITION = PAYLOAD.findNestedTypeByName("KuraPosition");

    /** Each Kura value type with a value of it, and the KuraMetric field that carries it. */
    private static final List<Object[]> SAMPLES = List.of(
            new Object[] {"DOUBLE", "double_value", -2.5e-300},
            new Object[] {"FLOAT", "float_value", 1.25e30f},
            new Object[] {"INT64", "long_value", Long.MIN_VALUE + 1},
            new Object[] {"INT32", "int_value", -123_456},
            new Object[] {"BOOL", "bool_value", true},
            new Object[] {"STRING", "string_value", "dp.name: gateway-cloud ✓"},
            new Object[] {"BYTES", "bytes_value", new byte[] {1, 0, -1, 127}});

    @Test
    void protobufReadsWhatWeWrite() throws Exception {
        KuraPayload payload = new KuraPayload().timestamp(1_712_345_678_901L).body("{}".getBytes(StandardCharsets.UTF_8));
        for (Object[] sample : SAMPLES) {
            payload.put("m." + sample[0], sample[2]);
        }

        DynamicMessage parsed = DynamicMessage.parseFrom(PAYLOAD, payload.encode());

        assertThat(parsed.isInitialized()).isTrue();
        assertThat(parsed.getUnknownFields().asMap()).isEmpty();
        assertThat(parsed.getField(PAYLOAD.findFieldByName("timestamp"))).isEqualTo(1_712_345_678_901L);
        assertThat(((ByteString) parsed.getField(PAYLOAD.findFieldByName("body"))).toStringUtf8()).isEqualTo("{}");
        Map<String, DynamicMessage> metrics = new LinkedHashMap<>();
        for (Object m : (List<?>) parsed.getField(PAYLOAD.findFieldByName("metric"))) {
            DynamicMessage metric = (DynamicMessage) m;
            metrics.put((String) metric.getField(METRIC.findFieldByName("name")), metric);
        }
        assertThat(metrics).hasSize(SAMPLES.size());
        for (Object[] sample : SAMPLES) {
            DynamicMessage metric = metrics.get("m." + sample[0]);
            assertThat(((EnumValueDescriptor) metric.getField(METRIC.findFieldByName("type"))).getName())
                    .isEqualTo(sample[0]);
            assertThat(metric.getAllFields()).as("name, type and only the value field").hasSize(3);
            Object value = metric.getField(METRIC.findFieldByName((String) sample[1]));
            assertThat(value instanceof ByteString b ? b.toByteArray() : value).isEqualTo(sample[2]);
        }
    }

    @Test
    void weReadWhatProtobufWrites() throws Exception {
        DynamicMessage.Builder message = DynamicMessage.newBuilder(PAYLOAD)
                .setField(PAYLOAD.findFieldByName("timestamp"), 42L)
                .setField(PAYLOAD.findFieldByName("position"), DynamicMessage.newBuilder(POSITION)
                        .setField(POSITION.findFieldByName("latitude"), 46.0)
                        .setField(POSITION.findFieldByName("longitude"), 7.0)
                        .setField(POSITION.findFieldByName("satellites"), 9)
                        .build())
                .setField(PAYLOAD.findFieldByName("body"), ByteString.copyFromUtf8("body"))
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(17, UnknownFieldSet.Field.newBuilder().addVarint(5).addFixed32(6).build())
                        .addField(4999, UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(ByteString.copyFromUtf8("extension")).build())
                        .build());
        for (Object[] sample : SAMPLES) {
            Object value = sample[2] instanceof byte[] b ? ByteString.copyFrom(b) : sample[2];
            message.addRepeatedField(PAYLOAD.findFieldByName("metric"), DynamicMessage.newBuilder(METRIC)
                    .setField(METRIC.findFieldByName("name"), "m." + sample[0])
                    .setField(METRIC.findFieldByName("type"),
                            METRIC.findEnumTypeByName("ValueType").findValueByName((String) sample[0]))
                    .setField(METRIC.findFieldByName((String) sample[1]), value)
                    .build());
        }

        KuraPayload decoded = KuraPayload.decode(message.build().toByteArray());

        assertThat(decoded.timestamp()).isEqualTo(42L);
        assertThat(decoded.body()).isEqualTo("body".getBytes(StandardCharsets.UTF_8));
        assertThat(decoded.metrics()).hasSize(SAMPLES.size());
        for (Object[] sample : SAMPLES) {
            assertThat(decoded.metrics().get("m." + sample[0])).as((String) sample[0]).isEqualTo(sample[2]);
        }
    }

    @Test
    void bothWriteTheSameBytes() throws Exception {
        KuraPayload payload = new KuraPayload().timestamp(-1L).put("a", 1L).put("b", "x").put("c", -1)
                .body(new byte[0]);

        byte[] ours = payload.encode();

        assertThat(DynamicMessage.parseFrom(PAYLOAD, ours).toByteArray()).isEqualTo(ours);
    }

    private static Descriptor kuraPayloadDescriptor() {
        EnumDescriptorProto.Builder valueType = EnumDescriptorProto.newBuilder().setName("ValueType");
        List<String> types = List.of("DOUBLE", "FLOAT", "INT64", "INT32", "BOOL", "STRING", "BYTES");
        for (int i = 0; i < types.size(); i++) {
            valueType.addValue(EnumValueDescriptorProto.newBuilder().setName(types.get(i)).setNumber(i));
        }
        DescriptorProto metric = DescriptorProto.newBuilder().setName("KuraMetric")
                .addEnumType(valueType)
                .addField(field("name", 1, Label.LABEL_REQUIRED, Type.TYPE_STRING))
                .addField(field("type", 2, Label.LABEL_REQUIRED, Type.TYPE_ENUM)
                        .setTypeName(".kuradatatypes.KuraPayload.KuraMetric.ValueType"))
                .addField(optional("double_value", 3, Type.TYPE_DOUBLE))
                .addField(optional("float_value", 4, Type.TYPE_FLOAT))
                .addField(optional("long_value", 5, Type.TYPE_INT64))
                .addField(optional("int_value", 6, Type.TYPE_INT32))
                .addField(optional("bool_value", 7, Type.TYPE_BOOL))
                .addField(optional("string_value", 8, Type.TYPE_STRING))
                .addField(optional("bytes_value", 9, Type.TYPE_BYTES))
                .build();
        DescriptorProto position = DescriptorProto.newBuilder().setName("KuraPosition")
                .addField(field("latitude", 1, Label.LABEL_REQUIRED, Type.TYPE_DOUBLE))
                .addField(field("longitude", 2, Label.LABEL_REQUIRED, Type.TYPE_DOUBLE))
                .addField(optional("altitude", 3, Type.TYPE_DOUBLE))
                .addField(optional("precision", 4, Type.TYPE_DOUBLE))
                .addField(optional("heading", 5, Type.TYPE_DOUBLE))
                .addField(optional("speed", 6, Type.TYPE_DOUBLE))
                .addField(optional("timestamp", 7, Type.TYPE_INT64))
                .addField(optional("satellites", 8, Type.TYPE_INT32))
                .addField(optional("status", 9, Type.TYPE_INT32))
                .build();
        DescriptorProto payload = DescriptorProto.newBuilder().setName("KuraPayload")
                .addNestedType(metric)
                .addNestedType(position)
                .addField(optional("timestamp", 1, Type.TYPE_INT64))
                .addField(optional("position", 2, Type.TYPE_MESSAGE)
                        .setTypeName(".kuradatatypes.KuraPayload.KuraPosition"))
                .addExtensionRange(ExtensionRange.newBuilder().setStart(3).setEnd(5000))
                .addField(field("metric", 5000, Label.LABEL_REPEATED, Type.TYPE_MESSAGE)
                        .setTypeName(".kuradatatypes.KuraPayload.KuraMetric"))
                .addField(optional("body", 5001, Type.TYPE_BYTES))
                .build();
        FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("kurapayload.proto")
                .setPackage("kuradatatypes").setSyntax("proto2").addMessageType(payload).build();
        try {
            return FileDescriptor.buildFrom(file, new FileDescriptor[0]).findMessageTypeByName("KuraPayload");
        } catch (Exception e) {
            throw new IllegalStateException("Kura's schema does not build", e);
        }
    }

    private static FieldDescriptorProto.Builder optional(String name, int number, Type type) {
        return field(name, number, Label.LABEL_OPTIONAL, type);
    }

    private static FieldDescriptorProto.Builder field(String name, int number, Label label, Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setLabel(label).setType(type);
    }
}
