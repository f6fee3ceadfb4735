package org.m2mgw.oscore.internal.edhoc;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import javax.crypto.AEADBadTagException;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborReader;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * The EDHOC initiator (RFC 9528 sections 5.2 to 5.5), for one handshake: {@link #message1()}, then
 * {@link #processMessage2} which returns message_3 and the completed session, then optionally
 * {@link #processMessage4}. Used by tests and test peers; the gateway itself is a responder.
 *
 * <p>Thread-safe (one step at a time). Every failure is an {@link EdhocException}; an error message
 * from the responder is one with {@link EdhocException.Reason#PEER_ERROR}, or
 * {@link EdhocException.Reason#UNSUPPORTED_SUITE} for ERR_CODE 2, whose SUITES_R
 * {@link #suitesAfterError} turns into the SUITES_I of a new attempt.
 */
public final class EdhocInitiator {

    /** What message_2 produced: message_3 to send and the completed session. */
    public record Message3(byte[] message, EdhocSession session) {

        /** @return a copy of message_3 */
        @Override
        public byte[] message() {
            return message.clone();
        }
    }

    private enum Step { START, SENT_1, SENT_3, DONE, FAILED }

    private final Config config;
    private final IntFunction<CoseAead> aeads;
    private final CredentialResolver resolver;
    private Step step = Step.START;
    private KeyPair x;
    private byte[] message1;
    private byte[] prk4e3m;
    private byte[] th4;
    private EdhocSession session;

    /**
     * @param config the method, suites, own credential and C_I
     * @param aeads the AEAD services by COSE algorithm identifier (null if absent)
     * @param resolver finds the responder's credential
     */
    public EdhocInitiator(Config config, IntFunction<CoseAead> aeads, CredentialResolver resolver) {
        this.config = Objects.requireNonNull(config, "config");
        this.aeads = Objects.requireNonNull(aeads, "aeads");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /**
     * @param preference the suites this initiator supports, most preferred first
     * @param suitesR SUITES_R of an ERR_CODE 2 error
     * @return the SUITES_I for a new message_1 (section 5.2.2): the preference list up to and
     *     including the first suite the responder supports; empty if there is none in common
     */
    public static List<CipherSuite> suitesAfterError(List<CipherSuite> preference, Collection<Integer> suitesR) {
        for (int i = 0; i < preference.size(); i++) {
            if (suitesR.contains(preference.get(i).id())) {
                return List.copyOf(preference.subList(0, i + 1));
            }
        }
        return List.of();
    }

    /**
     * Makes message_1 (section 5.2.2).
     *
     * @return message_1, without the CoAP prefix
     * @throws EdhocException if called twice, the selected suite's AEAD is missing, or the own
     *     credential does not fit the method and suite
     */
    public synchronized byte[] message1() throws EdhocException {
        if (step != Step.START) {
            throw new EdhocException(EdhocException.Reason.INTERNAL, "message_1 was made already");
        }
        try {
            CipherSuite suite = config.selected();
            Protocol.aead(aeads, suite.edhocAead());
            Protocol.aead(aeads, suite.appAead());
            if (config.credential.keyType() != suite.authKeyType(config.method.initiatorSigns())) {
                throw new EdhocException(EdhocException.Reason.UNSUPPORTED_METHOD, "own credential is "
                        + config.credential.keyType() + ", method " + config.method.value() + " in " + suite
                        + " needs " + suite.authKeyType(config.method.initiatorSigns()));
            }
            x = config.ephemeralKeys.generate(suite.dhCurve());
            CborWriter w = new CborWriter().integer(config.method.value());
            if (config.suitesI.size() == 1) {
                w.integer(suite.id());
            } else {
                w.array(config.suitesI.size());
                config.suitesI.forEach(s -> w.integer(s.id()));
            }
            w.bytes(EdhocKeys.encode(x.getPublic())).raw(config.connectionIdI.encode()).raw(EadItem.encode(config.ead1));
            message1 = w.toByteArray();
            trace("message_1", message1);
            step = Step.SENT_1;
            return message1.clone();
        } catch (EdhocException e) {
            step = Step.FAILED;
            throw e;
        } catch (GeneralSecurityException | RuntimeException e) {
            step = Step.FAILED;
            throw EdhocException.internal("message_1", e);
        }
    }

    /**
     * Processes message_2 (section 5.3.3), or an error message in its place, and makes message_3
     * (section 5.4.2).
     *
     * @param message2 the responder's answer to message_1
     * @return message_3 to send (the CoAP request prefixes it with C_R) and the completed session
     * @throws EdhocException if message_2 is refused or is an error message
     */
    public synchronized Message3 processMessage2(byte[] message2) throws EdhocException {
        if (step != Step.SENT_1) {
            throw new EdhocException(EdhocException.Reason.INTERNAL, "no message_1 waits for message_2");
        }
        step = Step.FAILED;
        try {
            Message3 m = message2(message2);
            step = Step.SENT_3;
            return m;
        } catch (EdhocException e) {
            throw e;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw EdhocException.internal("message_2", e);
        }
    }

    private Message3 message2(byte[] message2) throws EdhocException, GeneralSecurityException {
        if (EdhocError.isError(message2)) {
            throw received(message2);
        }
        CipherSuite suite = config.selected();
        HashAlgorithm h = suite.hash();
        KeyType curve = suite.dhCurve();
        byte[] gYCiphertext;
        try {
            CborReader r = new CborReader(message2);
            gYCiphertext = r.readBytes();
            r.expectEnd();
        } catch (CborException e) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, "message_2: " + e.getMessage());
        }
        int n = curve.encodedLength();
        if (gYCiphertext.length <= n) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, "message_2 is too short");
        }
        byte[] gY = java.util.Arrays.copyOf(gYCiphertext, n);
        byte[] ciphertext2 = java.util.Arrays.copyOfRange(gYCiphertext, n, gYCiphertext.length);
        PublicKey peerEphemeral = Protocol.decodeEphemeral(curve, gY);
        byte[] th2 = Protocol.th2(h, gY, message1);
        trace("TH_2", th2);
        byte[] gXY = Protocol.dhWithPeer(curve, x.getPrivate(), peerEphemeral);
        trace("G_XY", gXY);
        byte[] prk2e = Kdf.extract(h, th2, gXY);
        trace("PRK_2e", prk2e);
        byte[] keystream2 = Kdf.kdf(h, prk2e, Protocol.LABEL_KEYSTREAM_2, th2, ciphertext2.length);
        trace("KEYSTREAM_2", keystream2);
        byte[] plaintext2 = Protocol.xor(ciphertext2, keystream2);
        ConnectionId cR;
        IdCred idCredR;
        byte[] sigOrMac2;
        List<EadItem> ead2;
        try {
            CborReader r = new CborReader(plaintext2);
            cR = ConnectionId.read(r);
            idCredR = IdCred.readPlaintext(r);
            sigOrMac2 = r.readBytes();
            ead2 = EadItem.readAll(r);
        } catch (CborException e) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, "PLAINTEXT_2: " + e.getMessage());
        }
        trace("PLAINTEXT_2", plaintext2);
        CoseAead aead = Protocol.aead(aeads, suite.edhocAead());
        CoseAead appAead = Protocol.aead(aeads, suite.appAead());
        if (cR.equals(config.connectionIdI) || cR.length() > Protocol.maxOscoreIdLength(appAead)) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, "C_R is C_I or too long for an OSCORE ID");
        }
        Protocol.checkEad(ead2, config.criticalEad);
        EdhocMethod method = config.method;
        PeerCredential peer = Protocol.resolve(resolver, idCredR, suite.authKeyType(method.responderSigns()));
        byte[] gRX = null;
        if (!method.responderSigns()) {
            gRX = Protocol.dhWithPeer(curve, x.getPrivate(), peer.key());
            trace("G_RX", gRX);
        }
        byte[] prk3e2m = Protocol.nextPrk(h, prk2e, Protocol.LABEL_SALT_3E2M, th2, gRX, config.trace);
        trace("PRK_3e2m", prk3e2m);
        byte[] ead2Encoded = EadItem.encode(ead2);
        byte[] context2 = Protocol.macContext(cR.encode(), idCredR, th2, peer.credRef(), ead2Encoded);
        trace("context_2", context2);
        byte[] mac2 = Protocol.mac(suite, method.responderSigns(), prk3e2m, Protocol.LABEL_MAC_2, context2);
        trace("MAC_2", mac2);
        byte[] toBeSigned2 = method.responderSigns()
                ? Protocol.toBeSigned(idCredR, th2, peer.credRef(), ead2Encoded, mac2) : null;
        if (toBeSigned2 != null) {
            trace("Message_to_be_signed_2", toBeSigned2);
        }
        if (!Protocol.verifySignatureOrMac(suite, peer.key(), toBeSigned2, mac2, sigOrMac2)) {
            throw new EdhocException(EdhocException.Reason.MAC_FAILED, "authentication failed");
        }
        byte[] th3 = Protocol.nextTh(h, th2, plaintext2, peer.credRef());
        trace("TH_3", th3);

        LocalCredential own = config.credential;
        if (own.keyType() != suite.authKeyType(method.initiatorSigns())) {
            throw new EdhocException(EdhocException.Reason.UNSUPPORTED_METHOD, "own credential does not fit");
        }
        byte[] gIY = null;
        if (!method.initiatorSigns()) {
            gIY = Protocol.dhWithPeer(curve, own.privateKey(), peerEphemeral);
            trace("G_IY", gIY);
        }
        byte[] prk = Protocol.nextPrk(h, prk3e2m, Protocol.LABEL_SALT_4E3M, th3, gIY, config.trace);
        trace("PRK_4e3m", prk);
        byte[] ead3Encoded = EadItem.encode(config.ead3);
        byte[] context3 = Protocol.macContext(null, own.idCred(), th3, own.credRef(), ead3Encoded);
        trace("context_3", context3);
        byte[] mac3 = Protocol.mac(suite, method.initiatorSigns(), prk, Protocol.LABEL_MAC_3, context3);
        trace("MAC_3", mac3);
        byte[] toBeSigned3 = null;
        if (method.initiatorSigns()) {
            toBeSigned3 = Protocol.toBeSigned(own.idCred(), th3, own.credRef(), ead3Encoded, mac3);
            trace("Message_to_be_signed_3", toBeSigned3);
        }
        byte[] sigOrMac3 = Protocol.signatureOrMac(suite, own.privateKey(), toBeSigned3, mac3);
        trace("Signature_or_MAC_3", sigOrMac3);
        byte[] plaintext3 = new CborWriter().raw(own.idCred().plaintextForm()).bytes(sigOrMac3).raw(ead3Encoded)
                .toByteArray();
        trace("PLAINTEXT_3", plaintext3);
        byte[] k3 = Kdf.kdf(h, prk3e2m, Protocol.LABEL_K_3, th3, aead.keyLength());
        byte[] iv3 = Kdf.kdf(h, prk3e2m, Protocol.LABEL_IV_3, th3, aead.nonceLength());
        byte[] a3 = Protocol.encrypt0Aad(th3);
        trace("K_3", k3);
        trace("IV_3", iv3);
        trace("A_3", a3);
        byte[] ciphertext3 = aead.key(k3).seal(iv3, a3, plaintext3);
        trace("CIPHERTEXT_3", ciphertext3);
        byte[] message3 = CborWriter.encodeBytes(ciphertext3);
        trace("message_3", message3);
        th4 = Protocol.nextTh(h, th3, plaintext3, own.credRef());
        trace("TH_4", th4);
        prk4e3m = prk;
        byte[] prkOut = Kdf.kdf(h, prk, Protocol.LABEL_PRK_OUT, th4, h.length());
        trace("PRK_out", prkOut);
        session = new EdhocSession(EdhocSession.Role.INITIATOR, method, suite, config.connectionIdI, cR, peer, prkOut,
                ead2, null, appAead.keyLength());
        return new Message3(message3, session);
    }

    /**
     * Processes message_4 (section 5.5.3), which confirms the responder has the keys.
     *
     * @return the session, with EAD_4 added to the items received
     * @throws EdhocException if it does not decrypt or is an error message
     */
    public synchronized EdhocSession processMessage4(byte[] message4) throws EdhocException {
        if (step != Step.SENT_3) {
            throw new EdhocException(EdhocException.Reason.INTERNAL, "no message_3 waits for message_4");
        }
        step = Step.FAILED;
        try {
            if (EdhocError.isError(message4)) {
                throw received(message4);
            }
            byte[] ciphertext4;
            try {
                CborReader r = new CborReader(message4);
                ciphertext4 = r.readBytes();
                r.expectEnd();
            } catch (CborException e) {
                throw new EdhocException(EdhocException.Reason.MALFORMED, "message_4: " + e.getMessage());
            }
            CipherSuite suite = session.suite();
            HashAlgorithm h = suite.hash();
            CoseAead aead = Protocol.aead(aeads, suite.edhocAead());
            byte[] k4 = Kdf.kdf(h, prk4e3m, Protocol.LABEL_K_4, th4, aead.keyLength());
            byte[] iv4 = Kdf.kdf(h, prk4e3m, Protocol.LABEL_IV_4, th4, aead.nonceLength());
            byte[] a4 = Protocol.encrypt0Aad(th4);
            trace("K_4", k4);
            trace("IV_4", iv4);
            trace("A_4", a4);
            trace("CIPHERTEXT_4", ciphertext4);
            byte[] plaintext4;
            try {
                plaintext4 = aead.key(k4).open(iv4, a4, ciphertext4);
            } catch (AEADBadTagException e) {
                throw new EdhocException(EdhocException.Reason.DECRYPT_FAILED, "message_4 does not decrypt");
            }
            List<EadItem> ead4;
            try {
                ead4 = EadItem.readAll(new CborReader(plaintext4));
            } catch (CborException e) {
                throw new EdhocException(EdhocException.Reason.MALFORMED, "PLAINTEXT_4: " + e.getMessage());
            }
            Protocol.checkEad(ead4, config.criticalEad);
            List<EadItem> all = new ArrayList<>(session.receivedEad());
            all.addAll(ead4);
            session = new EdhocSession(EdhocSession.Role.INITIATOR, session.method(), suite, session.connectionIdI(),
                    session.connectionIdR(), session.peer(), session.prkOut(), all, null,
                    Protocol.aead(aeads, suite.appAead()).keyLength());
            step = Step.DONE;
            return session;
        } catch (EdhocException e) {
            throw e;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw EdhocException.internal("message_4", e);
        }
    }

    /** @return the session, once message_2 was accepted */
    public synchronized Optional<EdhocSession> session() {
        return Optional.ofNullable(session);
    }

    private void trace(String name, byte[] value) {
        config.trace.accept(name, value.clone());
    }

    private static EdhocException received(byte[] message) throws EdhocException {
        EdhocError e = EdhocError.parse(message);
        EdhocException.Reason reason = e.code() == EdhocError.WRONG_SELECTED_CIPHER_SUITE
                ? EdhocException.Reason.UNSUPPORTED_SUITE : EdhocException.Reason.PEER_ERROR;
        return new EdhocException(reason, "the responder sent " + e, null, e, null);
    }

    /** The initiator's settings. Immutable; made with {@link #builder()}. */
    public static final class Config {
        private final EdhocMethod method;
        private final List<CipherSuite> suitesI;
        private final LocalCredential credential;
        private final ConnectionId connectionIdI;
        private final EphemeralKeySource ephemeralKeys;
        private final List<EadItem> ead1;
        private final List<EadItem> ead3;
        private final Set<Integer> criticalEad;
        private final BiConsumer<String, byte[]> trace;

        private Config(Builder b) {
            method = Objects.requireNonNull(b.method, "method");
            suitesI = List.copyOf(b.suitesI);
            credential = Objects.requireNonNull(b.credential, "credential");
            connectionIdI = Objects.requireNonNull(b.connectionIdI, "connectionIdI");
            ephemeralKeys = b.ephemeralKeys != null ? b.ephemeralKeys : EphemeralKeySource.random(new SecureRandom());
            ead1 = List.copyOf(b.ead1);
            ead3 = List.copyOf(b.ead3);
            criticalEad = Set.copyOf(b.criticalEad);
            trace = b.trace;
            if (suitesI.isEmpty()) {
                throw new IllegalArgumentException("SUITES_I lists at least the selected suite");
            }
        }

        CipherSuite selected() {
            return suitesI.get(suitesI.size() - 1);
        }

        /** @return a builder */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds a {@link Config}. */
        public static final class Builder {
            private EdhocMethod method = EdhocMethod.SIGN_SIGN;
            private List<CipherSuite> suitesI = List.of();
            private LocalCredential credential;
            private ConnectionId connectionIdI;
            private EphemeralKeySource ephemeralKeys;
            private List<EadItem> ead1 = List.of();
            private List<EadItem> ead3 = List.of();
            private Set<Integer> criticalEad = Set.of();
            private BiConsumer<String, byte[]> trace = Protocol.NO_TRACE;

            private Builder() {
            }

            /** For tests: receives each intermediate value by its RFC 9529 name (secrets included). */
            Builder trace(BiConsumer<String, byte[]> v) {
                trace = Objects.requireNonNull(v);
                return this;
            }

            /** @param v the authentication method */
            public Builder method(EdhocMethod v) {
                method = v;
                return this;
            }

            /** @param v SUITES_I: suites in order of preference, the last being the selected one */
            public Builder suites(List<CipherSuite> v) {
                suitesI = List.copyOf(v);
                return this;
            }

            /** @param v own credential, fitting the selected suite and method */
            public Builder credential(LocalCredential v) {
                credential = v;
                return this;
            }

            /** @param v C_I */
            public Builder connectionId(ConnectionId v) {
                connectionIdI = v;
                return this;
            }

            /** @param v the ephemeral key pair; default random */
            public Builder ephemeralKeys(EphemeralKeySource v) {
                ephemeralKeys = v;
                return this;
            }

            /** @param v EAD items to send in message_1 */
            public Builder ead1(List<EadItem> v) {
                ead1 = List.copyOf(v);
                return this;
            }

            /** @param v EAD items to send in message_3 */
            public Builder ead3(List<EadItem> v) {
                ead3 = List.copyOf(v);
                return this;
            }

            /** @param v labels of critical EAD items understood */
            public Builder criticalEadUnderstood(Set<Integer> v) {
                criticalEad = Set.copyOf(v);
                return this;
            }

            /** @return the settings */
            public Config build() {
                return new Config(this);
            }
        }
    }
}
