package org.m2mgw.oscore.internal.edhoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.oscore.internal.edhoc.EdhocTestSupport.hex;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Initiator against responder with fresh keys, for every method and suite. */
class EdhocRoundTripTest {
    private static final EdhocFixture FIXTURE;

    static {
        try {
            FIXTURE = new EdhocFixture();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static Stream<Arguments> methodsAndSuites() {
        List<Arguments> all = new ArrayList<>();
        for (EdhocMethod m : EdhocMethod.values()) {
            for (int s = 0; s <= 6; s++) {
                all.add(Arguments.of(m, CipherSuite.registered(s).orElseThrow()));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "method {0}, {1}")
    @MethodSource("methodsAndSuites")
    void givenFreshKeys_whenInitiatorAndResponderRun_thenBothHoldTheSameKeys(EdhocMethod method, CipherSuite suite)
            throws Exception {
        EdhocResponder responder = FIXTURE.responder(List.of(CipherSuite.SUITE_2, CipherSuite.SUITE_0,
                CipherSuite.SUITE_1, CipherSuite.SUITE_3, CipherSuite.SUITE_4, CipherSuite.SUITE_5,
                CipherSuite.SUITE_6));
        EdhocInitiator initiator = FIXTURE.initiator(method, suite);

        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1());
        assertThat(m2.suite()).isEqualTo(suite);
        assertThat(m2.method()).isEqualTo(method);
        assertThat(m2.connectionIdR()).isNotEqualTo(m2.connectionIdI());
        assertThat(responder.pendingCount()).isEqualTo(1);
        EdhocInitiator.Message3 m3 = initiator.processMessage2(m2.message());
        EdhocSession r = responder.processMessage3(m2.connectionIdR(), m3.message(), true);
        EdhocSession i = initiator.processMessage4(r.message4().orElseThrow());

        assertThat(responder.pendingCount()).isZero();
        assertThat(hex(r.prkOut())).isEqualTo(hex(i.prkOut()));
        assertThat(r.peerSubject()).isEqualTo("device-" + suite.authKeyType(method.initiatorSigns()));
        assertThat(i.peerSubject()).isEqualTo("gateway-" + suite.authKeyType(method.responderSigns()));
        assertThat(r.connectionIdI()).isEqualTo(ConnectionId.ofInt(-24));
        assertThat(r.connectionIdR()).isEqualTo(i.connectionIdR());
        OscoreParameters ro = r.oscore();
        OscoreParameters io = i.oscore();
        assertThat(hex(ro.masterSecret())).isEqualTo(hex(io.masterSecret()));
        assertThat(ro.masterSecret()).hasSize(suite.appAead() == 24 ? 32 : 16);
        assertThat(ro.masterSalt()).hasSize(8).isEqualTo(io.masterSalt());
        assertThat(ro.senderId()).isEqualTo(io.recipientId()).isEqualTo(r.connectionIdI().bytes());
        assertThat(ro.recipientId()).isEqualTo(io.senderId()).isEqualTo(r.connectionIdR().bytes());
        assertThat(ro.aeadAlgorithm()).isEqualTo(suite.appAead());
        assertThat(hex(r.exporter(40000, new byte[] {1}, 20))).isEqualTo(hex(i.exporter(40000, new byte[] {1}, 20)));
        byte[] ctx = {9, 8, 7};
        assertThat(hex(r.keyUpdate(ctx).oscore().masterSecret())).isEqualTo(hex(i.keyUpdate(ctx).oscore()
                .masterSecret())).isNotEqualTo(hex(ro.masterSecret()));
    }

    @Test
    void givenNonCriticalEadInEveryMessage_whenRun_thenTheyAreIgnoredAndReported() throws Exception {
        EdhocResponder responder = FIXTURE.responder(List.of(CipherSuite.SUITE_0));
        EdhocInitiator initiator = new EdhocInitiator(FIXTURE.initiatorConfig(EdhocMethod.SIGN_STATIC,
                CipherSuite.SUITE_0).ead1(List.of(EadItem.of(0, new byte[3]), EadItem.of(1000, null)))
                .ead3(List.of(EadItem.of(7, new byte[] {1, 2}))).build(), EdhocTestSupport.AEAD_LOOKUP,
                FIXTURE.initiatorResolver());

        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1(),
                List.of(EadItem.of(5, new byte[] {5})));
        assertThat(m2.ead1()).containsExactly(EadItem.of(0, new byte[3]), EadItem.of(1000, null));
        EdhocInitiator.Message3 m3 = initiator.processMessage2(m2.message());
        assertThat(m3.session().receivedEad()).containsExactly(EadItem.of(5, new byte[] {5}));
        EdhocSession r = responder.processMessage3(m2.connectionIdR(), m3.message(), false);

        assertThat(r.message4()).isEmpty();
        assertThat(r.receivedEad()).containsExactly(EadItem.of(0, new byte[3]), EadItem.of(1000, null),
                EadItem.of(7, new byte[] {1, 2}));
        assertThat(r.prkOut()).isEqualTo(m3.session().prkOut());
    }

    @Test
    void givenCertificatesNamedByX5t_whenRun_thenTheyAuthenticate() throws Exception {
        // the certificates of RFC 9529 trace 1 with their keys, but fresh ephemeral keys
        var v = EdhocTestSupport.vectors("/edhoc/rfc9529-trace1-method0-suite0.txt");
        LocalCredential credR = LocalCredential.x509(IdCred.x5t(IdCred.SHA_256, v.get("CRED_R")), v.get("CRED_R"),
                EdhocKeys.privateKey(KeyType.ED25519, v.get("SK_R")));
        LocalCredential credI = LocalCredential.x509(IdCred.x5t(IdCred.SHA_256_64, v.get("CRED_I")), v.get("CRED_I"),
                EdhocKeys.privateKey(KeyType.ED25519, v.get("SK_I")));
        PeerCredential peerI = PeerCredential.x509(v.get("CRED_I"), "device-i");
        PeerCredential peerR = PeerCredential.x509(v.get("CRED_R"), "gateway");
        EdhocResponder responder = new EdhocResponder(EdhocResponder.Config.builder()
                .suites(List.of(CipherSuite.SUITE_0)).credentials(List.of(credR)).build(),
                EdhocTestSupport.AEAD_LOOKUP, id -> id.x5tMatches(v.get("CRED_I")) ? java.util.Optional.of(peerI)
                        : java.util.Optional.empty());
        EdhocInitiator initiator = new EdhocInitiator(EdhocInitiator.Config.builder().method(EdhocMethod.SIGN_SIGN)
                .suites(List.of(CipherSuite.SUITE_0)).credential(credI).connectionId(ConnectionId.of(new byte[] {1,
                    2})).build(), EdhocTestSupport.AEAD_LOOKUP, id -> id.x5tMatches(v.get("CRED_R"))
                            ? java.util.Optional.of(peerR) : java.util.Optional.empty());

        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1());
        EdhocInitiator.Message3 m3 = initiator.processMessage2(m2.message());
        EdhocSession r = responder.processMessage3(m2.connectionIdR(), m3.message(), false);

        assertThat(r.peerSubject()).isEqualTo("device-i");
        assertThat(r.oscore().senderId()).containsExactly(1, 2);
        assertThat(r.prkOut()).isEqualTo(m3.session().prkOut());
    }

    @Test
    void givenManyConcurrentHandshakes_whenRunOnOneResponder_thenAllComplete()
            throws Exception {
        EdhocResponder responder = FIXTURE.responder(List.of(CipherSuite.SUITE_0, CipherSuite.SUITE_2));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<EdhocSession>> done = new ArrayList<>();
            for (int n = 0; n < 40; n++) {
                CipherSuite suite = n % 2 == 0 ? CipherSuite.SUITE_0 : CipherSuite.SUITE_2;
                done.add(pool.submit(() -> {
                    EdhocInitiator initiator = FIXTURE.initiator(EdhocMethod.STATIC_STATIC, suite);
                    EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1());
                    EdhocInitiator.Message3 m3 = initiator.processMessage2(m2.message());
                    EdhocSession r = responder.processMessage3(m2.connectionIdR(), m3.message(), false);
                    assertThat(r.prkOut()).isEqualTo(m3.session().prkOut());
                    return r;
                }));
            }
            for (java.util.concurrent.Future<EdhocSession> f : done) {
                assertThat(f.get().peerSubject()).startsWith("device-");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(responder.pendingCount()).isZero();
    }
}
