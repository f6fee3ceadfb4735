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
import org.m2mgw.api.crypto.Airtime;
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

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        volatile Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    InventoryComponent inventory(Registry r, Clock clock) {
        CryptoPolicyComponent policy = new CryptoPolicyComponent(TestRuntime.config(PolicyConfig.class, Map.of()));
        return new InventoryComponent(r, policy, dir, clock, false);
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
        assertThat(InventoryJson.summary(inv.entries(), inv.findings(), inv.uplinks(), NOW, Energy.DEFAULT))
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

    // --- airtime and handshakes per day ---

    static final String SUITE = "TLS_PSK_WITH_AES_128_CCM_8";

    @Test
    void givenDeltasOfSeveralReports_whenTheEntryIsRead_thenTheyAreSummedPerProtocolInConstantOrder() {
        Registry r = new Registry();
        r.psk("meter-1", random(32), NOW);
        InventoryComponent inv = inventory(r);

        inv.airtime("meter-1", List.of(new Airtime(Airtime.DTLS_RECORDS, 2, 100, 2, 80, 0),
                new Airtime(Airtime.DTLS_FULL_HANDSHAKE, 4, 300, 3, 700, 1)));
        inv.airtime("meter-1", List.of(new Airtime(Airtime.DTLS_RECORDS, 1, 50, 1, 40, 0),
                Airtime.none(Airtime.OSCORE)));
        inv.airtime("meter-1", List.of());

        assertThat(inv.entry("meter-1").orElseThrow().airtime()).containsExactly(
                new Airtime(Airtime.DTLS_FULL_HANDSHAKE, 4, 300, 3, 700, 1),
                new Airtime(Airtime.DTLS_RECORDS, 3, 150, 3, 120, 0));
    }

    @Test
    void givenAnUnknownDevice_whenItsAirtimeIsReported_thenItIsCountedOnceItIsRegistered() {
        Registry r = new Registry();
        InventoryComponent inv = inventory(r);

        inv.airtime("later", List.of(new Airtime(Airtime.EDHOC, 2, 120, 1, 60, 1)));
        r.psk("later", random(32), NOW);

        assertThat(inv.entry("later").orElseThrow().airtime()).containsExactly(
                new Airtime(Airtime.EDHOC, 2, 120, 1, 60, 1));
    }

    @Test
    void givenHandshakesToday_whenTheUtcDayRolls_thenTheyAreYesterdaysAndTodayStartsAtZero() {
        Registry r = new Registry();
        r.psk("meter-1", random(32), NOW);
        MovingClock clock = new MovingClock(Instant.parse("2026-11-30T23:59:00Z"));
        InventoryComponent inv = inventory(r, clock);
        for (int i = 0; i < 3; i++) {
            inv.handshake("meter-1", Suites.DTLS_1_2, SUITE, CredentialType.PSK, i == 0, clock.instant());
        }
        assertThat(inv.entry("meter-1").orElseThrow()).satisfies(e -> {
            assertThat(e.handshakesToday()).isEqualTo(3);
            assertThat(e.handshakesYesterday()).isZero();
        });

        clock.now = Instant.parse("2026-12-01T00:01:00Z");
        InventoryEntry silent = inv.entry("meter-1").orElseThrow();
        inv.handshake("meter-1", Suites.DTLS_1_2, SUITE, CredentialType.PSK, false, clock.instant());

        assertThat(silent.handshakesToday()).isZero();
        assertThat(silent.handshakesYesterday()).isEqualTo(3);
        assertThat(inv.entry("meter-1").orElseThrow()).satisfies(e -> {
            assertThat(e.handshakesToday()).isEqualTo(1);
            assertThat(e.handshakesYesterday()).isEqualTo(3);
        });
    }

    @Test
    void givenALastHandshakeDaysAgo_whenReadOrHandshakingAgain_thenYesterdayIsZero() {
        Registry r = new Registry();
        r.psk("meter-1", random(32), NOW);
        MovingClock clock = new MovingClock(NOW);
        InventoryComponent inv = inventory(r, clock);
        inv.handshake("meter-1", Suites.DTLS_1_2, SUITE, CredentialType.PSK, true, NOW);
        inv.handshake("meter-1", Suites.DTLS_1_2, SUITE, CredentialType.PSK, false, NOW);

        clock.now = NOW.plus(java.time.Duration.ofDays(3));
        InventoryEntry read = inv.entry("meter-1").orElseThrow();
        inv.handshake("meter-1", Suites.DTLS_1_2, SUITE, CredentialType.PSK, false, clock.now);

        assertThat(read.handshakesToday()).isZero();
        assertThat(read.handshakesYesterday()).isZero();
        assertThat(inv.entry("meter-1").orElseThrow()).satisfies(e -> {
            assertThat(e.handshakesToday()).isEqualTo(1);
            assertThat(e.handshakesYesterday()).isZero();
            assertThat(e.fullHandshakes() + e.resumptions()).isEqualTo(3);
        });
    }

    @Test
    void givenAV1Inventory_whenLoaded_thenItsLinesLoadWithoutAirtimeAndTheV1FileIsKept() throws Exception {
        Registry r = new Registry();
        r.psk("meter-1", random(32), NOW);
        String v1 = "# m2mgw crypto inventory v1\n" + String.join("\t", "meter-1", SUITE, Suites.DTLS_1_2, "PSK",
                "42", "1", "2026-11-29T10:00:00Z", "7", "2", "", "", "0", "session closed: suite retired",
                "2026-11-29T11:00:00Z") + "\n";
        Files.writeString(dir.resolve("inventory.tsv"), v1);

        InventoryComponent inv = inventory(r);
        InventoryEntry e = inv.entry("meter-1").orElseThrow();
        assertThat(e.suite()).contains(SUITE);
        assertThat(e.recordsProtected()).isEqualTo(42);
        assertThat(e.fullHandshakes()).isEqualTo(7);
        assertThat(e.resumptions()).isEqualTo(2);
        assertThat(e.lastEvent()).hasValueSatisfying(l -> assertThat(l).contains("retired"));
        assertThat(e.airtime()).isEmpty();
        assertThat(e.handshakesToday()).isZero();
        assertThat(e.handshakesYesterday()).isZero();

        inv.deactivate();
        assertThat(Files.readString(dir.resolve("inventory.tsv.v1"))).isEqualTo(v1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("inventory.tsv.v1"))))
                .isEqualTo("rw-------");
        assertThat(Files.readAllLines(dir.resolve("inventory.tsv")).get(0)).isEqualTo(InventoryComponent.HEADER);
        inventory(r).deactivate();
        assertThat(Files.readString(dir.resolve("inventory.tsv.v1"))).isEqualTo(v1);
    }

    @Test
    void givenAirtimeAndDayCounters_whenSavedAndLoaded_thenTheV2LineRoundTrips() throws Exception {
        Registry r = new Registry();
        r.psk("meter-1", random(32), NOW);
        MovingClock clock = new MovingClock(NOW.minus(java.time.Duration.ofDays(1)));
        InventoryComponent inv = inventory(r, clock);
        inv.handshake("meter-1", Suites.DTLS_1_2, SUITE, CredentialType.PSK, true, clock.now);
        inv.handshake("meter-1", Suites.DTLS_1_2, SUITE, CredentialType.PSK, false, clock.now);
        clock.now = NOW;
        inv.handshake("meter-1", Suites.DTLS_1_2, SUITE, CredentialType.PSK, false, NOW);
        String odd = "vendor; x=1, 100% \t new";
        List<Airtime> air = List.of(new Airtime(Airtime.DTLS_FULL_HANDSHAKE, 4, 300, 3, 700, 1),
                new Airtime(Airtime.DTLS_CID_RECORDS, 9, 900, 8, 640, 0), new Airtime(odd, 1, 2, 3, 4, 5));
        inv.airtime("meter-1", air);
        InventoryEntry before = inv.entry("meter-1").orElseThrow();
        inv.deactivate();

        String line = Files.readAllLines(dir.resolve("inventory.tsv")).get(1);
        assertThat(line.split("\t", -1)).hasSize(18);
        assertThat(line).contains("\tDTLS full handshake=4,300,3,700,1;DTLS records with CID=9,900,8,640,0;"
                + "vendor%3b x%3d1%2c 100%25 %09 new=1,2,3,4,5");
        assertThat(Files.exists(dir.resolve("inventory.tsv.v1"))).isFalse();

        InventoryEntry after = inventory(r, clock).entry("meter-1").orElseThrow();
        assertThat(after).isEqualTo(before);
        assertThat(after.airtime()).containsExactlyElementsOf(air);
        assertThat(after.handshakesToday()).isEqualTo(1);
        assertThat(after.handshakesYesterday()).isEqualTo(2);
    }

    @Test
    void givenAirtime_whenWrittenAsJson_thenEntriesAndTheSummaryCarryItWithBytesPerHandshake() {
        Registry r = new Registry();
        r.psk("meter-1", random(32), NOW);
        r.psk("meter-2", random(32), NOW);
        InventoryComponent inv = inventory(r);
        inv.handshake("meter-1", Suites.DTLS_1_2, SUITE, CredentialType.PSK, true, NOW);
        inv.airtime("meter-1", List.of(new Airtime(Airtime.DTLS_FULL_HANDSHAKE, 4, 300, 3, 700, 1)));
        inv.airtime("meter-2", List.of(new Airtime(Airtime.DTLS_FULL_HANDSHAKE, 4, 320, 3, 681, 1),
                new Airtime(Airtime.OSCORE, 5, 250, 5, 200, 0)));

        String entry = InventoryJson.entries(List.of(inv.entry("meter-1").orElseThrow()), inv.energy());
        String summary = InventoryJson.summary(inv.entries(), inv.findings(), inv.uplinks(), NOW, inv.energy());

        // 300 x 1670.4 + 700 x 1804.8 = 1764480 nJ
        assertThat(entry).contains("\"airtime\":[{\"protocol\":\"DTLS full handshake\",\"datagramsIn\":4,"
                + "\"bytesIn\":300,\"datagramsOut\":3,\"bytesOut\":700,\"handshakes\":1,\"millijoules\":1.764}],"
                + "\"energyMillijoules\":1.764,\"handshakesToday\":1,\"handshakesYesterday\":0}");
        assertThat(summary).contains("\"handshakesToday\":1,\"handshakesYesterday\":0,\"airtime\":["
                + "{\"protocol\":\"DTLS full handshake\",\"datagramsIn\":8,\"bytesIn\":620,\"datagramsOut\":6,"
                + "\"bytesOut\":1381,\"handshakes\":2,\"millijoules\":3.528,\"bytesPerHandshake\":1001,"
                + "\"millijoulesPerHandshake\":1.764},"
                + "{\"protocol\":\"OSCORE\",\"datagramsIn\":5,\"bytesIn\":250,\"datagramsOut\":5,\"bytesOut\":200,"
                + "\"handshakes\":0,\"millijoules\":0.779}]");
        jakarta.json.Json.createReader(new java.io.StringReader(summary)).readObject();
    }

    @Test
    void givenAirtimeOfTwoDevices_whenTheStatusIsRead_thenCountersHoldFleetTotalsPerProtocol() {
        Registry r = new Registry();
        r.psk("meter-1", random(32), NOW);
        r.psk("meter-2", random(32), NOW);
        InventoryComponent inv = inventory(r);
        inv.handshake("meter-1", Suites.DTLS_1_2, SUITE, CredentialType.PSK, true, NOW);
        inv.handshake("meter-2", Suites.DTLS_1_2, SUITE, CredentialType.PSK, false, NOW);
        inv.airtime("meter-1", List.of(new Airtime(Airtime.DTLS_FULL_HANDSHAKE, 4, 300, 3, 700, 1)));
        inv.airtime("meter-2", List.of(new Airtime(Airtime.DTLS_FULL_HANDSHAKE, 4, 320, 3, 681, 1),
                new Airtime(Airtime.DTLS_CID_RECORDS, 5, 250, 5, 200, 0)));

        Map<String, Long> counters = inv.counters();

        assertThat(counters).containsEntry("airtime.dtls-full-handshake.bytes.in", 620L)
                .containsEntry("airtime.dtls-full-handshake.bytes.out", 1381L)
                .containsEntry("airtime.dtls-full-handshake.datagrams", 14L)
                .containsEntry("airtime.dtls-full-handshake.handshakes", 2L)
                .containsEntry("airtime.dtls-records-with-cid.bytes.in", 250L)
                .containsEntry("airtime.dtls-records-with-cid.datagrams", 10L)
                .containsEntry("handshakes.today", 2L).containsEntry("handshakes.yesterday", 0L)
                .doesNotContainKey("airtime.oscore.bytes.in");
    }

    @Test
    void givenTheShellListing_whenADeviceHasAirtime_thenItShowsItsBytesAndHandshakesToday() {
        Registry r = new Registry();
        r.psk("meter-1", random(32), NOW);
        r.psk("meter-2", random(32), NOW);
        InventoryComponent inv = inventory(r);
        inv.handshake("meter-1", Suites.DTLS_1_2, SUITE, CredentialType.PSK, true, NOW);
        inv.airtime("meter-1", List.of(new Airtime(Airtime.DTLS_FULL_HANDSHAKE, 4, 300, 3, 12_000, 1)));

        String listing = new CryptoCommands(inv, null).crypto();

        // 300 x 1670.4 + 12000 x 1804.8 nJ = 22.15872 mJ
        assertThat(listing).contains("AIR/HS TODAY/ENERGY").containsPattern("meter-1 .* 12\\.3k/1/22mJ ")
                .containsPattern("meter-2 .* - +OK");
        assertThat(CryptoCommands.bytes(999)).isEqualTo("999");
        assertThat(CryptoCommands.bytes(99_960)).isEqualTo("100k");
        assertThat(CryptoCommands.bytes(999_960)).isEqualTo("1.0M");
    }

    // --- energy of airtime ---

    static final String TX = "energy_device_tx_nanojoules_per_byte";
    static final String RX = "energy_device_rx_nanojoules_per_byte";

    InventoryComponent inventory(Registry r, CryptoPolicyComponent policy) {
        return new InventoryComponent(r, policy, dir, Clock.fixed(NOW, ZoneOffset.UTC), false);
    }

    @Test
    void givenAConfiguredRadio_whenJsonAndCountersAreRead_thenEnergyIsBytesInTimesTxPlusBytesOutTimesRx() {
        Registry r = new Registry();
        r.psk("meter-1", random(32), NOW);
        r.psk("meter-2", random(32), NOW);
        CryptoPolicyComponent policy = new CryptoPolicyComponent(TestRuntime.config(PolicyConfig.class,
                Map.of(TX, 1000.0, RX, 2000.0)));
        InventoryComponent inv = inventory(r, policy);
        inv.airtime("meter-1", List.of(new Airtime(Airtime.DTLS_FULL_HANDSHAKE, 4, 300, 3, 700, 1),
                new Airtime(Airtime.DTLS_RECORDS, 2, 1000, 2, 250, 0)));
        inv.airtime("meter-2", List.of(new Airtime(Airtime.DTLS_FULL_HANDSHAKE, 4, 500, 3, 900, 1)));

        String entry = InventoryJson.entries(List.of(inv.entry("meter-1").orElseThrow()), inv.energy());
        String summary = InventoryJson.summary(inv.entries(), inv.findings(), inv.uplinks(), NOW, inv.energy());
        Map<String, Long> counters = inv.counters();

        // meter-1: 300 x 1000 + 700 x 2000 nJ = 1.7 mJ; 1000 x 1000 + 250 x 2000 nJ = 1.5 mJ
        assertThat(entry).contains("\"bytesOut\":700,\"handshakes\":1,\"millijoules\":1.7}")
                .contains("\"bytesOut\":250,\"handshakes\":0,\"millijoules\":1.5}")
                .contains("],\"energyMillijoules\":3.2,\"handshakesToday\":");
        // fleet full handshakes: 800 x 1000 + 1600 x 2000 nJ = 4 mJ over 2 handshakes
        assertThat(summary).contains("\"bytesIn\":800,\"datagramsOut\":6,\"bytesOut\":1600,\"handshakes\":2,"
                + "\"millijoules\":4,\"bytesPerHandshake\":1200,\"millijoulesPerHandshake\":2}")
                .contains("\"protocol\":\"DTLS records\",\"datagramsIn\":2,\"bytesIn\":1000,\"datagramsOut\":2,"
                        + "\"bytesOut\":250,\"handshakes\":0,\"millijoules\":1.5}]")
                .contains("\"energyMillijoules\":5.5,\"deviceNanojoulesPerByte\":{\"tx\":1000,\"rx\":2000}");
        jakarta.json.Json.createReader(new java.io.StringReader(summary)).readObject();
        assertThat(counters).containsEntry("energy.dtls-full-handshake.millijoules", 4L)
                .containsEntry("energy.dtls-records.millijoules", 2L) // 1.5 rounded half up
                .doesNotContainKey("energy.oscore.millijoules");
    }

    @Test
    void givenThePolicyChanges_whenTheCountersAreReadAgain_thenTheNewCoefficientsApplyAtOnce() {
        Registry r = new Registry();
        r.psk("meter-1", random(32), NOW);
        CryptoPolicyComponent policy = new CryptoPolicyComponent(TestRuntime.config(PolicyConfig.class,
                Map.of(TX, 1000.0, RX, 2000.0)));
        InventoryComponent inv = inventory(r, policy);
        inv.airtime("meter-1", List.of(new Airtime(Airtime.OSCORE, 10, 2000, 10, 1000, 0)));
        assertThat(inv.counters()).containsEntry("energy.oscore.millijoules", 4L);

        policy.modified(TestRuntime.config(PolicyConfig.class, Map.of(TX, 500.0, RX, 500.0)));

        assertThat(inv.counters()).containsEntry("energy.oscore.millijoules", 2L)
                .containsEntry("airtime.oscore.bytes.in", 2000L);
    }

    @Test
    void givenTheDefaultRadio_whenJsonAndCountersAreRead_thenEnergyUsesTheCc2420Coefficients() {
        Registry r = new Registry();
        r.psk("valve-1", random(32), NOW);
        InventoryComponent inv = inventory(r);
        inv.handshake("valve-1", Suites.DTLS_1_2, SUITE, CredentialType.PSK, true, NOW);
        inv.airtime("valve-1", List.of(new Airtime(Airtime.EDHOC, 2, 625, 1, 1250, 1)));

        String entry = InventoryJson.entries(List.of(inv.entry("valve-1").orElseThrow()), inv.energy());
        String summary = InventoryJson.summary(inv.entries(), inv.findings(), inv.uplinks(), NOW, inv.energy());

        // 625 x 1670.4 + 1250 x 1804.8 nJ = 1044000 + 2256000 nJ = 3.3 mJ
        assertThat(inv.energy()).isEqualTo(Energy.DEFAULT);
        assertThat(entry).contains("\"handshakes\":1,\"millijoules\":3.3}],\"energyMillijoules\":3.3,");
        assertThat(summary).contains("\"millijoules\":3.3,\"bytesPerHandshake\":1875,\"millijoulesPerHandshake\":3.3}")
                .contains("\"deviceNanojoulesPerByte\":{\"tx\":1670.4,\"rx\":1804.8}");
        assertThat(inv.counters()).containsEntry("energy.edhoc.millijoules", 3L);
        assertThat(new CryptoCommands(inv, null).crypto()).containsPattern("valve-1 .* 1\\.9k/1/3\\.3mJ +OK");
    }

    @Test
    void givenAPolicyWithoutTheEnergyMethods_whenEnergyIsComputed_thenTheApiDefaultsApply() {
        CryptoPolicyComponent shipped = new CryptoPolicyComponent(TestRuntime.config(PolicyConfig.class, Map.of()));
        org.m2mgw.api.crypto.CryptoPolicy plain = new org.m2mgw.api.crypto.CryptoPolicy() {
            @Override
            public org.m2mgw.api.crypto.Verdict suite(CredentialType type, String suiteId, Instant at) {
                return shipped.suite(type, suiteId, at);
            }

            @Override
            public org.m2mgw.api.crypto.Verdict key(org.m2mgw.api.crypto.KeyFacts key, Instant at) {
                return shipped.key(key, at);
            }

            @Override
            public Optional<org.m2mgw.api.crypto.AeadLimits> limits(String suiteId) {
                return shipped.limits(suiteId);
            }

            @Override
            public int warningDays() {
                return shipped.warningDays();
            }

            @Override
            public long revision() {
                return 1;
            }
        };
        org.m2mgw.api.crypto.CryptoPolicy broken = new CryptoPolicyComponent(TestRuntime.config(PolicyConfig.class,
                Map.of())) {
            @Override
            public double deviceTxNanojoulesPerByte() {
                return Double.NaN;
            }
        };

        Energy energy = Energy.of(plain);

        assertThat(energy).isEqualTo(Energy.DEFAULT);
        assertThat(Energy.of(broken)).as("a coefficient that is no number is not trusted").isEqualTo(Energy.DEFAULT);
        assertThat(Energy.of(null)).isEqualTo(Energy.DEFAULT);
        Registry r = new Registry();
        r.psk("meter-1", random(32), NOW);
        InventoryComponent inv = new InventoryComponent(r, plain, dir, Clock.fixed(NOW, ZoneOffset.UTC), false);
        inv.airtime("meter-1", List.of(new Airtime(Airtime.DTLS_RESUMPTION, 1, 625, 1, 0, 1)));
        assertThat(inv.counters()).containsEntry("energy.dtls-resumption.millijoules", 1L); // 1.044 mJ
        assertThat(Energy.json(energy.millijoules(new Airtime(Airtime.DTLS_RESUMPTION, 1, 10, 1, 0, 1))))
                .isEqualTo("0.017"); // 16704 nJ
        assertThat(energy.millijoules(new Airtime(Airtime.DTLS_RESUMPTION, 1, 10, 1, 0, 1)))
                .isEqualByComparingTo("0.016704");
    }

    @Test
    void givenEnergies_whenShownInTheShell_thenTheyFitInFiveCharacters() {
        assertThat(Energy.compact(java.math.BigDecimal.ZERO)).isEqualTo("0mJ");
        assertThat(Energy.compact(new java.math.BigDecimal("2.5"))).isEqualTo("2.5mJ");
        assertThat(Energy.compact(new java.math.BigDecimal("22.15872"))).isEqualTo("22mJ");
        assertThat(Energy.compact(new java.math.BigDecimal("999.4"))).isEqualTo("999mJ");
        assertThat(Energy.compact(new java.math.BigDecimal("1800"))).isEqualTo("1.8J");
        assertThat(Energy.compact(new java.math.BigDecimal("3100000"))).isEqualTo("3.1kJ");
    }
}
