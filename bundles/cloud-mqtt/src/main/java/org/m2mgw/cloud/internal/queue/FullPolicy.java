package org.m2mgw.cloud.internal.queue;

import java.util.Locale;

/** What a full {@link DurableQueue} does with a new message. */
public enum FullPolicy {
    /** Refuse the new message: the device keeps it and retries later. Nothing stored is lost. */
    REFUSE,
    /**
     * Drop the oldest stored message that is not being published to make room. Every drop is
     * counted and logged: it loses a message that the device was told was stored.
     */
    DROP_OLDEST;

    /**
     * @param value a configuration value, case-insensitive
     * @return the policy
     * @throws IllegalArgumentException naming {@value QueueOptions#FULL_POLICY} if unknown
     */
    public static FullPolicy parse(String value) {
        if (value != null) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException unknown) {
                // reported below with the key
            }
        }
        throw new IllegalArgumentException(QueueOptions.FULL_POLICY + " must be REFUSE or DROP_OLDEST: '"
                + value + "'");
    }
}
