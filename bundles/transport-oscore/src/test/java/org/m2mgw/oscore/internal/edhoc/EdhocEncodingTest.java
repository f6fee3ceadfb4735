package org.m2mgw.oscore.internal.edhoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.m2mgw.oscore.internal.edhoc.EdhocTestSupport.HEX;
import static org.m2mgw.oscore.internal.edhoc.EdhocTestSupport.hex;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborReader;

/** Connection identifiers, credential identifiers and the CoAP framing. */
class EdhocEncodingTest {

    @Test
    void givenOneByteIdentifiers_whenEncoded_thenThoseThatAreCborIntegersAreIntegers() throws Exception {
        for (int b = 0; b < 256; b++) {
            ConnectionId id = ConnectionId.of(new byte[] {(byte) b});
            boolean asInt = b <= 0x17 || (b >= 0x20 && b <= 0x37);
            assertThat(hex(id.encode())).as("%02x", b).isEqualTo(asInt ? String.format("%02x", b)
                    : String.format("41%02x", b));
            assertThat(ConnectionId.read(new CborReader(id.encode()))).isEqualTo(id);
        }
        assertThat(hex(ConnectionId.of(new byte[0]).encode())).isEqualTo("40");
        assertThat(hex(ConnectionId.of(HEX.parseHex("0102")).encode())).isEqualTo("420102");
        assertThat(ConnectionId.ofInt(-8)).isEqualTo(ConnectionId.of(HEX.parseHex("27")));
        assertThatThrownBy(() -> ConnectionId.read(new CborReader(HEX.parseHex("4127"))))
                .isInstanceOf(CborException.class);
        assertThatThrownBy(() -> ConnectionId.read(new CborReader(HEX.parseHex("1818"))))
                .isInstanceOf(CborException.class);
    }

    @Test
    void givenIdCreds_whenEncodedForPlaintext_thenAKidAloneIsCompact() throws Exception {
        assertThat(hex(IdCred.kid(HEX.parseHex("32")).plaintextForm())).isEqualTo("32");
        assertThat(hex(IdCred.kid(HEX.parseHex("18")).plaintextForm())).isEqualTo("4118");
        assertThat(hex(IdCred.kid(HEX.parseHex("0a0b")).encoded())).isEqualTo("a104420a0b");
        IdCred x5t = IdCred.parse(HEX.parseHex("a11822822e4879f2a41b510c1f9b"));
        assertThat(hex(x5t.plaintextForm())).isEqualTo("a11822822e4879f2a41b510c1f9b");
        assertThat(x5t.x5tAlgorithm()).hasValue(-15);
        assertThat(x5t.kid()).isEmpty();
        assertThat(IdCred.readPlaintext(new CborReader(HEX.parseHex("2b")))).isEqualTo(IdCred.kid(HEX.parseHex("2b")));
        // a kid map with another parameter is sent as the map
        IdCred two = IdCred.parse(HEX.parseHex("a20441321822822e4879f2a41b510c1f9b"));
        assertThat(hex(two.plaintextForm())).isEqualTo("a20441321822822e4879f2a41b510c1f9b");
        assertThatThrownBy(() -> IdCred.parse(HEX.parseHex("a2044132044133"))).isInstanceOf(CborException.class);
    }

    @Test
    void givenCoapBodies_whenParsed_thenMessage1AndMessage3AreTold() throws Exception {
        byte[] m1 = HEX.parseHex("0382060258208af6f430ebe18d34184017a9a11bf511c8dff8f834730b96c1b7c8dbca2fc3b637");
        EdhocCoap.RequestBody b1 = EdhocCoap.parseCoapRequestBody(EdhocCoap.message1Body(m1));
        assertThat(b1.kind()).isEqualTo(EdhocCoap.Kind.MESSAGE_1);
        assertThat(b1.message()).isEqualTo(m1);
        assertThat(b1.connectionId()).isEmpty();

        byte[] m3 = HEX.parseHex("52e562097bc417dd5919485ac7891ffd90a9fc");
        byte[] body3 = EdhocCoap.message3Body(ConnectionId.of(HEX.parseHex("27")), m3);
        assertThat(hex(body3)).startsWith("2752e5");
        EdhocCoap.RequestBody b3 = EdhocCoap.parseCoapRequestBody(body3);
        assertThat(b3.kind()).isEqualTo(EdhocCoap.Kind.MESSAGE_3);
        assertThat(b3.connectionId()).contains(ConnectionId.ofInt(-8));
        assertThat(b3.message()).isEqualTo(m3);

        EdhocCoap.RequestBody err = EdhocCoap.parseCoapRequestBody(EdhocCoap.message3Body(
                ConnectionId.of(HEX.parseHex("a1b2")), EdhocError.unspecified("x").encode()));
        assertThat(err.kind()).isEqualTo(EdhocCoap.Kind.ERROR);
        assertThat(err.connectionId()).contains(ConnectionId.of(HEX.parseHex("a1b2")));

        for (String bad : new String[] {"", "f5", "27", "f4ff", "5f", "4127"}) {
            EdhocException e = org.assertj.core.api.Assertions.catchThrowableOfType(EdhocException.class,
                    () -> EdhocCoap.parseCoapRequestBody(HEX.parseHex(bad)));
            assertThat(e).as(bad).isNotNull();
            assertThat(e.reason()).isEqualTo(EdhocException.Reason.MALFORMED);
            assertThat(e.errorMessage()).isPresent();
        }
    }

    @Test
    void givenTheRandomAllocator_whenManyAreTaken_thenItStillFindsFreeOnes() {
        Set<ConnectionId> taken = new HashSet<>();
        ConnectionIdAllocator a = ConnectionIdAllocator.random(new SecureRandom(), id -> false);
        for (int i = 0; i < 300; i++) {
            ConnectionId id = a.allocate(taken::contains);
            assertThat(taken.add(id)).isTrue();
        }
        assertThat(taken.stream().filter(id -> id.length() == 1).count()).isLessThanOrEqualTo(48);
    }

    @Test
    void givenSuiteData_thenTheRegistryColumnsAreThere() {
        CipherSuite s3 = CipherSuite.registered(3).orElseThrow();
        assertThat(s3.edhocAead()).isEqualTo(30);
        assertThat(s3.macLength()).isEqualTo(16);
        assertThat(s3.dhCurve()).isEqualTo(KeyType.P256);
        assertThat(s3.signature()).isEqualTo(SignatureAlgorithm.ES256);
        assertThat(s3.appAead()).isEqualTo(10);
        assertThat(CipherSuite.registered(24)).isEmpty();
        CipherSuite ascon = CipherSuite.define(-24, -65537, HashAlgorithm.SHA_256, 16, KeyType.X25519,
                SignatureAlgorithm.EDDSA, -65537, HashAlgorithm.SHA_256);
        assertThat(ascon.id()).isEqualTo(-24);
        assertThatThrownBy(() -> CipherSuite.define(9, 10, HashAlgorithm.SHA_256, 8, KeyType.ED25519,
                SignatureAlgorithm.EDDSA, 10, HashAlgorithm.SHA_256)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenACcsWithAP256SignBitInsteadOfY_whenRead_thenTheRightPointIsChosen() throws Exception {
        // CRED_R of RFC 9529 trace 2, with y replaced by its sign bit (y ends in 0x72: even, so false)
        String x = "bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f0";
        String y = "4519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";
        String head = "a2026b6578616d706c652e65647508a101a501020241322001215820" + x + "22";
        PeerCredential full = PeerCredential.ccs(HEX.parseHex(head + "5820" + y), "r");
        PeerCredential even = PeerCredential.ccs(HEX.parseHex(head + "f4"), "r");
        PeerCredential odd = PeerCredential.ccs(HEX.parseHex(head + "f5"), "r");
        assertThat(even.key()).isEqualTo(full.key());
        assertThat(odd.key()).isNotEqualTo(full.key());
        assertThat(EdhocKeys.encode(odd.key())).isEqualTo(HEX.parseHex(x));
        assertThatThrownBy(() -> PeerCredential.ccs(HEX.parseHex("a0"), "r")).isInstanceOf(
                IllegalArgumentException.class);
    }
}
