package org.m2mgw.api.trust;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A public key in the trust store.
 *
 * @param id the key's id: the first 16 bytes, in hex, of the SHA-256 of its SubjectPublicKeyInfo
 * @param algorithm {@link SigningTrust#ES256} or {@link SigningTrust#ML_DSA_65}
 * @param publicKey the DER SubjectPublicKeyInfo (not copied: do not change it)
 * @param added when it was added
 * @param retired when it was retired, if it was: a retired key verifies nothing
 * @param origin who added it ("operator (shell)", "signed rotation by ...")
 * @since 1.0
 */
public record SigningKey(String id, String algorithm, byte[] publicKey, Instant added, Optional<Instant> retired,
        String origin) {

    /**
     * @throws NullPointerException if a field is null
     */
    public SigningKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(added, "added");
        Objects.requireNonNull(retired, "retired");
        Objects.requireNonNull(origin, "origin");
    }

    /** @return whether the key may still verify signatures */
    public boolean active() {
        return retired.isEmpty();
    }
}
