package org.m2mgw.update.internal.kura;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.m2mgw.support.proto.ProtoWriter;

/**
 * Eclipse Kura's payload ({@code kurapayload.proto}, package {@code kuradatatypes}): DEPLOY-V2
 * requests arrive in it and the agent's replies and notifications leave in it. Encoded and decoded
 * here by hand, without a protobuf runtime, so that the agent depends on nothing it may update.
 *
 * <p>Metrics keep the order they were put or received in; a name received twice keeps its first
 * place and its last value. A metric value is a {@link String}, {@link Long}, {@link Integer},
 * {@link Boolean}, {@link Double}, {@link Float} or {@code byte[]} (byte arrays are not copied). The
 * position (field 2) and any unknown field are skipped when decoding; a metric that names a type
 * but carries no value reads as that type's protobuf default (0, false, empty), as it does in Kura.
 *
 * <p>Cloud platforms differ in the types they send for the same metric (a job id as INT64 or as
 * INT32, a flag as BOOL or as the string {@code "true"}), so the typed accessors accept each of
 * them; a value that cannot mean what is asked for is an {@link IllegalArgumentException} naming
 * the metric, never silently absent.
 */
public final class KuraPayload {
    /** Larger inputs are refused before reading: a request is a few hundred bytes. */
    public static final int MAX_ENCODED_SIZE = 1 << 20;

    private static final int TIMESTAMP = 1;
    private static final int POSITION = 2;
    private static final int METRIC = 5000;
    private static final int BODY = 5001;
    private static final int METRIC_NAME = 1;
    private static final int METRIC_TYPE = 2;

    private Long timestamp;
    private final Map<String, Object> metrics = new LinkedHashMap<>();
    private byte[] body;

    /** Kura's {@code KuraMetric.ValueType}: its number, the field holding the value, the Java type. */
    private enum ValueType {
        DOUBLE(0, 3, ProtoWire.FIXED64, Double.class, 0.0d),
        FLOAT(1, 4, ProtoWire.FIXED32, Float.class, 0.0f),
        INT64(2, 5, ProtoWire.VARINT, Long.class, 0L),
        INT32(3, 6, ProtoWire.VARINT, Integer.class, 0),
        BOOL(4, 7, ProtoWire.VARINT, Boolean.class, false),
        STRING(5, 8, ProtoWire.LENGTH_DELIMITED, String.class, ""),
        BYTES(6, 9, ProtoWire.LENGTH_DELIMITED, byte[].class, new byte[0]);

        final int number;
        final int field;
        final int wireType;
        final Class<?> javaType;
        /** What Kura reads when a metric names this type but carries no value. */
        final Object absent;

        ValueType(int number, int field, int wireType, Class<?> javaType, Object absent) {
            this.number = number;
            this.field = field;
            this.wireType = wireType;
            this.javaType = javaType;
            this.absent = absent;
        }

        static ValueType ofNumber(long number) {
            for (ValueType t : values()) {
                if (t.number == number) {
                    return t;
                }
            }
            return null;
        }

        static ValueType ofField(int field) {
            for (ValueType t : values()) {
                if (t.field == field) {
                    return t;
                }
            }
            return null;
        }

        static ValueType of(Object value) {
            for (ValueType t : values()) {
                if (t.javaType.isInstance(value)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("a Kura metric cannot hold a " + value.getClass().getName()
                    + "; use String, Long, Integer, Boolean, Double, Float or byte[]");
        }

        Object read(ProtoWire.Reader in, String what) {
            return switch (this) {
                case DOUBLE -> Double.longBitsToDouble(in.fixed64(what));
                case FLOAT -> Float.intBitsToFloat(in.fixed32(what));
                case INT64 -> in.varint(what);
                case INT32 -> (int) in.varint(what);
                case BOOL -> in.varint(what) != 0;
                case STRING -> in.string(what);
                case BYTES -> in.bytes(what);
            };
        }

        void write(ProtoWriter out, Object value) {
            switch (this) {
                case DOUBLE -> out.fixed64Field(field, Double.doubleToRawLongBits((Double) value));
                case FLOAT -> out.fixed32Field(field, Float.floatToRawIntBits((Float) value));
                case INT64 -> out.varintField(field, (Long) value);
                case INT32 -> out.varintField(field, (Integer) value);
                case BOOL -> out.varintField(field, (Boolean) value ? 1 : 0);
                case STRING -> out.stringField(field, (String) value);
                case BYTES -> out.bytesField(field, (byte[]) value);
            }
        }
    }

    /** The payload's time in milliseconds since the epoch, or null if it has none. */
    public Long timestamp() {
        return timestamp;
    }

    public KuraPayload timestamp(Long millis) {
        this.timestamp = millis;
        return this;
    }

    /** The body, or null if the payload has none. */
    public byte[] body() {
        return body;
    }

    public KuraPayload body(byte[] bytes) {
        this.body = bytes;
        return this;
    }

    /** The metrics in their order, read-only. */
    public Map<String, Object> metrics() {
        return Collections.unmodifiableMap(metrics);
    }

    /**
     * Sets a metric, replacing a value of the same name in its place.
     *
     * @throws IllegalArgumentException if the value is not of a type a Kura metric can hold
     */
    public KuraPayload put(String name, Object value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value of metric " + name);
        ValueType.of(value);
        metrics.put(name, value);
        return this;
    }

    /** A text metric; numbers and booleans are given as their decimal or {@code true}/{@code false} text. */
    public Optional<String> string(String name) {
        Object value = metrics.get(name);
        if (value == null || value instanceof String) {
            return Optional.ofNullable((String) value);
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Boolean) {
            return Optional.of(value.toString());
        }
        throw wrongType(name, value, "text");
    }

    /** A whole-number metric, sent as INT64, INT32 or a string of decimal digits. */
    public Optional<Long> number(String name) {
        Object value = metrics.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Long || value instanceof Integer) {
            return Optional.of(((Number) value).longValue());
        }
        if (value instanceof String s && s.trim().matches("[+-]?[0-9]{1,19}")) {
            try {
                return Optional.of(Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                throw wrongType(name, value, "whole number in the range of a long");
            }
        }
        throw wrongType(name, value, "whole number");
    }

    /** A flag, sent as BOOL or as the string {@code true} or {@code false} (in any case). */
    public Optional<Boolean> bool(String name) {
        Object value = metrics.get(name);
        if (value == null || value instanceof Boolean) {
            return Optional.ofNullable((Boolean) value);
        }
        if (value instanceof String s) {
            if ("true".equalsIgnoreCase(s.trim())) {
                return Optional.of(true);
            }
            if ("false".equalsIgnoreCase(s.trim())) {
                return Optional.of(false);
            }
        }
        throw wrongType(name, value, "true or false");
    }

    /** The payload in Kura's wire format: timestamp, metrics in order, body. */
    public byte[] encode() {
        ProtoWriter out = new ProtoWriter();
        if (timestamp != null) {
            out.varintField(TIMESTAMP, timestamp);
        }
        for (Map.Entry<String, Object> metric : metrics.entrySet()) {
            ValueType type = ValueType.of(metric.getValue());
            ProtoWriter m = new ProtoWriter()
                    .stringField(METRIC_NAME, metric.getKey())
                    .varintField(METRIC_TYPE, type.number);
            type.write(m, metric.getValue());
            out.bytesField(METRIC, m.toByteArray());
        }
        if (body != null) {
            out.bytesField(BODY, body);
        }
        return out.toByteArray();
    }

    /**
     * Reads a payload in Kura's wire format.
     *
     * @throws IllegalArgumentException if the input is larger than {@link #MAX_ENCODED_SIZE}, is
     *     truncated, has a length beyond its end, a known field of the wrong wire type, or a metric
     *     without a name, without a type or of an unknown type
     */
    public static KuraPayload decode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length > MAX_ENCODED_SIZE) {
            throw new IllegalArgumentException("not a Kura payload: " + bytes.length
                    + " bytes is more than the limit of " + MAX_ENCODED_SIZE + " bytes");
        }
        try {
            KuraPayload payload = new KuraPayload();
            ProtoWire.Reader in = new ProtoWire.Reader(bytes);
            while (in.hasMore()) {
                int tag = in.tag();
                switch (ProtoWire.fieldNumber(tag)) {
                    case TIMESTAMP -> payload.timestamp = in.varint(expect(tag, ProtoWire.VARINT, "timestamp"));
                    case POSITION -> {
                        expect(tag, ProtoWire.LENGTH_DELIMITED, "position");
                        in.skip(tag);
                    }
                    case METRIC -> payload.readMetric(in.embedded(expect(tag, ProtoWire.LENGTH_DELIMITED, "metric")));
                    case BODY -> payload.body = in.bytes(expect(tag, ProtoWire.LENGTH_DELIMITED, "body"));
                    default -> in.skip(tag);
                }
            }
            return payload;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid Kura payload: " + e.getMessage(), e);
        }
    }

    private void readMetric(ProtoWire.Reader in) {
        int start = in.offset();
        String name = null;
        Long typeNumber = null;
        Map<ValueType, Object> values = new EnumMap<>(ValueType.class);
        while (in.hasMore()) {
            int tag = in.tag();
            int field = ProtoWire.fieldNumber(tag);
            ValueType valueField = ValueType.ofField(field);
            if (field == METRIC_NAME) {
                name = in.string(expect(tag, ProtoWire.LENGTH_DELIMITED, "metric name"));
            } else if (field == METRIC_TYPE) {
                typeNumber = in.varint(expect(tag, ProtoWire.VARINT, "metric type"));
            } else if (valueField != null) {
                String what = "metric " + valueField.name().toLowerCase() + " value";
                values.put(valueField, valueField.read(in, expect(tag, valueField.wireType, what)));
            } else {
                in.skip(tag);
            }
        }
        if (name == null) {
            throw new IllegalArgumentException("metric at offset " + start + " has no name");
        }
        if (typeNumber == null) {
            throw new IllegalArgumentException("metric '" + name + "' has no type");
        }
        ValueType type = ValueType.ofNumber(typeNumber);
        if (type == null) {
            throw new IllegalArgumentException("metric '" + name + "' has the unknown type " + typeNumber);
        }
        metrics.put(name, values.getOrDefault(type, type.absent));
    }

    /** Returns {@code what} if the tag has the expected wire type, for use as the reader's context. */
    private static String expect(int tag, int wireType, String what) {
        if (ProtoWire.wireType(tag) != wireType) {
            throw new IllegalArgumentException(what + " (field " + ProtoWire.fieldNumber(tag) + ") has wire type "
                    + ProtoWire.wireType(tag) + ", expected " + wireType);
        }
        return what;
    }

    private static IllegalArgumentException wrongType(String name, Object value, String expected) {
        String shown = value instanceof byte[] b ? b.length + " bytes" : "'" + value + "'";
        return new IllegalArgumentException("metric " + name + " is a " + value.getClass().getSimpleName()
                + " (" + shown + "), expected " + expected);
    }

    @Override
    public String toString() {
        return "KuraPayload[timestamp=" + timestamp + ", metrics=" + metrics.keySet()
                + ", body=" + (body == null ? "none" : body.length + " bytes") + "]";
    }
}
