package org.m2mgw.support;

/** Text from untrusted sources made safe for logs and pages. */
public final class Text {
    private Text() {
    }

    /**
     * @param s text an attacker may control (a PSK identity, a resource name, a parser's message),
     *        may be {@code null}
     * @param max how many characters to keep before {@code ...}
     * @return {@code s} cut after {@code max} characters, control characters and line separators
     *         escaped as {@code \\uXXXX}, so that it cannot break or flood a log line
     */
    public static String printable(String s, int max) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 8);
        for (int i = 0; i < s.length(); i++) {
            if (i == max) {
                return b.append("...").toString();
            }
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** @return {@link #printable(String, int)} with a limit of 64 characters */
    public static String printable(String s) {
        return printable(s, 64);
    }

    /** @return {@code s} escaped for HTML text and attribute values */
    public static String html(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '\'' -> b.append("&#39;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
