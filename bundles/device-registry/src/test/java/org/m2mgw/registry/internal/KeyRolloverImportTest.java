package org.m2mgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.device.Device;

/**
 * Key rollovers in import files ("next", "rolloverDeadline", "keyCreated"), re-imports of a file
 * that a rollover overtook, and stores written before key creation dates existed.
 */
class KeyRolloverImportTest extends RegistryTestSupport {
    static final Instant T0 = KeyRolloverTest.T0;
    static final byte[] NEXT = KeyRolloverTest.NEXT;
    static final byte[] NEXT_2 = KeyRolloverTest.NEXT_2;

    static String hex(byte[] b) {
        return "hex:" + HexFormat.of().formatHex(b);
    }

    /** A PSK entry with a next PSK. */
    static String rolling(String id, String identity, byte[] key, String nextIdentity, byte[] nextKey, String... extra) {
        return pskDevice(id, identity, key, concat("'next':{'pskIdentity':'" + nextIdentity + "','psk':'" + hex(nextKey) + "'}",
                extra));
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Test
    void givenTheDocumentedRolloverFields_whenImported_thenNextCredentialsDeadlineAndKeyCreatedAreTaken()
            throws Exception {
        byte[] current = p256PublicKey();
        byte[] next = ed25519PublicKey();
        DeviceRegistryComponent registry = start(new MutableClock(T0));
        Path file = write("devices.json", devicesFile(
                pskDevice("s1", "s1", SECRET_1, "'keyCreated':'2026-01-15T08:30:00Z'",
                        "'next':{'pskIdentity':'s1-k1','psk':'base64:" + b64(NEXT) + "'}",
                        "'rolloverDeadline':'2026-07-01T02:00:00+02:00'"),
                "{'id':'m1','rpk':'" + b64(current) + "','next':{'publicKey':'base64:" + b64(next) + "'}}",
                pskDevice("s2", "s2", SECRET_2)));

        ImportResult result = registry.importFile(file);

        assertThat(result.rejected()).isEmpty();
        assertThat(result.added()).isEqualTo(3);
        Device s1 = registry.byPskIdentity("s1-k1").orElseThrow();
        assertThat(s1.deviceId()).isEqualTo("s1");
        assertThat(s1.keyCreated()).hasValue(Instant.parse("2026-01-15T08:30:00Z"));
        assertThat(s1.rolloverDeadline()).hasValue(Instant.parse("2026-07-01T00:00:00Z"));
        assertThat(registry.pskSecret("s1-k1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(NEXT));
        assertThat(registry.pskSecret("s1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        assertThat(registry.byPublicKey(next)).map(Device::deviceId).hasValue("m1");
        assertThat(registry.byPublicKey(current)).map(Device::deviceId).hasValue("m1");
        assertThat(registry.device("m1").orElseThrow().keyCreated()).as("not given: now").hasValue(T0);
        assertThat(registry.device("s2").orElseThrow().keyCreated()).hasValue(T0);
        assertThat(registry.device("s2").orElseThrow().rolloverPending()).isFalse();
    }

    @Test
    void givenBadRolloverFields_whenImported_thenEachEntryIsRejectedNamingTheField() throws Exception {
        DeviceRegistryComponent registry = start(new MutableClock(T0));
        Path file = write("devices.json", devicesFile(
                pskDevice("good", "good", SECRET_1),
                pskDevice("n1", "n1", SECRET_1, "'next':'n1-k1'"),
                pskDevice("n2", "n2", SECRET_1, "'next':{'identity':'n2-k1'}"),
                rolling("n3", "n3", SECRET_1, "n3-k1", NEXT).replace(hex(NEXT), "hex:zz"),
                rolling("n4", "n4", SECRET_1, "n4-k1", new byte[] {1, 2}),
                pskDevice("n5", "n5", SECRET_1, "'next':{'psk':'" + hex(NEXT) + "'}"),
                pskDevice("n6", "n6", SECRET_1, "'next':{'pskIdentity':'n6-k1'}"),
                "{'id':'n7','rpk':'" + b64(p256PublicKey()) + "','next':{'pskIdentity':'n7-k1','psk':'" + hex(NEXT) + "'}}",
                rolling("n8", "n8", SECRET_1, "n8", NEXT),
                "{'id':'n9','rpk':'" + b64(p256PublicKey()) + "','next':{'publicKey':'!!'}}",
                "{'id':'n10','rpk':'" + b64(p256PublicKey()) + "','next':{'publicKey':'" + b64(new byte[] {1, 2, 3}) + "'}}",
                rolling("n11", "n11", SECRET_1, "n11-k1", NEXT, "'rolloverDeadline':'tomorrow'"),
                pskDevice("n12", "n12", SECRET_1, "'rolloverDeadline':'2026-07-01T00:00:00Z'"),
                pskDevice("n13", "n13", SECRET_1, "'keyCreated':'yesterday'"),
                pskDevice("n14", "n14", SECRET_1, "'next':{}"),
                pskDevice("n15", "n15", SECRET_1, "'retired':[]"),
                rolling("n16", "n16", SECRET_1, "good", NEXT),
                pskDevice("n17", "n17", SECRET_1, "'next':{'pskIdentity':'n17-k1','psk':'" + hex(NEXT) + "','publicKey':'"
                        + b64(p256PublicKey()) + "'}"),
                rolling("n18", "n18", SECRET_1, "n18-k1", SECRET_1),
                pskDevice("n19", "n19", SECRET_1, "'keyCreated':5")));

        ImportResult result = registry.importFile(file);

        assertThat(result.added()).isEqualTo(1);
        // entry errors in file order, then the clashes with other devices
        assertThat(result.rejected()).containsExactly(
                "device 'n1': next must be an object with \"pskIdentity\" and \"psk\", or \"publicKey\"",
                "device 'n2': unknown field 'next.identity'",
                "device 'n3': next.psk is not valid hex",
                "device 'n4': next.psk must be 16 to 64 bytes, got 2",
                "device 'n5': next.pskIdentity is missing (a next key was given)",
                "device 'n6': next.psk is missing",
                "device 'n7': next.pskIdentity needs a current PSK (\"psk\")",
                "device 'n8': next.pskIdentity must differ from psk.identity",
                "device 'n9': next.publicKey is not valid base64",
                "device 'n10': next.publicKey is not a P-256 or Ed25519 public key (DER SubjectPublicKeyInfo)",
                "device 'n11': rolloverDeadline 'tomorrow' is not an ISO-8601 instant (e.g. 2026-12-31T23:00:00Z)",
                "device 'n12': rolloverDeadline needs a next credential (\"next\")",
                "device 'n13': keyCreated 'yesterday' is not an ISO-8601 instant (e.g. 2026-12-31T23:00:00Z)",
                "device 'n14': next must name \"pskIdentity\" and \"psk\", or \"publicKey\"",
                "device 'n15': unknown field 'retired'",
                "device 'n17': next.publicKey needs a current raw public key (\"rpk\")",
                "device 'n18': next.psk must differ from the current key",
                "device 'n19': keyCreated must be a string",
                "device 'n16': next.pskIdentity 'good' already belongs to device 'good'");
        assertThat(String.join("\n", result.rejected())).doesNotContain(HexFormat.of().formatHex(NEXT))
                .doesNotContain(b64(NEXT));
        assertThat(registry.devices()).extracting(Device::deviceId).containsExactly("good");
    }

    @Test
    void givenTheSameFileAgainLater_thenNothingChanges_andKeyCreatedIsKept() throws Exception {
        MutableClock clock = new MutableClock(T0);
        DeviceRegistryComponent registry = start(clock);
        Path file = write("devices.json", devicesFile(rolling("s1", "s1", SECRET_1, "s1-k1", NEXT)));
        registry.importFile(file);
        RecordingListener listener = new RecordingListener();
        registry.addListener(listener);
        clock.advance(Duration.ofDays(1));

        ImportResult again = registry.importFile(file);

        assertThat(again.unchanged()).isEqualTo(1);
        assertThat(listener.events).isEmpty();
        assertThat(registry.device("s1").orElseThrow().keyCreated()).hasValue(T0);

        clock.advance(Duration.ofDays(1));
        registry.importFile(write("devices.json", devicesFile(rolling("s1", "s1", SECRET_2, "s1-k1", NEXT))));
        assertThat(registry.device("s1").orElseThrow().keyCreated()).as("new current key").hasValue(T0.plus(Duration.ofDays(2)));
        registry.importFile(write("devices.json", devicesFile(rolling("s1", "s1", SECRET_2, "s1-k1", NEXT,
                "'keyCreated':'2020-01-01T00:00:00Z'"))));
        assertThat(registry.device("s1").orElseThrow().keyCreated()).as("given by the file")
                .hasValue(Instant.parse("2020-01-01T00:00:00Z"));
    }

    @Test
    void givenAFileWhoseRolloverWasCompleted_whenImportedAgain_thenTheRetiredKeyStaysRetired() throws Exception {
        MutableClock clock = new MutableClock(T0);
        DeviceRegistryComponent registry = start(clock);
        Path file = write("devices.json", devicesFile(rolling("s1", "s1", SECRET_1, "s1-k1", NEXT)));
        registry.importFile(file);
        clock.advance(Duration.ofHours(1));
        Device promoted = registry.promoteNextCredential("s1").orElseThrow();

        String[] log = new String[1];
        ImportResult[] again = new ImportResult[1];
        log[0] = RegistryStoreTest.captureStderr(() -> {
            try {
                again[0] = registry.importFile(file);
                registry.importFile(file);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        assertThat(again[0].unchanged()).isEqualTo(1);
        assertThat(again[0].warnings()).singleElement().asString().startsWith("device 's1': the file names a "
                + "credential that a key rollover retired; the registry keeps the current one (PSK identity 's1-k1')");
        assertThat(log[0].lines().filter(l -> l.contains("a key rollover retired"))).as("logged once").hasSize(1);
        assertThat(registry.device("s1")).hasValue(promoted);
        assertThat(registry.pskSecret("s1")).isEmpty();
        assertThat(registry.pskSecret("s1-k1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(NEXT));

        // the file's other fields are still taken
        registry.importFile(write("devices.json", devicesFile(rolling("s1", "s1", SECRET_1, "s1-k1", NEXT,
                "'metadata':{'site':'north'}"))));
        assertThat(registry.device("s1").orElseThrow().metadata()).containsEntry("site", "north");
        assertThat(registry.pskSecret("s1")).isEmpty();
        assertThat(registry.device("s1").orElseThrow().keyCreated()).hasValue(T0.plus(Duration.ofHours(1)));

        // once the file is brought up to date, it imports without warning
        ImportResult updated = registry.importFile(write("devices.json", devicesFile(pskDevice("s1", "s1-k1", NEXT,
                "'metadata':{'site':'north'}"))));
        assertThat(updated.warnings()).isEmpty();
        assertThat(updated.unchanged()).isEqualTo(1);
    }

    @Test
    void givenARolloverStartedInTheShell_whenTheFileIsImportedAgain_thenTheRolloverStays_andAfterItTheOldKeyStaysRetired()
            throws Exception {
        MutableClock clock = new MutableClock(T0);
        DeviceRegistryComponent registry = start(clock);
        Path file = write("devices.json", devicesFile(pskDevice("s1", "s1", SECRET_1)));
        registry.importFile(file);
        Device pending = registry.startRollover("s1", "s1-k1", NEXT, null, T0.plus(Duration.ofDays(7)));

        assertThat(registry.importFile(file).unchanged()).as("a file without \"next\" leaves the rollover alone")
                .isEqualTo(1);
        assertThat(registry.device("s1")).hasValue(pending);

        registry.promoteNextCredential("s1");
        ImportResult afterPromotion = registry.importFile(file);

        assertThat(afterPromotion.warnings()).singleElement().asString().contains("a key rollover retired");
        assertThat(registry.pskSecret("s1")).isEmpty();
        assertThat(registry.byPskIdentity("s1-k1")).isPresent();

        // a file that gives a new key (not a retired one) replaces it, as before
        clock.advance(Duration.ofHours(2));
        registry.importFile(write("devices.json", devicesFile(pskDevice("s1", "s1-new", SECRET_2))));
        assertThat(registry.pskSecret("s1-new")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_2));
        assertThat(registry.byPskIdentity("s1-k1")).isEmpty();
        assertThat(registry.device("s1").orElseThrow().keyCreated()).hasValue(T0.plus(Duration.ofHours(2)));
    }

    @Test
    void givenAFileWithAnotherNextCredential_whenImported_thenItReplacesThePendingOne() throws Exception {
        DeviceRegistryComponent registry = start(new MutableClock(T0));
        registry.importFile(write("devices.json", devicesFile(rolling("s1", "s1", SECRET_1, "s1-k1", NEXT))));

        ImportResult r = registry.importFile(write("devices.json", devicesFile(rolling("s1", "s1", SECRET_1, "s1-k2", NEXT_2))));

        assertThat(r.updated()).isEqualTo(1);
        assertThat(registry.byPskIdentity("s1-k1")).isEmpty();
        assertThat(registry.pskSecret("s1-k2")).hasValueSatisfying(k -> assertThat(k).isEqualTo(NEXT_2));
    }

    @Test
    void givenADeadlineThatHasPassed_whenImported_thenTheNextCredentialIsCurrentAtOnce() throws Exception {
        DeviceRegistryComponent registry = start(new MutableClock(T0));
        RecordingListener listener = new RecordingListener();
        registry.addListener(listener);

        ImportResult r = registry.importFile(write("devices.json", devicesFile(rolling("s1", "s1", SECRET_1, "s1-k1", NEXT,
                "'rolloverDeadline':'2026-05-01T00:00:00Z'"))));

        assertThat(r.added()).isEqualTo(1);
        assertThat(r.warnings()).containsExactly("device 's1': rolloverDeadline 2026-05-01T00:00:00Z has passed, so its "
                + "next credential becomes current at once");
        assertThat(registry.device("s1").orElseThrow().pskIdentity()).hasValue("s1-k1");
        assertThat(registry.pskSecret("s1")).isEmpty();
        assertThat(listener.events).hasSize(2);
    }

    @Test
    void givenAStoreWrittenBeforeKeyCreationDatesExisted_whenStarted_thenItsDevicesLoadWithAnUnknownDate()
            throws Exception {
        byte[] rpk = p256PublicKey();
        Files.createDirectories(registryDir());
        RegistryStore old = new RegistryStore(registryDir(), new SecureRandom());
        assertThat(old.load()).isNull();
        old.save(json("{'version':1,'devices':[{'id':'s1','enabled':true,'resources':['telemetry/*'],'metadata':{},"
                + "'psk':{'identity':'s1','key':'base64:" + b64(SECRET_1) + "'}},"
                + "{'id':'m1','enabled':false,'resources':[],'metadata':{},'rpk':'" + b64(rpk) + "'}],"
                + "'trustAnchors':[]}").getBytes(StandardCharsets.UTF_8));
        MutableClock clock = new MutableClock(T0);

        DeviceRegistryComponent registry = start(clock);

        assertThat(registry.readOnlyReason()).isEmpty();
        Device s1 = registry.device("s1").orElseThrow();
        assertThat(s1.keyCreated()).isEmpty();
        assertThat(s1.rolloverPending()).isFalse();
        assertThat(registry.pskSecret("s1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        assertThat(registry.byPublicKey(rpk)).map(Device::enabled).hasValue(false);
        DeviceCommands shell = new DeviceCommands(registry);
        assertThat(shell.deviceshow("s1")).contains("keyCreated:      unknown");
        assertThat(shell.devices()).containsPattern("s1\\s+yes\\s+PSK\\s+unknown\\s+-\\s+telemetry/\\*");

        // an import of the same key keeps the date unknown; a rollover sets it
        registry.importFile(write("devices.json", devicesFile(pskDevice("s1", "s1", SECRET_1))));
        assertThat(registry.device("s1").orElseThrow().keyCreated()).isEmpty();
        registry.startRollover("s1", "s1-k1", NEXT, null, null);
        clock.advance(Duration.ofMinutes(1));
        assertThat(registry.promoteNextCredential("s1").orElseThrow().keyCreated()).hasValue(T0.plusSeconds(60));
    }
}
