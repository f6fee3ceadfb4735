package org.m2mgw.access.internal;

import org.m2mgw.support.IpLiterals;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IP prefix ({@code network/length}) with its host bits cleared. */
record Prefix(byte[] network, int length) {

    static Prefix of(InetAddress address, int length) {
        int max = address instanceof Inet4Address ? 32 : 128;
        int min = address instanceof Inet4Address ? 8 : 16;
        if (length < min || length > max) {
            throw new IllegalArgumentException("prefix length must be " + min + " to " + max + " for "
                    + address.getHostAddress() + ", not " + length);
        }
        byte[] net = address.getAddress();
        for (int bit = length; bit < net.length * 8; bit++) {
            net[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return new Prefix(net, length);
    }

    /** Parses {@code network/length} (IP literals only, no name lookups). */
    static Prefix parse(String s) {
        int slash = s == null ? -1 : s.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("not a prefix (network/length): " + s);
        }
        try {
            return of(IpLiterals.parse(s.substring(0, slash)), Integer.parseInt(s.substring(slash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a prefix (network/length): " + s);
        }
    }

    boolean contains(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != network.length) {
            return false;
        }
        int full = length / 8;
        for (int i = 0; i < full; i++) {
            if (b[i] != network[i]) {
                return false;
            }
        }
        int rest = length % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (b[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + length;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prefix p && p.length == length && Arrays.equals(p.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + length;
    }
}
