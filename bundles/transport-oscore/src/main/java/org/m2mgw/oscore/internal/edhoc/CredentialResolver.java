package org.m2mgw.oscore.internal.edhoc;

import java.util.Optional;

/**
 * Finds the other party's credential by the ID_CRED_x it sent (RFC 9528 section 3.5.3). The
 * transport implements it with the device registry: by kid for a CCS, by certificate hash for x5t;
 * for certificates it also checks the chain against its trust anchors and the device being
 * enabled. EDHOC checks on its own that an x5t matches the certificate returned and that the key
 * fits the suite.
 */
@FunctionalInterface
public interface CredentialResolver {

    /**
     * Must not throw; a runtime exception counts as an unknown credential.
     *
     * @param idCred the identifier received
     * @return the credential, or empty if none is known (the handshake is refused)
     */
    Optional<PeerCredential> resolve(IdCred idCred);
}
