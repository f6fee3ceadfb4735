package org.m2mgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistryListener;

class DeviceRegistryComponentTest extends RegistryTestSupport {

    private static Device sensor(String id) {
        return Device.builder(id).pskIdentity(id).allow("telemetry/*").allow("events").build();
    }

    @Test
    void givenADisabledDevice_thenItsPskSecretIsGoneAndTheListenerSawBeforeAndAfter() {
        DeviceRegistryComponent registry = start();
        registry.put(sensor("s1"), SECRET_1);
        RecordingListener listener = new RecordingListener();
        registry.addListener(listener);

        boolean changed = registry.setEnabled("s1", false);

        assertThat(changed).isTrue();
        assertThat(registry.pskSecret("s1")).isEmpty();
        assertThat(registry.byPskIdentity("s1")).map(Device::enabled).hasValue(false);
        assertThat(listener.events).singleElement().satisfies(e -> {
            assertThat(e.before()).map(Device::enabled).hasValue(true);
            assertThat(e.after()).map(Device::enabled).hasValue(false);
        });
        assertThat(registry.setEnabled("s1", false)).isFalse();
        assertThat(listener.events).hasSize(1);

        registry.setEnabled("s1", true);

        assertThat(registry.pskSecret("s1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        assertThat(listener.events).hasSize(2);
    }

    @Test
    void givenEveryKindOfChange_thenListenersSeeBeforeAndAfter() {
        DeviceRegistryComponent registry = start();
        RecordingListener listener = new RecordingListener();
        registry.addListener(listener);

        registry.put(sensor("s1"), SECRET_1);
        registry.put(sensor("s1").toBuilder().allow("commands").build(), SECRET_1);
        registry.put(sensor("s1").toBuilder().allow("commands").build(), SECRET_1);
        registry.remove("s1");

        assertThat(listener.events).hasSize(3);
        assertThat(listener.events.get(0).before()).isEmpty();
        assertThat(listener.events.get(0).after()).isPresent();
        assertThat(listener.events.get(1).before().get().resources()).doesNotContain("commands");
        assertThat(listener.events.get(1).after().get().resources()).contains("commands");
        assertThat(listener.events.get(2).before()).map(Device::deviceId).hasValue("s1");
        assertThat(listener.events.get(2).after()).isEmpty();
        assertThat(registry.device("s1")).isEmpty();
        assertThat(registry.byPskIdentity("s1")).isEmpty();
        assertThat(registry.remove("s1")).isEmpty();
    }

    @Test
    void givenAListenerThatThrows_whenDevicesChange_thenOtherListenersAreStillCalled() {
        DeviceRegistryComponent registry = start();
        AtomicInteger calls = new AtomicInteger();
        DeviceRegistryListener broken = (before, after) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("listener bug");
        };
        RecordingListener good = new RecordingListener();
        registry.addListener(broken);
        registry.addListener(good);

        String log = RegistryStoreTest.captureStderr(() -> {
            registry.put(sensor("s1"), SECRET_1);
            registry.put(sensor("s2"), SECRET_2);
        });

        assertThat(calls).hasValue(2);
        assertThat(good.events).hasSize(2);
        assertThat(log.lines().filter(l -> l.contains("listener bug"))).hasSize(1);
        assertThat(registry.devices()).hasSize(2);

        registry.removeListener(broken);
        registry.remove("s1");
        assertThat(calls).hasValue(2);
    }

    @Test
    void givenResourceRules_thenDeviceMayUseOnlyWhatTheyAllow() throws Exception {
        DeviceRegistryComponent registry = start();
        registry.importFile(write("devices.json", devicesFile(pskDevice("s1", "s1", SECRET_1))));

        Device d = registry.byPskIdentity("s1").orElseThrow();

        assertThat(d.mayUse("telemetry")).isTrue();
        assertThat(d.mayUse("/telemetry/temp")).isTrue();
        assertThat(d.mayUse("telemetry/a/b")).isTrue();
        assertThat(d.mayUse("events")).isTrue();
        assertThat(d.mayUse("/commands")).isTrue();
        assertThat(d.mayUse("events/x")).isFalse();
        assertThat(d.mayUse("telemetryx")).isFalse();
        assertThat(d.mayUse("config")).isFalse();
    }

    @Test
    void givenAPskSecret_whenTheCallerChangesTheCopy_thenTheStoredKeyIsUnchanged() {
        DeviceRegistryComponent registry = start();
        byte[] key = SECRET_1.clone();
        registry.put(sensor("s1"), key);
        key[0] = 0;

        byte[] copy = registry.pskSecret("s1").orElseThrow();
        copy[1] = 0;

        assertThat(registry.pskSecret("s1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        assertThat(registry.pskSecret("unknown")).isEmpty();
        assertThat(registry.pskSecret(null)).isEmpty();
        assertThat(registry.byPublicKey(null)).isEmpty();
    }

    @Test
    void givenInvalidDevicesOrKeys_whenPut_thenRefusedWithTheDeviceAndField() {
        DeviceRegistryComponent registry = start();

        assertThatThrownBy(() -> registry.put(sensor("s1"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("device 's1': psk.key is missing");
        assertThatThrownBy(() -> registry.put(sensor("s1"), new byte[8]))
                .hasMessage("device 's1': psk.key must be 16 to 64 bytes, got 8");
        assertThatThrownBy(() -> registry.put(Device.builder("s2").certificateSubject("CN=x").build(), SECRET_1))
                .hasMessage("device 's2': psk.identity is missing (a key was given)");
        assertThatThrownBy(() -> registry.put(Device.builder("a b").pskIdentity("x").build(), SECRET_1))
                .hasMessageStartingWith("device 'a b': id 'a b' is invalid");
        assertThatThrownBy(() -> registry.put(Device.builder("s3").publicKey(new byte[] {1, 2}).build(), null))
                .hasMessageContaining("device 's3': rpk is not a P-256 or Ed25519 public key");
        assertThat(registry.devices()).isEmpty();
    }

    @Test
    void givenAnImportFile_whenItChanges_thenItIsImportedAgain() throws Exception {
        Path file = write("devices.json", devicesFile(pskDevice("s1", "s1", SECRET_1)));
        DeviceRegistryComponent registry = start(file);
        assertThat(registry.devices()).extracting(Device::deviceId).containsExactly("s1");
        RecordingListener listener = new RecordingListener();
        registry.addListener(listener);

        registry.checkImportFile(false);
        assertThat(listener.events).isEmpty();

        write("devices.json", devicesFile(pskDevice("s1", "s1", SECRET_1), pskDevice("s2", "s2", SECRET_2)));
        registry.checkImportFile(false);

        assertThat(registry.devices()).extracting(Device::deviceId).containsExactly("s1", "s2");
        assertThat(listener.events).singleElement().satisfies(e -> {
            assertThat(e.before()).isEmpty();
            assertThat(e.after()).map(Device::deviceId).hasValue("s2");
        });
    }

    @Test
    void givenAShortInterval_whenTheFileChanges_thenTheScheduledCheckImportsIt() throws Exception {
        Path file = write("devices.json", devicesFile(pskDevice("s1", "s1", SECRET_1)));
        DeviceRegistryComponent registry = start(RegistrySettings.of(file.toString(), 1));

        write("devices.json", devicesFile(pskDevice("s2", "s2", SECRET_2)));

        long deadline = System.nanoTime() + 10_000_000_000L;
        while (registry.device("s2").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(registry.device("s2")).isPresent();
        assertThat(registry.device("s1")).isPresent();
    }

    @Test
    void givenAMissingImportFile_thenOneWarningNamingTheKeyAndTheFileIsImportedOnceItAppears() throws Exception {
        Path file = tmp.resolve("later.json");
        DeviceRegistryComponent[] registry = new DeviceRegistryComponent[1];

        String log = RegistryStoreTest.captureStderr(() -> {
            registry[0] = start(file);
            registry[0].checkImportFile(false);
            registry[0].checkImportFile(false);
        });

        assertThat(log.lines().filter(l -> l.contains("WARN"))).singleElement().satisfies(l -> assertThat(l)
                .contains("registry.import.file").contains(file.toString()).contains("does not exist"));
        assertThat(log).doesNotContain("ERROR");
        assertThat(registry[0].devices()).isEmpty();

        write("later.json", devicesFile(pskDevice("s1", "s1", SECRET_1)));
        registry[0].checkImportFile(false);

        assertThat(registry[0].device("s1")).isPresent();
    }

    @Test
    void givenAnInvalidImportFile_thenItIsReportedOnceUntilItChanges() throws Exception {
        Path file = write("devices.json", "{ not json");
        DeviceRegistryComponent[] registry = new DeviceRegistryComponent[1];

        String log = RegistryStoreTest.captureStderr(() -> {
            registry[0] = start(file);
            registry[0].checkImportFile(false);
            registry[0].checkImportFile(false);
        });

        assertThat(log.lines().filter(l -> l.contains("ERROR"))).singleElement().satisfies(l -> assertThat(l)
                .contains("registry.import.file").contains("not valid JSON"));
        write("devices.json", devicesFile(pskDevice("s1", "s1", SECRET_1)));
        registry[0].checkImportFile(false);
        assertThat(registry[0].device("s1")).isPresent();
    }

    @Test
    void givenInvalidSettings_thenDefaultsAreUsedAndEachProblemNamesItsKey() {
        RegistrySettings s = RegistrySettings.of("  ", 0);
        assertThat(s.importFile()).isNull();
        assertThat(s.intervalSeconds()).isEqualTo(RegistrySettings.DEFAULT_INTERVAL_SECONDS);
        assertThat(s.problems()).singleElement().asString().contains("registry.import.interval.seconds");

        RegistrySettings relative = RegistrySettings.of("devices/demo.json", 3600);
        assertThat(relative.importFile()).isAbsolute()
                .isEqualTo(Path.of("").toAbsolutePath().resolve("devices/demo.json"));
        assertThat(relative.problems()).isEmpty();
        assertThat(RegistrySettings.of("a\0b", 5).problems()).singleElement().asString()
                .contains("registry.import.file");
    }

    @Test
    void givenADataDirectoryThatCannotBeCreated_thenReadOnlyNotAnException() throws Exception {
        Files.writeString(tmp.resolve("data"), "a file where the directory should be");

        DeviceRegistryComponent registry = start();

        assertThat(registry.readOnlyReason()).hasValueSatisfying(r -> assertThat(r).contains("registry"));
        assertThat(registry.devices()).isEmpty();
        assertThatThrownBy(() -> registry.put(sensor("s1"), SECRET_1)).isInstanceOf(IllegalStateException.class);
        assertThat(Optional.ofNullable(registry.trustAnchors())).hasValueSatisfying(l -> assertThat(l).isEmpty());
    }
}
