package org.m2mgw.oscore.internal.edhoc;

import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A completed EDHOC handshake, from one side: who the peer is, the connection identifiers, suite and
 * method, PRK_out and what is derived from it (RFC 9528 section 4.2: PRK_exporter and
 * EDHOC_Exporter; appendix A.1: the OSCORE parameters; appendix H: EDHOC_KeyUpdate). Immutable;
 * {@link #keyUpdate} returns a new session.
 */
public final class EdhocSession {

    /** Which side this is. */
    public enum Role { INITIATOR, RESPONDER }

    /** EDHOC_Exporter label of the OSCORE Master Secret. */
    public static final int EXPORTER_OSCORE_MASTER_SECRET = 0;
    /** EDHOC_Exporter label of the OSCORE Master Salt. */
    public static final int EXPORTER_OSCORE_MASTER_SALT = 1;
    /** Length of the OSCORE Master Salt (appendix A.1). */
    public static final int OSCORE_SALT_LENGTH = 8;

    private static final int LABEL_PRK_OUT = 7;
    private static final int LABEL_PRK_EXPORTER = 10;
    private static final int LABEL_KEY_UPDATE = 11;

    private final Role role;
    private final EdhocMethod method;
    private final CipherSuite suite;
    private final ConnectionId connectionIdI;
    private final ConnectionId connectionIdR;
    private final PeerCredential peer;
    private final byte[] prkOut;
    private final byte[] prkExporter;
    private final List<EadItem> receivedEad;
    private final byte[] message4;
    private final int appKeyLength;

    EdhocSession(Role role, EdhocMethod method, CipherSuite suite, ConnectionId connectionIdI,
            ConnectionId connectionIdR, PeerCredential peer, byte[] prkOut, List<EadItem> receivedEad,
            byte[] message4, int appKeyLength) throws GeneralSecurityException {
        this.role = role;
        this.method = method;
        this.suite = suite;
        this.connectionIdI = connectionIdI;
        this.connectionIdR = connectionIdR;
        this.peer = peer;
        this.prkOut = prkOut;
        this.prkExporter = Kdf.kdf(suite.hash(), prkOut, LABEL_PRK_EXPORTER, new byte[0], suite.hash().length());
        this.receivedEad = List.copyOf(receivedEad);
        this.message4 = message4;
        this.appKeyLength = appKeyLength;
    }

    /** @return this side */
    public Role role() {
        return role;
    }

    /** @return the authentication method */
    public EdhocMethod method() {
        return method;
    }

    /** @return the selected cipher suite */
    public CipherSuite suite() {
        return suite;
    }

    /** @return C_I, the initiator's connection identifier */
    public ConnectionId connectionIdI() {
        return connectionIdI;
    }

    /** @return C_R, the responder's connection identifier */
    public ConnectionId connectionIdR() {
        return connectionIdR;
    }

    /** @return the peer's authenticated credential */
    public PeerCredential peer() {
        return peer;
    }

    /** @return the subject the resolver gave the peer's credential (the device id) */
    public String peerSubject() {
        return peer.subject();
    }

    /** @return a copy of PRK_out (section 4.1.3) */
    public byte[] prkOut() {
        return prkOut.clone();
    }

    /** @return a copy of PRK_exporter = EDHOC_KDF(PRK_out, 10, h'', hash_length) (section 4.2.1) */
    public byte[] prkExporter() {
        return prkExporter.clone();
    }

    /**
     * @return the EAD items received: EAD_1 and EAD_3 at the responder, EAD_2 (and EAD_4) at the
     *     initiator
     */
    public List<EadItem> receivedEad() {
        return receivedEad;
    }

    /** @return message_4, if the responder was asked to make one (section 5.5) */
    public Optional<byte[]> message4() {
        return Optional.ofNullable(message4).map(byte[]::clone);
    }

    /**
     * EDHOC_Exporter(label, context, length) = EDHOC_KDF(PRK_exporter, label, context, length)
     * (section 4.2.1).
     *
     * @throws IllegalArgumentException if the label is negative or the length out of HKDF's range
     */
    public byte[] exporter(int label, byte[] context, int length) {
        if (label < 0 || length < 0 || length > 255 * suite.hash().length()) {
            throw new IllegalArgumentException("exporter label " + label + " or length " + length + " out of range");
        }
        try {
            return Kdf.kdf(suite.hash(), prkExporter, label, Objects.requireNonNull(context, "context"), length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF failed", e);
        }
    }

    /**
     * EDHOC_KeyUpdate(context) (appendix H): PRK_out = EDHOC_KDF(PRK_out, 11, context, hash_length),
     * and PRK_exporter from it.
     *
     * @return the session with the new keys; this one is unchanged
     */
    public EdhocSession keyUpdate(byte[] context) {
        try {
            byte[] next = Kdf.kdf(suite.hash(), prkOut, LABEL_KEY_UPDATE, Objects.requireNonNull(context, "context"),
                    suite.hash().length());
            return new EdhocSession(role, method, suite, connectionIdI, connectionIdR, peer, next, receivedEad, null,
                    appKeyLength);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF failed", e);
        }
    }

    /**
     * @return the OSCORE parameters for this side (appendix A.1): the responder's Sender ID is C_I
     *     and its Recipient ID C_R; the initiator's the other way round
     */
    public OscoreParameters oscore() {
        byte[] secret = exporter(EXPORTER_OSCORE_MASTER_SECRET, new byte[0], appKeyLength);
        byte[] salt = exporter(EXPORTER_OSCORE_MASTER_SALT, new byte[0], OSCORE_SALT_LENGTH);
        ConnectionId sender = role == Role.RESPONDER ? connectionIdI : connectionIdR;
        ConnectionId recipient = role == Role.RESPONDER ? connectionIdR : connectionIdI;
        return new OscoreParameters(secret, salt, sender.bytes(), recipient.bytes(), suite.appAead(), suite.appHash());
    }

    /** Keeps the keys out of logs. */
    @Override
    public String toString() {
        return "EdhocSession(" + role + ", " + peer.subject() + ", C_I " + connectionIdI + ", C_R " + connectionIdR
                + ", " + suite + ", method " + method.value() + ")";
    }
}
