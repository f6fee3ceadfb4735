package org.m2mgw.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.m2mgw.api.crypto.CryptoPolicy;
import org.m2mgw.api.crypto.CryptoStatus;
import org.m2mgw.api.crypto.KeyFacts;
import org.m2mgw.api.crypto.Suites;
import org.m2mgw.api.crypto.Verdict;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.support.testing.TestRuntime;
import org.junit.jupiter.api.Test;

class PolicyRulesTest {
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    static PolicyRules rules(Map<String, Object> values) {
        return PolicyRules.from(TestRuntime.config(PolicyConfig.class, values));
    }

    @Test
    void shippedDefaultsAllowTheListenersDefaultSuitesAndDateTheEcdsaOnes() {
        PolicyRules r = rules(Map.of());
        assertThat(r.problems()).isEmpty();
        assertThat(r.suite(CredentialType.PSK, "TLS_PSK_WITH_AES_128_CCM_8", NOW).status()).isEqualTo(CryptoStatus.OK);
        assertThat(r.suite(CredentialType.PSK, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", NOW).allowed()).isTrue();
        Verdict ecdsa = r.suite(CredentialType.RAW_PUBLIC_KEY, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", NOW);
        assertThat(ecdsa.status()).isEqualTo(CryptoStatus.OK);
        Verdict late = r.suite(CredentialType.X509, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
                Instant.parse("2034-12-01T00:00:00Z"));
        assertThat(late.status()).isEqualTo(CryptoStatus.EXPIRING);
        assertThat(late.date()).contains(Instant.parse("2035-01-01T00:00:00Z"));
        assertThat(r.suite(CredentialType.X509, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
                Instant.parse("2035-01-01T00:00:00Z")).status()).isEqualTo(CryptoStatus.RETIRED);
    }

    @Test
    void aSuiteNotListedOrPastItsDateIsRetiredWithTheReason() {
        PolicyRules r = rules(Map.of("suites_psk", new String[] {"TLS_PSK_WITH_AES_128_CCM_8@2026-06-01",
            "TLS_PSK_WITH_AES_128_GCM_SHA256"}));
        Verdict v = r.suite(CredentialType.PSK, "TLS_PSK_WITH_AES_128_CCM_8", NOW);
        assertThat(v.status()).isEqualTo(CryptoStatus.RETIRED);
        assertThat(v.reason()).contains("retired for PSK devices on 2026-06-01");
        assertThat(r.suite(CredentialType.PSK, "TLS_PSK_WITH_AES_128_CCM", NOW).reason())
                .contains("not allowed for PSK devices");
        assertThat(r.suite(CredentialType.PSK, "TLS_PSK_WITH_AES_128_GCM_SHA256", NOW).allowed()).isTrue();
    }

    @Test
    void badEntriesAreLeftOutAndNamedAndAnEmptyListFallsBackToTheDefault() {
        PolicyRules r = rules(Map.of("suites_psk", new String[] {"TLS_NOPE", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
            "TLS_PSK_WITH_AES_128_CCM_8@tomorrow"}, "min_strength_bits", 5, "aead_limits",
            new String[] {"AES_128_CCM_8:100:16", "FOO:1:1"}));
        assertThat(r.problems()).anyMatch(p -> p.contains("unknown suite 'TLS_NOPE'"))
                .anyMatch(p -> p.contains("does not work with PSK"))
                .anyMatch(p -> p.contains("no valid date"))
                .anyMatch(p -> p.contains("suites.psk has no valid suite"))
                .anyMatch(p -> p.contains("min.strength.bits"))
                .anyMatch(p -> p.contains("FOO"));
        assertThat(r.suites(CredentialType.PSK)).containsKey("TLS_PSK_WITH_AES_128_CCM_8");
        assertThat(r.minStrength()).isEqualTo(112);
        assertThat(r.limits("TLS_PSK_WITH_AES_128_CCM_8").get().integrityFailures()).isEqualTo(16);
        assertThat(r.limits("TLS_PSK_WITH_AES_128_CCM").get()).isEqualTo(Suites.CCM);
    }

    @Test
    void ccm8ToleratesFarFewerForgeriesThanCcmOrGcm() {
        PolicyRules r = rules(Map.of());
        long ccm8 = r.limits("TLS_PSK_WITH_AES_128_CCM_8").get().integrityFailures();
        assertThat(ccm8).isEqualTo(128);
        assertThat(r.limits("TLS_PSK_WITH_AES_128_CCM").get().integrityFailures()).isGreaterThan(1_000_000L * ccm8 / 128);
        assertThat(r.limits("TLS_PSK_WITH_AES_128_GCM_SHA256").get().integrityFailures()).isEqualTo(1L << 36);
    }

    @Test
    void keysAreJudgedByStrengthQuantumDatesAgeAndExpiry() {
        PolicyRules r = rules(Map.of());
        KeyFacts rsa2048 = new KeyFacts(CredentialType.RAW_PUBLIC_KEY, "RSA 2048", 112, true,
                Optional.of(NOW.minusSeconds(86_400)), Optional.empty());
        assertThat(r.key(rsa2048, NOW).status()).isEqualTo(CryptoStatus.OK);
        assertThat(r.key(rsa2048, Instant.parse("2030-01-02T00:00:00Z")).status()).isEqualTo(CryptoStatus.RETIRED);
        KeyFacts p256 = new KeyFacts(CredentialType.RAW_PUBLIC_KEY, "EC P-256", 128, true,
                Optional.of(Instant.parse("2030-01-01T00:00:00Z")), Optional.empty());
        assertThat(r.key(p256, Instant.parse("2030-06-01T00:00:00Z")).status()).isEqualTo(CryptoStatus.WARN);
        assertThat(r.key(p256, Instant.parse("2035-01-01T00:00:00Z")).status()).isEqualTo(CryptoStatus.RETIRED);

        Instant created = NOW.minusSeconds(86_400L * 700);
        KeyFacts psk = new KeyFacts(CredentialType.PSK, "PSK", 256, false, Optional.of(created), Optional.empty());
        Verdict soon = r.key(psk, NOW);
        assertThat(soon.status()).isEqualTo(CryptoStatus.EXPIRING);
        assertThat(soon.reason()).contains("maximum age of 730 days");
        assertThat(r.key(psk, NOW.plusSeconds(86_400L * 60)).reason()).contains("rotate it before");
        assertThat(r.key(psk, NOW.plusSeconds(86_400L * 200)).status()).isEqualTo(CryptoStatus.EXPIRED);
        KeyFacts unknownAge = new KeyFacts(CredentialType.PSK, "PSK", 256, false, Optional.empty(), Optional.empty());
        assertThat(r.key(unknownAge, NOW).status()).isEqualTo(CryptoStatus.WARN);

        KeyFacts cert = new KeyFacts(CredentialType.X509, "X.509 EC P-256", 128, true, Optional.empty(),
                Optional.of(NOW.plusSeconds(86_400L * 10)));
        assertThat(r.key(cert, NOW).reason()).contains("certificate expires on");
        assertThat(r.key(cert, NOW.plusSeconds(86_400L * 11)).status()).isEqualTo(CryptoStatus.EXPIRED);
        KeyFacts weak = new KeyFacts(CredentialType.RAW_PUBLIC_KEY, "RSA 1024", 80, true, Optional.of(NOW),
                Optional.empty());
        assertThat(r.key(weak, NOW).status()).as("reported, not refused").isEqualTo(CryptoStatus.WARN);
        assertThat(r.key(weak, NOW).reason()).contains("below the policy minimum of 112");
    }

    @Test
    void operatorsCanMoveTheQuantumDates() {
        Map<String, Object> v = new HashMap<>();
        v.put("quantum_vulnerable_disallowed", "2027-01-01");
        PolicyRules r = rules(v);
        assertThat(r.suite(CredentialType.RAW_PUBLIC_KEY, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", NOW).status())
                .isEqualTo(CryptoStatus.EXPIRING);
        assertThat(r.suite(CredentialType.RAW_PUBLIC_KEY, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
                Instant.parse("2027-01-01T00:00:00Z")).reason()).contains("quantum-vulnerable");
    }

    // --- device radio energy per byte ---

    static final String TX_KEY = "energy.device.tx.nanojoules.per.byte";
    static final String RX_KEY = "energy.device.rx.nanojoules.per.byte";

    @Test
    void givenTheShippedDefaults_whenTheEnergyCoefficientsAreRead_thenTheyAreTheCc2420Ones() {
        CryptoPolicyComponent policy = new CryptoPolicyComponent(TestRuntime.config(PolicyConfig.class, Map.of()));

        assertThat(policy.rules().problems()).isEmpty();
        assertThat(policy.deviceTxNanojoulesPerByte()).isEqualTo(CryptoPolicy.DEFAULT_TX_NJ_PER_BYTE).isEqualTo(1670.4);
        assertThat(policy.deviceRxNanojoulesPerByte()).isEqualTo(CryptoPolicy.DEFAULT_RX_NJ_PER_BYTE).isEqualTo(1804.8);
        assertThat(PolicyRules.METATYPE.attribute(TX_KEY)).hasValueSatisfying(a -> {
            assertThat(a.type()).isEqualTo("Double");
            assertThat(a.defaults()).containsExactly("1670.4");
            assertThat(a.min()).isEqualTo("1");
            assertThat(a.max()).isEqualTo("10000000");
            assertThat(a.description()).contains("Texas Instruments CC2420 datasheet", "TX 17.4 mA at 0 dBm", "3 V",
                    "250 kbit/s", "Devices transmit what the gateway receives");
        });
        assertThat(PolicyRules.METATYPE.attribute(RX_KEY)).hasValueSatisfying(a -> {
            assertThat(a.type()).isEqualTo("Double");
            assertThat(a.defaults()).containsExactly("1804.8");
            assertThat(a.description()).contains("Texas Instruments CC2420 datasheet", "RX 18.8 mA", "3 V",
                    "250 kbit/s", "receive what the gateway sends");
        });
    }

    @Test
    void givenOperatorCoefficients_whenThePolicyIsRead_thenTheServiceReturnsThemAndTheShellShowsThem() {
        CryptoPolicyComponent policy = new CryptoPolicyComponent(TestRuntime.config(PolicyConfig.class,
                Map.of("energy_device_tx_nanojoules_per_byte", 2500.5, "energy_device_rx_nanojoules_per_byte", 900.0)));

        assertThat(policy.rules().problems()).isEmpty();
        assertThat(policy.deviceTxNanojoulesPerByte()).isEqualTo(2500.5);
        assertThat(policy.deviceRxNanojoulesPerByte()).isEqualTo(900.0);
        assertThat(new CryptoCommands(null, policy).cryptopolicy())
                .contains("device radio: 2500.5 nJ per byte sent, 900 nJ per byte received");
    }

    @Test
    void givenCoefficientsOutOfRange_whenThePolicyIsRead_thenEachIsNamedInAProblemAndItsDefaultUsed() {
        Map<String, Object> v = new HashMap<>();
        v.put("energy_device_tx_nanojoules_per_byte", 0.0);
        v.put("energy_device_rx_nanojoules_per_byte", 2.0e7);
        CryptoPolicyComponent policy = new CryptoPolicyComponent(TestRuntime.config(PolicyConfig.class, v));

        assertThat(policy.rules().problems()).containsExactly(
                TX_KEY + " must be between 1 and 10000000: 0; using 1670.4",
                RX_KEY + " must be between 1 and 10000000: 20000000; using 1804.8");
        assertThat(policy.deviceTxNanojoulesPerByte()).isEqualTo(CryptoPolicy.DEFAULT_TX_NJ_PER_BYTE);
        assertThat(policy.deviceRxNanojoulesPerByte()).isEqualTo(CryptoPolicy.DEFAULT_RX_NJ_PER_BYTE);
        assertThat(new CryptoCommands(null, policy).cryptopolicy()).contains("problem: " + TX_KEY + " must be between");
    }

    @Test
    void givenANotANumberCoefficient_whenThePolicyIsRead_thenItIsRefusedWithAProblem() {
        PolicyRules r = rules(Map.of("energy_device_rx_nanojoules_per_byte", Double.NaN));

        assertThat(r.problems()).singleElement().asString().startsWith(RX_KEY + " must be between 1 and 10000000")
                .endsWith("; using 1804.8");
        assertThat(r.deviceRxNanojoulesPerByte()).isEqualTo(1804.8);
        assertThat(PolicyRules.METATYPE.problems(Map.of(TX_KEY, "fast"))).containsExactly(TX_KEY + " 'fast' is not a number");
    }
}
