package org.m2mgw.crypto.bc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.crypto.CoseAead;

/**
 * Each COSE AEAD against the Wycheproof vectors of its primitive, restricted to its key, nonce and
 * tag sizes: every valid vector seals to the expected ciphertext and tag and opens again; every
 * invalid one fails to open. Wycheproof has no AES-CCM vector with a 13-byte nonce and an 8-byte tag:
 * AES-CCM-16-64-128 is checked against RFC 8613's OSCORE example instead (and the whole OSCORE
 * message vectors in the transport's tests).
 */
class BcCoseAeadTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final Map<Integer, BcCoseAead> BY_ALG = BcCoseAead.all().stream()
            .collect(Collectors.toMap(BcCoseAead::algorithm, Function.identity()));

    @ParameterizedTest(name = "{0} against {1}")
    @CsvSource({
        "30, aes_ccm_test.json, 6, 0",
        "1, aes_gcm_test.json, 30, 1",
        "24, chacha20_poly1305_test.json, 300, 1",
        "-65537, ascon_sp800_232_aead128_test.json, 252, 1",
    })
    void givenTheWycheproofVectorsOfItsPrimitive_thenEveryValidOneMatchesAndEveryInvalidOneIsRefused(int alg,
            String file, int minimumVectors, int minimumInvalid) throws Exception {
        CoseAead aead = BY_ALG.get(alg);
        int checked = 0;
        int refused = 0;
        try (InputStream in = getClass().getResourceAsStream("/wycheproof/" + file); JsonReader r = Json.createReader(in)) {
            for (JsonValue g : r.readObject().getJsonArray("testGroups")) {
                JsonObject group = g.asJsonObject();
                if (group.getInt("keySize") != aead.keyLength() * 8 || group.getInt("ivSize") != aead.nonceLength() * 8
                        || group.getInt("tagSize") != aead.tagLength() * 8) {
                    continue;
                }
                for (JsonValue t : group.getJsonArray("tests")) {
                    JsonObject v = t.asJsonObject();
                    String id = file + " tcId " + v.getInt("tcId") + " (" + v.getString("comment") + ")";
                    byte[] key = HEX.parseHex(v.getString("key"));
                    byte[] nonce = HEX.parseHex(v.getString("iv"));
                    byte[] aad = HEX.parseHex(v.getString("aad"));
                    byte[] msg = HEX.parseHex(v.getString("msg"));
                    byte[] sealed = HEX.parseHex(v.getString("ct") + v.getString("tag"));
                    CoseAead.Keyed k = aead.key(key);
                    if (v.getString("result").equals("invalid")) {
                        assertThatThrownBy(() -> k.open(nonce, aad, sealed)).as(id).isInstanceOf(AEADBadTagException.class);
                        refused++;
                    } else {
                        assertThat(HEX.formatHex(k.seal(nonce, aad, msg))).as(id).isEqualTo(HEX.formatHex(sealed));
                        assertThat(HEX.formatHex(k.open(nonce, aad, sealed))).as(id).isEqualTo(HEX.formatHex(msg));
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).as("vectors for " + aead).isGreaterThanOrEqualTo(minimumVectors);
        assertThat(refused).as("invalid vectors for " + aead).isGreaterThanOrEqualTo(minimumInvalid);
    }

    @Test
    void givenRfc8613AppendixC4_thenAesCcm16_64_128SealsTheRequestAsThere() throws Exception {
        // RFC 8613 C.4: client sender key (C.1.1), nonce = common IV XOR partial IV 0x14, the
        // Enc_structure ["Encrypt0", h'', h'8501810a40411440'] as AAD, plaintext 0x01b3747631
        CoseAead.Keyed k = BY_ALG.get(CoseAead.AES_CCM_16_64_128).key(HEX.parseHex("f0910ed7295e6ad4b54fc793154302ff"));
        byte[] nonce = HEX.parseHex("4622d4dd6d944168eefb549868");
        byte[] aad = HEX.parseHex("8368456e63727970743040488501810a40411440");
        byte[] sealed = k.seal(nonce, aad, HEX.parseHex("01b3747631"));
        assertThat(HEX.formatHex(sealed)).isEqualTo("612f1092f1776f1c1668b3825e");
        sealed[0] ^= 1;
        assertThatThrownBy(() -> k.open(nonce, aad, sealed)).isInstanceOf(AEADBadTagException.class);
    }

    @Test
    void givenWrongSizes_thenTheyAreRefusedWithTheSizesInTheMessage() {
        CoseAead ccm = BY_ALG.get(CoseAead.AES_CCM_16_64_128);
        assertThatThrownBy(() -> ccm.key(new byte[15])).hasMessageContaining("16-byte key, not 15 bytes");
        assertThatThrownBy(() -> ccm.key(new byte[16]).seal(new byte[12], new byte[0], new byte[0]))
                .hasMessageContaining("13-byte nonce, not 12 bytes");
        assertThatThrownBy(() -> ccm.key(new byte[16]).open(new byte[13], new byte[0], new byte[7]))
                .isInstanceOf(AEADBadTagException.class).hasMessageContaining("shorter than a tag");
    }

    @Test
    void givenEveryAead_thenItPassesTheSelfTestRunAtActivation() throws Exception {
        for (BcCoseAead a : BcCoseAead.all()) {
            CoseAeadServices.selfTest(a);
        }
        assertThat(BY_ALG).containsKeys(10, 30, 1, 24, -65537);
    }
}
