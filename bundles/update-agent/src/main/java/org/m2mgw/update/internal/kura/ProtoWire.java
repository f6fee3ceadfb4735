package org.m2mgw.update.internal.kura;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the part of the protobuf wire format that Kura's payload uses (the writer is
 * {@code org.m2mgw.support.proto.ProtoWriter}), by hand so that the update agent carries no protobuf runtime: the agent must keep working while any other feature,
 * including one that brings protobuf, is being updated.
 *
 * <p>The reader never trusts a length or a varint: anything that points beyond the end of the
 * input or does not end where it must is an {@link IllegalArgumentException} saying what and
 * where.
 */
final class ProtoWire {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int START_GROUP = 3;
    static final int END_GROUP = 4;
    static final int FIXED32 = 5;

    /** Groups are deprecated and not used by Kura; nesting deeper than this is refused. */
    private static final int MAX_GROUP_DEPTH = 64;
    private static final int MAX_FIELD_NUMBER = (1 << 29) - 1;

    private ProtoWire() {
    }

    static int fieldNumber(int tag) {
        return tag >>> 3;
    }

    static int wireType(int tag) {
        return tag & 7;
    }

    /** Reads fields from a slice of an array; offsets in messages are from the array's start. */
    static final class Reader {
        private final byte[] buf;
        private final int limit;
        private int pos;

        Reader(byte[] buf) {
            this(buf, 0, buf.length);
        }

        private Reader(byte[] buf, int pos, int limit) {
            this.buf = buf;
            this.pos = pos;
            this.limit = limit;
        }

        boolean hasMore() {
            return pos < limit;
        }

        int offset() {
            return pos;
        }

        int tag() {
            int at = pos;
            long tag = varint("field tag");
            long field = tag >>> 3;
            if (field == 0 || field > MAX_FIELD_NUMBER) {
                throw new IllegalArgumentException("invalid field number " + field + " at offset " + at);
            }
            return (int) tag;
        }

        long varint(String what) {
            int at = pos;
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= limit) {
                    throw new IllegalArgumentException("truncated varint (" + what + ") at offset " + at);
                }
                byte b = buf[pos++];
                value |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("varint (" + what + ") at offset " + at + " is longer than 10 bytes");
        }

        long fixed64(String what) {
            int at = need(Long.BYTES, what);
            long value = 0;
            for (int i = 0; i < Long.BYTES; i++) {
                value |= (buf[at + i] & 0xFFL) << (8 * i);
            }
            return value;
        }

        int fixed32(String what) {
            int at = need(Integer.BYTES, what);
            int value = 0;
            for (int i = 0; i < Integer.BYTES; i++) {
                value |= (buf[at + i] & 0xFF) << (8 * i);
            }
            return value;
        }

        /** A reader over the next length-delimited field, which this reader then skips. */
        Reader embedded(String what) {
            int length = length(what);
            int at = need(length, what);
            return new Reader(buf, at, at + length);
        }

        byte[] bytes(String what) {
            int length = length(what);
            int at = need(length, what);
            return Arrays.copyOfRange(buf, at, at + length);
        }

        /** Strict UTF-8: a name that does not decode is refused rather than silently altered. */
        String string(String what) {
            int length = length(what);
            int at = need(length, what);
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(buf, at, length))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException(what + " at offset " + at + " is not valid UTF-8", e);
            }
        }

        /** Skips the value of a field this reader does not know, by its wire type. */
        void skip(int tag) {
            skip(tag, 0);
        }

        private void skip(int tag, int depth) {
            int at = pos;
            switch (wireType(tag)) {
                case VARINT -> varint("field " + fieldNumber(tag));
                case FIXED64 -> need(Long.BYTES, "field " + fieldNumber(tag));
                case LENGTH_DELIMITED -> embedded("field " + fieldNumber(tag));
                case FIXED32 -> need(Integer.BYTES, "field " + fieldNumber(tag));
                case START_GROUP -> skipGroup(fieldNumber(tag), depth + 1);
                case END_GROUP -> throw new IllegalArgumentException(
                        "end of group " + fieldNumber(tag) + " without a start, at offset " + at);
                default -> throw new IllegalArgumentException(
                        "invalid wire type " + wireType(tag) + " of field " + fieldNumber(tag) + " at offset " + at);
            }
        }

        private void skipGroup(int field, int depth) {
            if (depth > MAX_GROUP_DEPTH) {
                throw new IllegalArgumentException("groups nested deeper than " + MAX_GROUP_DEPTH + " at offset " + pos);
            }
            while (hasMore()) {
                int tag = tag();
                if (wireType(tag) == END_GROUP) {
                    if (fieldNumber(tag) != field) {
                        throw new IllegalArgumentException("group " + field + " ended as group " + fieldNumber(tag));
                    }
                    return;
                }
                skip(tag, depth);
            }
            throw new IllegalArgumentException("group " + field + " is not ended before the end of its message");
        }

        private int length(String what) {
            int at = pos;
            long length = varint("length of " + what);
            if (length < 0 || length > limit - pos) {
                throw new IllegalArgumentException("length " + length + " of " + what + " at offset " + at
                        + " goes beyond the end (" + (limit - pos) + " bytes left)");
            }
            return (int) length;
        }

        /** Consumes {@code count} bytes and returns where they start. */
        private int need(int count, String what) {
            if (count > limit - pos) {
                throw new IllegalArgumentException(what + " at offset " + pos + " needs " + count
                        + " bytes, " + (limit - pos) + " left");
            }
            int at = pos;
            pos += count;
            return at;
        }
    }
}
