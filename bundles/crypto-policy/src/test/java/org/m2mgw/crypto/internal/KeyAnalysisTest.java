package org.m2mgw.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;

class KeyAnalysisTest {

    @Test
    void publishedShortTextAndLowEntropyKeysAreWeakAndRandomOnesAreNot() {
        assertThat(KeyAnalysis.psk("secretPSK".getBytes(StandardCharsets.US_ASCII)).weakness())
                .isEqualTo("a published demo or default key");
        assertThat(KeyAnalysis.psk(new byte[16]).weakness()).startsWith("low entropy");
        assertThat(KeyAnalysis.psk("my-gateway-pass".getBytes(StandardCharsets.US_ASCII)).weakness())
                .startsWith("a text passphrase");
        byte[] shortRandom = new byte[8];
        new SecureRandom().nextBytes(shortRandom);
        shortRandom[0] = (byte) 0x80; // not printable text
        assertThat(KeyAnalysis.psk(shortRandom).weakness()).startsWith("short");
        byte[] good = new byte[32];
        new SecureRandom().nextBytes(good);
        good[0] = (byte) 0x80;
        KeyAnalysis.PskQuality q = KeyAnalysis.psk(good);
        assertThat(q.weak()).isFalse();
        assertThat(q.strengthBits()).isEqualTo(256);
    }

    @Test
    void publicKeyStrengthFollowsSp80057() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyAnalysis.PublicKeyInfo p256 = KeyAnalysis.publicKey(ec.generateKeyPair().getPublic().getEncoded());
        assertThat(p256.algorithm()).isEqualTo("EC P-256");
        assertThat(p256.strengthBits()).isEqualTo(128);
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        assertThat(KeyAnalysis.publicKey(rsa.generateKeyPair().getPublic().getEncoded()).strengthBits()).isEqualTo(80);
        assertThat(KeyAnalysis.rsaStrength(3072)).isEqualTo(128);
        assertThat(KeyAnalysis.ecStrength(384)).isEqualTo(192);
        assertThat(KeyAnalysis.publicKey(new byte[] {1, 2, 3}).algorithm()).isEqualTo("unknown");
    }
}
