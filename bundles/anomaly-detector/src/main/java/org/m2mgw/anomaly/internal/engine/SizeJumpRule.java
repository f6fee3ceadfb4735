package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A warmed-up device sending a payload of at least {@code rule.size.jump.min.bytes} that lies
 * {@code rule.size.jump.sigmas} or more above its usual size. It also teaches the device's size
 * statistics, slowly for a payload it found too large, so that one jump does not become the usual.
 */
final class SizeJumpRule extends Rule {

    SizeJumpRule(EngineSettings settings, AlertRaiser alerts) {
        super(Detector.SIZE_JUMP, settings, alerts);
    }

    /**
     * Checks an accepted request, then learns its size.
     *
     * @param bytes its payload size, not negative
     * @param resource its resource, {@code null} when it named none
     */
    void check(DeviceState d, long bytes, String resource, long t, List<Finding> out) {
        boolean jump = false;
        if (d.warmedUp(settings, t) && d.sizeCount() >= settings.warmupEvents()
                && bytes >= settings.sizeJumpMinBytes()) {
            double z = (bytes - d.sizeMean()) / d.sizeSpread();
            jump = z >= settings.sizeJumpSigmas();
            if (jump && !coolingDown(d, t)) {
                Map<String, Double> f = new LinkedHashMap<>();
                f.put("payload.size", (double) bytes);
                f.put("payload.size.mean", d.sizeMean());
                f.put("payload.size.stddev", d.sizeSigma());
                f.put("payload.size.z", z);
                raise(out, d, z / settings.sizeJumpSigmas(),
                        String.format(Locale.ROOT, "device %s sent %d bytes to %s, usually %.0f ± %.0f bytes (%.0f sigma)",
                                d.id, bytes, Subjects.shorten(resource == null ? "?" : resource), d.sizeMean(),
                                d.sizeSigma(), z),
                        f, t);
            }
        }
        d.learnSize(bytes, jump);
    }
}
