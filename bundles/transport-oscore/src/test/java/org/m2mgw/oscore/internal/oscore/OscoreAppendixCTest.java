package org.m2mgw.oscore.internal.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.aead;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.hex;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.parse;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.serialize;

import java.util.Map;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.crypto.CoseAead;

/**
 * RFC 8613 Appendix C (https://www.rfc-editor.org/rfc/rfc8613#appendix-C), from the shared vector
 * file: key derivation (C.1-C.3), requests (C.4-C.6, client SSN 20) and responses (C.7 without,
 * C.8 with Partial IV, server SSN 0), protected to exactly the RFC's bytes and back.
 */
class OscoreAppendixCTest {
    private static Map<String, byte[]> v;
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] ID_01 = {0x01};
    private static final byte[] ID_00 = {0x00};

    @BeforeAll
    static void load() throws Exception {
        v = OscoreTestSupport.appendixC();
    }

    private static OscoreParameters params(boolean salt, boolean idContext, byte[] sender, byte[] recipient) {
        return new OscoreParameters(v.get("master_secret"), salt ? v.get("master_salt") : null,
                idContext ? v.get("id_context") : null, sender, recipient, CoseAead.AES_CCM_16_64_128,
                OscoreParameters.DEFAULT_REPLAY_WINDOW);
    }

    /** C.1.1, C.2.1, C.3.1: the client's view. */
    private static OscoreParameters client(int c) {
        return switch (c) {
            case 1 -> params(true, false, EMPTY, ID_01);
            case 2 -> params(false, false, ID_00, ID_01);
            case 3 -> params(true, true, EMPTY, ID_01);
            default -> throw new IllegalArgumentException();
        };
    }

    @Test
    void givenAppendixC1ToC3Inputs_whenDerived_thenKeysAndCommonIvAreTheRfcs() {
        for (int c = 1; c <= 3; c++) {
            OscoreContext client = OscoreContext.derive(client(c), aead(10));
            assertThat(hex(client.senderKey())).as("C.%d sender key", c).isEqualTo(hex(v.get("C" + c + ".sender_key")));
            assertThat(hex(client.recipientKey())).as("C.%d recipient key", c)
                    .isEqualTo(hex(v.get("C" + c + ".recipient_key")));
            assertThat(hex(client.commonIv())).as("C.%d common IV", c).isEqualTo(hex(v.get("C" + c + ".common_iv")));
            OscoreContext server = OscoreContext.derive(client(c).peer(), aead(10));
            assertThat(server.senderKey()).isEqualTo(client.recipientKey());
            assertThat(server.recipientKey()).isEqualTo(client.senderKey());
            assertThat(server.commonIv()).isEqualTo(client.commonIv());
        }
    }

    @Test
    void givenAppendixC1_thenTheExternalAadAndAadAreTheRfcs() {
        assertThat(hex(Cose.externalAad(10, EMPTY, new byte[] {0x14}))).isEqualTo("8501810a40411440");
        assertThat(hex(Cose.aad(10, EMPTY, new byte[] {0x14}))).isEqualTo("8368456e63727970743040488501810a40411440");
    }

    @Test
    void givenAppendixC4ToC6Requests_whenTheClientProtectsThemWithSsn20_thenTheBytesAreTheRfcs() throws Exception {
        for (int c = 1; c <= 3; c++) {
            String n = "C" + (c + 3);
            OscoreContext client = OscoreContext.derive(client(c), aead(10), 20);
            Request inner = (Request) parse(v.get(n + ".unprotected"));
            ProtectedRequest p = OscoreClient.protectRequest(client, inner);
            assertThat(hex(serialize(p.request()))).as(n).isEqualTo(hex(v.get(n + ".protected")));
            assertThat(client.sequenceNumber()).isEqualTo(21);
            assertThat(client.usage().protectedMessages()).isEqualTo(1);
        }
    }

    @Test
    void givenAppendixC4ToC6ProtectedRequests_whenTheServerUnprotectsThem_thenTheyAreTheUnprotectedOnes()
            throws Exception {
        for (int c = 1; c <= 3; c++) {
            String n = "C" + (c + 3);
            OscoreContext server = OscoreContext.derive(client(c).peer(), aead(10));
            InboundRequest in = OscoreServer.unprotectRequest((Request) parse(v.get(n + ".protected")),
                    OscoreTestSupport.lookupOf(server));
            assertThat(hex(serialize(in.request()))).as(n).isEqualTo(hex(v.get(n + ".unprotected")));
            assertThat(in.binding().requestSequenceNumber()).isEqualTo(20);
            assertThat(in.binding().isReplayChecked()).isTrue();
            assertThat(server.replayWindow().highest()).isEqualTo(20);
        }
    }

    @Test
    void givenTheC4RequestAtTheServer_whenItProtectsTheC7AndC8Responses_thenTheBytesAreTheRfcs() throws Exception {
        OscoreContext server = OscoreContext.derive(client(1).peer(), aead(10));
        InboundRequest in = OscoreServer.unprotectRequest((Request) parse(v.get("C4.protected")),
                OscoreTestSupport.lookupOf(server));

        Response c7 = OscoreServer.protectResponse(in.binding(), (Response) parse(v.get("C7.unprotected")), false);
        assertThat(hex(serialize(c7))).isEqualTo(hex(v.get("C7.protected")));
        assertThat(server.sequenceNumber()).isZero();

        Response c8 = OscoreServer.protectResponse(in.binding(), (Response) parse(v.get("C8.unprotected")), true);
        assertThat(hex(serialize(c8))).isEqualTo(hex(v.get("C8.protected")));
        assertThat(server.sequenceNumber()).isEqualTo(1);
    }

    @Test
    void givenTheC7AndC8Responses_whenTheClientUnprotectsThem_thenTheyAreTheUnprotectedOnes() throws Exception {
        OscoreContext client = OscoreContext.derive(client(1), aead(10), 20);
        ProtectedRequest p = OscoreClient.protectRequest(client, (Request) parse(v.get("C4.unprotected")));
        for (String n : new String[] {"C7", "C8"}) {
            Response inner = OscoreClient.unprotectResponse(p.binding(), (Response) parse(v.get(n + ".protected")));
            assertThat(hex(serialize(inner))).as(n).isEqualTo(hex(v.get(n + ".unprotected")));
        }
    }
}
