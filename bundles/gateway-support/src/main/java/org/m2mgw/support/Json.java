package org.m2mgw.support;

/**
 * JSON string literals (RFC 8259 section 7): the one escaper every bundle uses for the JSON it
 * writes by hand (alerts, status, command lists, benchmark results).
 */
public final class Json {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {
    }

    /** @return {@code s} as a quoted JSON string; {@code null} becomes {@code null} */
    public static String quote(String s) {
        if (s == null) {
            return "null";
        }
        return appendQuoted(new StringBuilder(s.length() + 2), s).toString();
    }

    /**
     * Appends {@code s} as a quoted JSON string: quote and backslash escaped, control characters
     * as {@code \}{@code uXXXX} (or their short forms), everything else as it is.
     *
     * @return {@code b}
     */
    public static StringBuilder appendQuoted(StringBuilder b, CharSequence s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    // U+2028/2029 are legal in JSON but end a line in JavaScript consumers
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }
}
