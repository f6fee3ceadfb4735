package org.m2mgw.oscore.internal.edhoc;

/** The signature algorithms of the EDHOC cipher suites (RFC 9528 section 3.6), by COSE identifier. */
public enum SignatureAlgorithm {
    /** EdDSA with Ed25519 (COSE -8). */
    EDDSA(-8, KeyType.ED25519, "Ed25519"),
    /** ECDSA with SHA-256 on P-256 (COSE -7); the signature is r || s, 64 bytes (RFC 9053 section 2.1). */
    ES256(-7, KeyType.P256, "SHA256withECDSAinP1363Format");

    private final int coseId;
    private final KeyType keyType;
    private final String jdkName;

    SignatureAlgorithm(int coseId, KeyType keyType, String jdkName) {
        this.coseId = coseId;
        this.keyType = keyType;
        this.jdkName = jdkName;
    }

    /** @return the COSE algorithm identifier */
    public int coseId() {
        return coseId;
    }

    /** @return the kind of key that signs */
    public KeyType keyType() {
        return keyType;
    }

    String jdkName() {
        return jdkName;
    }
}
