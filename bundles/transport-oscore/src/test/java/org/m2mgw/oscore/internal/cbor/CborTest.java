package org.m2mgw.oscore.internal.cbor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Encodings from RFC 8949 Appendix A, and the strictness a device's input gets. */
class CborTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void givenTheIntegersOfRfc8949AppendixA_thenTheyEncodeAndDecodeAsThere() throws Exception {
        long[] values = {0, 1, 10, 23, 24, 25, 100, 1000, 1000000, 1000000000000L, -1, -10, -100, -1000};
        String[] hex = {"00", "01", "0a", "17", "1818", "1819", "1864", "1903e8", "1a000f4240",
            "1b000000e8d4a51000", "20", "29", "3863", "3903e7"};
        for (int i = 0; i < values.length; i++) {
            assertThat(HEX.formatHex(CborWriter.encodeInt(values[i]))).as("%d", values[i]).isEqualTo(hex[i]);
            assertThat(new CborReader(HEX.parseHex(hex[i])).readInt()).isEqualTo(values[i]);
        }
    }

    @Test
    void givenStringsArraysAndMaps_thenTheyEncodeAsInRfc8949() throws Exception {
        assertThat(HEX.formatHex(new CborWriter().bytes(HEX.parseHex("01020304")).toByteArray())).isEqualTo("4401020304");
        assertThat(HEX.formatHex(new CborWriter().text("IETF").toByteArray())).isEqualTo("6449455446");
        assertThat(HEX.formatHex(new CborWriter().array(3).integer(1).array(2).integer(2).integer(3).array(2).integer(4)
                .integer(5).toByteArray())).isEqualTo("8301820203820405");
        assertThat(HEX.formatHex(new CborWriter().map(2).integer(1).integer(2).integer(3).integer(4).toByteArray()))
                .isEqualTo("a201020304");
        assertThat(HEX.formatHex(new CborWriter().bool(false).bool(true).nil().toByteArray())).isEqualTo("f4f5f6");

        CborReader r = new CborReader(HEX.parseHex("8301820203820405" + "6449455446" + "f6"));
        assertThat(r.readArray()).isEqualTo(3);
        assertThat(r.readInt()).isEqualTo(1);
        assertThat(HEX.formatHex(r.readRaw())).isEqualTo("820203");
        r.skip();
        assertThat(r.readText()).isEqualTo("IETF");
        assertThat(r.readNullIf()).isTrue();
        r.expectEnd();
    }

    @Test
    void givenMalformedOrNonDeterministicInput_thenItIsRefusedWithTheOffset() {
        assertThatThrownBy(() -> new CborReader(HEX.parseHex("1817")).readInt())
                .isInstanceOf(CborException.class).hasMessageContaining("longer than needed");
        assertThatThrownBy(() -> new CborReader(HEX.parseHex("5f4101ff")).readBytes())
                .hasMessageContaining("indefinite-length");
        assertThatThrownBy(() -> new CborReader(HEX.parseHex("45010203")).readBytes())
                .hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> new CborReader(HEX.parseHex("9a7fffffff")).readArray())
                .hasMessageContaining("exceeds the input");
        assertThatThrownBy(() -> new CborReader(HEX.parseHex("c24101")).skip()).hasMessageContaining("tags");
        assertThatThrownBy(() -> new CborReader(HEX.parseHex("f93c00")).skip()).hasMessageContaining("float");
        assertThatThrownBy(() -> new CborReader(HEX.parseHex("62c328")).readText()).hasMessageContaining("not UTF-8");
        assertThatThrownBy(() -> new CborReader(HEX.parseHex("4101")).readInt())
                .hasMessageContaining("expected an integer at offset 0, found a byte string");
        assertThatThrownBy(() -> new CborReader(HEX.parseHex("1bffffffffffffffff")).readInt())
                .hasMessageContaining("64 signed bits");
        byte[] deep = new byte[40];
        java.util.Arrays.fill(deep, (byte) 0x81);
        assertThatThrownBy(() -> new CborReader(deep).skip()).hasMessageContaining("nested deeper");
        CborReader trailing = new CborReader(HEX.parseHex("0102"));
        assertThatThrownBy(() -> {
            trailing.readInt();
            trailing.expectEnd();
        }).hasMessageContaining("1 unexpected bytes");
    }
}
