package org.m2mgw.anomaly.internal.engine;

/** Reads addresses and identities out of event fields. */
final class Subjects {
    static final String UNKNOWN = "unknown";
    private static final String UNKNOWN_IDENTITY = "unknown PSK identity";
    private static final int MAX_TEXT = 64;

    private Subjects() {
    }

    /**
     * @param address {@code host:port}, {@code [v6]:port}, a bare host or {@code unknown}
     * @return the IP address without port or brackets
     */
    static String hostOf(String address) {
        if (address == null || address.isEmpty()) {
            return UNKNOWN;
        }
        if (address.charAt(0) == '[') {
            int end = address.indexOf(']');
            return end > 1 ? address.substring(1, end) : address;
        }
        int colon = address.lastIndexOf(':');
        if (colon > 0 && address.indexOf(':') == colon) {
            return address.substring(0, colon);
        }
        return address;
    }

    /** @return an allowlist entry as alerts name it: an IP without brackets, anything else as is */
    static String normalizeAllowed(String entry) {
        String s = entry.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    /** @return whether a handshake failure reason says the PSK identity was unknown */
    static boolean isUnknownIdentity(String reason) {
        return reason.startsWith(UNKNOWN_IDENTITY);
    }

    /**
     * @param reason e.g. {@code unknown PSK identity 'x'}
     * @return the quoted identity, or {@code null} when the reason does not name one
     */
    static String identityOf(String reason) {
        int open = reason.indexOf('\'', UNKNOWN_IDENTITY.length());
        int close = reason.lastIndexOf('\'');
        return open >= 0 && close > open ? reason.substring(open + 1, close) : null;
    }

    /** @return text from the network, shortened for an alert's reason */
    static String shorten(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "...";
    }
}
