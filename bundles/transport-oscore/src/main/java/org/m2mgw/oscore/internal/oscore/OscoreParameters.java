package org.m2mgw.oscore.internal.oscore;

import java.util.Arrays;

/**
 * The input parameters of an OSCORE security context (RFC 8613 section 3.2): what both ends
 * agree on, from which keys and Common IV are derived. Byte arrays are copied in and out.
 * {@link #toString()} never shows the master secret or salt.
 *
 * @param masterSecret the Master Secret (at least 1 byte)
 * @param masterSalt the Master Salt; empty when absent (section 3.2, the default)
 * @param idContext the ID Context, or {@code null} when absent (section 3.3)
 * @param senderId this endpoint's Sender ID (may be empty)
 * @param recipientId the peer's Sender ID, this endpoint's Recipient ID (may be empty)
 * @param algorithm the COSE AEAD algorithm identifier (section 3.2, default 10)
 * @param replayWindowSize the recipient replay window size (section 7.4), 32 by default
 */
public record OscoreParameters(byte[] masterSecret, byte[] masterSalt, byte[] idContext, byte[] senderId,
        byte[] recipientId, int algorithm, int replayWindowSize) {

    /** The default replay window size (RFC 8613 section 7.4: "default 32"). */
    public static final int DEFAULT_REPLAY_WINDOW = 32;
    /** The largest replay window accepted. */
    public static final int MAX_REPLAY_WINDOW = 4096;

    /**
     * @throws IllegalArgumentException if a required value is missing or the window size is out
     *     of range; id lengths are checked against the AEAD's nonce when the context is derived
     */
    public OscoreParameters {
        if (masterSecret == null || masterSecret.length == 0) {
            throw new IllegalArgumentException("OSCORE Master Secret missing");
        }
        if (senderId == null || recipientId == null) {
            throw new IllegalArgumentException("OSCORE Sender ID and Recipient ID are required");
        }
        if (Arrays.equals(senderId, recipientId)) {
            throw new IllegalArgumentException("OSCORE Sender ID and Recipient ID must differ (RFC 8613 3.3)");
        }
        if (replayWindowSize < 1 || replayWindowSize > MAX_REPLAY_WINDOW) {
            throw new IllegalArgumentException("replay window size out of range 1.." + MAX_REPLAY_WINDOW + ": "
                    + replayWindowSize);
        }
        masterSecret = masterSecret.clone();
        masterSalt = masterSalt == null ? new byte[0] : masterSalt.clone();
        idContext = idContext == null ? null : idContext.clone();
        senderId = senderId.clone();
        recipientId = recipientId.clone();
    }

    /**
     * Parameters with no Master Salt, no ID Context and the default replay window.
     *
     * @param masterSecret the Master Secret
     * @param senderId this endpoint's Sender ID
     * @param recipientId this endpoint's Recipient ID
     * @param algorithm the COSE AEAD algorithm identifier
     * @return the parameters
     */
    public static OscoreParameters of(byte[] masterSecret, byte[] senderId, byte[] recipientId, int algorithm) {
        return new OscoreParameters(masterSecret, null, null, senderId, recipientId, algorithm, DEFAULT_REPLAY_WINDOW);
    }

    /** @return these parameters with another Master Salt */
    public OscoreParameters withMasterSalt(byte[] salt) {
        return new OscoreParameters(masterSecret, salt, idContext, senderId, recipientId, algorithm, replayWindowSize);
    }

    /** @return these parameters with another ID Context ({@code null} for none) */
    public OscoreParameters withIdContext(byte[] context) {
        return new OscoreParameters(masterSecret, masterSalt, context, senderId, recipientId, algorithm,
                replayWindowSize);
    }

    /** @return these parameters with another replay window size */
    public OscoreParameters withReplayWindow(int size) {
        return new OscoreParameters(masterSecret, masterSalt, idContext, senderId, recipientId, algorithm, size);
    }

    /** @return the same parameters seen from the peer: Sender and Recipient ID swapped */
    public OscoreParameters peer() {
        return new OscoreParameters(masterSecret, masterSalt, idContext, recipientId, senderId, algorithm,
                replayWindowSize);
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
    public byte[] idContext() {
        return idContext == null ? null : idContext.clone();
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
        return o instanceof OscoreParameters p && Arrays.equals(masterSecret, p.masterSecret)
                && Arrays.equals(masterSalt, p.masterSalt) && Arrays.equals(idContext, p.idContext)
                && Arrays.equals(senderId, p.senderId) && Arrays.equals(recipientId, p.recipientId)
                && algorithm == p.algorithm && replayWindowSize == p.replayWindowSize;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(senderId) * 31 + Arrays.hashCode(recipientId) + algorithm;
    }

    /** Shows ids and algorithm only; the Master Secret and Salt are never shown. */
    @Override
    public String toString() {
        return "OscoreParameters[sender=" + Hex.of(senderId) + ", recipient=" + Hex.of(recipientId) + ", idContext="
                + (idContext == null ? "none" : Hex.of(idContext)) + ", alg=" + algorithm + ", window="
                + replayWindowSize + "]";
    }
}
