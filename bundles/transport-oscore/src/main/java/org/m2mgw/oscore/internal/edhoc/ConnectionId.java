package org.m2mgw.oscore.internal.edhoc;

import java.util.Arrays;
import java.util.HexFormat;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborReader;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * An EDHOC connection identifier, C_I or C_R (RFC 9528 section 3.3): a byte string that becomes an
 * OSCORE Sender or Recipient ID. On the wire (section 3.3.2) a one-byte identifier whose byte is the
 * CBOR encoding of an integer -24..23 (0x00-0x17, 0x20-0x37) is that integer; any other is a byte
 * string. Immutable.
 */
public final class ConnectionId {
    /** Longest identifier accepted from a peer; OSCORE with a 13-byte nonce allows 7. */
    public static final int MAX_LENGTH = 16;

    private final byte[] bytes;

    private ConnectionId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** @return the identifier with these bytes (0 to {@value #MAX_LENGTH}) */
    public static ConnectionId of(byte[] bytes) {
        if (bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException("a connection identifier has at most " + MAX_LENGTH + " bytes");
        }
        return new ConnectionId(bytes.clone());
    }

    /** @return the one-byte identifier that is encoded as the integer {@code v}, -24..23 */
    public static ConnectionId ofInt(int v) {
        if (v < -24 || v > 23) {
            throw new IllegalArgumentException("only -24..23 encode as one byte: " + v);
        }
        return new ConnectionId(CborWriter.encodeInt(v));
    }

    /** @return a copy of the identifier's bytes (the OSCORE ID) */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** @return the number of bytes */
    public int length() {
        return bytes.length;
    }

    /** @return its CBOR encoding in EDHOC messages: an integer or a byte string (section 3.3.2) */
    public byte[] encode() {
        return encodeCompact(bytes);
    }

    /** Reads an identifier encoded per section 3.3.2; a byte string that should have been an integer is refused. */
    static ConnectionId read(CborReader r) throws CborException {
        byte[] b = readCompact(r);
        if (b.length > MAX_LENGTH) {
            throw new CborException("connection identifier longer than " + MAX_LENGTH + " bytes");
        }
        return new ConnectionId(b);
    }

    /** @return whether this byte is the whole CBOR encoding of an integer -24..23 */
    static boolean isOneByteInt(byte b) {
        int v = b & 0xff;
        return v <= 0x17 || (v >= 0x20 && v <= 0x37);
    }

    /** The section 3.3.2 encoding, shared with the compact kid of section 3.5.3.2. */
    static byte[] encodeCompact(byte[] b) {
        if (b.length == 1 && isOneByteInt(b[0])) {
            return b.clone();
        }
        return CborWriter.encodeBytes(b);
    }

    static byte[] readCompact(CborReader r) throws CborException {
        CborReader.Type t = r.peek();
        if (t == CborReader.Type.UNSIGNED || t == CborReader.Type.NEGATIVE) {
            int at = r.position();
            long v = r.readInt();
            if (v < -24 || v > 23) {
                throw new CborException("integer identifier at offset " + at + " is not one byte");
            }
            return CborWriter.encodeInt(v);
        }
        int at = r.position();
        byte[] b = r.readBytes();
        if (b.length == 1 && isOneByteInt(b[0])) {
            throw new CborException("identifier at offset " + at + " must be encoded as an integer (RFC 9528 3.3.2)");
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionId c && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "h'" + HexFormat.of().formatHex(bytes) + "'";
    }
}
