package org.m2mgw.support.proto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes the few parts of the protobuf wire format (https://protobuf.dev/programming-guides/encoding/)
 * that Kura's payload needs, so that no protobuf runtime has to be installed on the gateway. Copied
 * into each bundle that uses it (the cloud's encoder, the update agent), so neither depends on the
 * other's feature.
 */
public final class ProtoWriter {
    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** An int64, int32, enum or bool field. Negative values take ten bytes, as int64 requires. */
    public ProtoWriter varintField(int field, long value) {
        tag(field, VARINT);
        varint(value);
        return this;
    }

    /** A fixed64 field: a double's raw bits, or a fixed64. */
    public ProtoWriter fixed64Field(int field, long value) {
        tag(field, FIXED64);
        for (int i = 0; i < Long.BYTES; i++) {
            out.write((int) (value >>> (8 * i)));
        }
        return this;
    }

    /** A fixed32 field: a float's raw bits, or a fixed32. */
    public ProtoWriter fixed32Field(int field, int value) {
        tag(field, FIXED32);
        for (int i = 0; i < Integer.BYTES; i++) {
            out.write(value >>> (8 * i));
        }
        return this;
    }

    public ProtoWriter doubleField(int field, double value) {
        return fixed64Field(field, Double.doubleToRawLongBits(value));
    }

    public ProtoWriter stringField(int field, String value) {
        return bytesField(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A bytes field, or an embedded message given as its encoding. */
    public ProtoWriter bytesField(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        varint(value.length);
        out.writeBytes(value);
        return this;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    private void varint(long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }
}
