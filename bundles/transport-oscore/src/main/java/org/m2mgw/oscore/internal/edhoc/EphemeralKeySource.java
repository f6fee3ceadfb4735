package org.m2mgw.oscore.internal.edhoc;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Where the ephemeral Diffie-Hellman key pairs (X, G_X and Y, G_Y; RFC 9528 section 3.7) come from:
 * fresh random keys in production, fixed ones to reproduce the traces of RFC 9529.
 */
@FunctionalInterface
public interface EphemeralKeySource {

    /**
     * @param curve the selected suite's Diffie-Hellman curve
     * @return a key pair on that curve, never used before
     */
    KeyPair generate(KeyType curve) throws GeneralSecurityException;

    /** @return a source of fresh key pairs */
    static EphemeralKeySource random(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        return curve -> EdhocKeys.generate(curve, random);
    }
}
