package org.m2mgw.api.session;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service of a transport listener: its live device sessions, read on demand from the
 * transport's own session state. Nothing is recorded for it on the request path, so a call costs
 * one pass over the listener's sessions; callers ask when an operator looks, not per message.
 *
 * @since 1.0
 */
@ConsumerType
public interface SessionDirectory {

    /** @return the transport's protocol name, {@code coaps} or {@code oscore} */
    String protocol();

    /** @return the listener's name (its configuration PID) */
    String listenerName();

    /** @return the sessions with a known device, in no particular order */
    List<SessionInfo> sessions();

    /**
     * @param deviceId a device id
     * @return that device's sessions on this listener; usually zero or one
     */
    default List<SessionInfo> sessions(String deviceId) {
        return sessions().stream().filter(s -> s.deviceId().equals(deviceId)).toList();
    }
}
