package org.m2mgw.oscore.internal.oscore;

import java.util.HexFormat;

/** Lower-case hex for ids in logs and file names (never for keys). */
final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {
    }

    static String of(byte[] b) {
        return b == null ? "" : HEX.formatHex(b);
    }
}
