package org.m2mgw.codec.internal;

/**
 * Checks that bytes are exactly one well-formed CBOR data item (RFC 8949 section 5.3.1 and
 * appendix C) within the nesting and item limits, before the CBOR library builds objects from
 * them. It allocates nothing, and its errors say at which byte the payload goes wrong.
 */
final class CborScanner {
    private static final int BREAK = 0xff;

    private final byte[] bytes;
    private final int maxDepth;
    private final int maxItems;
    private int pos;
    private int items;

    private CborScanner(byte[] bytes, int maxDepth, int maxItems) {
        this.bytes = bytes;
        this.maxDepth = maxDepth;
        this.maxItems = maxItems;
    }

    /**
     * @param bytes the payload
     * @param maxDepth how deep arrays, maps and tags may nest
     * @param maxItems how many data items the payload may hold
     * @throws Malformed naming the byte offset where the payload stops being well-formed CBOR
     */
    static void check(byte[] bytes, int maxDepth, int maxItems) throws Malformed {
        if (bytes.length == 0) {
            throw new Malformed("CBOR payload is empty");
        }
        CborScanner s = new CborScanner(bytes, maxDepth, maxItems);
        s.item(0, false);
        if (s.pos != bytes.length) {
            throw error(s.pos, "there are " + (bytes.length - s.pos) + " bytes after the first data item");
        }
    }

    private static Malformed error(int offset, String what) {
        return new Malformed("CBOR payload is malformed at byte " + offset + ": " + what);
    }

    /** @return false if a break stop code was read where one may stand */
    private boolean item(int depth, boolean breakAllowed) throws Malformed {
        int start = pos;
        int initial = u8(start);
        if (initial == BREAK) {
            if (breakAllowed) {
                return false;
            }
            throw error(start, "break stop code outside an indefinite-length item");
        }
        if (++items > maxItems) {
            throw error(start, "more than " + maxItems + " data items");
        }
        int major = initial >>> 5;
        int info = initial & 0x1f;
        if (info >= 28 && info <= 30) {
            throw error(start, "reserved additional information " + info);
        }
        boolean indefinite = info == 31;
        long arg = indefinite ? -1 : argument(info, start);
        switch (major) {
            case 0:
            case 1:
                if (indefinite) {
                    throw error(start, "an integer cannot have indefinite length");
                }
                return true;
            case 2:
            case 3:
                if (indefinite) {
                    chunks(major, start);
                } else {
                    skip(arg, start);
                }
                return true;
            case 4:
            case 5: {
                checkDepth(depth, start);
                int perEntry = major == 4 ? 1 : 2;
                if (indefinite) {
                    while (item(depth + 1, true)) {
                        if (perEntry == 2) {
                            item(depth + 1, false);
                        }
                    }
                } else {
                    // Every item takes at least one byte: refuse impossible counts before looping.
                    if (Long.compareUnsigned(arg, (bytes.length - pos) / perEntry) > 0) {
                        throw truncated(start);
                    }
                    for (long i = 0; i < arg * perEntry; i++) {
                        item(depth + 1, false);
                    }
                }
                return true;
            }
            case 6:
                checkDepth(depth, start);
                item(depth + 1, false);
                return true;
            default:
                if (indefinite) {
                    throw error(start, "break stop code outside an indefinite-length item");
                }
                if (info == 24 && arg < 32) {
                    throw error(start, "simple value " + arg + " must be encoded in one byte");
                }
                return true;
        }
    }

    private void chunks(int major, int start) throws Malformed {
        while (true) {
            int chunkStart = pos;
            int initial = u8(start);
            if (initial == BREAK) {
                return;
            }
            int info = initial & 0x1f;
            if (initial >>> 5 != major || info >= 28) {
                throw error(chunkStart, "a chunk of an indefinite-length string must be a definite string of the same type");
            }
            skip(argument(info, chunkStart), start);
        }
    }

    private void checkDepth(int depth, int start) throws Malformed {
        if (depth >= maxDepth) {
            throw error(start, "arrays, maps and tags nest deeper than " + maxDepth + " levels");
        }
    }

    private long argument(int info, int start) throws Malformed {
        if (info < 24) {
            return info;
        }
        int size = 1 << (info - 24);
        if (bytes.length - pos < size) {
            throw truncated(start);
        }
        long value = 0;
        for (int i = 0; i < size; i++) {
            value = (value << 8) | (bytes[pos++] & 0xff);
        }
        return value;
    }

    private void skip(long length, int start) throws Malformed {
        if (Long.compareUnsigned(length, bytes.length - pos) > 0) {
            throw truncated(start);
        }
        pos += (int) length;
    }

    private int u8(int start) throws Malformed {
        if (pos >= bytes.length) {
            throw truncated(start);
        }
        return bytes[pos++] & 0xff;
    }

    private static Malformed truncated(int start) {
        return error(start, "the payload ends inside the data item that starts there (truncated?)");
    }
}
