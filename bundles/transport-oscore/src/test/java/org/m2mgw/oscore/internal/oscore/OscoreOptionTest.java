package org.m2mgw.oscore.internal.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.hex;

import org.junit.jupiter.api.Test;

/** The OSCORE option value of RFC 8613 section 6.1, with the examples of section 6.3. */
class OscoreOptionTest {

    @Test
    void givenTheSection63Examples_whenDecoded_thenFieldsAreThereAndEncodeBack() throws Exception {
        // Partial IV 5, kid 0x25
        OscoreOption a = OscoreOption.decode(hex("090525"));
        assertThat(a.partialIv()).containsExactly(0x05);
        assertThat(a.kid()).containsExactly(0x25);
        assertThat(a.kidContext()).isNull();
        assertThat(hex(a.encode())).isEqualTo("090525");
        // empty kid, Partial IV 0
        OscoreOption b = OscoreOption.decode(hex("0900"));
        assertThat(b.kid()).isEmpty();
        assertThat(b.sequenceNumber()).isZero();
        // Partial IV 5, kid context 0x44616c656b, empty kid
        OscoreOption c = OscoreOption.decode(hex("19050544616c656b"));
        assertThat(c.kidContext()).containsExactly(0x44, 0x61, 0x6c, 0x65, 0x6b);
        assertThat(c.kid()).isEmpty();
        assertThat(hex(c.encode())).isEqualTo("19050544616c656b");
        // a response without Partial IV is the empty value; with one, only n and the Partial IV
        assertThat(OscoreOption.decode(new byte[0]).encode()).isEmpty();
        assertThat(hex(new OscoreOption(OscoreOption.partialIvOf(7), null, null).encode())).isEqualTo("0107");
    }

    @Test
    void givenSequenceNumbers_whenEncodedAsPartialIv_thenShortestBigEndian() {
        assertThat(hex(OscoreOption.partialIvOf(0))).isEqualTo("00");
        assertThat(hex(OscoreOption.partialIvOf(0x14))).isEqualTo("14");
        assertThat(hex(OscoreOption.partialIvOf(0x100))).isEqualTo("0100");
        assertThat(hex(OscoreOption.partialIvOf(OscoreContext.MAX_SSN))).isEqualTo("ffffffffff");
        assertThat(OscoreOption.valueOf(hex("ffffffffff"))).isEqualTo(OscoreContext.MAX_SSN);
        assertThatThrownBy(() -> OscoreOption.partialIvOf(OscoreContext.MAX_SSN + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenReservedBitsOrInconsistentLengths_whenDecoded_thenBadOption() {
        for (String v : new String[] {"20", "40", "80", "0e0102030405ff", "0f", "0501020304", "00", "1a", "100304",
            "0101ff", "020102ff"}) {
            assertThatThrownBy(() -> OscoreOption.decode(hex(v))).as(v).isInstanceOfSatisfying(OscoreException.class,
                    e -> assertThat(e.reason()).isEqualTo(OscoreException.Reason.BAD_OPTION));
        }
    }
}
