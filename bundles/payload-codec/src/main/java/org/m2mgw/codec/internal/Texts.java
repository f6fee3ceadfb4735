package org.m2mgw.codec.internal;

/** Quoting of device-supplied text for error messages. */
final class Texts {
    private static final int MAX_CHARS = 64;

    private Texts() {
    }

    /**
     * @param s text from a payload
     * @return {@code s} in single quotes, control characters escaped, cut after 64 characters, so
     *     that it cannot break or flood a log line
     */
    static String quote(String s) {
        return "'" + printable(s, MAX_CHARS) + "'";
    }

    /**
     * @param s text that may come from a payload, such as a parser's error message
     * @param maxChars how many characters to keep
     * @return {@code s} with control characters escaped, cut after {@code maxChars} characters
     */
    static String printable(String s, int maxChars) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), maxChars) + 8);
        for (int i = 0; i < s.length(); i++) {
            if (i == maxChars) {
                return b.append("...").toString();
            }
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
