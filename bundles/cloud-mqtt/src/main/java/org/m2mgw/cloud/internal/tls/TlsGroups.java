package org.m2mgw.cloud.internal.tls;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The key-exchange groups ({@code tls.groups}) the uplink offers, most preferred first, by their
 * JSSE names. Parsing is strict: an unknown or repeated name is a configuration error, because
 * Bouncy Castle's JSSE would only log it and quietly offer fewer groups than the operator asked for.
 */
public record TlsGroups(List<String> names) {

    /** The configuration key, for error messages. */
    public static final String KEY = "tls.groups";

    /** The hybrid post-quantum group of draft-ietf-tls-ecdhe-mlkem (X25519 with ML-KEM-768). */
    public static final String X25519_MLKEM768 = "X25519MLKEM768";

    /** The groups an operator may list: JSSE name to IANA TLS Supported Groups code point. */
    private static final Map<String, Integer> CODES = new LinkedHashMap<>();
    /** The groups whose secret does not rest on (EC)DH alone. */
    private static final List<String> POST_QUANTUM = List.of("X25519MLKEM768", "SecP256r1MLKEM768",
            "SecP384r1MLKEM1024", "MLKEM512", "MLKEM768", "MLKEM1024");

    static {
        CODES.put("X25519MLKEM768", 0x11EC);
        CODES.put("SecP256r1MLKEM768", 0x11EB);
        CODES.put("SecP384r1MLKEM1024", 0x11ED);
        CODES.put("MLKEM512", 0x0200);
        CODES.put("MLKEM768", 0x0201);
        CODES.put("MLKEM1024", 0x0202);
        CODES.put("x25519", 0x001D);
        CODES.put("x448", 0x001E);
        CODES.put("secp256r1", 0x0017);
        CODES.put("secp384r1", 0x0018);
        CODES.put("secp521r1", 0x0019);
        CODES.put("brainpoolP256r1tls13", 0x001F);
        CODES.put("brainpoolP384r1tls13", 0x0020);
        CODES.put("brainpoolP512r1tls13", 0x0021);
        CODES.put("ffdhe2048", 0x0100);
        CODES.put("ffdhe3072", 0x0101);
        CODES.put("ffdhe4096", 0x0102);
        CODES.put("ffdhe6144", 0x0103);
        CODES.put("ffdhe8192", 0x0104);
    }

    public TlsGroups {
        names = List.copyOf(names);
    }

    /**
     * @param value the configured list: names separated by commas (blanks around them are ignored),
     *     matched without regard to case
     * @return the groups, with their names spelled as JSSE spells them
     * @throws IllegalArgumentException naming the key and the bad entry, for an empty list, an
     *     unknown name or a name given twice
     */
    public static TlsGroups parse(String value) {
        // A metatype default escapes its commas; a console that shows the escaped form must not
        // turn them into part of a name.
        String v = value == null ? "" : value.replace("\\,", ",").trim();
        if (v.isEmpty()) {
            throw new IllegalArgumentException(KEY + " is empty: list at least one group, e.g. "
                    + X25519_MLKEM768 + ",x25519,secp256r1");
        }
        List<String> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String entry : v.split(",", -1)) {
            String e = entry.trim();
            if (e.isEmpty()) {
                problems.add("an empty entry");
                continue;
            }
            String known = canonical(e);
            if (known == null) {
                problems.add("unknown group '" + printable(e) + "'");
            } else if (out.contains(known)) {
                problems.add("'" + known + "' is listed twice");
            } else {
                out.add(known);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(KEY + " '" + printable(v) + "' has " + String.join(", ", problems)
                    + " (known groups: " + String.join(", ", CODES.keySet()) + ")");
        }
        return new TlsGroups(out);
    }

    private static String canonical(String name) {
        for (String k : CODES.keySet()) {
            if (k.equalsIgnoreCase(name)) {
                return k;
            }
        }
        return null;
    }

    private static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return t.replaceAll("[\\p{Cntrl}]", "?");
    }

    /** @return whether {@code name} (a JSSE group name) is a post-quantum or hybrid group */
    public static boolean isPostQuantum(String name) {
        return name != null && POST_QUANTUM.stream().anyMatch(p -> p.equalsIgnoreCase(name));
    }

    /**
     * @param code an IANA TLS Supported Groups code point, as seen on the wire
     * @return its JSSE name, or {@code 0x....} for one this class does not know
     */
    public static String nameOf(int code) {
        for (Map.Entry<String, Integer> e : CODES.entrySet()) {
            if (e.getValue() == code) {
                return e.getKey();
            }
        }
        return String.format(Locale.ROOT, "0x%04x", code);
    }

    /** @return whether the list holds a post-quantum group */
    public boolean anyPostQuantum() {
        return names.stream().anyMatch(TlsGroups::isPostQuantum);
    }

    /** @return whether every group of the list is post-quantum (none would work without Bouncy Castle) */
    public boolean onlyPostQuantum() {
        return names.stream().allMatch(TlsGroups::isPostQuantum);
    }

    /**
     * The groups to send a key share for in the first ClientHello: the most preferred group, and,
     * when that one is post-quantum, also the first classical group. A server that does not know
     * the hybrid group then picks the classical share at once, instead of costing a
     * HelloRetryRequest round trip; the classical share adds 32 bytes (x25519) to the hybrid's
     * 1,216.
     */
    public List<String> earlyKeyShares() {
        List<String> out = new ArrayList<>();
        out.add(names.get(0));
        if (isPostQuantum(names.get(0))) {
            names.stream().filter(n -> !isPostQuantum(n) && !n.startsWith("ffdhe")).findFirst().ifPresent(out::add);
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public String toString() {
        return String.join(",", names);
    }
}
