package org.m2mgw.anomaly.internal.engine;

import org.m2mgw.api.traffic.TrafficEvent;

/** Names the subjects of alerts: devices by id, addresses as IP literals. */
final class Subjects {
    static final String UNKNOWN = "unknown";
    private static final int MAX_TEXT = 64;

    private Subjects() {
    }

    /** @return the event's source IP as alerts and restrictions name it, or {@link #UNKNOWN} */
    static String ipOf(TrafficEvent e) {
        return e.source() == TrafficEvent.UNKNOWN_SOURCE || e.sourceIp() == null ? UNKNOWN
                : e.sourceIp().getHostAddress();
    }

    /** @return an allowlist entry as alerts name it: an IP without brackets, anything else as is */
    static String normalizeAllowed(String entry) {
        String s = entry.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+")) {
            // IPv6 literals in the one form events carry (InetAddress.getHostAddress)
            try {
                return java.net.InetAddress.getByName(s).getHostAddress();
            } catch (java.net.UnknownHostException e) {
                return s;
            }
        }
        return s;
    }

    /** @return text from the network, shortened for an alert's reason */
    static String shorten(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "...";
    }
}
