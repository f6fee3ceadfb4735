package org.m2mgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.device.Device;

class RegistryStoreTest extends RegistryTestSupport {

    private Path storeFile() {
        return registryDir().resolve(RegistryStore.STORE_FILE);
    }

    private Path keyFile() {
        return registryDir().resolve(RegistryStore.KEY_FILE);
    }

    private static Device psk(String id, String identity) {
        return Device.builder(id).pskIdentity(identity).allow("telemetry/*").allow("events")
                .metadata(Map.of("model", "demo")).build();
    }

    @Test
    void givenDevicesOfEveryKind_whenRestarted_thenTheyAreReadBackFromTheEncryptedStore() throws Exception {
        byte[] rpk = p256PublicKey();
        Path file = write("devices.json", json("{'devices':["
                + pskDevice("s1", "id-1", SECRET_1) + ","
                + "{'id':'s2','rpk':'" + b64(rpk) + "'},"
                + "{'id':'s3','enabled':false,'x509':{'subject':'CN=device-3, O=Example'}}],"
                + "'trustAnchors':[" + pemLiteral(testCaPem()).replace('"', '\'') + "]}"));
        DeviceRegistryComponent first = start();
        ImportResult r = first.importFile(file);
        assertThat(r.rejected()).isEmpty();
        first.deactivate();

        DeviceRegistryComponent again = start();

        assertThat(again.readOnlyReason()).isEmpty();
        assertThat(again.devices()).containsExactlyElementsOf(first.devices());
        assertThat(again.pskSecret("id-1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        assertThat(again.byPublicKey(rpk)).map(Device::deviceId).hasValue("s2");
        assertThat(again.byCertificateSubject("CN=device-3,O=Example")).map(Device::enabled).hasValue(false);
        assertThat(again.trustAnchors()).hasSize(1).isEqualTo(first.trustAnchors());
        assertThat(again.device("s1").get().metadata()).isEmpty();
    }

    @Test
    void givenAPskDevice_whenStored_thenTheFileStartsWithTheMagicAndHoldsNothingInClear() throws Exception {
        DeviceRegistryComponent registry = start();

        registry.put(psk("sensor-secret-holder", "identity-in-clear?"), SECRET_1);

        byte[] stored = Files.readAllBytes(storeFile());
        assertThat(Arrays.copyOf(stored, 5)).isEqualTo(new byte[] {'M', '2', 'M', 'R', 1});
        String asText = new String(stored, StandardCharsets.ISO_8859_1);
        assertThat(asText).doesNotContain(new String(SECRET_1, StandardCharsets.ISO_8859_1))
                .doesNotContain(HexFormat.of().formatHex(SECRET_1))
                .doesNotContain(Base64.getEncoder().encodeToString(SECRET_1))
                .doesNotContain("sensor-secret-holder").doesNotContain("identity-in-clear?");
        assertThat(stored.length).isGreaterThan(5 + RegistryStore.NONCE_BYTES + 16);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(storeFile())))
                .isEqualTo("rw-------");
        try (var leftovers = Files.list(registryDir())) {
            assertThat(leftovers.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(RegistryStore.STORE_FILE, RegistryStore.KEY_FILE);
        }
    }

    @Test
    void givenFirstStart_thenARandom32ByteKeyIsCreatedOwnerOnly() throws Exception {
        start();

        assertThat(keyFile()).exists();
        assertThat(Files.size(keyFile())).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile())))
                .isEqualTo("rw-------");
        assertThat(storeFile()).doesNotExist();
    }

    @Test
    void givenTwoWritesOfTheSameState_thenEachUsesAFreshNonce() throws Exception {
        DeviceRegistryComponent registry = start();
        registry.put(psk("s1", "id-1"), SECRET_1);
        registry.setEnabled("s1", false);
        byte[] first = Files.readAllBytes(storeFile());
        registry.setEnabled("s1", true);
        registry.setEnabled("s1", false);
        byte[] second = Files.readAllBytes(storeFile());

        assertThat(first.length).isEqualTo(second.length);
        assertThat(Arrays.copyOfRange(first, 5, 17)).isNotEqualTo(Arrays.copyOfRange(second, 5, 17));
    }

    @Test
    void givenATamperedStore_whenStarted_thenEmptyReadOnlyWithOneClearErrorAndTheFileUntouched() throws Exception {
        DeviceRegistryComponent registry = start();
        registry.put(psk("s1", "id-1"), SECRET_1);
        registry.deactivate();
        byte[] tampered = Files.readAllBytes(storeFile());
        tampered[tampered.length - 20] ^= 0x01;
        Files.write(storeFile(), tampered);
        byte[] key = Files.readAllBytes(keyFile());

        String log = captureStderr(() -> start());
        DeviceRegistryComponent reopened = start();

        assertThat(reopened.devices()).isEmpty();
        assertThat(reopened.pskSecret("id-1")).isEmpty();
        assertThat(reopened.readOnlyReason()).hasValueSatisfying(reason -> assertThat(reason)
                .contains(storeFile().toString()).contains("authentication failed"));
        assertThat(log).contains("ERROR").contains(storeFile().toString()).contains("authentication failed")
                .contains("READ-ONLY").doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContain(HexFormat.of().formatHex(key)).doesNotContain(Base64.getEncoder().encodeToString(key));
        assertThat(log.lines().filter(l -> l.contains("ERROR"))).hasSize(1);
        assertThatThrownBy(() -> reopened.put(psk("s2", "id-2"), SECRET_2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only")
                .hasMessageContaining(storeFile().toString());
        assertThatThrownBy(() -> reopened.setEnabled("s1", false)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> reopened.remove("s1")).isInstanceOf(IllegalStateException.class);
        Path importFile = write("devices.json", devicesFile(pskDevice("s3", "id-3", SECRET_2)));
        assertThatThrownBy(() -> reopened.importFile(importFile)).isInstanceOf(IllegalStateException.class);
        assertThat(Files.readAllBytes(storeFile())).isEqualTo(tampered);
        assertThat(Files.readAllBytes(keyFile())).isEqualTo(key);
    }

    @Test
    void givenATamperedStoreAndAnImportFile_whenStarted_thenStillOnlyOneErrorAndNothingImported() throws Exception {
        start().put(psk("s1", "id-1"), SECRET_1);
        byte[] tampered = Files.readAllBytes(storeFile());
        tampered[10] ^= 0x01;
        Files.write(storeFile(), tampered);
        Path importFile = write("devices.json", devicesFile(pskDevice("s2", "id-2", SECRET_2)));
        DeviceRegistryComponent[] registry = new DeviceRegistryComponent[1];

        String log = captureStderr(() -> {
            registry[0] = start(importFile);
            registry[0].checkImportFile(false);
        });

        assertThat(log.lines().filter(l -> l.contains("ERROR"))).hasSize(1);
        assertThat(registry[0].devices()).isEmpty();
        assertThat(Files.readAllBytes(storeFile())).isEqualTo(tampered);
    }

    @Test
    void givenAnotherGatewaysKey_whenStarted_thenReadOnlyAndTheStoreIsKept() throws Exception {
        DeviceRegistryComponent registry = start();
        registry.put(psk("s1", "id-1"), SECRET_1);
        registry.deactivate();
        byte[] stored = Files.readAllBytes(storeFile());
        byte[] otherKey = new byte[32];
        new SecureRandom().nextBytes(otherKey);
        Files.write(keyFile(), otherKey);

        DeviceRegistryComponent reopened = start();

        assertThat(reopened.readOnlyReason()).hasValueSatisfying(r -> assertThat(r).contains("authentication failed"));
        assertThat(reopened.devices()).isEmpty();
        assertThat(Files.readAllBytes(storeFile())).isEqualTo(stored);
    }

    @Test
    void givenTheKeyFileIsLost_whenStarted_thenReadOnlyAndNoNewKeyReplacesIt() throws Exception {
        start().put(psk("s1", "id-1"), SECRET_1);
        Files.delete(keyFile());

        DeviceRegistryComponent reopened = start();

        assertThat(reopened.readOnlyReason()).hasValueSatisfying(r -> assertThat(r)
                .contains(keyFile().toString()).contains("missing"));
        assertThat(keyFile()).doesNotExist();
        assertThat(storeFile()).exists();
    }

    @Test
    void givenAKeyFileOfTheWrongSize_whenStarted_thenReadOnly() throws Exception {
        Files.createDirectories(registryDir());
        Files.write(keyFile(), new byte[16]);

        DeviceRegistryComponent registry = start();

        assertThat(registry.readOnlyReason()).hasValueSatisfying(r -> assertThat(r)
                .contains(keyFile().toString()).contains("16 bytes"));
        assertThat(Files.size(keyFile())).isEqualTo(16);
    }

    @Test
    void givenATruncatedOrForeignStore_whenStarted_thenReadOnlyNamingTheReason() throws Exception {
        start().put(psk("s1", "id-1"), SECRET_1);
        Files.write(storeFile(), "M2MR".getBytes(StandardCharsets.US_ASCII));
        assertThat(start().readOnlyReason()).hasValueSatisfying(r -> assertThat(r).contains("truncated"));

        Files.write(storeFile(), new byte[64]);
        assertThat(start().readOnlyReason()).hasValueSatisfying(r -> assertThat(r).contains("bad magic"));
    }

    @Test
    void givenAWorldReadableKeyFile_whenStarted_thenItIsTightened() throws Exception {
        start().put(psk("s1", "id-1"), SECRET_1);
        Files.setPosixFilePermissions(keyFile(), PosixFilePermissions.fromString("rw-r--r--"));

        DeviceRegistryComponent reopened = start();

        assertThat(reopened.devices()).hasSize(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile())))
                .isEqualTo("rw-------");
    }

    /** Runs {@code action} and returns what slf4j-simple wrote to stderr meanwhile. */
    static String captureStderr(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
