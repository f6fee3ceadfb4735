package org.m2mgw.oscore.internal.cbor;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes CBOR (RFC 8949) in its deterministic encoding (section 4.2.1: shortest heads, definite
 * lengths). Only what COSE, OSCORE and EDHOC need: integers, byte and text strings, arrays, maps,
 * booleans, null, and already-encoded items. Calls chain; arrays and maps are written as a head
 * followed by the caller's items.
 */
public final class CborWriter {
    static final int UNSIGNED = 0;
    static final int NEGATIVE = 1;
    static final int BYTES = 2;
    static final int TEXT = 3;
    static final int ARRAY = 4;
    static final int MAP = 5;
    static final int SIMPLE = 7;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    /** Writes an integer (major type 0 or 1). */
    public CborWriter integer(long v) {
        if (v >= 0) {
            head(UNSIGNED, v);
        } else {
            head(NEGATIVE, -1 - v);
        }
        return this;
    }

    /** Writes a byte string. */
    public CborWriter bytes(byte[] b) {
        head(BYTES, b.length);
        out.writeBytes(b);
        return this;
    }

    /** Writes a UTF-8 text string. */
    public CborWriter text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        head(TEXT, b.length);
        out.writeBytes(b);
        return this;
    }

    /** Writes the head of an array of {@code n} items; the caller writes the items. */
    public CborWriter array(int n) {
        head(ARRAY, n);
        return this;
    }

    /** Writes the head of a map of {@code n} pairs; the caller writes keys and values in turn. */
    public CborWriter map(int n) {
        head(MAP, n);
        return this;
    }

    public CborWriter bool(boolean b) {
        out.write(0xe0 | (b ? 21 : 20));
        return this;
    }

    public CborWriter nil() {
        out.write(0xf6);
        return this;
    }

    /** Appends one or more items that are CBOR already (a CBOR sequence). */
    public CborWriter raw(byte[] encoded) {
        out.writeBytes(encoded);
        return this;
    }

    /** @return what was written */
    public byte[] toByteArray() {
        return out.toByteArray();
    }

    /** @return the number of bytes written so far */
    public int size() {
        return out.size();
    }

    private void head(int major, long arg) {
        int m = major << 5;
        if (arg < 0) {
            // unsigned arguments above Long.MAX_VALUE are not needed here
            throw new IllegalArgumentException("CBOR argument out of range: " + arg);
        }
        if (arg < 24) {
            out.write(m | (int) arg);
        } else if (arg < 0x100) {
            out.write(m | 24);
            out.write((int) arg);
        } else if (arg < 0x10000) {
            out.write(m | 25);
            be(arg, 2);
        } else if (arg < 0x100000000L) {
            out.write(m | 26);
            be(arg, 4);
        } else {
            out.write(m | 27);
            be(arg, 8);
        }
    }

    private void be(long v, int n) {
        for (int i = n - 1; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)));
        }
    }

    /** @return the CBOR encoding of one byte string */
    public static byte[] encodeBytes(byte[] b) {
        return new CborWriter().bytes(b).toByteArray();
    }

    /** @return the CBOR encoding of one integer */
    public static byte[] encodeInt(long v) {
        return new CborWriter().integer(v).toByteArray();
    }
}
