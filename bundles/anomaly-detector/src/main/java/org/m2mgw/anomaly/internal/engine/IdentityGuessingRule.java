package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A source address failing {@code rule.identity.guessing.failures.per.minute} handshakes with unknown
 * PSK identities in the last minute, with at least {@code rule.identity.guessing.distinct.identities}
 * different ones (or some the transport did not name).
 */
final class IdentityGuessingRule extends Rule {

    IdentityGuessingRule(EngineSettings settings, AlertRaiser alerts) {
        super(Detector.IDENTITY_GUESSING, settings, alerts);
    }

    /**
     * Checks an address after a handshake failure for an unknown identity was counted.
     *
     * @param identity the identity it claimed, {@code null} when the transport did not name it
     */
    void check(AddressState a, String identity, long t, List<Finding> out) {
        double n = a.lastMinute(AddressState.UNKNOWN_IDENTITIES, t);
        int distinct = a.distinctIdentities();
        if (n < settings.identityFailuresPerMinute()
                || distinct < settings.identityDistinct() && !a.unnamedIdentity()
                || coolingDown(a, t)) {
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("unknown.identities.last.minute", n);
        f.put("identities.distinct", (double) distinct);
        f.put("handshake.failures.last.minute", a.lastMinute(AddressState.FAILURES, t));
        String reason = String.format(Locale.ROOT,
                "%s failed %.0f handshakes with unknown PSK identities in the last minute (%s%d different%s), above the limit of %d",
                a.ip, n, distinct == AddressState.MAX_IDENTITIES ? "at least " : "", distinct,
                identity == null ? "" : ", latest '" + Subjects.shorten(identity) + "'",
                settings.identityFailuresPerMinute());
        raise(out, a, n / settings.identityFailuresPerMinute(), reason, f, t);
    }
}
