package org.m2mgw.api.access;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service told of restriction changes, so that a transport can act on them at once:
 * end the sessions of a device that was just quarantined, drop the connections of a blocked
 * address. Called on the thread that made the change; an implementation must not block.
 *
 * @since 1.1
 */
@ConsumerType
public interface RestrictionListener {

    /**
     * A restriction came into force (or replaced an earlier one on the same subject).
     *
     * @param restriction the restriction
     */
    void restrictionAdded(Restriction restriction);

    /**
     * A restriction was lifted or ended.
     *
     * @param restriction the restriction that is no longer in force
     */
    default void restrictionLifted(Restriction restriction) {
    }
}
