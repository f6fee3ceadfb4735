package org.m2mgw.api.traffic;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service that receives {@link TrafficEvent}s from every transport. Transports call
 * it on their I/O threads, so an implementation must return quickly and must not block; it
 * should hand heavy work to its own executor.
 *
 * @since 0.1
 */
@ConsumerType
public interface TrafficEventListener {

    /**
     * Called for every event.
     *
     * @param event the event, never {@code null}
     */
    void onEvent(TrafficEvent event);
}
