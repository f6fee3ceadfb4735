package org.m2mgw.oscore.internal.oscore;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The value of the OSCORE option (RFC 8613 section 6.1): a flag byte (bits 0-2 n, the Partial IV
 * length; bit 3 k, kid present; bit 4 h, kid context present; bits 5-7 reserved), then n bytes of
 * Partial IV, then if h a length byte s and s bytes of kid context, then if k the rest is the kid.
 * All flags zero is the empty value. Decoding is strict: reserved bits or lengths, a Partial IV
 * with leading zeros, inconsistent lengths or a lone zero flag byte are refused.
 *
 * @param partialIv the Partial IV (1 to 5 bytes), or {@code null}
 * @param kidContext the kid context, or {@code null}
 * @param kid the kid (may be empty), or {@code null}
 */
public record OscoreOption(byte[] partialIv, byte[] kidContext, byte[] kid) {
    /** Longest Partial IV (section 6.1: n = 6 and 7 are reserved; 5 bytes hold 2^40 - 1). */
    public static final int MAX_PIV_LENGTH = 5;

    /**
     * @throws IllegalArgumentException if a length is out of range
     */
    public OscoreOption {
        if (partialIv != null && (partialIv.length < 1 || partialIv.length > MAX_PIV_LENGTH)) {
            throw new IllegalArgumentException("Partial IV length must be 1..5: " + partialIv.length);
        }
        if (kidContext != null && kidContext.length > 255) {
            throw new IllegalArgumentException("kid context longer than 255 bytes");
        }
        partialIv = partialIv == null ? null : partialIv.clone();
        kidContext = kidContext == null ? null : kidContext.clone();
        kid = kid == null ? null : kid.clone();
    }

    /**
     * @param sequenceNumber a Sender Sequence Number
     * @return its Partial IV: the shortest big-endian encoding, {@code 00} for 0 (section 6.1)
     */
    public static byte[] partialIvOf(long sequenceNumber) {
        if (sequenceNumber < 0 || sequenceNumber > OscoreContext.MAX_SSN) {
            throw new IllegalArgumentException("sequence number out of range: " + sequenceNumber);
        }
        int n = 1;
        while (n < MAX_PIV_LENGTH && (sequenceNumber >>> (8 * n)) != 0) {
            n++;
        }
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[n - 1 - i] = (byte) (sequenceNumber >>> (8 * i));
        }
        return b;
    }

    /**
     * @param piv a Partial IV of 1 to 5 bytes
     * @return its value
     */
    public static long valueOf(byte[] piv) {
        long v = 0;
        for (byte b : piv) {
            v = (v << 8) | (b & 0xff);
        }
        return v;
    }

    /** @return the Partial IV as a number; -1 if there is none */
    public long sequenceNumber() {
        return partialIv == null ? -1 : valueOf(partialIv);
    }

    /** @return the encoded option value (empty when nothing is present) */
    public byte[] encode() {
        if (partialIv == null && kidContext == null && kid == null) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int flags = (partialIv == null ? 0 : partialIv.length) | (kid == null ? 0 : 0x08)
                | (kidContext == null ? 0 : 0x10);
        out.write(flags);
        if (partialIv != null) {
            out.writeBytes(partialIv);
        }
        if (kidContext != null) {
            out.write(kidContext.length);
            out.writeBytes(kidContext);
        }
        if (kid != null) {
            out.writeBytes(kid);
        }
        return out.toByteArray();
    }

    /**
     * Decodes an option value (section 6.1), strictly.
     *
     * @param value the option value
     * @return the option
     * @throws OscoreException {@link OscoreException.Reason#BAD_OPTION} if it is malformed
     */
    public static OscoreOption decode(byte[] value) throws OscoreException {
        if (value == null || value.length == 0) {
            return new OscoreOption(null, null, null);
        }
        int flags = value[0] & 0xff;
        if ((flags & 0xe0) != 0) {
            throw bad("reserved flag bits set (0x" + Integer.toHexString(flags) + ")");
        }
        if (flags == 0) {
            throw bad("flag byte 0x00 must be sent as an empty option value");
        }
        int n = flags & 0x07;
        if (n > MAX_PIV_LENGTH) {
            throw bad("reserved Partial IV length " + n);
        }
        int pos = 1;
        if (value.length < pos + n) {
            throw bad("Partial IV runs past the option value");
        }
        byte[] piv = null;
        if (n > 0) {
            piv = Arrays.copyOfRange(value, pos, pos + n);
            if (n > 1 && piv[0] == 0) {
                throw bad("Partial IV is not in its shortest encoding");
            }
            pos += n;
        }
        byte[] kidContext = null;
        if ((flags & 0x10) != 0) {
            if (value.length < pos + 1) {
                throw bad("kid context length missing");
            }
            int s = value[pos++] & 0xff;
            if (value.length < pos + s) {
                throw bad("kid context runs past the option value");
            }
            kidContext = Arrays.copyOfRange(value, pos, pos + s);
            pos += s;
        }
        byte[] kid = null;
        if ((flags & 0x08) != 0) {
            kid = Arrays.copyOfRange(value, pos, value.length);
        } else if (pos != value.length) {
            throw bad((value.length - pos) + " bytes after the last field without the k flag");
        }
        return new OscoreOption(piv, kidContext, kid);
    }

    private static OscoreException bad(String detail) {
        return new OscoreException(OscoreException.Reason.BAD_OPTION, detail);
    }

    @Override
    public byte[] partialIv() {
        return partialIv == null ? null : partialIv.clone();
    }

    @Override
    public byte[] kidContext() {
        return kidContext == null ? null : kidContext.clone();
    }

    @Override
    public byte[] kid() {
        return kid == null ? null : kid.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OscoreOption x && Arrays.equals(partialIv, x.partialIv)
                && Arrays.equals(kidContext, x.kidContext) && Arrays.equals(kid, x.kid);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(partialIv) * 31 + Arrays.hashCode(kid);
    }

    @Override
    public String toString() {
        return "OscoreOption[piv=" + (partialIv == null ? "-" : Hex.of(partialIv)) + ", kidContext="
                + (kidContext == null ? "-" : Hex.of(kidContext)) + ", kid=" + (kid == null ? "-" : Hex.of(kid)) + "]";
    }
}
