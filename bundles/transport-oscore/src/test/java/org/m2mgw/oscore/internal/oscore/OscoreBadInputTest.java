package org.m2mgw.oscore.internal.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.aead;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.hex;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.lookupOf;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.parse;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.serialize;

import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the gateway does with requests it must refuse (RFC 8613 sections 6.1, 7.4 and 8.2). */
class OscoreBadInputTest {
    private static final byte[] SECRET = hex("0102030405060708090a0b0c0d0e0f10");
    private OscoreContext client;
    private OscoreContext server;
    private ContextLookup lookup;

    @BeforeEach
    void contexts() {
        OscoreParameters p = OscoreParameters.of(SECRET, new byte[] {0x11}, new byte[] {0x22}, 10);
        client = OscoreContext.derive(p, aead(10));
        server = OscoreContext.derive(p.peer(), aead(10));
        lookup = lookupOf(server);
    }

    private Request protectedGet() throws OscoreException {
        Request r = Request.newGet();
        r.getOptions().setUriPath("x");
        return (Request) parse(serialize(OscoreClient.protectRequest(client, r).request()));
    }

    private static void assertRefused(ThrowingCallable call, OscoreException.Reason reason, ResponseCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(OscoreException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.code()).isEqualTo(code);
        });
    }

    @Test
    void givenARequestWithoutOscoreOption_whenUnprotected_thenBadOption() throws Exception {
        Request r = protectedGet();
        r.getOptions().removeOscore();
        assertRefused(() -> OscoreServer.unprotectRequest(r, lookup), OscoreException.Reason.MISSING_OPTION,
                ResponseCode.BAD_OPTION);
    }

    @Test
    void givenMalformedOscoreOptions_whenUnprotected_thenBadOptionAndNothingIsDecrypted() throws Exception {
        String[] bad = {
            "29142200", // reserved bit 5 set
            "0f14", // n = 7 reserved
            "0e1414141414", // n = 6 reserved
            "0b14", // n = 3 but one byte of Partial IV
            "00", // flag byte 0 must be an empty value
            "191405aabb", // h: kid context length 5 but 2 bytes
            "1914", // h: kid context length missing
            "011422", // trailing bytes without k
            "0a001422", // Partial IV with a leading zero
            "0822", // no Partial IV in a request
            "0114", // no kid in a request
            "", // empty: neither
        };
        for (String v : bad) {
            Request r = protectedGet();
            r.getOptions().setOscore(hex(v.isEmpty() ? "\"\"" : v));
            assertRefused(() -> OscoreServer.unprotectRequest(r, lookup), OscoreException.Reason.BAD_OPTION,
                    ResponseCode.BAD_OPTION);
        }
        assertThat(server.usage().failedDecryptions()).isZero();
    }

    @Test
    void givenAnOscoreException_whenTurnedIntoAResponse_thenItIsUnprotectedWithTheRfcDiagnostic() throws Exception {
        Request r = protectedGet();
        OscoreException e = null;
        try {
            OscoreServer.unprotectRequest(r, (kid, ctx) -> Optional.empty());
        } catch (OscoreException x) {
            e = x;
        }
        assertThat(e).isNotNull();
        Response resp = e.toResponse(r);
        assertThat(resp.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(resp.getPayloadString()).isEqualTo("Security context not found");
        assertThat(resp.getOptions().hasOscore()).isFalse();
        assertThat(resp.getToken()).isEqualTo(r.getToken());
    }

    @Test
    void givenAnUnknownKidOrKidContext_whenUnprotected_thenSecurityContextNotFound() throws Exception {
        Request r = protectedGet();
        r.getOptions().setOscore(hex("090033"));
        assertRefused(() -> OscoreServer.unprotectRequest(r, lookup), OscoreException.Reason.CONTEXT_NOT_FOUND,
                ResponseCode.UNAUTHORIZED);
        Request r2 = protectedGet();
        r2.getOptions().setOscore(hex("19000201022222"));
        // a lookup that ignores kid context would still find it, ours requires a match
        assertRefused(() -> OscoreServer.unprotectRequest(r2, lookup), OscoreException.Reason.CONTEXT_NOT_FOUND,
                ResponseCode.UNAUTHORIZED);
        // a lookup returning a context whose Recipient ID is not the kid is not trusted
        Request r3 = protectedGet();
        assertRefused(() -> OscoreServer.unprotectRequest(r3, (kid, ctx) -> Optional.of(client)),
                OscoreException.Reason.CONTEXT_NOT_FOUND, ResponseCode.UNAUTHORIZED);
    }

    @Test
    void givenATamperedCiphertextOrOption_whenUnprotected_thenDecryptionFailedAndCounted() throws Exception {
        Request r = protectedGet();
        byte[] c = r.getPayload();
        c[c.length - 1] ^= 1;
        r.setPayload(c);
        assertRefused(() -> OscoreServer.unprotectRequest(r, lookup), OscoreException.Reason.DECRYPTION_FAILED,
                ResponseCode.BAD_REQUEST);
        Request shortOne = protectedGet();
        shortOne.setPayload(new byte[3]);
        assertRefused(() -> OscoreServer.unprotectRequest(shortOne, lookup), OscoreException.Reason.DECRYPTION_FAILED,
                ResponseCode.BAD_REQUEST);
        Request noPayload = protectedGet();
        noPayload.setPayload((byte[]) null);
        assertRefused(() -> OscoreServer.unprotectRequest(noPayload, lookup),
                OscoreException.Reason.DECRYPTION_FAILED, ResponseCode.BAD_REQUEST);
        // another Partial IV changes the nonce and the AAD
        Request otherPiv = protectedGet();
        otherPiv.getOptions().setOscore(hex("096311"));
        assertRefused(() -> OscoreServer.unprotectRequest(otherPiv, lookup), OscoreException.Reason.DECRYPTION_FAILED,
                ResponseCode.BAD_REQUEST);
        assertThat(server.usage().failedDecryptions()).isEqualTo(4);
        // failed messages do not move the window: the genuine one still passes
        assertThat(server.replayWindow().highest()).isEqualTo(-1);
    }

    @Test
    void givenAReplayedRequest_whenUnprotectedAgain_thenReplayDetected() throws Exception {
        Request r = protectedGet();
        byte[] wire = serialize(r);
        OscoreServer.unprotectRequest(r, lookup);
        Request again = (Request) parse(wire);
        assertRefused(() -> OscoreServer.unprotectRequest(again, lookup), OscoreException.Reason.REPLAY,
                ResponseCode.UNAUTHORIZED);
        OscoreException e = null;
        try {
            OscoreServer.unprotectRequest((Request) parse(wire), lookup);
        } catch (OscoreException x) {
            e = x;
        }
        assertThat(e.toResponse(again).getPayloadString()).isEqualTo("Replay detected");
    }

    @Test
    void givenRequestsOutOfOrder_whenWithinTheWindow_thenAcceptedOnceAndTooOldOnesRefused() throws Exception {
        byte[][] wires = new byte[40][];
        for (int i = 0; i < wires.length; i++) {
            wires[i] = serialize(protectedGet());
        }
        OscoreServer.unprotectRequest((Request) parse(wires[39]), lookup);
        // 39 - 8 = 31 is inside the 32-wide window, accepted once, then a duplicate
        OscoreServer.unprotectRequest((Request) parse(wires[8]), lookup);
        assertRefused(() -> OscoreServer.unprotectRequest((Request) parse(wires[8]), lookup),
                OscoreException.Reason.REPLAY, ResponseCode.UNAUTHORIZED);
        // 39 - 7 = 32 is outside
        assertRefused(() -> OscoreServer.unprotectRequest((Request) parse(wires[7]), lookup),
                OscoreException.Reason.REPLAY, ResponseCode.UNAUTHORIZED);
        OscoreServer.unprotectRequest((Request) parse(wires[30]), lookup);
        assertThat(server.usage().failedDecryptions()).isZero();
    }

    @Test
    void givenMalformedInnerContent_whenUnprotected_thenBadRequest() throws Exception {
        // the client protects plaintexts no CoAP stack would make
        String[] plaintexts = {
            "", // no code
            "45", // a response code in a request
            "01ff", // payload marker without payload
            "01f0", // reserved option nibble
            "01d1", // option extension byte missing
            "01b5616263", // option value runs past the end
            "019100", // OSCORE option inside
            "0173010203", // Uri-Port of 3 bytes, refused by Californium's option definition
            "010161", // option number 0 is reserved
        };
        for (String pt : plaintexts) {
            long ssn = client.nextSequenceNumber();
            byte[] piv = OscoreOption.partialIvOf(ssn);
            byte[] ct = Cose.seal(client, client.nonce(client.senderId(), ssn), Cose.aad(10, client.senderId(), piv),
                    hex(pt.isEmpty() ? "\"\"" : pt));
            Request r = Request.newPost();
            r.getOptions().setOscore(new OscoreOption(piv, null, client.senderId()).encode());
            r.setPayload(ct);
            Request wire = (Request) parse(serialize(r));
            assertRefused(() -> OscoreServer.unprotectRequest(wire, lookup), OscoreException.Reason.MALFORMED_INNER,
                    ResponseCode.BAD_REQUEST);
        }
    }

    @Test
    void givenAnExhaustedSenderSequenceNumber_whenProtecting_thenRefusedAndTheContextMustBeReplaced()
            throws Exception {
        OscoreParameters p = OscoreParameters.of(SECRET, new byte[] {0x11}, new byte[] {0x22}, 10);
        OscoreContext nearlyDone = OscoreContext.derive(p, aead(10), OscoreContext.MAX_SSN);
        Request r = Request.newGet();
        ProtectedRequest last = OscoreClient.protectRequest(nearlyDone, r);
        assertThat(OscoreOption.decode(last.request().getOptions().getOscore()).sequenceNumber())
                .isEqualTo(OscoreContext.MAX_SSN);
        assertThat(nearlyDone.isExhausted()).isTrue();
        assertRefused(() -> OscoreClient.protectRequest(nearlyDone, Request.newGet()),
                OscoreException.Reason.SEQUENCE_EXHAUSTED, ResponseCode.SERVICE_UNAVAILABLE);
        // the server side: a response needing a new Partial IV cannot be made either
        OscoreContext serverDone = OscoreContext.derive(p.peer(), aead(10), OscoreContext.MAX_SSN + 1);
        InboundRequest in = OscoreServer.unprotectRequest((Request) parse(serialize(last.request())),
                lookupOf(serverDone));
        assertThat(in.binding().requestSequenceNumber()).isEqualTo(OscoreContext.MAX_SSN);
        assertRefused(() -> OscoreServer.protectResponse(in.binding(), new Response(ResponseCode.CONTENT), true),
                OscoreException.Reason.SEQUENCE_EXHAUSTED, ResponseCode.SERVICE_UNAVAILABLE);
        // without one it still works
        OscoreServer.protectResponse(in.binding(), new Response(ResponseCode.CONTENT), false);
    }

    @Test
    void givenATamperedResponse_whenTheClientUnprotects_thenDecryptionFailed() throws Exception {
        Request r = Request.newGet();
        ProtectedRequest p = OscoreClient.protectRequest(client, r);
        InboundRequest in = OscoreServer.unprotectRequest((Request) parse(serialize(p.request())), lookup);
        Response outer = OscoreServer.protectResponse(in.binding(), new Response(ResponseCode.CONTENT), false);
        Response wire = (Response) parse(serialize(outer));
        wire.getPayload()[0] ^= 0x40;
        assertRefused(() -> OscoreClient.unprotectResponse(p.binding(), wire), OscoreException.Reason.DECRYPTION_FAILED,
                ResponseCode.BAD_REQUEST);
        Response noOption = (Response) parse(serialize(outer));
        noOption.getOptions().removeOscore();
        assertRefused(() -> OscoreClient.unprotectResponse(p.binding(), noOption),
                OscoreException.Reason.MISSING_OPTION, ResponseCode.BAD_OPTION);
    }
}
