package org.m2mgw.codec.internal;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.codec.PayloadEncoder;
import org.m2mgw.codec.PayloadEncoders;
import org.m2mgw.codec.PayloadException;
import org.m2mgw.support.proto.ProtoWriter;

/**
 * The Eclipse Kura payload, {@code kuradatatypes.KuraPayload} of Kura's {@code kurapayload.proto}
 * (proto2), written field by field.
 *
 * <p>The timestamp is the receive time. Metrics {@code device}, {@code resource} and
 * {@code message_id} are always there; then one metric per scalar member of a JSON object or CBOR
 * map, or per resolved SenML record (named by its full name). Numbers become INT64 when integral
 * and within 64 bits, DOUBLE otherwise. Whenever the metrics cannot carry the whole payload (text,
 * octet-stream, no content format, JSON or CBOR that is not an object, members that are null,
 * arrays or objects, names that repeat or clash with the three above), the original payload goes
 * into {@code body} as well.
 *
 * @since 0.1
 */
public final class KuraProtobufEncoder implements PayloadEncoder {
    // kuradatatypes.KuraPayload
    private static final int TIMESTAMP = 1;
    private static final int METRIC = 5000;
    private static final int BODY = 5001;
    // kuradatatypes.KuraPayload.KuraMetric
    private static final int NAME = 1;
    private static final int TYPE = 2;
    private static final int DOUBLE_VALUE = 3;
    private static final int LONG_VALUE = 5;
    private static final int BOOL_VALUE = 7;
    private static final int STRING_VALUE = 8;
    private static final int BYTES_VALUE = 9;
    // kuradatatypes.KuraPayload.KuraMetric.ValueType
    private static final int TYPE_DOUBLE = 0;
    private static final int TYPE_INT64 = 2;
    private static final int TYPE_BOOL = 4;
    private static final int TYPE_STRING = 5;
    private static final int TYPE_BYTES = 6;

    static final String DEVICE = "device";
    static final String RESOURCE = "resource";
    static final String MESSAGE_ID = "message_id";

    @Override
    public String id() {
        return PayloadEncoders.KURA_PROTOBUF;
    }

    @Override
    public String contentType() {
        return "application/x-protobuf";
    }

    @Override
    public byte[] encode(DeviceMessage message, String gatewayId) throws PayloadException {
        Objects.requireNonNull(gatewayId, "gatewayId");
        Decoded decoded = PayloadDecoder.decodeForEncoding(message);
        Map<String, Metric> metrics = new LinkedHashMap<>();
        metrics.put(DEVICE, new Metric(DEVICE, TYPE_STRING, message.deviceId()));
        metrics.put(RESOURCE, new Metric(RESOURCE, TYPE_STRING, message.resource()));
        metrics.put(MESSAGE_ID, new Metric(MESSAGE_ID, TYPE_STRING, message.messageId()));
        boolean complete;
        if (decoded instanceof Decoded.Structured s && s.value() instanceof Value.Obj obj) {
            complete = addMembers(obj, metrics);
        } else if (decoded instanceof Decoded.Senml s) {
            complete = addRecords(s, metrics);
        } else {
            complete = false;
        }

        ProtoWriter payload = new ProtoWriter().varintField(TIMESTAMP, message.receivedAt().toEpochMilli());
        for (Metric m : metrics.values()) {
            payload.bytesField(METRIC, m.encode());
        }
        if (!complete) {
            payload.bytesField(BODY, message.payload());
        }
        return payload.toByteArray();
    }

    /** @return whether every member became a metric */
    private static boolean addMembers(Value.Obj obj, Map<String, Metric> metrics) {
        boolean complete = true;
        for (Map.Entry<String, Value> e : obj.members().entrySet()) {
            String name = e.getKey();
            Value v = e.getValue();
            Metric m;
            if (v instanceof Value.Num n) {
                m = number(name, n.value());
            } else if (v instanceof Value.Text t) {
                m = new Metric(name, TYPE_STRING, t.value());
            } else if (v instanceof Value.Bool b) {
                m = new Metric(name, TYPE_BOOL, b.value());
            } else if (v instanceof Value.Bytes b) {
                m = new Metric(name, TYPE_BYTES, b.value());
            } else {
                complete = false;
                continue;
            }
            if (metrics.putIfAbsent(name, m) != null) {
                complete = false;
            }
        }
        return complete;
    }

    /**
     * @return whether every record became a metric of its own; when names repeat (a series), the
     *     metric holds the latest value and the body keeps the series
     */
    private static boolean addRecords(Decoded.Senml senml, Map<String, Metric> metrics) {
        boolean complete = true;
        Map<String, Double> times = new HashMap<>();
        for (SenmlRecord r : senml.records()) {
            Metric m;
            if (r.value() instanceof Number n) {
                m = number(r.name(), n);
            } else if (r.value() instanceof String s) {
                m = new Metric(r.name(), TYPE_STRING, s);
            } else if (r.value() instanceof Boolean b) {
                m = new Metric(r.name(), TYPE_BOOL, b);
            } else if (r.value() instanceof byte[] d) {
                m = new Metric(r.name(), TYPE_BYTES, d);
            } else {
                complete = false;
                continue;
            }
            if (!metrics.containsKey(r.name())) {
                metrics.put(r.name(), m);
                times.put(r.name(), r.time().doubleValue());
                continue;
            }
            complete = false;
            Double earlier = times.get(r.name());
            if (earlier != null && r.time().doubleValue() >= earlier) {
                metrics.put(r.name(), m);
                times.put(r.name(), r.time().doubleValue());
            }
        }
        return complete;
    }

    private static Metric number(String name, Number n) {
        if (n instanceof Long l) {
            return new Metric(name, TYPE_INT64, l);
        }
        double d = n instanceof BigInteger b ? b.doubleValue() : n.doubleValue();
        if (d == Math.rint(d) && d >= -0x1p63 && d < 0x1p63) {
            return new Metric(name, TYPE_INT64, (long) d);
        }
        return new Metric(name, TYPE_DOUBLE, d);
    }

    /** A KuraMetric: name, type, and the one value field that the type uses. */
    private record Metric(String name, int type, Object value) {

        byte[] encode() {
            ProtoWriter w = new ProtoWriter().stringField(NAME, name).varintField(TYPE, type);
            switch (type) {
                case TYPE_DOUBLE:
                    return w.doubleField(DOUBLE_VALUE, (Double) value).toByteArray();
                case TYPE_INT64:
                    return w.varintField(LONG_VALUE, (Long) value).toByteArray();
                case TYPE_BOOL:
                    return w.varintField(BOOL_VALUE, (Boolean) value ? 1 : 0).toByteArray();
                case TYPE_STRING:
                    return w.stringField(STRING_VALUE, (String) value).toByteArray();
                default:
                    return w.bytesField(BYTES_VALUE, (byte[]) value).toByteArray();
            }
        }
    }
}
