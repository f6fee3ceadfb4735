package org.m2mgw.crypto.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.m2mgw.api.crypto.AeadLimits;
import org.m2mgw.api.crypto.CryptoStatus;
import org.m2mgw.api.crypto.KeyFacts;
import org.m2mgw.api.crypto.SuiteDescriptor;
import org.m2mgw.api.crypto.Suites;
import org.m2mgw.api.crypto.Verdict;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.support.config.Metatype;

/**
 * One version of the crypto policy, parsed and checked: immutable, so transports read it without
 * locks. Invalid entries are left out and reported in {@link #problems()}, each naming its key;
 * a credential type left with no valid suite gets the shipped default list.
 */
final class PolicyRules {
    static final Metatype METATYPE = Metatype.of(PolicyConfig.class, CryptoPolicyComponent.PID);

    private final Map<CredentialType, Map<String, Instant>> suites;
    private final int minStrength;
    private final Instant deprecated;
    private final Instant disallowed;
    private final Map<CredentialType, Duration> maxAge;
    private final Duration grace;
    private final Duration warning;
    private final Map<String, AeadLimits> aeadOverrides;
    private final double deviceTxNjPerByte;
    private final double deviceRxNjPerByte;
    private final List<String> problems;

    private PolicyRules(Builder b) {
        suites = Collections.unmodifiableMap(b.suites);
        minStrength = b.minStrength;
        deprecated = b.deprecated;
        disallowed = b.disallowed;
        maxAge = Collections.unmodifiableMap(b.maxAge);
        grace = b.grace;
        warning = b.warning;
        aeadOverrides = Collections.unmodifiableMap(b.aead);
        deviceTxNjPerByte = b.deviceTx;
        deviceRxNjPerByte = b.deviceRx;
        problems = List.copyOf(b.problems);
    }

    static PolicyRules from(PolicyConfig c) {
        Builder b = new Builder();
        b.suites(CredentialType.PSK, "suites.psk", c.suites_psk());
        b.suites(CredentialType.RAW_PUBLIC_KEY, "suites.rpk", c.suites_rpk());
        b.suites(CredentialType.X509, "suites.x509", c.suites_x509());
        b.minStrength = b.ranged("min.strength.bits", c.min_strength_bits());
        b.deprecated = b.date("quantum.vulnerable.deprecated", c.quantum_vulnerable_deprecated());
        b.disallowed = b.date("quantum.vulnerable.disallowed", c.quantum_vulnerable_disallowed());
        b.maxAge(CredentialType.PSK, "key.max.age.days.psk", c.key_max_age_days_psk());
        b.maxAge(CredentialType.RAW_PUBLIC_KEY, "key.max.age.days.rpk", c.key_max_age_days_rpk());
        b.maxAge(CredentialType.X509, "key.max.age.days.x509", c.key_max_age_days_x509());
        b.grace = Duration.ofDays(b.ranged("key.age.grace.days", c.key_age_grace_days()));
        b.warning = Duration.ofDays(b.ranged("warning.days", c.warning_days()));
        b.aead(c.aead_limits());
        b.deviceTx = b.rangedDecimal("energy.device.tx.nanojoules.per.byte", c.energy_device_tx_nanojoules_per_byte());
        b.deviceRx = b.rangedDecimal("energy.device.rx.nanojoules.per.byte", c.energy_device_rx_nanojoules_per_byte());
        return new PolicyRules(b);
    }

    List<String> problems() {
        return problems;
    }

    /** @return the allowed suites of a credential type with their not-after dates (null: none) */
    Map<String, Instant> suites(CredentialType type) {
        return suites.getOrDefault(type, Map.of());
    }

    int minStrength() {
        return minStrength;
    }

    int warningDays() {
        return (int) warning.toDays();
    }

    Instant quantumDisallowed() {
        return disallowed;
    }

    Instant quantumDeprecated() {
        return deprecated;
    }

    Optional<Duration> maxAge(CredentialType type) {
        return Optional.ofNullable(maxAge.get(type));
    }

    Duration grace() {
        return grace;
    }

    /** @return nanojoules a device spends per byte it sends (the gateway receives) */
    double deviceTxNanojoulesPerByte() {
        return deviceTxNjPerByte;
    }

    /** @return nanojoules a device spends per byte it receives (the gateway sends) */
    double deviceRxNanojoulesPerByte() {
        return deviceRxNjPerByte;
    }

    Verdict suite(CredentialType type, String suiteId, Instant at) {
        Map<String, Instant> allowed = suites(type);
        String kind = label(type);
        if (!allowed.containsKey(suiteId)) {
            return Verdict.of(CryptoStatus.RETIRED, "suite " + suiteId + " is not allowed for " + kind
                    + " devices by the crypto policy", null);
        }
        Instant notAfter = allowed.get(suiteId);
        if (notAfter != null && !at.isBefore(notAfter)) {
            return Verdict.of(CryptoStatus.RETIRED, "suite " + suiteId + " retired for " + kind + " devices on "
                    + day(notAfter), notAfter);
        }
        Optional<SuiteDescriptor> d = Suites.byId(suiteId);
        if (d.isPresent() && d.get().strengthBits() < minStrength) {
            return Verdict.of(CryptoStatus.RETIRED, "suite " + suiteId + " offers " + d.get().strengthBits()
                    + " bits, below the policy minimum of " + minStrength, null);
        }
        boolean quantum = d.map(SuiteDescriptor::quantumVulnerable).orElse(false);
        if (quantum && !at.isBefore(disallowed)) {
            return Verdict.of(CryptoStatus.RETIRED, "suite " + suiteId + " is quantum-vulnerable, disallowed from "
                    + day(disallowed) + " (NIST IR 8547)", disallowed);
        }
        Verdict v = Verdict.ok();
        if (notAfter != null && at.plus(warning).isAfter(notAfter)) {
            v = Verdict.of(CryptoStatus.EXPIRING, "suite " + suiteId + " retires for " + kind + " devices on "
                    + day(notAfter), notAfter);
        }
        if (quantum && at.plus(warning).isAfter(disallowed)) {
            v = v.worst(Verdict.of(CryptoStatus.EXPIRING, "suite " + suiteId + " is quantum-vulnerable, disallowed from "
                    + day(disallowed) + " (NIST IR 8547)", disallowed));
        }
        return v;
    }

    Verdict key(KeyFacts k, Instant at) {
        // Reported, not refused: a device in the field may have no other way in. Rotate it.
        Verdict v = k.strengthBits() >= minStrength ? Verdict.ok()
                : Verdict.of(CryptoStatus.WARN, k.algorithm() + " key of about " + k.strengthBits()
                        + " bits is below the policy minimum of " + minStrength + ": rotate it", null);
        if (k.quantumVulnerable()) {
            if (!at.isBefore(disallowed)) {
                return Verdict.of(CryptoStatus.RETIRED, k.algorithm() + " is quantum-vulnerable, disallowed from "
                        + day(disallowed) + " (NIST IR 8547)", disallowed);
            }
            if (!at.isBefore(deprecated) && k.strengthBits() < 128) {
                return Verdict.of(CryptoStatus.RETIRED, k.algorithm() + " (" + k.strengthBits()
                        + " bits) is deprecated from " + day(deprecated) + " (NIST IR 8547)", deprecated);
            }
            if (at.plus(warning).isAfter(disallowed)) {
                v = v.worst(Verdict.of(CryptoStatus.EXPIRING, k.algorithm() + " is quantum-vulnerable, disallowed from "
                        + day(disallowed) + " (NIST IR 8547)", disallowed));
            } else if (!at.isBefore(deprecated)) {
                v = v.worst(Verdict.of(CryptoStatus.WARN, k.algorithm() + " is quantum-vulnerable, disallowed from "
                        + day(disallowed) + " (NIST IR 8547): plan the move", disallowed));
            }
        }
        if (k.notAfter().isPresent()) {
            Instant end = k.notAfter().get();
            if (!at.isBefore(end)) {
                return Verdict.of(CryptoStatus.EXPIRED, "certificate expired on " + day(end), end);
            }
            if (at.plus(warning).isAfter(end)) {
                v = v.worst(Verdict.of(CryptoStatus.EXPIRING, "certificate expires on " + day(end), end));
            }
        }
        Optional<Duration> max = maxAge(k.type());
        if (max.isPresent()) {
            if (k.created().isEmpty()) {
                v = v.worst(Verdict.of(CryptoStatus.WARN, "key creation date unknown: its age cannot be checked "
                        + "(rotate the key to start the clock)", null));
            } else {
                Instant due = k.created().get().plus(max.get());
                Instant expires = due.plus(grace);
                if (!at.isBefore(expires)) {
                    return Verdict.of(CryptoStatus.EXPIRED, "key older than " + max.get().toDays()
                            + " days and past its grace period (since " + day(expires) + "): rotate it", expires);
                }
                if (!at.isBefore(due)) {
                    v = v.worst(Verdict.of(CryptoStatus.EXPIRING, "key older than " + max.get().toDays()
                            + " days: rotate it before " + day(expires), expires));
                } else if (at.plus(warning).isAfter(due)) {
                    v = v.worst(Verdict.of(CryptoStatus.EXPIRING, "key reaches its maximum age of "
                            + max.get().toDays() + " days on " + day(due), due));
                }
            }
        }
        return v;
    }

    Optional<AeadLimits> limits(String suiteId) {
        return Suites.byId(suiteId).map(d -> aeadOverrides.getOrDefault(d.aead(), d.limits()));
    }

    static String label(CredentialType type) {
        return switch (type) {
            case PSK -> "PSK";
            case RAW_PUBLIC_KEY -> "raw-public-key";
            case X509 -> "certificate";
        };
    }

    static String day(Instant t) {
        return t.atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }

    private static List<String> defaults(String key) {
        return METATYPE.attribute(key).orElseThrow(() -> new IllegalStateException("no metatype key " + key))
                .defaults();
    }

    private static final class Builder {
        final Map<CredentialType, Map<String, Instant>> suites = new EnumMap<>(CredentialType.class);
        final Map<CredentialType, Duration> maxAge = new EnumMap<>(CredentialType.class);
        final Map<String, AeadLimits> aead = new LinkedHashMap<>();
        final List<String> problems = new ArrayList<>();
        int minStrength;
        Instant deprecated;
        Instant disallowed;
        Duration grace;
        Duration warning;
        double deviceTx;
        double deviceRx;

        void suites(CredentialType type, String key, String[] entries) {
            Map<String, Instant> out = parseSuites(key, entries, type);
            if (out.isEmpty()) {
                problems.add(key + " has no valid suite; using the default list");
                out = parseSuites(key, defaults(key).toArray(new String[0]), type);
            }
            suites.put(type, Collections.unmodifiableMap(out));
        }

        private Map<String, Instant> parseSuites(String key, String[] entries, CredentialType type) {
            Map<String, Instant> out = new LinkedHashMap<>();
            for (String raw : entries == null ? new String[0] : entries) {
                String e = raw == null ? "" : raw.trim();
                if (e.isEmpty()) {
                    continue;
                }
                int at = e.indexOf('@');
                String name = (at < 0 ? e : e.substring(0, at)).trim();
                Optional<SuiteDescriptor> d = Suites.byId(name);
                if (d.isEmpty()) {
                    problems.add(key + ": unknown suite '" + name + "' left out");
                    continue;
                }
                if (!d.get().credentialTypes().contains(type)) {
                    problems.add(key + ": suite " + name + " does not work with " + label(type) + " devices; left out");
                    continue;
                }
                Instant notAfter = null;
                if (at >= 0) {
                    try {
                        notAfter = LocalDate.parse(e.substring(at + 1).trim()).atStartOfDay(ZoneOffset.UTC).toInstant();
                    } catch (DateTimeParseException ex) {
                        problems.add(key + ": '" + e + "' has no valid date (YYYY-MM-DD); left out");
                        continue;
                    }
                }
                out.put(name, notAfter);
            }
            return out;
        }

        int ranged(String key, int value) {
            String problem = METATYPE.problem(key, value);
            if (problem == null) {
                return value;
            }
            int d = Integer.parseInt(defaults(key).get(0));
            problems.add(problem + "; using " + d);
            return d;
        }

        double rangedDecimal(String key, double value) {
            String problem = METATYPE.problem(key, value);
            if (problem == null) {
                return value;
            }
            double d = Double.parseDouble(defaults(key).get(0));
            problems.add(problem + "; using " + d);
            return d;
        }

        Instant date(String key, String value) {
            try {
                return LocalDate.parse(value == null ? "" : value.trim()).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                String d = defaults(key).get(0);
                problems.add(key + " '" + value + "' is not a date (YYYY-MM-DD); using " + d);
                return LocalDate.parse(d).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
        }

        void maxAge(CredentialType type, String key, int days) {
            int d = ranged(key, days);
            if (d > 0) {
                maxAge.put(type, Duration.ofDays(d));
            }
        }

        void aead(String[] entries) {
            for (String raw : entries == null ? new String[0] : entries) {
                String e = raw == null ? "" : raw.trim();
                if (e.isEmpty()) {
                    continue;
                }
                String[] p = e.split(":");
                try {
                    if (p.length != 3) {
                        throw new IllegalArgumentException("expected AEAD:RECORDS:FAILURES");
                    }
                    String name = p[0].trim().toUpperCase(Locale.ROOT);
                    if (Suites.all().stream().noneMatch(s -> s.aead().equals(name))) {
                        throw new IllegalArgumentException("unknown AEAD " + name);
                    }
                    aead.put(name, new AeadLimits(Long.parseLong(p[1].trim()), Long.parseLong(p[2].trim()),
                            "operator policy"));
                } catch (IllegalArgumentException ex) {
                    problems.add("aead.limits: '" + e + "' left out (" + ex.getMessage() + ")");
                }
            }
        }
    }
}
