package org.m2mgw.oscore.internal.edhoc;

import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * Fresh credentials of every key type for an initiator and a responder (CCS named by kid), their
 * resolvers, and a settable clock.
 */
final class EdhocFixture {
    final Map<KeyType, LocalCredential> initiatorCreds = new EnumMap<>(KeyType.class);
    final Map<KeyType, LocalCredential> responderCreds = new EnumMap<>(KeyType.class);
    /** What the responder knows: initiator kids to credentials. */
    final Map<IdCred, PeerCredential> knownInitiators = new HashMap<>();
    /** What the initiator knows: responder kids to credentials. */
    final Map<IdCred, PeerCredential> knownResponders = new HashMap<>();
    final MutableClock clock = new MutableClock();

    EdhocFixture() throws Exception {
        int kid = 0x10;
        for (KeyType t : KeyType.values()) {
            add(t, "device-" + t, new byte[] {(byte) kid++}, initiatorCreds, knownInitiators);
            add(t, "gateway-" + t, new byte[] {(byte) (0x40 + kid++)}, responderCreds, knownResponders);
        }
    }

    private static void add(KeyType t, String subject, byte[] kid, Map<KeyType, LocalCredential> own,
            Map<IdCred, PeerCredential> known) throws Exception {
        KeyPair kp = EdhocTestSupport.generate(t);
        byte[] ccs = ccs(subject, kid, kp);
        IdCred id = IdCred.kid(kid);
        own.put(t, LocalCredential.ccs(id, ccs, kp.getPrivate()));
        known.put(id, PeerCredential.ccs(ccs, subject));
    }

    /** @return a CCS {2: sub, 8: {1: COSE_Key}} for the key pair's public key */
    static byte[] ccs(String subject, byte[] kid, KeyPair kp) {
        CborWriter w = new CborWriter().map(2).integer(2).text(subject).integer(8).map(1).integer(1);
        KeyType t = EdhocKeys.typeOf(kp.getPublic());
        if (t == KeyType.P256) {
            ECPublicKey ec = (ECPublicKey) kp.getPublic();
            w.map(5).integer(1).integer(2).integer(2).bytes(kid).integer(-1).integer(1)
                    .integer(-2).bytes(EdhocKeys.fixed(ec.getW().getAffineX(), 32))
                    .integer(-3).bytes(EdhocKeys.fixed(ec.getW().getAffineY(), 32));
        } else {
            w.map(4).integer(1).integer(1).integer(2).bytes(kid).integer(-1).integer(t == KeyType.X25519 ? 4 : 6)
                    .integer(-2).bytes(EdhocKeys.encode(kp.getPublic()));
        }
        return w.toByteArray();
    }

    CredentialResolver responderResolver() {
        return id -> Optional.ofNullable(knownInitiators.get(id));
    }

    CredentialResolver initiatorResolver() {
        return id -> Optional.ofNullable(knownResponders.get(id));
    }

    EdhocResponder.Config.Builder responderConfig(List<CipherSuite> suites) {
        return EdhocResponder.Config.builder().suites(suites).credentials(new ArrayList<>(responderCreds.values()))
                .clock(clock);
    }

    EdhocResponder responder(List<CipherSuite> suites) {
        return new EdhocResponder(responderConfig(suites).build(), EdhocTestSupport.AEAD_LOOKUP,
                responderResolver());
    }

    EdhocInitiator.Config.Builder initiatorConfig(EdhocMethod m, CipherSuite... suitesI) {
        CipherSuite selected = suitesI[suitesI.length - 1];
        return EdhocInitiator.Config.builder().method(m).suites(List.of(suitesI))
                .credential(initiatorCreds.get(selected.authKeyType(m.initiatorSigns())))
                .connectionId(ConnectionId.ofInt(-24));
    }

    EdhocInitiator initiator(EdhocMethod m, CipherSuite... suitesI) {
        return new EdhocInitiator(initiatorConfig(m, suitesI).build(), EdhocTestSupport.AEAD_LOOKUP,
                initiatorResolver());
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2025-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
