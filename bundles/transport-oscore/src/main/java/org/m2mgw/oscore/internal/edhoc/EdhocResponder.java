package org.m2mgw.oscore.internal.edhoc;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborReader;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * The EDHOC responder (RFC 9528 sections 5.2 to 5.5): takes message_1 and answers message_2, keeping
 * the handshake pending under its C_R; then takes message_3 for that C_R and returns the completed
 * {@link EdhocSession}, with message_4 if asked. Pending handshakes are bounded (the oldest is dropped
 * beyond {@link Config#maxPending()}) and expire after {@link Config#timeout()}.
 *
 * <p>Thread-safe. Every failure is an {@link EdhocException} with the error message to answer.
 */
public final class EdhocResponder {

    /** What message_1 produced: message_2 to send and what the handshake is about so far. */
    public record Message2(byte[] message, ConnectionId connectionIdI, ConnectionId connectionIdR,
            CipherSuite suite, EdhocMethod method, List<EadItem> ead1) {

        /** @return a copy of message_2 */
        @Override
        public byte[] message() {
            return message.clone();
        }
    }

    private final Config config;
    private final IntFunction<CoseAead> aeads;
    private final CredentialResolver resolver;
    private final Map<ConnectionId, Pending> pending = new LinkedHashMap<>();
    private long evicted;
    private long expired;

    /**
     * @param config the suites, methods and own credentials
     * @param aeads the AEAD services by COSE algorithm identifier (null if absent)
     * @param resolver finds the initiators' credentials
     */
    public EdhocResponder(Config config, IntFunction<CoseAead> aeads, CredentialResolver resolver) {
        this.config = Objects.requireNonNull(config, "config");
        this.aeads = Objects.requireNonNull(aeads, "aeads");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** Processes message_1 without sending EAD_2. */
    public Message2 processMessage1(byte[] message1) throws EdhocException {
        return processMessage1(message1, List.of());
    }

    /**
     * Processes message_1 (section 5.2.3) and makes message_2 (section 5.3.2).
     *
     * @param message1 message_1, without the CoAP prefix
     * @param ead2 EAD items to send in message_2
     * @return message_2, to send; the handshake waits for message_3 under its C_R
     * @throws EdhocException if message_1 is refused; ERR_CODE 2 with SUITES_R if the selected suite
     *     is not supported or an earlier one in SUITES_I is
     */
    public Message2 processMessage1(byte[] message1, List<EadItem> ead2) throws EdhocException {
        return Protocol.guarded("message_1", () -> message1(message1, List.copyOf(ead2)));
    }

    private Message2 message1(byte[] message1, List<EadItem> ead2) throws EdhocException, GeneralSecurityException {
        int methodValue;
        List<Integer> suitesI;
        byte[] gX;
        ConnectionId cI;
        List<EadItem> ead1;
        try {
            CborReader r = new CborReader(message1);
            methodValue = r.readSmallInt();
            suitesI = EdhocError.readSuites(r);
            gX = r.readBytes();
            cI = ConnectionId.read(r);
            ead1 = EadItem.readAll(r);
        } catch (CborException e) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, "message_1: " + e.getMessage());
        }
        EdhocMethod method = EdhocMethod.of(methodValue).filter(config.methods::contains).orElseThrow(
                () -> new EdhocException(EdhocException.Reason.UNSUPPORTED_METHOD, "method " + methodValue
                        + " is not supported"));
        List<CipherSuite> supported = supportedSuites(method);
        if (supported.isEmpty()) {
            throw new EdhocException(EdhocException.Reason.UNSUPPORTED_METHOD, "method " + methodValue
                    + " is not supported");
        }
        int selected = suitesI.get(suitesI.size() - 1);
        CipherSuite suite = supported.stream().filter(s -> s.id() == selected).findFirst().orElse(null);
        boolean earlierSupported = suitesI.subList(0, suitesI.size() - 1).stream()
                .anyMatch(id -> supported.stream().anyMatch(s -> s.id() == id));
        if (suite == null || earlierSupported) {
            List<Integer> suitesR = supported.stream().map(CipherSuite::id).toList();
            throw new EdhocException(EdhocException.Reason.UNSUPPORTED_SUITE, "selected suite " + selected
                    + " refused; SUITES_R " + suitesR, EdhocError.wrongSelectedCipherSuite(suitesR), null, null);
        }
        CoseAead appAead = Protocol.aead(aeads, suite.appAead());
        if (cI.length() > Protocol.maxOscoreIdLength(appAead)) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, "C_I is too long for an OSCORE ID");
        }
        PublicKey peerEphemeral = Protocol.decodeEphemeral(suite.dhCurve(), gX);
        Protocol.checkEad(ead1, config.common.criticalEad);
        LocalCredential own = credentialFor(suite, method);
        HashAlgorithm h = suite.hash();

        KeyPair y = config.common.ephemeralKeys.generate(suite.dhCurve());
        byte[] gY = EdhocKeys.encode(y.getPublic());
        byte[] gXY = Protocol.dhWithPeer(suite.dhCurve(), y.getPrivate(), peerEphemeral);
        trace("G_XY", gXY);
        trace("H_message_1", Kdf.hash(h, message1));
        byte[] th2 = Protocol.th2(h, gY, message1);
        trace("TH_2", th2);
        byte[] prk2e = Kdf.extract(h, th2, gXY);
        trace("PRK_2e", prk2e);
        byte[] prk3e2m = Protocol.nextPrk(Protocol.Auth.MESSAGE_2, suite, method, prk2e, th2, own.privateKey(),
                peerEphemeral, config.common.trace);

        Pending p = new Pending(now());
        ConnectionId cR = reserve(cI, p);
        try {
            byte[] plaintext2 = Protocol.authenticate(Protocol.Auth.MESSAGE_2, suite, method, prk3e2m, cR.encode(), own,
                    th2, EadItem.encode(ead2), config.common.trace);
            byte[] keystream2 = Kdf.kdf(h, prk2e, Protocol.LABEL_KEYSTREAM_2, th2, plaintext2.length);
            trace("KEYSTREAM_2", keystream2);
            byte[] ciphertext2 = Protocol.xor(plaintext2, keystream2);
            trace("CIPHERTEXT_2", ciphertext2);
            byte[] message2 = CborWriter.encodeBytes(EdhocKeys.concat(gY, ciphertext2));
            trace("message_2", message2);
            byte[] th3 = Protocol.nextTh(h, th2, plaintext2, own.credRef());
            trace("TH_3", th3);
            p.complete(new State(suite, method, cI, cR, y.getPrivate(), th3, prk3e2m, ead1));
            return new Message2(message2, cI, cR, suite, method, ead1);
        } catch (GeneralSecurityException | RuntimeException e) {
            synchronized (pending) {
                pending.remove(cR, p);
            }
            throw e;
        }
    }

    /**
     * Processes message_3 (section 5.4.3) for a pending handshake, which ends it either way.
     *
     * @param connectionIdR C_R, as the CoAP request carried it (see {@link EdhocCoap})
     * @param message3 message_3, without the CoAP prefix
     * @param withMessage4 whether to make message_4 (section 5.5), for initiators that expect it
     * @return the completed session
     * @throws EdhocException if C_R is unknown or expired, or message_3 is refused
     */
    public EdhocSession processMessage3(ConnectionId connectionIdR, byte[] message3, boolean withMessage4)
            throws EdhocException {
        State s = take(connectionIdR);
        return Protocol.guarded("message_3", () -> message3(s, message3, withMessage4));
    }

    private EdhocSession message3(State s, byte[] message3, boolean withMessage4)
            throws EdhocException, GeneralSecurityException {
        byte[] ciphertext3 = Protocol.readByteString(message3, "message_3");
        CipherSuite suite = s.suite;
        HashAlgorithm h = suite.hash();
        CoseAead aead = Protocol.aead(aeads, suite.edhocAead());
        CoseAead appAead = Protocol.aead(aeads, suite.appAead());
        byte[] plaintext3 = Protocol.Encrypt0.of(3, h, aead, s.prk3e2m, s.th3, config.common.trace)
                .open(ciphertext3, "message_3");
        trace("PLAINTEXT_3", plaintext3);
        Protocol.Plaintext p3 = Protocol.readPlaintext(plaintext3, false, "PLAINTEXT_3");
        Protocol.checkEad(p3.ead(), config.common.criticalEad);
        PeerCredential peer = Protocol.resolve(resolver, p3.idCred(), suite.authKeyType(s.method.initiatorSigns()));
        byte[] prk4e3m = Protocol.nextPrk(Protocol.Auth.MESSAGE_3, suite, s.method, s.prk3e2m, s.th3, s.ephemeral,
                peer.key(), config.common.trace);
        Protocol.verify(Protocol.Auth.MESSAGE_3, suite, s.method, prk4e3m, null, p3.idCred(), peer, s.th3,
                EadItem.encode(p3.ead()), p3.signatureOrMac(), config.common.trace);
        byte[] th4 = Protocol.nextTh(h, s.th3, plaintext3, peer.credRef());
        trace("TH_4", th4);
        byte[] prkOut = Kdf.kdf(h, prk4e3m, Protocol.LABEL_PRK_OUT, th4, h.length());
        trace("PRK_out", prkOut);
        byte[] message4 = null;
        if (withMessage4) {
            byte[] ciphertext4 = Protocol.Encrypt0.of(4, h, aead, prk4e3m, th4, config.common.trace).seal(new byte[0]);
            message4 = CborWriter.encodeBytes(ciphertext4);
            trace("message_4", message4);
        }
        List<EadItem> received = new ArrayList<>(s.ead1);
        received.addAll(p3.ead());
        return new EdhocSession(EdhocSession.Role.RESPONDER, s.method, suite, s.connectionIdI, s.connectionIdR, peer,
                prkOut, received, message4, appAead.keyLength());
    }

    /**
     * Drops a pending handshake, after the initiator sent an error message instead of message_3.
     *
     * @return whether one was pending
     */
    public boolean abort(ConnectionId connectionIdR) {
        synchronized (pending) {
            return pending.remove(connectionIdR) != null;
        }
    }

    /** @return the number of handshakes waiting for message_3 (expired ones not yet swept included) */
    public int pendingCount() {
        synchronized (pending) {
            sweep(now());
            return pending.size();
        }
    }

    /** @return how many pending handshakes were dropped for the bound so far */
    public long evictedCount() {
        synchronized (pending) {
            return evicted;
        }
    }

    /** @return how many pending handshakes expired so far */
    public long expiredCount() {
        synchronized (pending) {
            return expired;
        }
    }

    /**
     * @return the configured suites, in order of preference, that have their AEADs available and an
     *     own credential for the method
     */
    public List<CipherSuite> supportedSuites(EdhocMethod method) {
        List<CipherSuite> out = new ArrayList<>();
        for (CipherSuite s : config.suites) {
            if (available(s.edhocAead()) && available(s.appAead()) && hasCredential(s, method)) {
                out.add(s);
            }
        }
        return out;
    }

    private boolean available(int alg) {
        try {
            CoseAead a = aeads.apply(alg);
            return a != null && a.algorithm() == alg;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean hasCredential(CipherSuite s, EdhocMethod m) {
        KeyType wanted = s.authKeyType(m.responderSigns());
        return config.credentials.stream().anyMatch(c -> c.keyType() == wanted);
    }

    private LocalCredential credentialFor(CipherSuite s, EdhocMethod m) throws EdhocException {
        KeyType wanted = s.authKeyType(m.responderSigns());
        return config.credentials.stream().filter(c -> c.keyType() == wanted).findFirst().orElseThrow(
                () -> new EdhocException(EdhocException.Reason.UNSUPPORTED_METHOD, "no credential for the method"));
    }

    private ConnectionId reserve(ConnectionId cI, Pending p) throws EdhocException {
        synchronized (pending) {
            Instant now = p.created;
            sweep(now);
            ConnectionId cR;
            try {
                cR = config.connectionIds.allocate(id -> id.equals(cI) || pending.containsKey(id));
            } catch (RuntimeException e) {
                throw EdhocException.internal("C_R allocation", e);
            }
            if (cR == null || cR.equals(cI) || pending.containsKey(cR)) {
                throw new EdhocException(EdhocException.Reason.INTERNAL, "C_R " + cR + " is not free",
                        EdhocError.unspecified("internal error"), null, null);
            }
            while (pending.size() >= config.maxPending) {
                Iterator<Pending> oldest = pending.values().iterator();
                oldest.next();
                oldest.remove();
                evicted++;
            }
            pending.put(cR, p);
            return cR;
        }
    }

    private State take(ConnectionId cR) throws EdhocException {
        Instant now = now();
        Pending p;
        synchronized (pending) {
            p = pending.remove(cR);
            if (p != null && expired(p, now)) {
                expired++;
                sweep(now);
                throw new EdhocException(EdhocException.Reason.EXPIRED, "the handshake of C_R " + cR + " timed out");
            }
            sweep(now);
        }
        State s = p == null ? null : p.state;
        if (s == null) {
            throw new EdhocException(EdhocException.Reason.UNKNOWN_SESSION, "no handshake pending for C_R " + cR);
        }
        return s;
    }

    /** Drops expired handshakes from the oldest on (they are in order of creation). */
    private void sweep(Instant now) {
        Iterator<Pending> it = pending.values().iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            if (!expired(p, now)) {
                break;
            }
            it.remove();
            expired++;
        }
    }

    private boolean expired(Pending p, Instant now) {
        return !now.isBefore(p.created.plus(config.timeout));
    }

    private void trace(String name, byte[] value) {
        config.common.trace(name, value);
    }

    private Instant now() {
        return config.clock.instant();
    }

    private static final class Pending {
        final Instant created;
        volatile State state;

        Pending(Instant created) {
            this.created = created;
        }

        void complete(State s) {
            state = s;
        }
    }

    private record State(CipherSuite suite, EdhocMethod method, ConnectionId connectionIdI, ConnectionId connectionIdR,
            PrivateKey ephemeral, byte[] th3, byte[] prk3e2m, List<EadItem> ead1) {
    }

    /** The responder's settings. Immutable; made with {@link #builder()}. */
    public static final class Config {
        private final List<CipherSuite> suites;
        private final Set<EdhocMethod> methods;
        private final List<LocalCredential> credentials;
        private final ConnectionIdAllocator connectionIds;
        private final int maxPending;
        private final Duration timeout;
        private final Clock clock;
        private final RoleConfig common;

        private Config(Builder b) {
            this.suites = List.copyOf(b.suites);
            this.methods = Set.copyOf(b.methods);
            this.credentials = List.copyOf(b.credentials);
            this.connectionIds = b.connectionIds != null ? b.connectionIds
                    : ConnectionIdAllocator.random(new SecureRandom(), id -> false);
            this.common = b.common.build();
            this.maxPending = b.maxPending;
            this.timeout = b.timeout;
            this.clock = b.clock;
        }

        /** @return a builder with all methods, 1000 pending handshakes, 60 s timeout, the system clock */
        public static Builder builder() {
            return new Builder();
        }

        /** @return the suites, most preferred first */
        public List<CipherSuite> suites() {
            return suites;
        }

        /** @return the most handshakes waiting for message_3 */
        public int maxPending() {
            return maxPending;
        }

        /** @return how long a handshake waits for message_3 */
        public Duration timeout() {
            return timeout;
        }

        /** Builds a {@link Config}. */
        public static final class Builder {
            private List<CipherSuite> suites = List.of();
            private Set<EdhocMethod> methods = EnumSet.allOf(EdhocMethod.class);
            private List<LocalCredential> credentials = List.of();
            private ConnectionIdAllocator connectionIds;
            private int maxPending = 1000;
            private Duration timeout = Duration.ofSeconds(60);
            private Clock clock = Clock.systemUTC();
            private final RoleConfig.Builder common = new RoleConfig.Builder();

            private Builder() {
            }

            /** For tests: receives each intermediate value by its RFC 9529 name (secrets included). */
            Builder trace(BiConsumer<String, byte[]> v) {
                common.trace(v);
                return this;
            }

            /** @param v the cipher suites accepted, most preferred first (RFC 9528 section 3.6) */
            public Builder suites(List<CipherSuite> v) {
                suites = List.copyOf(v);
                return this;
            }

            /** @param v the methods accepted */
            public Builder methods(Set<EdhocMethod> v) {
                methods = Set.copyOf(v);
                return this;
            }

            /** @param v own credentials; for each suite and method the first whose key fits is used */
            public Builder credentials(List<LocalCredential> v) {
                credentials = List.copyOf(v);
                return this;
            }

            /** @param v chooses C_R; default random */
            public Builder connectionIds(ConnectionIdAllocator v) {
                connectionIds = Objects.requireNonNull(v);
                return this;
            }

            /** @param v the ephemeral key pairs; default random */
            public Builder ephemeralKeys(EphemeralKeySource v) {
                common.ephemeralKeys(Objects.requireNonNull(v));
                return this;
            }

            /** @param v the most handshakes waiting for message_3; the oldest is dropped beyond it */
            public Builder maxPending(int v) {
                if (v < 1) {
                    throw new IllegalArgumentException("maxPending must be positive");
                }
                maxPending = v;
                return this;
            }

            /** @param v how long a handshake waits for message_3 */
            public Builder timeout(Duration v) {
                if (v.isNegative() || v.isZero()) {
                    throw new IllegalArgumentException("timeout must be positive");
                }
                timeout = v;
                return this;
            }

            /** @param v the clock for timeouts */
            public Builder clock(Clock v) {
                clock = Objects.requireNonNull(v);
                return this;
            }

            /** @param v labels of critical EAD items the caller understands (it gets them in the session) */
            public Builder criticalEadUnderstood(Set<Integer> v) {
                common.criticalEad(v);
                return this;
            }

            /** @return the settings */
            public Config build() {
                if (suites.isEmpty() || credentials.isEmpty() || methods.isEmpty()) {
                    throw new IllegalArgumentException("a responder needs suites, methods and a credential");
                }
                return new Config(this);
            }
        }
    }
}
