package org.m2mgw.oscore.internal.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.hex;

import org.junit.jupiter.api.Test;

/** HKDF-SHA256 against RFC 5869 Appendix A test cases 1 and 3. */
class OscoreHkdfTest {

    @Test
    void givenRfc5869TestCase1_whenDerived_thenPrkAndOkmMatch() {
        byte[] ikm = hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        byte[] prk = Hkdf.extract(hex("000102030405060708090a0b0c"), ikm);
        assertThat(hex(prk)).isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        assertThat(hex(Hkdf.expand(prk, hex("f0f1f2f3f4f5f6f7f8f9"), 42))).isEqualTo(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    }

    @Test
    void givenRfc5869TestCase3WithEmptySalt_whenDerived_thenOkmMatches() {
        byte[] ikm = hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        assertThat(hex(Hkdf.derive(new byte[0], ikm, new byte[0], 42))).isEqualTo(
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    }
}
