package org.m2mgw.crypto.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Predicate;
import org.m2mgw.api.crypto.CryptoStatus;
import org.m2mgw.api.crypto.InventoryEntry;

/**
 * The inventory's filters, the same in the console and the shell: {@code quantum} (devices on
 * quantum-vulnerable credentials or suites), {@code older:N} (keys older than N days, or of unknown
 * age), {@code retiring:N} (a policy date within N days, or already past), {@code status:S}, or
 * {@code all}.
 */
final class InventoryFilter {
    private InventoryFilter() {
    }

    /**
     * @throws IllegalArgumentException with a message for the operator if the filter is not one of the above
     */
    static Predicate<InventoryEntry> parse(String filter, Instant now) {
        String f = filter == null ? "" : filter.trim().toLowerCase(Locale.ROOT);
        if (f.isEmpty() || f.equals("all")) {
            return e -> true;
        }
        if (f.equals("quantum")) {
            return InventoryEntry::quantumVulnerable;
        }
        int colon = f.indexOf(':');
        String name = colon < 0 ? f : f.substring(0, colon);
        String arg = colon < 0 ? "" : f.substring(colon + 1).trim();
        switch (name) {
            case "older": {
                Instant cut = now.minus(Duration.ofDays(days(arg, name)));
                return e -> e.keyCreated().map(c -> c.isBefore(cut)).orElse(true);
            }
            case "retiring": {
                Instant until = now.plus(Duration.ofDays(days(arg, name)));
                return e -> e.verdict().status().compareTo(CryptoStatus.EXPIRING) >= 0
                        && e.verdict().date().map(d -> d.isBefore(until)).orElse(true);
            }
            case "status": {
                try {
                    CryptoStatus s = CryptoStatus.valueOf(arg.toUpperCase(Locale.ROOT));
                    return e -> e.verdict().status() == s;
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("status must be one of ok, warn, expiring, expired, retired");
                }
            }
            default:
                throw new IllegalArgumentException("unknown filter '" + filter
                        + "': use all, quantum, older:DAYS, retiring:DAYS or status:STATUS");
        }
    }

    private static long days(String arg, String name) {
        try {
            long d = Long.parseLong(arg);
            if (d < 0 || d > 36_500) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ":DAYS needs a number of days, 0..36500");
        }
    }
}
