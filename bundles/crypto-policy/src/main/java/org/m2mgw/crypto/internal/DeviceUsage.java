package org.m2mgw.crypto.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.m2mgw.api.crypto.Airtime;
import org.m2mgw.api.device.CredentialType;

/**
 * What transports told about one device's sessions. Mutable, guarded by its own monitor; the
 * inventory copies it into an immutable entry when asked.
 */
final class DeviceUsage {
    String suite;
    String protocol;
    CredentialType credentialType;
    long recordsProtected;
    long macFailures;
    Instant lastHandshake;
    long fullHandshakes;
    long resumptions;
    Instant certificateNotAfter;
    String certificateAlgorithm;
    int certificateStrength;
    String lastEvent;
    Instant lastEventAt;
    /**
     * Airtime of the known protocols, summed from the transports' deltas: {@value #FIELDS} counters
     * for each protocol of {@link #PROTOCOLS} up to the highest one used (a device that made a
     * handshake and sent records holds 15 longs, not a map of records); null until the first report.
     */
    long[] airtime;
    /** Airtime of protocols this version does not know (a newer transport); null while there is none. */
    Map<String, Airtime> otherAirtime;
    private static final int FIELDS = 5;
    /** The UTC day (epoch day) {@link #handshakesToday} counts, {@link #NO_DAY} before the first handshake. */
    long handshakeDay = NO_DAY;
    long handshakesToday;
    /** Handshakes of the day before {@link #handshakeDay}. */
    long handshakesYesterday;

    static final long NO_DAY = Long.MIN_VALUE;
    /** Fields of a line: v1 (up to 0.x) and v2 (airtime and handshakes per day). */
    static final int V1_FIELDS = 14;
    static final int V2_FIELDS = 18;
    /** The protocols in the order of the {@link Airtime} constants; others follow by name. */
    static final List<String> PROTOCOLS = List.of(Airtime.DTLS_FULL_HANDSHAKE, Airtime.DTLS_RESUMPTION,
            Airtime.DTLS_RECORDS, Airtime.DTLS_CID_RECORDS, Airtime.EDHOC, Airtime.OSCORE);
    static final Comparator<String> PROTOCOL_ORDER = Comparator.comparingInt((String p) -> {
        int i = PROTOCOLS.indexOf(p);
        return i < 0 ? Integer.MAX_VALUE : i;
    }).thenComparing(Comparator.naturalOrder());

    /** @return the UTC day of {@code millis} since the epoch */
    static long day(long millis) {
        return Math.floorDiv(millis, 86_400_000L);
    }

    /**
     * Moves the day counters to {@code today}: the last counted day becomes yesterday if it was the
     * day before, and is forgotten if it was earlier. A clock that went back does not roll back.
     */
    void roll(long today) {
        if (handshakeDay == NO_DAY || today <= handshakeDay) {
            return;
        }
        handshakesYesterday = today == handshakeDay + 1 ? handshakesToday : 0;
        handshakesToday = 0;
        handshakeDay = today;
    }

    /** Counts one handshake on {@code today}. */
    void countHandshake(long today) {
        if (handshakeDay == NO_DAY) {
            handshakeDay = today;
        }
        roll(today);
        handshakesToday++;
    }

    /** Adds a transport's deltas, per protocol. */
    void addAirtime(Collection<Airtime> delta) {
        for (Airtime a : delta) {
            if (a == null || a.datagramsIn() == 0 && a.datagramsOut() == 0 && a.bytesIn() == 0 && a.bytesOut() == 0
                    && a.handshakes() == 0) {
                continue;
            }
            int i = PROTOCOLS.indexOf(a.protocol());
            if (i < 0) {
                if (otherAirtime == null) {
                    otherAirtime = new HashMap<>(4);
                }
                otherAirtime.merge(a.protocol(), a, Airtime::plus);
                continue;
            }
            int at = i * FIELDS;
            if (airtime == null || airtime.length < at + FIELDS) {
                airtime = airtime == null ? new long[at + FIELDS] : java.util.Arrays.copyOf(airtime, at + FIELDS);
            }
            airtime[at] += a.datagramsIn();
            airtime[at + 1] += a.bytesIn();
            airtime[at + 2] += a.datagramsOut();
            airtime[at + 3] += a.bytesOut();
            airtime[at + 4] += a.handshakes();
        }
    }

    /** @return the airtime per protocol in {@link #PROTOCOL_ORDER} */
    List<Airtime> airtimeList() {
        if (airtime == null && otherAirtime == null) {
            return List.of();
        }
        List<Airtime> out = new ArrayList<>();
        for (int at = 0; airtime != null && at + FIELDS <= airtime.length; at += FIELDS) {
            if (airtime[at] != 0 || airtime[at + 1] != 0 || airtime[at + 2] != 0 || airtime[at + 3] != 0
                    || airtime[at + 4] != 0) {
                out.add(new Airtime(PROTOCOLS.get(at / FIELDS), airtime[at], airtime[at + 1], airtime[at + 2],
                        airtime[at + 3], airtime[at + 4]));
            }
        }
        if (otherAirtime != null) {
            List<Airtime> other = new ArrayList<>(otherAirtime.values());
            other.sort(Comparator.comparing(Airtime::protocol, PROTOCOL_ORDER));
            out.addAll(other);
        }
        return out;
    }

    synchronized DeviceUsage copy() {
        DeviceUsage c = new DeviceUsage();
        c.suite = suite;
        c.protocol = protocol;
        c.credentialType = credentialType;
        c.recordsProtected = recordsProtected;
        c.macFailures = macFailures;
        c.lastHandshake = lastHandshake;
        c.fullHandshakes = fullHandshakes;
        c.resumptions = resumptions;
        c.certificateNotAfter = certificateNotAfter;
        c.certificateAlgorithm = certificateAlgorithm;
        c.certificateStrength = certificateStrength;
        c.lastEvent = lastEvent;
        c.lastEventAt = lastEventAt;
        c.airtime = airtime == null ? null : airtime.clone();
        c.otherAirtime = otherAirtime == null ? null : new HashMap<>(otherAirtime);
        c.handshakeDay = handshakeDay;
        c.handshakesToday = handshakesToday;
        c.handshakesYesterday = handshakesYesterday;
        return c;
    }

    /**
     * @return one tab-separated line of {@link #V2_FIELDS} fields (no tabs or newlines inside
     *     fields): the 14 of v1, then the day the handshake counters count (yyyy-mm-dd, empty
     *     before the first handshake), handshakes that day and the day before, and the airtime as
     *     {@code protocol=datagramsIn,bytesIn,datagramsOut,bytesOut,handshakes} joined by {@code ;}
     *     with the protocol name escaped by {@link #escape}
     */
    synchronized String toLine(String deviceId) {
        StringBuilder air = new StringBuilder();
        for (Airtime a : airtimeList()) {
            air.append(air.length() == 0 ? "" : ";").append(escape(a.protocol())).append('=').append(a.datagramsIn())
                    .append(',').append(a.bytesIn()).append(',').append(a.datagramsOut()).append(',')
                    .append(a.bytesOut()).append(',').append(a.handshakes());
        }
        return String.join("\t", clean(deviceId), str(suite), str(protocol),
                credentialType == null ? "" : credentialType.name(), Long.toString(recordsProtected),
                Long.toString(macFailures), time(lastHandshake), Long.toString(fullHandshakes),
                Long.toString(resumptions), time(certificateNotAfter), str(certificateAlgorithm),
                Integer.toString(certificateStrength), str(lastEvent), time(lastEventAt),
                handshakeDay == NO_DAY ? "" : LocalDate.ofEpochDay(handshakeDay).toString(),
                Long.toString(handshakesToday), Long.toString(handshakesYesterday), air);
    }

    /**
     * @return the device id and its usage from a line written by {@link #toLine} (v2) or by the
     *     v1 inventory (14 fields: no airtime, day counters 0), or null if damaged
     */
    static java.util.Map.Entry<String, DeviceUsage> fromLine(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != V1_FIELDS && f.length != V2_FIELDS || f[0].isEmpty()) {
            return null;
        }
        try {
            DeviceUsage u = new DeviceUsage();
            u.suite = nul(f[1]);
            u.protocol = nul(f[2]);
            u.credentialType = f[3].isEmpty() ? null : CredentialType.valueOf(f[3]);
            u.recordsProtected = Long.parseLong(f[4]);
            u.macFailures = Long.parseLong(f[5]);
            u.lastHandshake = f[6].isEmpty() ? null : Instant.parse(f[6]);
            u.fullHandshakes = Long.parseLong(f[7]);
            u.resumptions = Long.parseLong(f[8]);
            u.certificateNotAfter = f[9].isEmpty() ? null : Instant.parse(f[9]);
            u.certificateAlgorithm = nul(f[10]);
            u.certificateStrength = Integer.parseInt(f[11]);
            u.lastEvent = nul(f[12]);
            u.lastEventAt = f[13].isEmpty() ? null : Instant.parse(f[13]);
            if (f.length == V2_FIELDS) {
                u.handshakeDay = f[14].isEmpty() ? NO_DAY : LocalDate.parse(f[14]).toEpochDay();
                u.handshakesToday = Long.parseLong(f[15]);
                u.handshakesYesterday = Long.parseLong(f[16]);
                if (!f[17].isEmpty()) {
                    List<Airtime> air = new ArrayList<>();
                    for (String p : f[17].split(";", -1)) {
                        int eq = p.lastIndexOf('=');
                        String[] n = p.substring(eq + 1).split(",", -1);
                        if (eq <= 0 || n.length != 5) {
                            return null;
                        }
                        air.add(new Airtime(unescape(p.substring(0, eq)), Long.parseLong(n[0]), Long.parseLong(n[1]),
                                Long.parseLong(n[2]), Long.parseLong(n[3]), Long.parseLong(n[4])));
                    }
                    u.addAirtime(air);
                }
            }
            return java.util.Map.entry(f[0], u);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String str(String s) {
        return s == null ? "" : clean(s);
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * @return {@code s} with {@code %}, the separators of the airtime field ({@code ; = ,}) and
     *     control characters (tab, newline) as {@code %XX}; spaces stay
     */
    static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = c == '%' || c == ';' || c == '=' || c == ',' || c < 0x20 || c == 0x7f;
            if (bad && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (bad) {
                b.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    /** @return {@code s} with the {@code %XX} of {@link #escape} decoded */
    static String unescape(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String nul(String s) {
        return s.isEmpty() ? null : s;
    }

    private static String time(Instant t) {
        return t == null ? "" : t.toString();
    }
}
