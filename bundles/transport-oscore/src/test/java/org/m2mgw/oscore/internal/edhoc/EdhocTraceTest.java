package org.m2mgw.oscore.internal.edhoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.oscore.internal.edhoc.EdhocTestSupport.AEAD_LOOKUP;
import static org.m2mgw.oscore.internal.edhoc.EdhocTestSupport.hex;

import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The traces of RFC 9529, run through the responder (with the trace's Y and C_R) and the initiator
 * (with its X and C_I) against each other: every intermediate value either side computes that the
 * trace prints must match.
 */
class EdhocTraceTest {

    /** RFC 9529 section 3: method 3, suite 2 (P-256), CCS credentials named by kid. */
    @Test
    void givenRfc9529Trace2_whenBothSidesRunIt_thenEveryValueMatches() throws Exception {
        Map<String, byte[]> v = EdhocTestSupport.vectors("/edhoc/rfc9529-trace2-method3-suite2.txt");
        assertThat(hex(v.get("METHOD"))).isEqualTo("03");
        assertThat(hex(v.get("SUITES_I"))).isEqualTo("820602");

        KeyPair x = new KeyPair(EdhocKeys.p256(v.get("G_X"), v.get("G_X_y")),
                EdhocKeys.privateKey(KeyType.P256, v.get("X")));
        KeyPair y = new KeyPair(EdhocKeys.p256(v.get("G_Y"), v.get("G_Y_y")),
                EdhocKeys.privateKey(KeyType.P256, v.get("Y")));
        IdCred idCredR = IdCred.parse(v.get("ID_CRED_R"));
        IdCred idCredI = IdCred.parse(v.get("ID_CRED_I"));
        assertThat(idCredR).isEqualTo(IdCred.kid(EdhocTestSupport.HEX.parseHex("32")));
        assertThat(idCredI).isEqualTo(IdCred.kid(EdhocTestSupport.HEX.parseHex("2b")));
        LocalCredential credR = LocalCredential.ccs(idCredR, v.get("CRED_R"),
                EdhocKeys.privateKey(KeyType.P256, v.get("SK_R")));
        LocalCredential credI = LocalCredential.ccs(idCredI, v.get("CRED_I"),
                EdhocKeys.privateKey(KeyType.P256, v.get("SK_I")));
        PeerCredential peerR = PeerCredential.ccs(v.get("CRED_R"), "responder");
        PeerCredential peerI = PeerCredential.ccs(v.get("CRED_I"), "device-i");
        assertThat(peerR.key()).isEqualTo(EdhocKeys.p256(v.get("PK_R_x"), v.get("PK_R_y")));
        assertThat(peerI.key()).isEqualTo(EdhocKeys.p256(v.get("PK_I_x"), v.get("PK_I_y")));

        Run run = run(v, EdhocMethod.STATIC_STATIC, List.of(CipherSuite.SUITE_6, CipherSuite.SUITE_2),
                CipherSuite.SUITE_2, x, y, credI, credR, peerI, peerR);

        assertThat(run.matched).containsAll(List.of("message_1", "G_XY", "TH_2", "PRK_2e", "G_RX", "PRK_3e2m",
                "MAC_2", "message_2", "TH_3", "G_IY", "PRK_4e3m", "MAC_3", "message_3", "TH_4", "PRK_out",
                "message_4"));
        assertOutputs(v, run);
    }

    /** RFC 9529 section 2: method 0, suite 0 (X25519, Ed25519), certificates named by x5t. */
    @Test
    void givenRfc9529Trace1_whenBothSidesRunIt_thenEveryValueMatches() throws Exception {
        Map<String, byte[]> v = EdhocTestSupport.vectors("/edhoc/rfc9529-trace1-method0-suite0.txt");
        assertThat(hex(v.get("METHOD"))).isEqualTo("00");
        assertThat(hex(v.get("SUITES_I"))).isEqualTo("00");

        KeyPair x = new KeyPair(EdhocKeys.decode(KeyType.X25519, v.get("G_X")),
                EdhocKeys.privateKey(KeyType.X25519, v.get("X")));
        KeyPair y = new KeyPair(EdhocKeys.decode(KeyType.X25519, v.get("G_Y")),
                EdhocKeys.privateKey(KeyType.X25519, v.get("Y")));
        IdCred idCredR = IdCred.x5t(IdCred.SHA_256_64, v.get("CRED_R"));
        IdCred idCredI = IdCred.x5t(IdCred.SHA_256_64, v.get("CRED_I"));
        assertThat(hex(idCredR.encoded())).isEqualTo(hex(v.get("ID_CRED_R")));
        assertThat(hex(idCredI.encoded())).isEqualTo(hex(v.get("ID_CRED_I")));
        LocalCredential credR = LocalCredential.x509(idCredR, v.get("CRED_R"),
                EdhocKeys.privateKey(KeyType.ED25519, v.get("SK_R")));
        LocalCredential credI = LocalCredential.x509(idCredI, v.get("CRED_I"),
                EdhocKeys.privateKey(KeyType.ED25519, v.get("SK_I")));
        assertThat(hex(credR.cred())).isEqualTo(hex(v.get("CRED_R_CBOR")));
        PeerCredential peerR = PeerCredential.x509(v.get("CRED_R"), "responder");
        PeerCredential peerI = PeerCredential.x509(v.get("CRED_I"), "device-i");
        assertThat(hex(EdhocKeys.encode(peerR.key()))).isEqualTo(hex(v.get("PK_R")));
        assertThat(hex(EdhocKeys.encode(peerI.key()))).isEqualTo(hex(v.get("PK_I")));

        Run run = run(v, EdhocMethod.SIGN_SIGN, List.of(CipherSuite.SUITE_0), CipherSuite.SUITE_0, x, y, credI,
                credR, peerI, peerR);

        assertThat(run.matched).containsAll(List.of("message_1", "H_message_1", "TH_2", "G_XY", "PRK_2e",
                "PRK_3e2m", "context_2", "MAC_2", "Message_to_be_signed_2", "Signature_or_MAC_2", "PLAINTEXT_2",
                "KEYSTREAM_2", "CIPHERTEXT_2", "message_2", "PRK_4e3m", "TH_3", "context_3", "MAC_3",
                "Message_to_be_signed_3", "Signature_or_MAC_3", "PLAINTEXT_3", "A_3", "K_3", "IV_3", "CIPHERTEXT_3",
                "message_3", "TH_4", "A_4", "K_4", "IV_4", "CIPHERTEXT_4", "message_4", "PRK_out"));
        assertOutputs(v, run);
        EdhocSession updated = run.initiator.keyUpdate(v.get("KeyUpdate_context"));
        assertThat(hex(updated.prkExporter())).isEqualTo(hex(v.get("PRK_exporter_after_KeyUpdate")));
    }

    /** The result of a run: both sessions and the names of the values compared. */
    private record Run(EdhocSession initiator, EdhocSession responder, Set<String> matched) {
    }

    private static Run run(Map<String, byte[]> v, EdhocMethod method, List<CipherSuite> suitesI, CipherSuite suite,
            KeyPair x, KeyPair y, LocalCredential credI, LocalCredential credR, PeerCredential peerI,
            PeerCredential peerR) throws Exception {
        Map<String, byte[]> seenI = new LinkedHashMap<>();
        Map<String, byte[]> seenR = new LinkedHashMap<>();
        ConnectionId cI = ConnectionId.of(v.get("C_I"));
        ConnectionId cR = ConnectionId.of(v.get("C_R"));
        EdhocResponder responder = new EdhocResponder(EdhocResponder.Config.builder().suites(List.of(suite))
                .methods(Set.of(method)).credentials(List.of(credR)).connectionIds(taken -> cR)
                .ephemeralKeys(curve -> y).trace(seenR::put).build(), AEAD_LOOKUP,
                id -> matches(id, credI) ? Optional.of(peerI) : Optional.empty());
        EdhocInitiator initiator = new EdhocInitiator(EdhocInitiator.Config.builder().method(method).suites(suitesI)
                .credential(credI).connectionId(cI).ephemeralKeys(curve -> x).trace(seenI::put).build(), AEAD_LOOKUP,
                id -> matches(id, credR) ? Optional.of(peerR) : Optional.empty());

        byte[] m1 = initiator.message1();
        assertThat(hex(m1)).isEqualTo(hex(v.get("message_1")));
        EdhocResponder.Message2 m2 = responder.processMessage1(m1);
        assertThat(m2.connectionIdR()).isEqualTo(cR);
        assertThat(hex(m2.message())).isEqualTo(hex(v.get("message_2")));
        EdhocInitiator.Message3 m3 = initiator.processMessage2(m2.message());
        assertThat(hex(m3.message())).isEqualTo(hex(v.get("message_3")));
        EdhocSession r = responder.processMessage3(m2.connectionIdR(), m3.message(), true);
        assertThat(hex(r.message4().orElseThrow())).isEqualTo(hex(v.get("message_4")));
        EdhocSession i = initiator.processMessage4(r.message4().get());
        assertThat(r.peerSubject()).isEqualTo("device-i");
        assertThat(i.peerSubject()).isEqualTo("responder");

        Set<String> matched = new TreeSet<>();
        List<String> mismatches = new ArrayList<>();
        for (Map<String, byte[]> seen : List.of(seenI, seenR)) {
            seen.forEach((name, value) -> {
                if (v.containsKey(name)) {
                    if (hex(value).equals(hex(v.get(name)))) {
                        matched.add(name);
                    } else {
                        mismatches.add(name + ": computed " + hex(value) + ", trace " + hex(v.get(name)));
                    }
                }
            });
        }
        assertThat(mismatches).isEmpty();
        return new Run(i, r, matched);
    }

    private static boolean matches(IdCred received, LocalCredential cred) {
        return received.equals(cred.idCred());
    }

    private static void assertOutputs(Map<String, byte[]> v, Run run) {
        for (EdhocSession s : List.of(run.initiator, run.responder)) {
            assertThat(hex(s.prkOut())).isEqualTo(hex(v.get("PRK_out")));
            assertThat(hex(s.prkExporter())).isEqualTo(hex(v.get("PRK_exporter")));
            OscoreParameters o = s.oscore();
            assertThat(hex(o.masterSecret())).isEqualTo(hex(v.get("OSCORE_master_secret")));
            assertThat(hex(o.masterSalt())).isEqualTo(hex(v.get("OSCORE_master_salt")));
            assertThat(o.aeadAlgorithm()).isEqualTo(10);
            assertThat(o.hash()).isEqualTo(HashAlgorithm.SHA_256);
            EdhocSession u = s.keyUpdate(v.get("KeyUpdate_context"));
            assertThat(hex(u.prkOut())).isEqualTo(hex(v.get("PRK_out_after_KeyUpdate")));
            assertThat(hex(u.oscore().masterSecret())).isEqualTo(hex(v.get("OSCORE_master_secret_after_KeyUpdate")));
            assertThat(hex(u.oscore().masterSalt())).isEqualTo(hex(v.get("OSCORE_master_salt_after_KeyUpdate")));
        }
        // the client (initiator) sends with C_R, the server (responder) with C_I (RFC 9528 appendix A.1)
        assertThat(hex(run.initiator.oscore().senderId())).isEqualTo(hex(v.get("OSCORE_client_sender_id")));
        assertThat(hex(run.initiator.oscore().recipientId())).isEqualTo(hex(v.get("OSCORE_server_sender_id")));
        assertThat(hex(run.responder.oscore().senderId())).isEqualTo(hex(v.get("OSCORE_server_sender_id")));
        assertThat(hex(run.responder.oscore().recipientId())).isEqualTo(hex(v.get("OSCORE_client_sender_id")));
    }
}
