package org.m2mgw.api.crypto;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: told when the crypto policy changed, so that live sessions on suites it no longer
 * allows can be ended (or re-keyed where the protocol allows).
 *
 * @since 1.0
 */
@ConsumerType
public interface CryptoPolicyListener {

    /**
     * Called on a configuration thread after the new policy is in force; must not block long.
     *
     * @param policy the policy now in force
     */
    void policyChanged(CryptoPolicy policy);
}
