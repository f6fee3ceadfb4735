package org.m2mgw.oscore.internal.edhoc;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
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
        step = Step.FAILED;
        byte[] m = Protocol.guarded("message_1", this::makeMessage1);
        step = Step.SENT_1;
        return m;
    }

    private byte[] makeMessage1() throws EdhocException, GeneralSecurityException {
        CipherSuite suite = config.selected();
        Protocol.aead(aeads, suite.edhocAead());
        Protocol.aead(aeads, suite.appAead());
        if (config.credential.keyType() != suite.authKeyType(config.method.initiatorSigns())) {
            throw new EdhocException(EdhocException.Reason.UNSUPPORTED_METHOD, "own credential is "
                    + config.credential.keyType() + ", method " + config.method.value() + " in " + suite
                    + " needs " + suite.authKeyType(config.method.initiatorSigns()));
        }
        x = config.common.ephemeralKeys.generate(suite.dhCurve());
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
        return message1.clone();
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
        Message3 m = Protocol.guarded("message_2", () -> message2(message2));
        step = Step.SENT_3;
        return m;
    }

    private Message3 message2(byte[] message2) throws EdhocException, GeneralSecurityException {
        if (EdhocError.isError(message2)) {
            throw received(message2);
        }
        CipherSuite suite = config.selected();
        HashAlgorithm h = suite.hash();
        KeyType curve = suite.dhCurve();
        byte[] gYCiphertext = Protocol.readByteString(message2, "message_2");
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
        Protocol.Plaintext p2 = Protocol.readPlaintext(plaintext2, true, "PLAINTEXT_2");
        trace("PLAINTEXT_2", plaintext2);
        ConnectionId cR = p2.connectionId();
        CoseAead aead = Protocol.aead(aeads, suite.edhocAead());
        CoseAead appAead = Protocol.aead(aeads, suite.appAead());
        if (cR.equals(config.connectionIdI) || cR.length() > Protocol.maxOscoreIdLength(appAead)) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, "C_R is C_I or too long for an OSCORE ID");
        }
        Protocol.checkEad(p2.ead(), config.common.criticalEad);
        EdhocMethod method = config.method;
        PeerCredential peer = Protocol.resolve(resolver, p2.idCred(), suite.authKeyType(method.responderSigns()));
        byte[] prk3e2m = Protocol.nextPrk(Protocol.Auth.MESSAGE_2, suite, method, prk2e, th2, x.getPrivate(),
                peer.key(), config.common.trace);
        Protocol.verify(Protocol.Auth.MESSAGE_2, suite, method, prk3e2m, cR.encode(), p2.idCred(), peer, th2,
                EadItem.encode(p2.ead()), p2.signatureOrMac(), config.common.trace);
        byte[] th3 = Protocol.nextTh(h, th2, plaintext2, peer.credRef());
        trace("TH_3", th3);

        LocalCredential own = config.credential;
        if (own.keyType() != suite.authKeyType(method.initiatorSigns())) {
            throw new EdhocException(EdhocException.Reason.UNSUPPORTED_METHOD, "own credential does not fit");
        }
        byte[] prk = Protocol.nextPrk(Protocol.Auth.MESSAGE_3, suite, method, prk3e2m, th3, own.privateKey(),
                peerEphemeral, config.common.trace);
        byte[] plaintext3 = Protocol.authenticate(Protocol.Auth.MESSAGE_3, suite, method, prk, null, own, th3,
                EadItem.encode(config.ead3), config.common.trace);
        byte[] ciphertext3 = Protocol.Encrypt0.of(3, h, aead, prk3e2m, th3, config.common.trace).seal(plaintext3);
        trace("CIPHERTEXT_3", ciphertext3);
        byte[] message3 = CborWriter.encodeBytes(ciphertext3);
        trace("message_3", message3);
        th4 = Protocol.nextTh(h, th3, plaintext3, own.credRef());
        trace("TH_4", th4);
        prk4e3m = prk;
        byte[] prkOut = Kdf.kdf(h, prk, Protocol.LABEL_PRK_OUT, th4, h.length());
        trace("PRK_out", prkOut);
        session = new EdhocSession(EdhocSession.Role.INITIATOR, method, suite, config.connectionIdI, cR, peer, prkOut,
                p2.ead(), null, appAead.keyLength());
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
        session = Protocol.guarded("message_4", () -> message4(message4));
        step = Step.DONE;
        return session;
    }

    private EdhocSession message4(byte[] message4) throws EdhocException, GeneralSecurityException {
        if (EdhocError.isError(message4)) {
            throw received(message4);
        }
        byte[] ciphertext4 = Protocol.readByteString(message4, "message_4");
        CipherSuite suite = session.suite();
        CoseAead aead = Protocol.aead(aeads, suite.edhocAead());
        Protocol.Encrypt0 encrypt0 = Protocol.Encrypt0.of(4, suite.hash(), aead, prk4e3m, th4, config.common.trace);
        trace("CIPHERTEXT_4", ciphertext4);
        byte[] plaintext4 = encrypt0.open(ciphertext4, "message_4");
        List<EadItem> ead4;
        try {
            ead4 = EadItem.readAll(new CborReader(plaintext4));
        } catch (CborException e) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, "PLAINTEXT_4: " + e.getMessage());
        }
        Protocol.checkEad(ead4, config.common.criticalEad);
        List<EadItem> all = new ArrayList<>(session.receivedEad());
        all.addAll(ead4);
        return new EdhocSession(EdhocSession.Role.INITIATOR, session.method(), suite, session.connectionIdI(),
                session.connectionIdR(), session.peer(), session.prkOut(), all, null,
                Protocol.aead(aeads, suite.appAead()).keyLength());
    }

    /** @return the session, once message_2 was accepted */
    public synchronized Optional<EdhocSession> session() {
        return Optional.ofNullable(session);
    }

    private void trace(String name, byte[] value) {
        config.common.trace(name, value);
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
        private final List<EadItem> ead1;
        private final List<EadItem> ead3;
        private final RoleConfig common;

        private Config(Builder b) {
            method = Objects.requireNonNull(b.method, "method");
            suitesI = List.copyOf(b.suitesI);
            credential = Objects.requireNonNull(b.credential, "credential");
            connectionIdI = Objects.requireNonNull(b.connectionIdI, "connectionIdI");
            common = b.common.build();
            ead1 = List.copyOf(b.ead1);
            ead3 = List.copyOf(b.ead3);
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
            private List<EadItem> ead1 = List.of();
            private List<EadItem> ead3 = List.of();
            private final RoleConfig.Builder common = new RoleConfig.Builder();

            private Builder() {
            }

            /** For tests: receives each intermediate value by its RFC 9529 name (secrets included). */
            Builder trace(BiConsumer<String, byte[]> v) {
                common.trace(v);
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
                common.ephemeralKeys(v);
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
                common.criticalEad(v);
                return this;
            }

            /** @return the settings */
            public Config build() {
                return new Config(this);
            }
        }
    }
}
