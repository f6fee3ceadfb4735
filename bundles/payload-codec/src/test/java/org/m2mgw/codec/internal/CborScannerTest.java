package org.m2mgw.codec.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CborScannerTest {

    private static void check(String hex) throws Malformed {
        CborScanner.check(HexFormat.of().parseHex(hex), 32, 1000);
    }

    @Test
    void givenWellFormedItemsOfEveryMajorType_thenAccepted() {
        // RFC 8949 appendix A: indefinite-length strings, arrays and maps; tags; simple values; floats
        for (String hex : new String[] {"00", "3903e7", "5f42010243030405ff", "7f657374726561646d696e67ff",
            "9f018202039f0405ffff", "bf61610161629f0203ffff", "c11a514b67b0", "f4", "f820", "fb3ff199999999999a"}) {
            assertThatCode(() -> check(hex)).as(hex).doesNotThrowAnyException();
        }
    }

    @Test
    void givenNotWellFormedItems_thenRefusedWithTheByteWhereTheyGoWrong() {
        assertThatThrownBy(() -> check("8201")).hasMessage(
                "CBOR payload is malformed at byte 0: the payload ends inside the data item that starts there (truncated?)");
        assertThatThrownBy(() -> check("a1011c")).hasMessage(
                "CBOR payload is malformed at byte 2: reserved additional information 28");
        assertThatThrownBy(() -> check("8101ff")).hasMessage(
                "CBOR payload is malformed at byte 2: there are 1 bytes after the first data item");
        assertThatThrownBy(() -> check("82ff01")).hasMessage(
                "CBOR payload is malformed at byte 1: break stop code outside an indefinite-length item");
        assertThatThrownBy(() -> check("f801")).hasMessage(
                "CBOR payload is malformed at byte 0: simple value 1 must be encoded in one byte");
        assertThatThrownBy(() -> check("5f4101610aff")).hasMessage(
                "CBOR payload is malformed at byte 3: a chunk of an indefinite-length string must be a definite string of the same type");
        assertThatThrownBy(() -> check("1f")).hasMessage(
                "CBOR payload is malformed at byte 0: an integer cannot have indefinite length");
        // a length that no payload could hold must not make the scanner loop or allocate
        assertThatThrownBy(() -> check("9bffffffffffffffff00")).hasMessageContaining("ends inside");
        assertThatThrownBy(() -> check("5b7fffffffffffffff")).hasMessageContaining("ends inside");
        assertThatThrownBy(() -> check("")).hasMessage("CBOR payload is empty");
    }

    @Test
    void givenMoreItemsThanAllowed_thenRefused() {
        assertThatThrownBy(() -> CborScanner.check(new byte[] {(byte) 0x83, 1, 2, 3}, 32, 3))
                .hasMessage("CBOR payload is malformed at byte 3: more than 3 data items");
    }
}
