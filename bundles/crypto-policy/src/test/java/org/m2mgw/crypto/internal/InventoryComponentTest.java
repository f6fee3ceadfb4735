package org.m2mgw.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.crypto.CryptoStatus;
import org.m2mgw.api.crypto.Finding;
import org.m2mgw.api.crypto.InventoryEntry;
import org.m2mgw.api.crypto.Suites;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.support.testing.TestRuntime;

class InventoryComponentTest {
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @TempDir
    Path dir;

    /** A registry of PSK and RPK devices, enough for the inventory. */
    static final class Registry implements DeviceRegistry {
        final Map<String, Device> devices = new LinkedHashMap<>();
        final Map<String, byte[]> secrets = new HashMap<>();

        void psk(String id, byte[] key, Instant created) {
            devices.put(id, Device.builder(id).pskIdentity(id).keyCreated(created).allow("*").build());
            secrets.put(id, key);
        }

        @Override
        public Optional<Device> device(String deviceId) {
            return Optional.ofNullable(devices.get(deviceId));
        }

        @Override
        public Optional<Device> byPskIdentity(String pskIdentity) {
            return devices.values().stream().filter(d -> d.pskIdentity().orElse("").equals(pskIdentity)).findFirst();
        }

        @Override
        public Optional<Device> byPublicKey(byte[] spki) {
            return Optional.empty();
        }

        @Override
        public Optional<Device> byCertificateSubject(String subject) {
            return Optional.empty();
        }

        @Override
        public Optional<Device> byCertificate(String issuer, String subject) {
            return Optional.empty();
        }

        @Override
        public Optional<byte[]> pskSecret(String pskIdentity) {
            return Optional.ofNullable(secrets.get(pskIdentity)).map(byte[]::clone);
        }

        @Override
        public Optional<Device> promoteNextCredential(String deviceId) {
            return device(deviceId);
        }

        @Override
        public Collection<Device> devices() {
            return new ArrayList<>(devices.values());
        }

        @Override
        public List<X509Certificate> trustAnchors() {
            return List.of();
        }
    }

    static byte[] random(int n) {
        byte[] k = new byte[n];
        new SecureRandom().nextBytes(k);
        k[0] = (byte) 0x80;
        return k;
    }

    InventoryComponent inventory(Registry r) {
        CryptoPolicyComponent policy = new CryptoPolicyComponent(TestRuntime.config(PolicyConfig.class, Map.of()));
        return new InventoryComponent(r, policy, dir, Clock.fixed(NOW, ZoneOffset.UTC), false);
    }

    @Test
    void entriesJoinRegistryKeysWithWhatTransportsReported() throws Exception {
        Registry r = new Registry();
        r.psk("meter-1", random(32), NOW.minusSeconds(86_400));
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        r.devices.put("valve-1", Device.builder("valve-1").publicKey(ec.generateKeyPair().getPublic().getEncoded())
                .allow("*").build());
        InventoryComponent inv = inventory(r);
        inv.handshake("meter-1", Suites.DTLS_1_2, "TLS_PSK_WITH_AES_128_CCM_8", CredentialType.PSK, true, NOW);
        inv.usage("meter-1", 42, 1);

        InventoryEntry meter = inv.entry("meter-1").orElseThrow();
        assertThat(meter.verdict().status()).isEqualTo(CryptoStatus.OK);
        assertThat(meter.keyFingerprint()).startsWith("hmac:");
        assertThat(meter.suite()).contains("TLS_PSK_WITH_AES_128_CCM_8");
        assertThat(meter.recordsProtected()).isEqualTo(42);
        assertThat(meter.macFailures()).isEqualTo(1);
        assertThat(meter.quantumVulnerable()).isFalse();

        InventoryEntry valve = inv.entry("valve-1").orElseThrow();
        assertThat(valve.keyAlgorithm()).isEqualTo("EC P-256");
        assertThat(valve.quantumVulnerable()).isTrue();
        assertThat(valve.verdict().status()).isEqualTo(CryptoStatus.WARN);
        assertThat(valve.verdict().reason()).contains("creation date unknown");

        assertThat(inv.entries().stream().filter(InventoryFilter.parse("quantum", NOW)))
                .extracting(InventoryEntry::deviceId).containsExactly("valve-1");
        assertThat(inv.entries().stream().filter(InventoryFilter.parse("older:30", NOW)))
                .extracting(InventoryEntry::deviceId).containsExactly("valve-1");
        assertThatThrownBy(() -> InventoryFilter.parse("newest", NOW)).hasMessageContaining("unknown filter");

        inv.uplink(new org.m2mgw.api.crypto.UplinkEntry("org.m2mgw.cloud.mqtt~a", "TLSv1.3", "TLS_AES_128_GCM_SHA256",
                "X25519MLKEM768", NOW));
        assertThat(inv.uplinks()).singleElement().satisfies(u -> assertThat(u.postQuantum()).isTrue());
        assertThat(InventoryJson.summary(inv.entries(), inv.findings(), inv.uplinks(), NOW))
                .contains("\"group\":\"X25519MLKEM768\",\"postQuantum\":true");
    }

    @Test
    void findingsNameSharedWeakAndNeverResumingDevicesWithoutTheKeys() {
        Registry r = new Registry();
        byte[] shared = random(32);
        r.psk("a", shared, NOW);
        r.psk("b", shared.clone(), NOW);
        r.psk("demo", "secretPSK".getBytes(), NOW);
        r.psk("chatty", random(32), NOW);
        InventoryComponent inv = inventory(r);
        for (int i = 0; i < InventoryComponent.NO_RESUMPTION_AFTER; i++) {
            inv.handshake("chatty", Suites.DTLS_1_2, "TLS_PSK_WITH_AES_128_CCM_8", CredentialType.PSK, true, NOW);
        }
        List<Finding> findings = inv.findings();
        assertThat(findings).anySatisfy(f -> {
            assertThat(f.kind()).isEqualTo(Finding.Kind.SHARED_KEY);
            assertThat(f.deviceIds()).containsExactly("a", "b");
        });
        assertThat(findings).anySatisfy(f -> {
            assertThat(f.kind()).isEqualTo(Finding.Kind.WEAK_PSK);
            assertThat(f.deviceIds()).containsExactly("demo");
        });
        assertThat(findings).anySatisfy(f -> {
            assertThat(f.kind()).isEqualTo(Finding.Kind.NO_RESUMPTION);
            assertThat(f.deviceIds()).containsExactly("chatty");
        });
        assertThat(InventoryJson.findings(findings)).doesNotContain("secretPSK");
        assertThat(findings).filteredOn(f -> f.kind() == Finding.Kind.WEAK_PSK)
                .allSatisfy(f -> assertThat(f.detail()).contains("published demo or default key"));
    }

    @Test
    void aRetiredSuiteAndTheReasonTheGatewayActedOnSurviveARestart() throws Exception {
        Registry r = new Registry();
        r.psk("meter-1", random(32), NOW);
        InventoryComponent inv = inventory(r);
        inv.handshake("meter-1", Suites.DTLS_1_2, "TLS_PSK_WITH_AES_128_CCM", CredentialType.PSK, true, NOW);
        inv.ended("meter-1", "session closed: suite TLS_PSK_WITH_AES_128_CCM retired", NOW);
        inv.deactivate();
        Path file = dir.resolve("inventory.tsv");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String fingerprintBefore = inv.entry("meter-1").orElseThrow().keyFingerprint();

        InventoryComponent again = inventory(r);
        InventoryEntry e = again.entry("meter-1").orElseThrow();
        assertThat(e.suite()).contains("TLS_PSK_WITH_AES_128_CCM");
        assertThat(e.fullHandshakes()).isEqualTo(1);
        assertThat(e.lastEvent()).hasValueSatisfying(l -> assertThat(l).contains("retired"));
        assertThat(e.keyFingerprint()).isEqualTo(fingerprintBefore);
        Files.writeString(file, "garbage\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(inventory(r).entry("meter-1").orElseThrow().suite()).isPresent();
    }
}
