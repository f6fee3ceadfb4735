package org.m2mgw.anomaly.internal.engine;

/** What devices and addresses share: when each detector may alert about them again. */
abstract class SubjectState {
    /** Allocated at the first alert: most subjects never have one. */
    private long[] cooldownUntil;

    boolean coolingDown(Detector d, long t) {
        return cooldownUntil != null && t < cooldownUntil[d.ordinal()];
    }

    void startCooldown(Detector d, long t, long millis) {
        if (cooldownUntil == null) {
            cooldownUntil = new long[Detector.values().length];
            java.util.Arrays.fill(cooldownUntil, Long.MIN_VALUE);
        }
        cooldownUntil[d.ordinal()] = t + millis;
    }
}
