package org.m2mgw.codec.internal;

import org.m2mgw.support.Text;

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
        return "'" + Text.printable(s, MAX_CHARS) + "'";
    }
}
