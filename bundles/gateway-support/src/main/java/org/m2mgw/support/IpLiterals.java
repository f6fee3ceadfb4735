package org.m2mgw.support;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** IP literals from operators, files and alerts: parsed without any name lookup. */
public final class IpLiterals {
    private IpLiterals() {
    }

    /** @throws IllegalArgumentException unless {@code s} is an IPv4 or IPv6 literal */
    public static InetAddress parse(String s) {
        String a = s == null ? "" : s.trim();
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        // Only digits, hex, dots and colons: InetAddress.getByName then never asks DNS.
        if (a.isEmpty() || !a.matches("[0-9A-Fa-f.:]+") || (a.indexOf(':') < 0 && !a.matches("\\d+(\\.\\d+){3}"))) {
            throw new IllegalArgumentException("not an IP address: " + s);
        }
        try {
            return InetAddress.getByName(a);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + s);
        }
    }
}
