package org.m2mgw.cloud.internal.queue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;
import java.util.zip.CRC32C;

/**
 * The on-disk framing of segment and acknowledgement files: {@code [i32 length][i32 CRC32C of the
 * payload][payload]}, big-endian.
 *
 * <p>A data payload is {@code [i64 sequence][u16 key length][key, UTF-8][record]}. The sequence
 * is inside the checksummed payload so that recovery can tell a real frame from garbage that
 * happens to look like one, and resynchronize after a corrupt frame.
 *
 * <p>An acknowledgement payload is a list of {@code i32} offsets, each a sequence minus the
 * segment's first sequence.
 */
final class Frames {
    static final int HEADER = 8;
    static final int DATA_PREFIX = 10;
    static final int MAX_KEY_BYTES = 0xffff;
    /**
     * Sequences only grow, with gaps where a write failed. A larger jump means the bytes are not
     * a frame; this makes resynchronizing over random garbage cheap.
     */
    private static final long MAX_SEQUENCE_GAP = 1L << 31;

    private Frames() {
    }

    static int dataFrameLength(int keyBytes, int recordBytes) {
        return HEADER + DATA_PREFIX + keyBytes + recordBytes;
    }

    static void putData(ByteBuffer out, long sequence, byte[] key, byte[] record, CRC32C crc) {
        int start = out.position();
        int length = DATA_PREFIX + key.length + record.length;
        out.putInt(length).putInt(0).putLong(sequence).putShort((short) key.length).put(key).put(record);
        crc.reset();
        crc.update(out.duplicate().position(start + HEADER).limit(start + HEADER + length));
        out.putInt(start + 4, (int) crc.getValue());
    }

    static ByteBuffer ackFrame(int[] offsets, int count, CRC32C crc) {
        ByteBuffer frame = ByteBuffer.allocate(HEADER + 4 * count);
        frame.putInt(4 * count).putInt(0);
        for (int i = 0; i < count; i++) {
            frame.putInt(offsets[i]);
        }
        crc.reset();
        crc.update(frame.array(), HEADER, 4 * count);
        frame.putInt(4, (int) crc.getValue());
        return frame.flip();
    }

    /** Receives what {@link #scanData} finds, in file order. */
    interface DataVisitor {
        void frame(long sequence, String key, int position, int frameLength);

        void corrupt(int position, int length);
    }

    /**
     * Walks the frames of a segment. After a frame that is not valid, the scan resumes at the next
     * offset where a valid frame starts; the bytes in between are reported as corrupt.
     *
     * @param data the file content, from offset 0
     * @param length how many bytes of {@code data} are the file
     * @param firstSequence the segment's first sequence, from its file name
     * @param visitor told about every valid frame and every corrupt range
     * @return the end of the last valid frame: anything after it is a torn tail
     */
    static int scanData(byte[] data, int length, long firstSequence, DataVisitor visitor) {
        ByteBuffer buf = ByteBuffer.wrap(data, 0, length);
        CRC32C crc = new CRC32C();
        long last = firstSequence - 1;
        int p = 0;
        int validEnd = 0;
        while (p < length) {
            int frame = dataFrameAt(buf, p, length, last, crc);
            if (frame == 0) {
                int next = p + 1;
                while (next < length && dataFrameAt(buf, next, length, last, crc) == 0) {
                    next++;
                }
                if (next >= length) {
                    break;
                }
                visitor.corrupt(p, next - p);
                p = next;
                continue;
            }
            long sequence = buf.getLong(p + HEADER);
            int keyLength = buf.getShort(p + HEADER + 8) & 0xffff;
            String key = new String(data, p + HEADER + DATA_PREFIX, keyLength, StandardCharsets.UTF_8);
            visitor.frame(sequence, key, p, frame);
            last = sequence;
            p += frame;
            validEnd = p;
        }
        return validEnd;
    }

    /** @return the length of the valid data frame at {@code p}, or 0 if there is none */
    private static int dataFrameAt(ByteBuffer buf, int p, int limit, long last, CRC32C crc) {
        if (limit - p < HEADER + DATA_PREFIX) {
            return 0;
        }
        int length = buf.getInt(p);
        if (length < DATA_PREFIX || length > limit - p - HEADER) {
            return 0;
        }
        long sequence = buf.getLong(p + HEADER);
        if (sequence <= last || sequence - last > MAX_SEQUENCE_GAP) {
            return 0;
        }
        int keyLength = buf.getShort(p + HEADER + 8) & 0xffff;
        if (keyLength == 0 || DATA_PREFIX + keyLength > length) {
            return 0;
        }
        crc.reset();
        crc.update(buf.array(), p + HEADER, length);
        return (int) crc.getValue() == buf.getInt(p + 4) ? HEADER + length : 0;
    }

    /**
     * Reads an acknowledgement file up to its first frame that is not valid. Losing the
     * acknowledgements after it only means that some messages are delivered again.
     *
     * @return the end of the last valid frame
     */
    static int scanAcks(byte[] data, int length, IntConsumer offsets) {
        ByteBuffer buf = ByteBuffer.wrap(data, 0, length);
        CRC32C crc = new CRC32C();
        int p = 0;
        while (length - p >= HEADER + 4) {
            int payload = buf.getInt(p);
            if (payload < 4 || payload % 4 != 0 || payload > length - p - HEADER) {
                break;
            }
            crc.reset();
            crc.update(data, p + HEADER, payload);
            if ((int) crc.getValue() != buf.getInt(p + 4)) {
                break;
            }
            for (int i = 0; i < payload; i += 4) {
                offsets.accept(buf.getInt(p + HEADER + i));
            }
            p += HEADER + payload;
        }
        return p;
    }

    /**
     * Checks a data frame read back for delivery.
     *
     * @return the record, or {@code null} if the frame is not the expected one or its checksum
     *     does not match
     */
    static byte[] recordOf(ByteBuffer frame, long expectedSequence, CRC32C crc) {
        int length = frame.getInt(0);
        if (length != frame.limit() - HEADER || frame.getLong(HEADER) != expectedSequence) {
            return null;
        }
        crc.reset();
        crc.update(frame.array(), HEADER, length);
        if ((int) crc.getValue() != frame.getInt(4)) {
            return null;
        }
        int keyLength = frame.getShort(HEADER + 8) & 0xffff;
        int from = HEADER + DATA_PREFIX + keyLength;
        byte[] record = new byte[frame.limit() - from];
        frame.get(from, record);
        return record;
    }
}
