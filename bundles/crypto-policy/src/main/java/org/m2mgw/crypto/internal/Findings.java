package org.m2mgw.crypto.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m2mgw.api.crypto.CryptoPolicy;
import org.m2mgw.api.crypto.CryptoStatus;
import org.m2mgw.api.crypto.Finding;
import org.m2mgw.api.crypto.InventoryEntry;
import org.m2mgw.api.crypto.Verdict;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.device.DeviceRegistry;

/** Posture findings over the whole inventory, worst first. */
final class Findings {
    private Findings() {
    }

    static List<Finding> of(List<InventoryEntry> entries, DeviceRegistry registry, InventoryComponent inventory,
            CryptoPolicy policy, Instant now) {
        List<Finding> out = new ArrayList<>();
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (InventoryEntry e : entries) {
            if (!e.keyFingerprint().isEmpty() && !e.keyFingerprint().startsWith("subject:")) {
                byKey.computeIfAbsent(e.keyFingerprint(), k -> new ArrayList<>()).add(e.deviceId());
            }
        }
        byKey.forEach((fp, ids) -> {
            if (ids.size() > 1) {
                out.add(new Finding(Finding.Kind.SHARED_KEY, CryptoStatus.WARN, ids, ids.size()
                        + " devices have the same key (" + fp + ")", "give each device its own key (m2mgw:rotate): "
                        + "one leaked device must not open the others"));
            }
        });
        for (InventoryEntry e : entries) {
            List<String> id = List.of(e.deviceId());
            Verdict v = e.verdict();
            String reason = v.reason();
            if (e.credentialType() == CredentialType.PSK && (reason.startsWith("pre-shared key is")
                    || reason.contains("below the policy minimum"))) {
                out.add(new Finding(Finding.Kind.WEAK_PSK, v.status(), id, reason,
                        "rotate to a random key of at least 16 bytes (m2mgw:rotate generates 32)"));
            } else if (e.credentialType() != CredentialType.PSK && reason.contains("below the policy minimum")) {
                out.add(new Finding(Finding.Kind.WEAK_KEY, v.status(), id, reason,
                        "give the device a stronger key (EC P-256 or better) as its next key"));
            } else if (reason.contains("certificate") || reason.contains("trust anchor")) {
                out.add(new Finding(Finding.Kind.CERTIFICATE_EXPIRY, v.status(), id, reason,
                        "renew the certificate (or anchor) before the date; register the new one's hash"));
            } else if (reason.startsWith("key ")) {
                out.add(new Finding(Finding.Kind.KEY_AGE, v.status(), id, reason,
                        "rotate the key: the device keeps working with the old one until it uses the new one"));
            } else if (reason.startsWith("suite ") && v.status() != CryptoStatus.OK) {
                out.add(new Finding(Finding.Kind.RETIRING_SUITE, v.status(), id, reason,
                        "update the device to offer a suite the policy allows, or extend the date"));
            }
            if (e.fullHandshakes() >= InventoryComponent.NO_RESUMPTION_AFTER && e.resumptions() == 0) {
                out.add(new Finding(Finding.Kind.NO_RESUMPTION, CryptoStatus.WARN, id, e.fullHandshakes()
                        + " full handshakes and no resumption", "enable session resumption (or a connection ID) "
                        + "on the device: each full handshake costs it energy and airtime"));
            }
        }
        out.sort(Comparator.comparing((Finding f) -> f.severity()).reversed()
                .thenComparing(f -> f.kind()).thenComparing(f -> f.deviceIds().get(0)));
        return out;
    }
}
