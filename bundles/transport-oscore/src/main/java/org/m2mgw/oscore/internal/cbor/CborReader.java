package org.m2mgw.oscore.internal.cbor;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a CBOR sequence (RFC 8742) item by item, strictly: definite lengths only, shortest heads
 * only (the deterministic encoding of RFC 8949 section 4.2.1, which EDHOC and COSE structures
 * must use), no tags, no floating point, lengths within the input. Anything else is a
 * {@link CborException} with the offset, never a runtime exception, so that a device's malformed
 * message is refused with a reason.
 */
public final class CborReader {

    /** What the next item is. */
    public enum Type { UNSIGNED, NEGATIVE, BYTES, TEXT, ARRAY, MAP, TAG, SIMPLE }

    private static final Type[] TYPES = Type.values();
    /** Arrays and maps nested deeper than this are refused (nothing we read nests more than a few). */
    private static final int MAX_DEPTH = 16;

    private final byte[] in;
    private int pos;
    private final int end;

    public CborReader(byte[] in) {
        this(in, 0, in.length);
    }

    public CborReader(byte[] in, int offset, int length) {
        this.in = in;
        this.pos = offset;
        this.end = offset + length;
    }

    /** @return whether another item follows */
    public boolean hasNext() {
        return pos < end;
    }

    /** @return the offset of the next item */
    public int position() {
        return pos;
    }

    /** @return the type of the next item, without consuming it */
    public Type peek() throws CborException {
        need(1);
        return TYPES[(in[pos] & 0xff) >>> 5];
    }

    /** Reads an integer (major type 0 or 1) that fits a {@code long}. */
    public long readInt() throws CborException {
        int at = pos;
        Type t = peek();
        if (t != Type.UNSIGNED && t != Type.NEGATIVE) {
            throw new CborException("expected an integer at offset " + at + ", found " + describe(t));
        }
        long v = readHead();
        if (v < 0) {
            throw new CborException("integer at offset " + at + " does not fit 64 signed bits");
        }
        return t == Type.UNSIGNED ? v : -1 - v;
    }

    /** Reads an integer that fits an {@code int}. */
    public int readSmallInt() throws CborException {
        int at = pos;
        long v = readInt();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new CborException("integer at offset " + at + " is out of range");
        }
        return (int) v;
    }

    /** Reads a byte string. */
    public byte[] readBytes() throws CborException {
        expect(Type.BYTES);
        int n = length();
        byte[] b = Arrays.copyOfRange(in, pos, pos + n);
        pos += n;
        return b;
    }

    /** Reads a UTF-8 text string; invalid UTF-8 is refused. */
    public String readText() throws CborException {
        expect(Type.TEXT);
        int at = pos;
        int n = length();
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(in, pos, n)).toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw new CborException("text string at offset " + at + " is not UTF-8");
        }
    }

    /** Reads an array head; the caller reads its items. @return the number of items */
    public int readArray() throws CborException {
        expect(Type.ARRAY);
        return count();
    }

    /** Reads a map head; the caller reads keys and values in turn. @return the number of pairs */
    public int readMap() throws CborException {
        expect(Type.MAP);
        return count();
    }

    public boolean readBool() throws CborException {
        need(1);
        int b = in[pos] & 0xff;
        if (b != 0xf4 && b != 0xf5) {
            throw new CborException("expected true or false at offset " + pos);
        }
        pos++;
        return b == 0xf5;
    }

    /** @return whether the next item is {@code null} (consumed if so) */
    public boolean readNullIf() throws CborException {
        need(1);
        if ((in[pos] & 0xff) == 0xf6) {
            pos++;
            return true;
        }
        return false;
    }

    /** Skips the next item, with everything inside it. */
    public void skip() throws CborException {
        skip(0);
    }

    /** @return the encoding of the next item, which is consumed */
    public byte[] readRaw() throws CborException {
        int start = pos;
        skip();
        return Arrays.copyOfRange(in, start, pos);
    }

    /** @throws CborException if anything follows (a message must be exactly its items) */
    public void expectEnd() throws CborException {
        if (pos != end) {
            throw new CborException((end - pos) + " unexpected bytes after the last item, at offset " + pos);
        }
    }

    private void skip(int depth) throws CborException {
        if (depth > MAX_DEPTH) {
            throw new CborException("CBOR nested deeper than " + MAX_DEPTH + " at offset " + pos);
        }
        Type t = peek();
        switch (t) {
            case UNSIGNED, NEGATIVE -> readInt();
            case BYTES, TEXT -> {
                int n = length();
                pos += n;
            }
            case ARRAY -> {
                int n = readArray();
                for (int i = 0; i < n; i++) {
                    skip(depth + 1);
                }
            }
            case MAP -> {
                int n = readMap();
                for (int i = 0; i < 2 * n; i++) {
                    skip(depth + 1);
                }
            }
            case SIMPLE -> {
                int b = in[pos] & 0xff;
                if (b < 0xf4 || b > 0xf7) {
                    throw new CborException("unsupported simple value or float 0x" + Integer.toHexString(b)
                            + " at offset " + pos);
                }
                pos++;
            }
            case TAG -> throw new CborException("CBOR tags are not expected here (offset " + pos + ")");
        }
    }

    private void expect(Type t) throws CborException {
        Type found = peek();
        if (found != t) {
            throw new CborException("expected " + describe(t) + " at offset " + pos + ", found " + describe(found));
        }
    }

    private int length() throws CborException {
        int at = pos;
        long n = readHead();
        if (n < 0 || n > end - pos) {
            throw new CborException("length at offset " + at + " runs past the end of the input");
        }
        return (int) n;
    }

    private int count() throws CborException {
        int at = pos;
        long n = readHead();
        // every item takes at least one byte
        if (n < 0 || n > end - pos) {
            throw new CborException("item count at offset " + at + " exceeds the input");
        }
        return (int) n;
    }

    /** Reads a head and returns its argument ({@code -1} for arguments beyond 63 bits). */
    private long readHead() throws CborException {
        int at = pos;
        need(1);
        int ib = in[pos++] & 0xff;
        int ai = ib & 0x1f;
        long v;
        if (ai < 24) {
            v = ai;
        } else if (ai <= 27) {
            int n = 1 << (ai - 24);
            need(n);
            v = 0;
            for (int i = 0; i < n; i++) {
                v = (v << 8) | (in[pos++] & 0xff);
            }
            long min = ai == 24 ? 24 : 1L << (8 * (n / 2));
            if (ai == 27 && v < 0) {
                return -1;
            }
            if (v < min) {
                throw new CborException("non-deterministic CBOR: head at offset " + at + " is longer than needed");
            }
        } else if (ai == 31) {
            throw new CborException("indefinite-length CBOR at offset " + at + " is not accepted");
        } else {
            throw new CborException("malformed CBOR head 0x" + Integer.toHexString(ib) + " at offset " + at);
        }
        return v;
    }

    private void need(int n) throws CborException {
        if (n < 0 || pos + n > end) {
            throw new CborException("CBOR truncated at offset " + pos);
        }
    }

    private static String describe(Type t) {
        return switch (t) {
            case UNSIGNED, NEGATIVE -> "an integer";
            case BYTES -> "a byte string";
            case TEXT -> "a text string";
            case ARRAY -> "an array";
            case MAP -> "a map";
            case TAG -> "a tag";
            case SIMPLE -> "a simple value";
        };
    }
}
