package org.m2mgw.oscore.internal.cleanroom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.m2mgw.oscore.internal.cleanroom.RfcEdhocInitiator.hex;
import static org.m2mgw.oscore.internal.cleanroom.RfcEdhocInitiator.unhex;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.crypto.bc.internal.BcCoseAead;
import org.m2mgw.oscore.internal.edhoc.CipherSuite;
import org.m2mgw.oscore.internal.edhoc.ConnectionId;
import org.m2mgw.oscore.internal.edhoc.EdhocException;
import org.m2mgw.oscore.internal.edhoc.EdhocMethod;
import org.m2mgw.oscore.internal.edhoc.EdhocResponder;
import org.m2mgw.oscore.internal.edhoc.EdhocSession;
import org.m2mgw.oscore.internal.edhoc.IdCred;
import org.m2mgw.oscore.internal.edhoc.LocalCredential;
import org.m2mgw.oscore.internal.edhoc.OscoreParameters;
import org.m2mgw.oscore.internal.edhoc.PeerCredential;

/**
 * An independent check of the gateway's EDHOC responder: a clean-room initiator
 * ({@link RfcEdhocInitiator}, written from RFC 9528 and the RFC 9529 trace only) runs trace 2
 * (method 3, suite 2) against {@link EdhocResponder} with the trace's inputs fixed, and every
 * message must match the trace byte for byte.
 */
class CleanRoomEdhocTest {

    static Map<String, byte[]> trace;

    /** RFC 9529 section 3.1, message_1 (first time): suite 6 only, refused with SUITES_R = 2. */
    static final byte[] X_FIRST = unhex("5c4172aca8b82b5a62e66f722216f5a10f72aa69f42c1d1cd3ccd7bfd29ca4e9");
    static final byte[] G_X_FIRST = unhex("741a13d7ba048fbb615e94386aa3b61bea5b3d8f65f32620b749bee8d278efa9");
    static final byte[] MESSAGE_1_FIRST = unhex(
            "030658" + "20741a13d7ba048fbb615e94386aa3b61bea5b3d8f65f32620b749bee8d278efa90e");
    static final byte[] ERROR_FIRST = unhex("0202");

    @BeforeAll
    static void loadTrace() throws Exception {
        trace = new LinkedHashMap<>();
        try (InputStream in = CleanRoomEdhocTest.class.getResourceAsStream("/edhoc/rfc9529-trace2-method3-suite2.txt");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null;) {
                line = line.trim();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int eq = line.indexOf('=');
                trace.put(line.substring(0, eq).trim(), unhex(line.substring(eq + 1).trim()));
            }
        }
    }

    static byte[] t(String name) {
        byte[] v = trace.get(name);
        assertThat(v).as("trace value " + name).isNotNull();
        return v.clone();
    }

    // ------------------------------------------------------------------ the two sides

    static IntFunction<CoseAead> aeads() {
        Map<Integer, CoseAead> m = new HashMap<>();
        for (BcCoseAead a : BcCoseAead.all()) {
            m.put(a.algorithm(), a);
        }
        return m::get;
    }

    /** Our responder, configured with trace 2's responder inputs (SK_R, CRED_R, kid 0x32, Y, C_R). */
    static EdhocResponder traceResponder() throws Exception {
        PrivateKey skR = RfcEdhocInitiator.P256.privateKey(t("SK_R"));
        KeyPair y = new KeyPair(RfcEdhocInitiator.P256.publicKey(t("G_Y"), t("G_Y_y")),
                RfcEdhocInitiator.P256.privateKey(t("Y")));
        LocalCredential credR = LocalCredential.ccs(IdCred.kid(new byte[] {0x32}), t("CRED_R"), skR);
        byte[] credI = t("CRED_I");
        EdhocResponder.Config config = EdhocResponder.Config.builder()
                .suites(List.of(CipherSuite.SUITE_2))
                .methods(Set.of(EdhocMethod.STATIC_STATIC))
                .credentials(List.of(credR))
                .connectionIds(taken -> ConnectionId.of(t("C_R")))
                .ephemeralKeys(curve -> y)
                .build();
        return new EdhocResponder(config, aeads(), idCred -> idCred.kid()
                .filter(k -> Arrays.equals(k, new byte[] {0x2b}))
                .map(k -> PeerCredential.ccs(credI, "trace-2-initiator")));
    }

    /** The clean-room initiator with trace 2's initiator inputs (X, C_I, SK_I, CRED_I, kid 0x2b). */
    static RfcEdhocInitiator traceInitiator() throws Exception {
        byte[] credR = t("CRED_R");
        return new RfcEdhocInitiator(RfcEdhocInitiator.P256.privateKey(t("X")), t("G_X"), t("C_I"),
                RfcEdhocInitiator.P256.privateKey(t("SK_I")), new byte[] {0x2b}, t("CRED_I"),
                kid -> Arrays.equals(kid, new byte[] {0x32}) ? credR : null);
    }

    // ------------------------------------------------------------------ the trace, byte for byte

    @Test
    void givenTrace2Inputs_whenCleanRoomInitiatorRunsAgainstResponder_thenEveryMessageMatchesTheTrace()
            throws Exception {
        // given
        EdhocResponder responder = traceResponder();
        RfcEdhocInitiator initiator = traceInitiator();

        // when: message_1
        byte[] m1 = initiator.message1(6, 2);
        // then
        assertThat(hex(m1)).as("message_1").isEqualTo(hex(t("message_1")));

        // when: message_2 from our responder
        EdhocResponder.Message2 m2 = responder.processMessage1(m1);
        // then
        assertThat(hex(m2.message())).as("message_2").isEqualTo(hex(t("message_2")));
        assertThat(m2.connectionIdI().bytes()).as("C_I seen by the responder").isEqualTo(t("C_I"));
        assertThat(m2.connectionIdR().bytes()).as("C_R").isEqualTo(t("C_R"));

        // when: the clean-room initiator verifies message_2 and builds message_3
        initiator.processMessage2(m2.message());
        byte[] m3 = initiator.message3();
        // then: every intermediate value of the initiator is the trace's
        Map<String, byte[]> mine = new LinkedHashMap<>();
        mine.put("G_Y", initiator.gY);
        mine.put("C_R", initiator.cR);
        mine.put("TH_2", initiator.th2);
        mine.put("G_XY", initiator.gXY);
        mine.put("PRK_2e", initiator.prk2e);
        mine.put("G_RX", initiator.gRX);
        mine.put("PRK_3e2m", initiator.prk3e2m);
        mine.put("ID_CRED_R", initiator.idCredR);
        mine.put("MAC_2", initiator.mac2);
        mine.put("TH_3", initiator.th3);
        mine.put("G_IY", initiator.gIY);
        mine.put("PRK_4e3m", initiator.prk4e3m);
        mine.put("MAC_3", initiator.mac3);
        mine.put("message_3", m3);
        mine.put("TH_4", initiator.th4);
        mine.put("PRK_out", initiator.prkOut);
        mine.put("PRK_exporter", initiator.prkExporter);
        mine.put("OSCORE_master_secret", initiator.oscoreMasterSecret());
        mine.put("OSCORE_master_salt", initiator.oscoreMasterSalt());
        mine.put("OSCORE_client_sender_id", initiator.oscoreSenderId());
        mine.put("OSCORE_server_sender_id", initiator.oscoreRecipientId());
        for (Map.Entry<String, byte[]> e : mine.entrySet()) {
            assertThat(hex(e.getValue())).as(e.getKey()).isEqualTo(hex(t(e.getKey())));
        }

        // when: our responder processes message_3
        EdhocSession session = responder.processMessage3(m2.connectionIdR(), m3, false);
        // then
        assertThat(hex(session.prkOut())).as("responder PRK_out").isEqualTo(hex(t("PRK_out")));
        assertThat(hex(session.prkExporter())).as("responder PRK_exporter").isEqualTo(hex(t("PRK_exporter")));
        OscoreParameters oscore = session.oscore();
        assertThat(hex(oscore.masterSecret())).as("responder OSCORE master secret")
                .isEqualTo(hex(t("OSCORE_master_secret"))).isEqualTo(hex(initiator.oscoreMasterSecret()));
        assertThat(hex(oscore.masterSalt())).as("responder OSCORE master salt")
                .isEqualTo(hex(t("OSCORE_master_salt"))).isEqualTo(hex(initiator.oscoreMasterSalt()));
        // the responder (server) sends with C_I and receives with C_R
        assertThat(hex(oscore.senderId())).as("responder OSCORE sender id")
                .isEqualTo(hex(t("OSCORE_server_sender_id"))).isEqualTo(hex(initiator.oscoreRecipientId()));
        assertThat(hex(oscore.recipientId())).as("responder OSCORE recipient id")
                .isEqualTo(hex(t("OSCORE_client_sender_id"))).isEqualTo(hex(initiator.oscoreSenderId()));
        assertThat(oscore.aeadAlgorithm()).as("application AEAD").isEqualTo(CoseAead.AES_CCM_16_64_128);
        assertThat(session.connectionIdI().bytes()).isEqualTo(t("C_I"));
        assertThat(session.connectionIdR().bytes()).isEqualTo(t("C_R"));
        assertThat(session.method()).isEqualTo(EdhocMethod.STATIC_STATIC);
        assertThat(session.suite().id()).isEqualTo(2);
        assertThat(session.peer().cred()).isEqualTo(t("CRED_I"));
        assertThat(session.message4()).isEmpty();
    }

    @Test
    void givenTrace2_whenResponderSendsMessage4_thenItMatchesTheTraceAndTheInitiatorVerifiesIt() throws Exception {
        // given
        EdhocResponder responder = traceResponder();
        RfcEdhocInitiator initiator = traceInitiator();
        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1(6, 2));
        initiator.processMessage2(m2.message());
        byte[] m3 = initiator.message3();

        // when
        EdhocSession session = responder.processMessage3(m2.connectionIdR(), m3, true);

        // then
        byte[] m4 = session.message4().orElseThrow();
        assertThat(hex(m4)).as("message_4").isEqualTo(hex(t("message_4")));
        assertThat(initiator.processMessage4(m4)).as("EAD_4").isEmpty();
    }

    @Test
    void givenCompletedTrace2_whenBothSidesRunKeyUpdate_thenPrkOutAndOscoreKeysMatchTheTrace() throws Exception {
        // given
        EdhocResponder responder = traceResponder();
        RfcEdhocInitiator initiator = traceInitiator();
        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1(6, 2));
        initiator.processMessage2(m2.message());
        EdhocSession session = responder.processMessage3(m2.connectionIdR(), initiator.message3(), false);

        // when
        EdhocSession updated = session.keyUpdate(t("KeyUpdate_context"));
        initiator.keyUpdate(t("KeyUpdate_context"));

        // then
        assertThat(hex(initiator.prkOut)).isEqualTo(hex(t("PRK_out_after_KeyUpdate")));
        assertThat(hex(updated.prkOut())).as("responder PRK_out after KeyUpdate")
                .isEqualTo(hex(t("PRK_out_after_KeyUpdate")));
        assertThat(hex(updated.oscore().masterSecret())).isEqualTo(hex(t("OSCORE_master_secret_after_KeyUpdate")))
                .isEqualTo(hex(initiator.oscoreMasterSecret()));
        assertThat(hex(updated.oscore().masterSalt())).isEqualTo(hex(t("OSCORE_master_salt_after_KeyUpdate")))
                .isEqualTo(hex(initiator.oscoreMasterSalt()));
    }

    @Test
    void givenFirstMessage1WithSuite6Only_whenResponderProcessesIt_thenItAnswersTheTraceErrorWithSuitesR2()
            throws Exception {
        // given
        EdhocResponder responder = traceResponder();
        RfcEdhocInitiator first = new RfcEdhocInitiator(RfcEdhocInitiator.P256.privateKey(X_FIRST), G_X_FIRST,
                new byte[] {0x0e}, RfcEdhocInitiator.P256.privateKey(t("SK_I")), new byte[] {0x2b}, t("CRED_I"),
                kid -> null);
        byte[] m1 = first.message1(6);
        assertThat(hex(m1)).as("message_1 (first time)").isEqualTo(hex(MESSAGE_1_FIRST));

        // when / then
        assertThatThrownBy(() -> responder.processMessage1(m1)).isInstanceOfSatisfying(EdhocException.class,
                e -> assertThat(e.errorMessage().map(RfcEdhocInitiator::hex)).as("error message")
                        .isEqualTo(Optional.of(hex(ERROR_FIRST))));
    }

    // ------------------------------------------------------------------ negative

    @Test
    void givenMessage3WithOneCiphertextByteFlipped_whenResponderProcessesIt_thenItIsRefused() throws Exception {
        // given
        EdhocResponder responder = traceResponder();
        RfcEdhocInitiator initiator = traceInitiator();
        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1(6, 2));
        initiator.processMessage2(m2.message());
        byte[] m3 = initiator.message3();
        byte[] bad = m3.clone();
        bad[4] ^= 0x01; // inside CIPHERTEXT_3 (after the bstr head 0x52)

        // when / then
        assertThatThrownBy(() -> responder.processMessage3(m2.connectionIdR(), bad, false))
                .isInstanceOf(EdhocException.class);
        // and the session is gone: even the good message_3 is no longer accepted
        assertThatThrownBy(() -> responder.processMessage3(m2.connectionIdR(), m3, false))
                .isInstanceOf(EdhocException.class);
    }

    @Test
    void givenMessage3WithTamperedTag_whenResponderProcessesIt_thenItIsRefused() throws Exception {
        // given
        EdhocResponder responder = traceResponder();
        RfcEdhocInitiator initiator = traceInitiator();
        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1(6, 2));
        initiator.processMessage2(m2.message());
        byte[] bad = initiator.message3();
        bad[bad.length - 1] ^= (byte) 0x80;

        // when / then
        assertThatThrownBy(() -> responder.processMessage3(m2.connectionIdR(), bad, false))
                .isInstanceOfSatisfying(EdhocException.class,
                        e -> assertThat(e.reason()).isIn(EdhocException.Reason.DECRYPT_FAILED,
                                EdhocException.Reason.MAC_FAILED));
    }

    @Test
    void givenMessage3ForAnUnknownConnectionId_whenResponderProcessesIt_thenItIsRefused() throws Exception {
        // given
        EdhocResponder responder = traceResponder();
        RfcEdhocInitiator initiator = traceInitiator();
        EdhocResponder.Message2 m2 = responder.processMessage1(initiator.message1(6, 2));
        initiator.processMessage2(m2.message());
        byte[] m3 = initiator.message3();

        // when / then
        assertThatThrownBy(() -> responder.processMessage3(ConnectionId.of(new byte[] {0x28}), m3, false))
                .isInstanceOfSatisfying(EdhocException.class,
                        e -> assertThat(e.reason()).isEqualTo(EdhocException.Reason.UNKNOWN_SESSION));
        // the real session is untouched
        assertThat(responder.processMessage3(m2.connectionIdR(), m3, false).prkOut()).isEqualTo(t("PRK_out"));
    }

    @Test
    void givenMessage2WithFlippedCiphertextByte_whenCleanRoomInitiatorProcessesIt_thenMac2FailsThere()
            throws Exception {
        // given
        RfcEdhocInitiator initiator = traceInitiator();
        initiator.message1(6, 2);
        byte[] bad = t("message_2");
        bad[bad.length - 1] ^= 0x01; // last byte of MAC_2

        // when / then
        assertThatThrownBy(() -> initiator.processMessage2(bad)).hasMessageContaining("MAC_2");
    }

    // ------------------------------------------------------------------ self-checks of the clean room

    @Test
    void givenTraceEphemeralKeys_whenDecompressed_thenOneRootIsTheTracesY() throws Exception {
        for (String k : List.of("G_X", "G_Y")) {
            // given
            java.math.BigInteger p = RfcEdhocInitiator.P256.P;
            // when
            java.math.BigInteger y = new java.math.BigInteger(1, RfcEdhocInitiator.P256.decompressY(t(k)));
            // then
            java.math.BigInteger traceY = new java.math.BigInteger(1, t(k + "_y"));
            assertThat(traceY).as(k + " y").isIn(y, p.subtract(y));
        }
    }

    @Test
    void givenRandomInputs_whenCleanRoomCcmSeals_thenBouncyCastleCcmAgrees() throws Exception {
        SecureRandom rnd = new SecureRandom();
        for (int len : new int[] {0, 1, 15, 16, 17, 33, 100}) {
            // given
            byte[] key = new byte[16];
            byte[] nonce = new byte[13];
            byte[] aad = new byte[rnd.nextInt(60)];
            byte[] pt = new byte[len];
            rnd.nextBytes(key);
            rnd.nextBytes(nonce);
            rnd.nextBytes(aad);
            rnd.nextBytes(pt);
            // when
            byte[] mine = RfcEdhocInitiator.Ccm.seal(key, nonce, aad, pt, 8);
            CCMBlockCipher bc = new CCMBlockCipher(AESEngine.newInstance());
            bc.init(true, new AEADParameters(new KeyParameter(key), 64, nonce, aad));
            byte[] ref = new byte[bc.getOutputSize(len)];
            int n = bc.processBytes(pt, 0, len, ref, 0);
            bc.doFinal(ref, n);
            // then
            assertThat(hex(mine)).as("CCM, %d bytes", len).isEqualTo(hex(ref));
            assertThat(RfcEdhocInitiator.Ccm.open(key, nonce, aad, mine, 8)).isEqualTo(pt);
        }
    }
}
