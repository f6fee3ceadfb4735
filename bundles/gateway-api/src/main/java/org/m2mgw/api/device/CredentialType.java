package org.m2mgw.api.device;

/**
 * How a field device proves its identity when it opens a secure session.
 *
 * @since 0.1
 */
public enum CredentialType {
    /** A pre-shared key, named by a PSK identity (RFC 4279, RFC 7925 section 4.2). */
    PSK,
    /** A raw public key (RFC 7250), P-256 or Ed25519. */
    RAW_PUBLIC_KEY,
    /** An X.509 certificate chain that ends in a configured trust anchor. */
    X509
}
