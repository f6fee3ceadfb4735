package org.m2mgw.oscore.internal.oscore;

import java.util.Optional;

/**
 * Finds the security context of an incoming request by its kid and kid context (RFC 8613 section
 * 8.2 step 2). Implementations must not throw for unknown or odd ids.
 */
@FunctionalInterface
public interface ContextLookup {

    /**
     * @param kid the request's kid (the sender's Sender ID, our Recipient ID)
     * @param kidContext the request's kid context, or {@code null} when it has none
     * @return the context, or empty when there is none
     */
    Optional<OscoreContext> find(byte[] kid, byte[] kidContext);
}
