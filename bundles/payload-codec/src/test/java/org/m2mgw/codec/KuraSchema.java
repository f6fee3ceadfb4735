package org.m2mgw.codec;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.DescriptorProto.ExtensionRange;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Eclipse Kura's {@code kurapayload.proto} (package kuradatatypes, proto2), rebuilt as a
 * descriptor with the field numbers of Kura's generated {@code KuraPayloadProto}, so that the
 * encoder's bytes are checked by the real protobuf parser rather than by our own reading.
 */
final class KuraSchema {
    static final Descriptor KURA_PAYLOAD = build();

    private KuraSchema() {
    }

    /** One decoded KuraMetric: its type name and the value of the field that type uses. */
    record Metric(String type, Object value) {
    }

    /** A decoded KuraPayload. */
    record Payload(long timestamp, Map<String, Metric> metrics, byte[] body, DynamicMessage message) {
    }

    static Payload parse(byte[] bytes) throws InvalidProtocolBufferException {
        DynamicMessage m = DynamicMessage.parseFrom(KURA_PAYLOAD, bytes);
        if (!m.isInitialized() || !m.getUnknownFields().asMap().isEmpty()) {
            throw new AssertionError("not a complete KuraPayload: " + m);
        }
        Map<String, Metric> metrics = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        List<DynamicMessage> list = (List<DynamicMessage>) m.getField(field(KURA_PAYLOAD, "metric"));
        Descriptor metric = KURA_PAYLOAD.findNestedTypeByName("KuraMetric");
        for (DynamicMessage dm : list) {
            String type = ((EnumValueDescriptor) dm.getField(field(metric, "type"))).getName();
            String valueField = switch (type) {
                case "DOUBLE" -> "double_value";
                case "INT64" -> "long_value";
                case "BOOL" -> "bool_value";
                case "STRING" -> "string_value";
                case "BYTES" -> "bytes_value";
                default -> throw new AssertionError("unexpected type " + type);
            };
            // exactly name, type and the one value field
            if (dm.getAllFields().size() != 3 || !dm.hasField(field(metric, valueField))) {
                throw new AssertionError("metric with other fields than name, type and " + valueField + ": " + dm);
            }
            Object value = dm.getField(field(metric, valueField));
            if (value instanceof com.google.protobuf.ByteString b) {
                value = b.toByteArray();
            }
            String name = (String) dm.getField(field(metric, "name"));
            if (metrics.put(name, new Metric(type, value)) != null) {
                throw new AssertionError("metric " + name + " twice");
            }
        }
        FieldDescriptor body = field(KURA_PAYLOAD, "body");
        return new Payload((Long) m.getField(field(KURA_PAYLOAD, "timestamp")), metrics,
                m.hasField(body) ? ((com.google.protobuf.ByteString) m.getField(body)).toByteArray() : null, m);
    }

    private static FieldDescriptor field(Descriptor d, String name) {
        return d.findFieldByName(name);
    }

    private static Descriptor build() {
        DescriptorProto metric = DescriptorProto.newBuilder()
                .setName("KuraMetric")
                .addEnumType(EnumDescriptorProto.newBuilder().setName("ValueType")
                        .addValue(value("DOUBLE", 0)).addValue(value("FLOAT", 1)).addValue(value("INT64", 2))
                        .addValue(value("INT32", 3)).addValue(value("BOOL", 4)).addValue(value("STRING", 5))
                        .addValue(value("BYTES", 6)))
                .addField(field("name", 1, Label.LABEL_REQUIRED, Type.TYPE_STRING))
                .addField(field("type", 2, Label.LABEL_REQUIRED, Type.TYPE_ENUM)
                        .setTypeName(".kuradatatypes.KuraPayload.KuraMetric.ValueType"))
                .addField(field("double_value", 3, Label.LABEL_OPTIONAL, Type.TYPE_DOUBLE))
                .addField(field("float_value", 4, Label.LABEL_OPTIONAL, Type.TYPE_FLOAT))
                .addField(field("long_value", 5, Label.LABEL_OPTIONAL, Type.TYPE_INT64))
                .addField(field("int_value", 6, Label.LABEL_OPTIONAL, Type.TYPE_INT32))
                .addField(field("bool_value", 7, Label.LABEL_OPTIONAL, Type.TYPE_BOOL))
                .addField(field("string_value", 8, Label.LABEL_OPTIONAL, Type.TYPE_STRING))
                .addField(field("bytes_value", 9, Label.LABEL_OPTIONAL, Type.TYPE_BYTES))
                .build();
        DescriptorProto position = DescriptorProto.newBuilder()
                .setName("KuraPosition")
                .addField(field("latitude", 1, Label.LABEL_REQUIRED, Type.TYPE_DOUBLE))
                .addField(field("longitude", 2, Label.LABEL_REQUIRED, Type.TYPE_DOUBLE))
                .addField(field("altitude", 3, Label.LABEL_OPTIONAL, Type.TYPE_DOUBLE))
                .addField(field("precision", 4, Label.LABEL_OPTIONAL, Type.TYPE_DOUBLE))
                .addField(field("heading", 5, Label.LABEL_OPTIONAL, Type.TYPE_DOUBLE))
                .addField(field("speed", 6, Label.LABEL_OPTIONAL, Type.TYPE_DOUBLE))
                .addField(field("timestamp", 7, Label.LABEL_OPTIONAL, Type.TYPE_INT64))
                .addField(field("satellites", 8, Label.LABEL_OPTIONAL, Type.TYPE_INT32))
                .addField(field("status", 9, Label.LABEL_OPTIONAL, Type.TYPE_INT32))
                .build();
        DescriptorProto payload = DescriptorProto.newBuilder()
                .setName("KuraPayload")
                .addNestedType(metric)
                .addNestedType(position)
                .addField(field("timestamp", 1, Label.LABEL_OPTIONAL, Type.TYPE_INT64))
                .addField(field("position", 2, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE)
                        .setTypeName(".kuradatatypes.KuraPayload.KuraPosition"))
                .addExtensionRange(ExtensionRange.newBuilder().setStart(3).setEnd(5000))
                .addField(field("metric", 5000, Label.LABEL_REPEATED, Type.TYPE_MESSAGE)
                        .setTypeName(".kuradatatypes.KuraPayload.KuraMetric"))
                .addField(field("body", 5001, Label.LABEL_OPTIONAL, Type.TYPE_BYTES))
                .build();
        FileDescriptorProto file = FileDescriptorProto.newBuilder()
                .setName("kurapayload.proto")
                .setPackage("kuradatatypes")
                .setSyntax("proto2")
                .addMessageType(payload)
                .build();
        try {
            return FileDescriptor.buildFrom(file, new FileDescriptor[0]).findMessageTypeByName("KuraPayload");
        } catch (DescriptorValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FieldDescriptorProto.Builder field(String name, int number, Label label, Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setLabel(label).setType(type);
    }

    private static EnumValueDescriptorProto value(String name, int number) {
        return EnumValueDescriptorProto.newBuilder().setName(name).setNumber(number).build();
    }
}
