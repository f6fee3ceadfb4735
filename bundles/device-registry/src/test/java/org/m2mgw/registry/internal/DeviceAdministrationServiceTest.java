package org.m2mgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceAdministrationException;
import org.m2mgw.api.device.ImportSummary;
import org.m2mgw.api.device.IssuedKey;

/** The DeviceAdministration service over a real registry in a temporary data directory. */
class DeviceAdministrationServiceTest extends RegistryTestSupport {

    private static Device psk(String id) {
        return Device.builder(id).pskIdentity(id).allow("telemetry/*").build();
    }

    @Test
    void givenAPskDeviceWithoutKey_whenAdded_thenA32ByteKeyIsMadeAndReturnedOnce() {
        DeviceRegistryComponent registry = start();
        DeviceAdministrationService admin = new DeviceAdministrationService(registry);
        try (IssuedKey issued = admin.add(psk("d1"), null)) {
            assertThat(issued.keyHex()).get().asString().hasSize(64).matches("[0-9a-f]+");
            assertThat(issued.identity()).contains("d1");
            assertThat(issued.toString()).doesNotContain(issued.keyHex().get());
            assertThat(registry.pskSecret("d1")).get().satisfies(k -> assertThat(k).hasSize(32));
        }
    }

    @Test
    void givenAnExistingId_whenAddedAgain_thenConflictAndNothingChanges() {
        DeviceRegistryComponent registry = start();
        DeviceAdministrationService admin = new DeviceAdministrationService(registry);
        admin.add(psk("d1"), SECRET_1).close();
        assertThatThrownBy(() -> admin.add(Device.builder("d1").pskIdentity("other").build(), SECRET_2))
                .isInstanceOfSatisfying(DeviceAdministrationException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeviceAdministrationException.Reason.CONFLICT));
        assertThatThrownBy(() -> admin.add(Device.builder("d2").pskIdentity("d1").build(), SECRET_2))
                .isInstanceOfSatisfying(DeviceAdministrationException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeviceAdministrationException.Reason.CONFLICT));
        assertThat(registry.devices()).hasSize(1);
        assertThat(registry.pskSecret("d1")).get().isEqualTo(SECRET_1);
    }

    @Test
    void givenAShortKey_whenAdded_thenInvalid() {
        DeviceAdministrationService admin = new DeviceAdministrationService(start());
        assertThatThrownBy(() -> admin.add(psk("d1"), new byte[4]))
                .isInstanceOfSatisfying(DeviceAdministrationException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeviceAdministrationException.Reason.INVALID));
    }

    @Test
    void givenADevice_whenUpdatedDisabledRotatedAndRemoved_thenEachChangeIsStored() {
        DeviceRegistryComponent registry = start();
        DeviceAdministrationService admin = new DeviceAdministrationService(registry);
        admin.add(psk("d1"), SECRET_1).close();
        Device d = admin.update("d1", false, List.of("events/*"), Map.of("room", "7"));
        assertThat(d.enabled()).isFalse();
        assertThat(d.resources()).containsExactly("events/*");
        assertThat(d.metadata()).containsEntry("room", "7");
        assertThat(registry.pskSecret("d1")).isEmpty(); // disabled
        assertThat(admin.setEnabled("d1", true)).isTrue();
        assertThat(registry.pskSecret("d1")).get().isEqualTo(SECRET_1);
        try (IssuedKey next = admin.rotatePsk("d1")) {
            assertThat(next.identity()).contains("d1-k1");
            assertThat(registry.pskSecret("d1-k1")).get().satisfies(k -> assertThat(k).hasSize(32));
        }
        assertThatThrownBy(() -> admin.update("nope", true, null, null))
                .isInstanceOfSatisfying(DeviceAdministrationException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeviceAdministrationException.Reason.NOT_FOUND));
        assertThat(admin.remove("d1")).isPresent();
        assertThat(registry.devices()).isEmpty();
    }

    @Test
    void givenAnImportText_whenImported_thenGoodEntriesAreTakenAndBadOnesRefusedByName() {
        DeviceRegistryComponent registry = start();
        DeviceAdministrationService admin = new DeviceAdministrationService(registry);
        ImportSummary s = admin.importJson("{\"devices\":[{\"id\":\"a\",\"psk\":{\"identity\":\"a\",\"key\":\"hex:"
                + "00112233445566778899aabbccddeeff\"}},{\"id\":\"b\",\"psk\":{\"identity\":\"b\",\"key\":\"hex:00\"}}]}",
                "test");
        assertThat(s.added()).isEqualTo(1);
        assertThat(s.refused()).singleElement().satisfies(r -> assertThat(r.deviceId()).isEqualTo("b"));
        assertThatThrownBy(() -> admin.importJson("[]", "test"))
                .isInstanceOfSatisfying(DeviceAdministrationException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeviceAdministrationException.Reason.INVALID));
    }
}
