package org.m2mgw.api.crypto;

/**
 * Where a device's credential or suite stands against the policy, from best to worst.
 *
 * @since 1.0
 */
public enum CryptoStatus {
    /** Allowed, and nothing is due soon. */
    OK,
    /** Allowed, but something needs attention (a weak or shared key, no resumption, unknown age). */
    WARN,
    /** Allowed now, but a policy date (suite not-after, key age, certificate expiry) is near. */
    EXPIRING,
    /** The key is past its maximum age (and grace) or the certificate has expired. */
    EXPIRED,
    /** The suite or algorithm is no longer allowed: new handshakes with it are refused. */
    RETIRED;

    /**
     * @param other another status
     * @return the worse of the two
     */
    public CryptoStatus worst(CryptoStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
