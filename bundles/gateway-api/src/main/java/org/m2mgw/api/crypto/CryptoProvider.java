package org.m2mgw.api.crypto;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Registered by a bundle that installs a JCE provider for the gateway (Bouncy Castle in
 * {@code crypto-bc}). Transports track it: when one arrives, changes or leaves, they rebuild
 * their per-thread crypto objects (keeping their sessions) so that the provider in use is the
 * current one and an old provider's classes can be unloaded.
 *
 * <p>A provider implements known algorithms; it cannot add a DTLS suite (Scandium's suites are a
 * closed set decided at class load).
 *
 * @since 1.0
 */
@ConsumerType
public interface CryptoProvider {

    /** @return the JCE provider name ({@code BC}) */
    String name();

    /** @return the provider's version, for status pages */
    String version();
}
