package org.m2mgw.crypto.internal;

import java.time.Instant;
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
        return c;
    }

    /** @return one tab-separated line (no tabs or newlines inside fields) */
    synchronized String toLine(String deviceId) {
        return String.join("\t", clean(deviceId), str(suite), str(protocol),
                credentialType == null ? "" : credentialType.name(), Long.toString(recordsProtected),
                Long.toString(macFailures), time(lastHandshake), Long.toString(fullHandshakes),
                Long.toString(resumptions), time(certificateNotAfter), str(certificateAlgorithm),
                Integer.toString(certificateStrength), str(lastEvent), time(lastEventAt));
    }

    /** @return the device id and its usage from a line written by {@link #toLine}, or null if damaged */
    static java.util.Map.Entry<String, DeviceUsage> fromLine(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 14 || f[0].isEmpty()) {
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

    private static String nul(String s) {
        return s.isEmpty() ? null : s;
    }

    private static String time(Instant t) {
        return t == null ? "" : t.toString();
    }
}
