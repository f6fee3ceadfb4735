package org.m2mgw.oscore.internal.edhoc;

import java.util.Objects;

/**
 * What OSCORE needs from a completed EDHOC session, for one side (RFC 9528 appendix A.1): Master
 * Secret = EDHOC_Exporter(0, h'', key length of the application AEAD), Master Salt =
 * EDHOC_Exporter(1, h'', 8), the Sender ID (the peer's connection identifier) and Recipient ID (this
 * side's), the application AEAD and the application hash for OSCORE's HKDF. No ID Context.
 *
 * @param masterSecret the OSCORE Master Secret
 * @param masterSalt the OSCORE Master Salt, 8 bytes
 * @param senderId this side's Sender ID: C_I at the responder, C_R at the initiator
 * @param recipientId this side's Recipient ID: C_R at the responder, C_I at the initiator
 * @param aeadAlgorithm the COSE identifier of the application AEAD
 * @param hash the application hash (OSCORE's HKDF: {@link HashAlgorithm#hkdfCoseId()})
 */
public record OscoreParameters(byte[] masterSecret, byte[] masterSalt, byte[] senderId, byte[] recipientId,
        int aeadAlgorithm, HashAlgorithm hash) {

    /** Copies the arrays. */
    public OscoreParameters {
        masterSecret = masterSecret.clone();
        masterSalt = masterSalt.clone();
        senderId = senderId.clone();
        recipientId = recipientId.clone();
        Objects.requireNonNull(hash, "hash");
    }

    @Override
    public byte[] masterSecret() {
        return masterSecret.clone();
    }

    @Override
    public byte[] masterSalt() {
        return masterSalt.clone();
    }

    @Override
    public byte[] senderId() {
        return senderId.clone();
    }

    @Override
    public byte[] recipientId() {
        return recipientId.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OscoreParameters p && java.util.Arrays.equals(masterSecret, p.masterSecret)
                && java.util.Arrays.equals(masterSalt, p.masterSalt) && java.util.Arrays.equals(senderId, p.senderId)
                && java.util.Arrays.equals(recipientId, p.recipientId) && aeadAlgorithm == p.aeadAlgorithm
                && hash.equals(p.hash);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(senderId) * 31 + java.util.Arrays.hashCode(recipientId);
    }

    /** Keeps the secrets out of logs. */
    @Override
    public String toString() {
        return "OscoreParameters(sender " + java.util.HexFormat.of().formatHex(senderId) + ", recipient "
                + java.util.HexFormat.of().formatHex(recipientId) + ", AEAD " + aeadAlgorithm + ")";
    }

    /**
     * @return the same parameters as the OSCORE layer takes them (RFC 8613 section 3.2), without an
     *     ID Context, with the default replay window
     */
    public org.m2mgw.oscore.internal.oscore.OscoreParameters toOscore() {
        return org.m2mgw.oscore.internal.oscore.OscoreParameters.of(masterSecret, senderId, recipientId, aeadAlgorithm)
                .withMasterSalt(masterSalt);
    }
}
