package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code rule.replay.storm.per.minute} replayed records in the last minute: for a device, replays and
 * records that failed their MAC together; for a source address, replays only.
 */
final class ReplayStormRule extends Rule {

    ReplayStormRule(EngineSettings settings, AlertRaiser alerts) {
        super(Detector.REPLAY_STORM, settings, alerts);
    }

    /** Checks a device after a replay or a MAC failure on its session was counted. */
    void checkDevice(DeviceState d, long t, List<Finding> out) {
        double replays = d.lastMinute(DeviceState.REPLAYS, t);
        double mac = d.lastMinute(DeviceState.MAC_FAILURES, t);
        if (replays + mac < settings.replayStormPerMinute() || coolingDown(d, t)) {
            return;
        }
        raise(out, d, score(replays, mac), String.format(Locale.ROOT,
                "device %s had %.0f replayed or tampered records in the last minute (%.0f replays, %.0f MAC failures), above the limit of %d",
                d.id, replays + mac, replays, mac, settings.replayStormPerMinute()), features(replays, mac), t);
    }

    /** Checks an address after a replay without a device was counted. */
    void checkAddress(AddressState a, long t, List<Finding> out) {
        // Without a device, a MAC failure is a handshake's Finished failing: a wrong key, which the
        // handshake rule counts (the transport reports it as a failed handshake too), not tampering.
        double replays = a.lastMinute(AddressState.REPLAYS, t);
        if (replays < settings.replayStormPerMinute() || coolingDown(a, t)) {
            return;
        }
        raise(out, a, score(replays, 0), String.format(Locale.ROOT,
                "%s sent %.0f replayed records in the last minute, above the limit of %d",
                a.ip, replays, settings.replayStormPerMinute()), features(replays, 0), t);
    }

    private double score(double replays, double mac) {
        return (replays + mac) / settings.replayStormPerMinute();
    }

    private static Map<String, Double> features(double replays, double mac) {
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("replays.last.minute", replays);
        f.put("mac.failures.last.minute", mac);
        return f;
    }
}
