package org.m2mgw.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonTextTest {

    @Test
    void givenQuotesBackslashesAndControls_whenQuoted_thenValidJsonEscapes() {
        assertThat(Json.quote("a\"b\\c\n\u0001\u2028")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\\u2028\"");
        assertThat(Json.quote(null)).isEqualTo("null");
        assertThat(Json.quote("é/ü")).isEqualTo("\"é/ü\"");
    }

    @Test
    void givenControlsAndLongText_whenPrintable_thenReplacedAndCut() {
        assertThat(Text.printable("ab\u0000c\u007f")).isEqualTo("ab\\u0000c\\u007f");
        assertThat(Text.printable("x".repeat(70))).isEqualTo("x".repeat(64) + "...");
        assertThat(Text.printable(null)).isEmpty();
        assertThat(Text.html("<a href='x'>&\"</a>")).isEqualTo("&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    }
}
