package org.m2mgw.anomaly.internal.engine;

import java.util.Locale;

/**
 * What the engine suggests the caller do about a {@link Finding}. The engine never acts itself: the
 * caller maps these onto {@code DeviceAccessControl}.
 */
public enum Action {
    /** Raise the alert only. */
    LOG,
    /** Limit the device's request rate. */
    THROTTLE,
    /** End the device's sessions and refuse its handshakes. */
    QUARANTINE,
    /** Drop datagrams from the source IP address. */
    BLOCK_ADDRESS,
    /**
     * Ration new handshakes from the source IP address; its established sessions go on. Never
     * configured: a block of an address that registered devices use becomes this.
     */
    LIMIT_HANDSHAKES;

    /** @return the configuration spelling, e.g. {@code block-address} */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @param key the configuration key, named in the error
     * @param text {@code log}, {@code throttle}, {@code quarantine} or {@code block-address}; case and
     *     {@code -}/{@code _} are ignored
     * @return the action
     */
    static Action parse(String key, String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Action a : values()) {
            if (a.name().equals(t)) {
                return a;
            }
        }
        throw new IllegalArgumentException(key + " must be one of log, throttle, quarantine, block-address: '"
                + text + "'");
    }
}
