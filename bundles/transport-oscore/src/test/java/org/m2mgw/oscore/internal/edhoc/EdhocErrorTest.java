package org.m2mgw.oscore.internal.edhoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.m2mgw.oscore.internal.edhoc.EdhocTestSupport.HEX;
import static org.m2mgw.oscore.internal.edhoc.EdhocTestSupport.hex;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.m2mgw.oscore.internal.edhoc.EdhocException.Reason;

/** Bad input: every failure is an EdhocException with a reason and, unless the peer sent one, an error to answer. */
class EdhocErrorTest {
    private final EdhocFixture fx;

    EdhocErrorTest() throws Exception {
        fx = new EdhocFixture();
    }

    /** @return the exception, after checking its reason and that it carries an error message to send */
    private static EdhocException refused(Reason reason, Executable call) {
        EdhocException e = catchThrowableOfType(EdhocException.class, () -> {
            try {
                call.execute();
            } catch (Throwable t) {
                throw t;
            }
        });
        assertThat(e).as("an EdhocException").isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.errorMessage()).isPresent();
        assertThat(EdhocError.isError(e.errorMessage().get())).isTrue();
        return e;
    }

    private EdhocResponder responder2() {
        return fx.responder(List.of(CipherSuite.SUITE_2));
    }

    @Test
    void givenEveryTruncationOfMessage1_whenProcessed_thenMalformed() throws Exception {
        byte[] m1 = fx.initiator(EdhocMethod.STATIC_STATIC, CipherSuite.SUITE_2).message1();
        EdhocResponder responder = responder2();
        for (int n = 0; n < m1.length; n++) {
            byte[] cut = Arrays.copyOf(m1, n);
            EdhocException e = refused(Reason.MALFORMED, () -> responder.processMessage1(cut));
            assertThat(EdhocError.parse(e.errorMessage().get()).code()).isEqualTo(EdhocError.UNSPECIFIED);
        }
        assertThat(responder.pendingCount()).isZero();
    }

    @Test
    void givenGarbage_whenProcessedAsAnyMessage_thenRefusedWithoutRuntimeExceptions() throws Exception {
        EdhocResponder responder = responder2();
        refused(Reason.MALFORMED, () -> responder.processMessage1(HEX.parseHex("ffffff")));
        refused(Reason.MALFORMED, () -> responder.processMessage1(HEX.parseHex("a0")));
        refused(Reason.MALFORMED, () -> responder.processMessage1(HEX.parseHex("03025820")));
        Random random = new Random(9528);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[random.nextInt(60)];
            random.nextBytes(junk);
            if (i % 2 == 0 && junk.length > 2) {
                junk[0] = 3; // a method, so that parsing goes further
                junk[1] = 2;
            }
            EdhocException e = catchThrowableOfType(EdhocException.class, () -> responder.processMessage1(junk));
            assertThat(e).as(hex(junk)).isNotNull();
            assertThat(e.reason()).isIn(Reason.MALFORMED, Reason.UNSUPPORTED_METHOD, Reason.UNSUPPORTED_SUITE,
                    Reason.CRITICAL_EAD);
            assertThat(e.errorMessage()).isPresent();
            EdhocInitiator initiator = fx.initiator(EdhocMethod.STATIC_STATIC, CipherSuite.SUITE_2);
            initiator.message1();
            EdhocException e2 = catchThrowableOfType(EdhocException.class, () -> initiator.processMessage2(junk));
            assertThat(e2).as(hex(junk)).isNotNull();
            assertThat(e2.reason()).isNotEqualTo(Reason.INTERNAL);
        }
    }

    @Test
    void givenNonDeterministicCbor_whenProcessed_thenMalformed() throws Exception {
        byte[] m1 = fx.initiator(EdhocMethod.STATIC_STATIC, CipherSuite.SUITE_2).message1();
        EdhocResponder responder = responder2();
        // METHOD 3 as 0x1803 (a longer head than needed)
        byte[] longHead = EdhocKeys.concat(HEX.parseHex("1803"), Arrays.copyOfRange(m1, 1, m1.length));
        refused(Reason.MALFORMED, () -> responder.processMessage1(longHead));
        // C_I -24 (0x37) as the byte string h'37': must be the integer (RFC 9528 3.3.2)
        assertThat(m1[m1.length - 1]).isEqualTo((byte) 0x37);
        byte[] cIAsBytes = EdhocKeys.concat(Arrays.copyOf(m1, m1.length - 1), HEX.parseHex("4137"));
        refused(Reason.MALFORMED, () -> responder.processMessage1(cIAsBytes));
        // an indefinite-length byte string for G_X
        byte[] indefinite = EdhocKeys.concat(HEX.parseHex("03025f5820"), Arrays.copyOfRange(m1, 4, 36),
                HEX.parseHex("ff37"));
        refused(Reason.MALFORMED, () -> responder.processMessage1(indefinite));
    }

    @Test
    void givenAPointOffTheCurveOrOfSmallOrder_whenProcessed_thenMalformed() throws Exception {
        EdhocResponder responder = fx.responder(List.of(CipherSuite.SUITE_2, CipherSuite.SUITE_0));
        // no point of P-256 has x = 1 (1 - 3 + b is not a square mod p)
        byte[] offCurve = HEX.parseHex("0302" + "5820" + "00".repeat(31) + "01" + "37");
        refused(Reason.MALFORMED, () -> responder.processMessage1(offCurve));
        // u = 0 is of small order on X25519: the shared secret would be zero
        byte[] smallOrder = HEX.parseHex("0300" + "5820" + "00".repeat(32) + "37");
        refused(Reason.MALFORMED, () -> responder.processMessage1(smallOrder));
    }

    @Test
    void givenAnUnknownInitiatorCredential_whenMessage3IsProcessed_thenUnknownCredential() throws Exception {
        EdhocResponder responder = new EdhocResponder(fx.responderConfig(List.of(CipherSuite.SUITE_2)).build(),
                EdhocTestSupport.AEAD_LOOKUP, id -> Optional.empty());
        EdhocInitiator initiator = fx.initiator(EdhocMethod.STATIC_STATIC, CipherSuite.SUITE_2);
        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1());
        byte[] m3 = initiator.processMessage2(m2.message()).message();
        refused(Reason.UNKNOWN_CREDENTIAL, () -> responder.processMessage3(m2.connectionIdR(), m3, false));
        // the handshake is over: a retry finds nothing
        refused(Reason.UNKNOWN_SESSION, () -> responder.processMessage3(m2.connectionIdR(), m3, false));
    }

    @Test
    void givenAnUnknownResponderCredential_whenMessage2IsProcessed_thenUnknownCredential() throws Exception {
        EdhocResponder responder = responder2();
        EdhocInitiator initiator = new EdhocInitiator(fx.initiatorConfig(EdhocMethod.STATIC_STATIC,
                CipherSuite.SUITE_2).build(), EdhocTestSupport.AEAD_LOOKUP, id -> Optional.empty());
        byte[] m2 = responder.processMessage1(initiator.message1()).message();
        refused(Reason.UNKNOWN_CREDENTIAL, () -> initiator.processMessage2(m2));
    }

    @Test
    void givenACredentialOfTheWrongCurve_whenMessage3IsProcessed_thenUnknownCredential() throws Exception {
        // the initiator's kid resolves to an Ed25519 key, but method 3 in suite 2 needs a P-256 DH key
        PeerCredential wrong = fx.knownInitiators.get(fx.initiatorCreds.get(KeyType.ED25519).idCred());
        EdhocResponder responder = new EdhocResponder(fx.responderConfig(List.of(CipherSuite.SUITE_2)).build(),
                EdhocTestSupport.AEAD_LOOKUP, id -> Optional.of(wrong));
        EdhocInitiator initiator = fx.initiator(EdhocMethod.STATIC_STATIC, CipherSuite.SUITE_2);
        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1());
        byte[] m3 = initiator.processMessage2(m2.message()).message();
        refused(Reason.UNKNOWN_CREDENTIAL, () -> responder.processMessage3(m2.connectionIdR(), m3, false));
    }

    @Test
    void givenATamperedCiphertext2_whenProcessed_thenAuthenticationFails() throws Exception {
        for (EdhocMethod m : EdhocMethod.values()) {
            EdhocResponder responder = responder2();
            EdhocInitiator initiator = fx.initiator(m, CipherSuite.SUITE_2);
            byte[] m2 = responder.processMessage1(initiator.message1()).message();
            m2[m2.length - 1] ^= 1; // inside Signature_or_MAC_2
            refused(Reason.MAC_FAILED, () -> initiator.processMessage2(m2));
        }
    }

    @Test
    void givenATamperedCiphertext3_whenProcessed_thenDecryptionFails() throws Exception {
        EdhocResponder responder = responder2();
        EdhocInitiator initiator = fx.initiator(EdhocMethod.SIGN_SIGN, CipherSuite.SUITE_2);
        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1());
        byte[] m3 = initiator.processMessage2(m2.message()).message();
        m3[5] ^= 0x40;
        refused(Reason.DECRYPT_FAILED, () -> responder.processMessage3(m2.connectionIdR(), m3, false));
    }

    @Test
    void givenAWrongMac3_whenProcessed_thenAuthenticationFails() throws Exception {
        // the responder believes the initiator's kid names another P-256 key: MAC_3 differs
        PeerCredential other = PeerCredential.ccs(EdhocFixture.ccs("impostor", new byte[] {0x10},
                EdhocTestSupport.generate(KeyType.P256)), "impostor");
        EdhocResponder responder = new EdhocResponder(fx.responderConfig(List.of(CipherSuite.SUITE_2)).build(),
                EdhocTestSupport.AEAD_LOOKUP, id -> Optional.of(other));
        EdhocInitiator initiator = fx.initiator(EdhocMethod.STATIC_STATIC, CipherSuite.SUITE_2);
        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1());
        byte[] m3 = initiator.processMessage2(m2.message()).message();
        refused(Reason.MAC_FAILED, () -> responder.processMessage3(m2.connectionIdR(), m3, false));
    }

    @Test
    void givenASelectedSuiteTheResponderLacks_whenProcessed_thenErrCode2WithSuitesR() throws Exception {
        EdhocResponder responder = fx.responder(List.of(CipherSuite.SUITE_2, CipherSuite.SUITE_3));
        EdhocInitiator initiator = fx.initiator(EdhocMethod.STATIC_STATIC, CipherSuite.SUITE_0);
        EdhocException e = refused(Reason.UNSUPPORTED_SUITE, () -> responder.processMessage1(initiator.message1()));
        assertThat(hex(e.errorMessage().get())).isEqualTo("02820203");

        // the initiator reads it, and picks its next SUITES_I
        EdhocException got = catchThrowableOfType(EdhocException.class,
                () -> initiator.processMessage2(e.errorMessage().get()));
        assertThat(got.reason()).isEqualTo(Reason.UNSUPPORTED_SUITE);
        assertThat(got.errorMessage()).isEmpty();
        assertThat(got.received().orElseThrow().suitesR()).containsExactly(2, 3);
        List<CipherSuite> next = EdhocInitiator.suitesAfterError(List.of(CipherSuite.SUITE_0, CipherSuite.SUITE_3,
                CipherSuite.SUITE_2), got.received().get().suitesR());
        assertThat(next).containsExactly(CipherSuite.SUITE_0, CipherSuite.SUITE_3);
        EdhocInitiator retry = fx.initiator(EdhocMethod.STATIC_STATIC, next.toArray(CipherSuite[]::new));
        EdhocResponder.Message2 m2 = responder.processMessage1(retry.message1());
        assertThat(m2.suite()).isEqualTo(CipherSuite.SUITE_3);
    }

    @Test
    void givenAnEarlierSuiteInSuitesIThatTheResponderSupports_whenProcessed_thenErrCode2() throws Exception {
        EdhocResponder responder = fx.responder(List.of(CipherSuite.SUITE_2));
        // the trace 2 story of RFC 9529: SUITES_I 6 first, the responder answers SUITES_R 2
        EdhocException e = refused(Reason.UNSUPPORTED_SUITE,
                () -> responder.processMessage1(fx.initiator(EdhocMethod.STATIC_STATIC, CipherSuite.SUITE_6)
                        .message1()));
        assertThat(hex(e.errorMessage().get())).isEqualTo("0202");
        // SUITES_I [2, 0]: 0 is selected though 2, listed earlier, is supported
        EdhocResponder both = fx.responder(List.of(CipherSuite.SUITE_0, CipherSuite.SUITE_2));
        EdhocException e2 = refused(Reason.UNSUPPORTED_SUITE, () -> both.processMessage1(
                fx.initiator(EdhocMethod.SIGN_SIGN, CipherSuite.SUITE_2, CipherSuite.SUITE_0).message1()));
        assertThat(EdhocError.parse(e2.errorMessage().get()).suitesR()).containsExactly(0, 2);
    }

    @Test
    void givenAnAeadServiceThatIsGone_whenItsSuiteIsSelected_thenItIsNotOffered() throws Exception {
        EdhocResponder responder = new EdhocResponder(fx.responderConfig(List.of(CipherSuite.SUITE_3,
                CipherSuite.SUITE_2)).build(), id -> id == 30 ? null : EdhocTestSupport.AEAD_LOOKUP.apply(id),
                fx.responderResolver());
        EdhocException e = refused(Reason.UNSUPPORTED_SUITE, () -> responder.processMessage1(
                fx.initiator(EdhocMethod.SIGN_SIGN, CipherSuite.SUITE_3).message1()));
        assertThat(EdhocError.parse(e.errorMessage().get()).suitesR()).containsExactly(2);
    }

    @Test
    void givenAMethodNotAccepted_whenProcessed_thenUnsupportedMethod() throws Exception {
        EdhocResponder responder = new EdhocResponder(fx.responderConfig(List.of(CipherSuite.SUITE_2))
                .methods(Set.of(EdhocMethod.SIGN_SIGN)).build(), EdhocTestSupport.AEAD_LOOKUP, fx.responderResolver());
        refused(Reason.UNSUPPORTED_METHOD, () -> responder.processMessage1(
                fx.initiator(EdhocMethod.STATIC_STATIC, CipherSuite.SUITE_2).message1()));
        refused(Reason.UNSUPPORTED_METHOD, () -> responder.processMessage1(HEX.parseHex("0402" + "5820"
                + "11".repeat(32) + "37")));
    }

    @Test
    void givenMessage3ForAnUnknownOrExpiredConnectionId_whenProcessed_thenRefused() throws Exception {
        EdhocResponder responder = new EdhocResponder(fx.responderConfig(List.of(CipherSuite.SUITE_2))
                .timeout(Duration.ofSeconds(30)).build(), EdhocTestSupport.AEAD_LOOKUP, fx.responderResolver());
        refused(Reason.UNKNOWN_SESSION, () -> responder.processMessage3(ConnectionId.ofInt(5), HEX.parseHex("4100"),
                false));

        EdhocInitiator initiator = fx.initiator(EdhocMethod.SIGN_SIGN, CipherSuite.SUITE_2);
        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1());
        byte[] m3 = initiator.processMessage2(m2.message()).message();
        fx.clock.advance(Duration.ofSeconds(30));
        refused(Reason.EXPIRED, () -> responder.processMessage3(m2.connectionIdR(), m3, false));
        assertThat(responder.expiredCount()).isEqualTo(1);
        assertThat(responder.pendingCount()).isZero();
    }

    @Test
    void givenMorePendingHandshakesThanTheBound_whenAnotherArrives_thenTheOldestIsDropped() throws Exception {
        EdhocResponder responder = new EdhocResponder(fx.responderConfig(List.of(CipherSuite.SUITE_2)).maxPending(2)
                .build(), EdhocTestSupport.AEAD_LOOKUP, fx.responderResolver());
        EdhocInitiator[] initiators = new EdhocInitiator[3];
        EdhocResponder.Message2[] m2 = new EdhocResponder.Message2[3];
        for (int i = 0; i < 3; i++) {
            initiators[i] = fx.initiator(EdhocMethod.SIGN_SIGN, CipherSuite.SUITE_2);
            m2[i] = responder.processMessage1(initiators[i].message1());
            fx.clock.advance(Duration.ofSeconds(1));
        }
        assertThat(responder.pendingCount()).isEqualTo(2);
        assertThat(responder.evictedCount()).isEqualTo(1);
        assertThat(Set.of(m2[0].connectionIdR(), m2[1].connectionIdR(), m2[2].connectionIdR())).hasSize(3);

        byte[] m3first = initiators[0].processMessage2(m2[0].message()).message();
        refused(Reason.UNKNOWN_SESSION, () -> responder.processMessage3(m2[0].connectionIdR(), m3first, false));
        byte[] m3last = initiators[2].processMessage2(m2[2].message()).message();
        assertThat(responder.processMessage3(m2[2].connectionIdR(), m3last, false).peerSubject())
                .isEqualTo("device-P256");
    }

    @Test
    void givenACriticalEadItem_whenProcessed_thenRefused() throws Exception {
        EdhocResponder responder = responder2();
        EdhocInitiator critical1 = new EdhocInitiator(fx.initiatorConfig(EdhocMethod.STATIC_STATIC,
                CipherSuite.SUITE_2).ead1(List.of(EadItem.of(-7, new byte[] {1}))).build(),
                EdhocTestSupport.AEAD_LOOKUP, fx.initiatorResolver());
        refused(Reason.CRITICAL_EAD, () -> responder.processMessage1(critical1.message1()));
        assertThat(responder.pendingCount()).isZero();

        EdhocInitiator critical3 = new EdhocInitiator(fx.initiatorConfig(EdhocMethod.STATIC_STATIC,
                CipherSuite.SUITE_2).ead3(List.of(EadItem.of(-1000, null))).build(), EdhocTestSupport.AEAD_LOOKUP,
                fx.initiatorResolver());
        EdhocResponder.Message2 m2 = responder.processMessage1(critical3.message1());
        byte[] m3 = critical3.processMessage2(m2.message()).message();
        refused(Reason.CRITICAL_EAD, () -> responder.processMessage3(m2.connectionIdR(), m3, false));

        // understood when configured so
        EdhocResponder understands = new EdhocResponder(fx.responderConfig(List.of(CipherSuite.SUITE_2))
                .criticalEadUnderstood(Set.of(-7)).build(), EdhocTestSupport.AEAD_LOOKUP, fx.responderResolver());
        EdhocInitiator again = new EdhocInitiator(fx.initiatorConfig(EdhocMethod.STATIC_STATIC,
                CipherSuite.SUITE_2).ead1(List.of(EadItem.of(-7, new byte[] {1}))).build(),
                EdhocTestSupport.AEAD_LOOKUP, fx.initiatorResolver());
        assertThat(understands.processMessage1(again.message1()).ead1()).containsExactly(EadItem.of(-7, new byte[] {1}));
    }

    @Test
    void givenAnAllocatorThatReturnsCI_whenProcessed_thenInternalError() throws Exception {
        EdhocResponder responder = new EdhocResponder(fx.responderConfig(List.of(CipherSuite.SUITE_2))
                .connectionIds(taken -> ConnectionId.ofInt(-24)).build(), EdhocTestSupport.AEAD_LOOKUP,
                fx.responderResolver());
        refused(Reason.INTERNAL, () -> responder.processMessage1(fx.initiator(EdhocMethod.SIGN_SIGN,
                CipherSuite.SUITE_2).message1()));
    }

    @Test
    void givenAnErrorMessageInsteadOfMessage2_whenTheInitiatorReadsIt_thenPeerError() throws Exception {
        EdhocInitiator initiator = fx.initiator(EdhocMethod.SIGN_SIGN, CipherSuite.SUITE_2);
        initiator.message1();
        byte[] error = EdhocError.unspecified("go away").encode();
        assertThat(hex(error)).isEqualTo("0167676f2061776179");
        EdhocException e = catchThrowableOfType(EdhocException.class, () -> initiator.processMessage2(error));
        assertThat(e.reason()).isEqualTo(Reason.PEER_ERROR);
        assertThat(e.errorMessage()).isEmpty();
        assertThat(e.received().orElseThrow().diagnostic()).contains("go away");
        assertThatThrownBy(() -> EdhocError.parse(HEX.parseHex("01"))).isInstanceOf(EdhocException.class);
        assertThatThrownBy(() -> EdhocError.parse(HEX.parseHex("0140"))).isInstanceOf(EdhocException.class);
        assertThat(EdhocError.parse(HEX.parseHex("03f5")).code()).isEqualTo(3);
    }

    @Test
    void givenATamperedMessage4_whenTheInitiatorReadsIt_thenDecryptFailed() throws Exception {
        EdhocResponder responder = responder2();
        EdhocInitiator initiator = fx.initiator(EdhocMethod.SIGN_STATIC, CipherSuite.SUITE_2);
        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1());
        byte[] m3 = initiator.processMessage2(m2.message()).message();
        byte[] m4 = responder.processMessage3(m2.connectionIdR(), m3, true).message4().orElseThrow();
        m4[1] ^= 1;
        refused(Reason.DECRYPT_FAILED, () -> initiator.processMessage4(m4));
    }
}
