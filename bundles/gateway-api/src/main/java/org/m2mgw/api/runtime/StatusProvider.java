package org.m2mgw.api.runtime;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service for anything an operator should be able to check at a glance: a listener,
 * a cloud connection, a broker. The shell ({@code m2mgw:status}) and the web console (Status,
 * "m2mgw") list every registered provider. Implementations return quickly and never include
 * secrets.
 *
 * @since 0.1
 */
@ConsumerType
public interface StatusProvider {

    /** @return a stable, unique name, usually the component's configuration PID */
    String statusName();

    /** @return the state in a few words, e.g. {@code listening on udp 0.0.0.0:5684} */
    String statusLine();

    /** @return counters since start, by name; possibly empty */
    Map<String, Long> counters();

    /**
     * Whether this part does its job right now: a listener is listening, a cloud connection is
     * connected. The update agent's health check waits for every provider that was ready before
     * an update to be ready again after it.
     *
     * @return true unless the part is known not to work now
     * @since 2.1
     */
    default boolean ready() {
        return true;
    }
}
