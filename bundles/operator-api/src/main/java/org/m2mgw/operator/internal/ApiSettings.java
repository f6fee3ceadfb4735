package org.m2mgw.operator.internal;

/**
 * The REST API's settings, checked.
 *
 * @param enabled whether it answers
 * @param historyMinutes minutes of metrics history, 1 to 60
 * @param recentPerDevice recent messages kept per device, 0 to 64
 * @param maxDevices most devices tracked
 * @param maxAlerts most alerts kept
 */
record ApiSettings(boolean enabled, int historyMinutes, int recentPerDevice, int maxDevices, int maxAlerts) {
    static final int DEFAULT_HISTORY_MINUTES = 60;
    static final int DEFAULT_RECENT_PER_DEVICE = 16;
    static final int DEFAULT_MAX_DEVICES = 10_000;
    static final int DEFAULT_MAX_ALERTS = 10_000;
    static final ApiSettings DEFAULTS = new ApiSettings(true, DEFAULT_HISTORY_MINUTES, DEFAULT_RECENT_PER_DEVICE,
            DEFAULT_MAX_DEVICES, DEFAULT_MAX_ALERTS);

    ApiSettings {
        check("history.minutes", historyMinutes, 1, 60);
        check("recent.per.device", recentPerDevice, 0, 64);
        check("max.devices.tracked", maxDevices, 100, 100_000);
        check("alerts.max", maxAlerts, 100, 100_000);
    }

    private static void check(String key, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + " must be " + min + " to " + max + ", not " + v);
        }
    }

    static ApiSettings from(OperatorApiConfig c) {
        return new ApiSettings(c.enabled(), c.history_minutes(), c.recent_per_device(), c.max_devices_tracked(),
                c.alerts_max());
    }

    /** @return the points kept per history series (one per 10 s) */
    int historyPoints() {
        return historyMinutes * 6;
    }
}
