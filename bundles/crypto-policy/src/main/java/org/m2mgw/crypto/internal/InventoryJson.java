package org.m2mgw.crypto.internal;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.m2mgw.api.crypto.Airtime;
import org.m2mgw.api.crypto.Finding;
import org.m2mgw.api.crypto.InventoryEntry;
import org.m2mgw.support.Json;

/**
 * The inventory as JSON, for the console, the shell and the cloud. Energy is the device's radio
 * energy for its airtime, by the {@link Energy} coefficients of the policy read with the entries.
 */
final class InventoryJson {
    private InventoryJson() {
    }

    static String entries(List<InventoryEntry> entries, Energy energy) {
        StringBuilder b = new StringBuilder("[");
        for (InventoryEntry e : entries) {
            if (b.length() > 1) {
                b.append(',');
            }
            entry(b, e, energy);
        }
        return b.append(']').toString();
    }

    static void entry(StringBuilder b, InventoryEntry e, Energy energy) {
        b.append("{\"device\":").append(Json.quote(e.deviceId()))
                .append(",\"credential\":").append(Json.quote(e.credentialType().name()))
                .append(",\"key\":").append(Json.quote(e.keyAlgorithm()))
                .append(",\"keyBits\":").append(e.keyStrengthBits())
                .append(",\"fingerprint\":").append(Json.quote(e.keyFingerprint()));
        opt(b, "keyCreated", e.keyCreated());
        opt(b, "suite", e.suite());
        opt(b, "protocol", e.protocol());
        b.append(",\"records\":").append(e.recordsProtected()).append(",\"macFailures\":").append(e.macFailures());
        opt(b, "lastHandshake", e.lastHandshake());
        b.append(",\"fullHandshakes\":").append(e.fullHandshakes()).append(",\"resumptions\":").append(e.resumptions());
        opt(b, "certificateNotAfter", e.certificateNotAfter());
        opt(b, "anchorNotAfter", e.anchorNotAfter());
        b.append(",\"quantumVulnerable\":").append(e.quantumVulnerable())
                .append(",\"status\":").append(Json.quote(e.verdict().status().name()))
                .append(",\"reason\":").append(Json.quote(e.verdict().reason()));
        opt(b, "statusDate", e.verdict().date());
        opt(b, "lastEvent", e.lastEvent());
        b.append(",\"airtime\":[");
        for (int i = 0; i < e.airtime().size(); i++) {
            airtime(b.append(i == 0 ? "" : ","), e.airtime().get(i), energy).append('}');
        }
        b.append("],\"energyMillijoules\":").append(Energy.json(energy.millijoules(e.airtime())))
                .append(",\"handshakesToday\":").append(e.handshakesToday()).append(",\"handshakesYesterday\":")
                .append(e.handshakesYesterday()).append('}');
    }

    /** Appends one protocol's counts and the device's energy for them as an object left open. */
    private static StringBuilder airtime(StringBuilder b, Airtime a, Energy energy) {
        return b.append("{\"protocol\":").append(Json.quote(a.protocol())).append(",\"datagramsIn\":")
                .append(a.datagramsIn()).append(",\"bytesIn\":").append(a.bytesIn()).append(",\"datagramsOut\":")
                .append(a.datagramsOut()).append(",\"bytesOut\":").append(a.bytesOut()).append(",\"handshakes\":")
                .append(a.handshakes()).append(",\"millijoules\":").append(Energy.json(energy.millijoules(a)));
    }

    /**
     * @return the fleet's airtime per protocol with the devices' energy for it, and for protocols
     *     with handshakes the mean bytes (both directions, rounded) and millijoules per handshake
     */
    static String airtimeTotals(List<InventoryEntry> entries, Energy energy) {
        StringBuilder b = new StringBuilder("[");
        for (Airtime a : InventoryComponent.airtimeTotals(entries)) {
            airtime(b.append(b.length() > 1 ? "," : ""), a, energy);
            if (a.handshakes() > 0) {
                b.append(",\"bytesPerHandshake\":").append(Math.round(a.bytesPerHandshake()))
                        .append(",\"millijoulesPerHandshake\":").append(Energy.json(energy.millijoulesPerHandshake(a)));
            }
            b.append('}');
        }
        return b.append(']').toString();
    }

    static String findings(List<Finding> findings) {
        StringBuilder b = new StringBuilder("[");
        for (Finding f : findings) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append("{\"kind\":").append(Json.quote(f.kind().name())).append(",\"severity\":")
                    .append(Json.quote(f.severity().name())).append(",\"devices\":[");
            for (int i = 0; i < f.deviceIds().size(); i++) {
                b.append(i == 0 ? "" : ",").append(Json.quote(f.deviceIds().get(i)));
            }
            b.append("],\"detail\":").append(Json.quote(f.detail())).append(",\"advice\":")
                    .append(Json.quote(f.advice())).append('}');
        }
        return b.append(']').toString();
    }

    static String uplinks(List<org.m2mgw.api.crypto.UplinkEntry> uplinks) {
        StringBuilder b = new StringBuilder("[");
        for (var u : uplinks) {
            b.append(b.length() > 1 ? "," : "").append("{\"name\":").append(Json.quote(u.name()))
                    .append(",\"protocol\":").append(Json.quote(u.protocol())).append(",\"suite\":")
                    .append(Json.quote(u.suite())).append(",\"group\":").append(Json.quote(u.group()))
                    .append(",\"postQuantum\":").append(u.postQuantum()).append(",\"since\":")
                    .append(Json.quote(u.since().toString())).append('}');
        }
        return b.append(']').toString();
    }

    /**
     * @return the summary published to the cloud: counts, handshakes, airtime and energy of the
     *     fleet (with the coefficients used), then every device not OK, then findings and uplinks
     */
    static String summary(List<InventoryEntry> entries, List<Finding> findings,
            List<org.m2mgw.api.crypto.UplinkEntry> uplinks, Instant at, Energy energy) {
        StringBuilder b = new StringBuilder("{\"time\":").append(Json.quote(at.toString()))
                .append(",\"devices\":").append(entries.size()).append(",\"status\":{");
        boolean first = true;
        for (var e : InventoryComponent.counts(entries).entrySet()) {
            b.append(first ? "" : ",").append(Json.quote(e.getKey().name())).append(':').append(e.getValue());
            first = false;
        }
        b.append("},\"quantumVulnerable\":").append(entries.stream().filter(InventoryEntry::quantumVulnerable).count())
                .append(",\"handshakesToday\":").append(entries.stream().mapToLong(InventoryEntry::handshakesToday).sum())
                .append(",\"handshakesYesterday\":")
                .append(entries.stream().mapToLong(InventoryEntry::handshakesYesterday).sum())
                .append(",\"airtime\":").append(airtimeTotals(entries, energy))
                .append(",\"energyMillijoules\":").append(Energy.json(energy.millijoules(
                        InventoryComponent.airtimeTotals(entries))))
                .append(",\"deviceNanojoulesPerByte\":{\"tx\":").append(Energy.json(energy.txNanojoulesPerByte()))
                .append(",\"rx\":").append(Energy.json(energy.rxNanojoulesPerByte())).append('}')
                .append(",\"attention\":");
        b.append(entries(entries.stream().filter(e -> e.verdict().status() != org.m2mgw.api.crypto.CryptoStatus.OK)
                .toList(), energy));
        b.append(",\"findings\":").append(findings(findings)).append(",\"uplinks\":").append(uplinks(uplinks))
                .append('}');
        return b.toString();
    }

    private static void opt(StringBuilder b, String name, Optional<?> v) {
        if (v.isPresent()) {
            b.append(",\"").append(name).append("\":").append(Json.quote(v.get().toString()));
        }
    }
}
