package org.m2mgw.oscore.internal.edhoc;

/**
 * The kinds of public key EDHOC uses, for ephemeral and static Diffie-Hellman and for signatures
 * (RFC 9528 section 3.6). A P-256 key serves both ECDH and ES256; X25519 and Ed25519 keys are
 * distinct. Every kind here encodes its public key in 32 bytes: the u-coordinate for X25519, the
 * encoded point for Ed25519, the x-coordinate for P-256 (RFC 9528 section 3.7).
 */
public enum KeyType {
    /** X25519 (RFC 7748), for Diffie-Hellman. */
    X25519,
    /** Ed25519 (RFC 8032), for EdDSA signatures. */
    ED25519,
    /** NIST P-256 (secp256r1), for ECDH and ES256. */
    P256;

    /** @return the length of the encoded public key (and of the ECDH shared secret) in bytes */
    public int encodedLength() {
        return 32;
    }
}
