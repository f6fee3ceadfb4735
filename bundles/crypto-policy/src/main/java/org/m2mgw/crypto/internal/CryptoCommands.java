package org.m2mgw.crypto.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.m2mgw.api.crypto.Finding;
import org.m2mgw.api.crypto.InventoryEntry;
import org.m2mgw.api.device.CredentialType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell commands: {@code m2mgw:crypto [filter]} (the inventory, filters as in
 * {@link InventoryFilter}), {@code m2mgw:cryptojson [filter]}, {@code m2mgw:cryptofindings} and
 * {@code m2mgw:cryptopolicy}.
 */
@Component(service = CryptoCommands.class, property = {"osgi.command.scope=m2mgw",
    "osgi.command.function=crypto", "osgi.command.function=cryptojson", "osgi.command.function=cryptofindings",
    "osgi.command.function=cryptopolicy"})
public class CryptoCommands {
    private final InventoryComponent inventory;
    private final CryptoPolicyComponent policy;

    @Activate
    public CryptoCommands(@Reference InventoryComponent inventory, @Reference CryptoPolicyComponent policy) {
        this.inventory = inventory;
        this.policy = policy;
    }

    public String crypto(String... filter) {
        List<InventoryEntry> rows;
        try {
            rows = select(filter);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        Energy energy = inventory.energy();
        StringBuilder b = new StringBuilder(String.format("%-24s %-6s %-22s %-40s %-19s %-9s %s%n", "DEVICE", "CRED",
                "KEY", "SUITE", "AIR/HS TODAY/ENERGY", "STATUS", "REASON"));
        for (InventoryEntry e : rows) {
            b.append(String.format("%-24s %-6s %-22s %-40s %-19s %-9s %s%n", e.deviceId(),
                    shortType(e.credentialType()),
                    e.keyAlgorithm() + e.keyCreated().map(c -> " " + PolicyRules.day(c)).orElse(""),
                    e.suite().orElse("-"), air(e, energy), e.verdict().status(), e.verdict().reason()
                            + e.lastEvent().map(l -> "; last: " + l).orElse("")));
        }
        b.append(rows.size()).append(" device(s)");
        for (var u : inventory.uplinks()) {
            b.append(String.format("%nuplink %s: %s %s, key exchange %s%s, since %s", u.name(), u.protocol(),
                    u.suite(), u.group().isEmpty() ? "unknown" : u.group(), u.postQuantum() ? " (post-quantum)" : "",
                    u.since()));
        }
        return b.toString();
    }

    public String cryptojson(String... filter) {
        try {
            return InventoryJson.entries(select(filter), inventory.energy());
        } catch (IllegalArgumentException e) {
            return "{\"error\":" + org.m2mgw.support.Json.quote(e.getMessage()) + "}";
        }
    }

    public String cryptofindings() {
        List<Finding> all = inventory.findings();
        StringBuilder b = new StringBuilder();
        for (Finding f : all) {
            b.append(f.severity()).append(' ').append(f.kind()).append(' ').append(f.deviceIds()).append(": ")
                    .append(f.detail()).append("\n    what to do: ").append(f.advice()).append('\n');
        }
        return b.append(all.size()).append(" finding(s)").toString();
    }

    public String cryptopolicy() {
        PolicyRules r = policy.rules();
        StringBuilder b = new StringBuilder("crypto policy revision ").append(policy.revision()).append('\n');
        for (CredentialType t : CredentialType.values()) {
            b.append("  ").append(PolicyRules.label(t)).append(" suites:");
            for (Map.Entry<String, Instant> s : r.suites(t).entrySet()) {
                b.append(' ').append(s.getKey()).append(Optional.ofNullable(s.getValue())
                        .map(d -> "@" + PolicyRules.day(d)).orElse(""));
            }
            b.append("\n  ").append(PolicyRules.label(t)).append(" key max age: ")
                    .append(r.maxAge(t).map(d -> d.toDays() + " days").orElse("none")).append('\n');
        }
        b.append("  minimum strength: ").append(r.minStrength()).append(" bits; grace ").append(r.grace().toDays())
                .append(" days; warning ").append(r.warningDays()).append(" days\n  quantum-vulnerable: deprecated ")
                .append(PolicyRules.day(r.quantumDeprecated())).append(", disallowed ")
                .append(PolicyRules.day(r.quantumDisallowed())).append(" (NIST IR 8547)\n  device radio: ")
                .append(Energy.json(r.deviceTxNanojoulesPerByte())).append(" nJ per byte sent, ")
                .append(Energy.json(r.deviceRxNanojoulesPerByte())).append(" nJ per byte received");
        r.problems().forEach(p -> b.append("\n  problem: ").append(p));
        return b.toString();
    }

    private List<InventoryEntry> select(String... filter) {
        var p = InventoryFilter.parse(String.join(" ", filter), Instant.now());
        return inventory.entries().stream().filter(p).toList();
    }

    /**
     * @return the bytes on air, all protocols and directions, the handshakes today, and the device's
     *     radio energy for those bytes: {@code 12.3k/4/22mJ}
     */
    static String air(InventoryEntry e, Energy energy) {
        long bytes = e.airtime().stream().mapToLong(org.m2mgw.api.crypto.Airtime::bytes).sum();
        return bytes == 0 && e.handshakesToday() == 0 ? "-"
                : bytes(bytes) + "/" + e.handshakesToday() + "/" + Energy.compact(energy.millijoules(e.airtime()));
    }

    /** @return {@code n} bytes in at most 5 characters, decimal prefixes: 812, 12.3k, 4.1M, 1.2G */
    static String bytes(long n) {
        if (n < 1000) {
            return Long.toString(n);
        }
        String[] units = {"k", "M", "G", "T", "P", "E"};
        double v = n;
        int u = -1;
        while (v >= 999.95 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(java.util.Locale.ROOT, v < 99.95 ? "%.1f%s" : "%.0f%s", v, units[u]);
    }

    private static String shortType(CredentialType t) {
        return t == CredentialType.PSK ? "psk" : t == CredentialType.RAW_PUBLIC_KEY ? "rpk" : "x509";
    }
}
