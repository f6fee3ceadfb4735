package org.m2mgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.device.Device;

class DeviceImportTest extends RegistryTestSupport {

    @Test
    void givenTheDocumentedFormat_whenImported_thenEveryCredentialKindCanBeLookedUp() throws Exception {
        byte[] p256 = p256PublicKey();
        byte[] ed25519 = ed25519PublicKey();
        Path file = write("devices.json", json("{ 'devices': ["
                + "{ 'id': 'demo-sensor-1', 'enabled': true, 'resources': ['telemetry/*', 'events', 'commands'],"
                + "  'metadata': { 'model': 'demo' },"
                + "  'psk': { 'identity': 'demo-sensor-1', 'key': 'hex:" + HexFormat.of().formatHex(SECRET_1) + "' } },"
                + "{ 'id': 'demo-sensor-2', 'psk': { 'identity': 'psk-2', 'key': 'base64:"
                + Base64.getEncoder().encodeToString(SECRET_2) + "' }, 'resources': ['/events'] },"
                + "{ 'id': 'ec-device', 'rpk': '" + b64(p256) + "', 'resources': ['*'] },"
                + "{ 'id': 'ed-device', 'rpk': '" + b64(ed25519) + "' },"
                + "{ 'id': 'device-3', 'x509': { 'subject': 'CN=device-3, O=Example' } } ],"
                + "'trustAnchors': [ " + pemLiteral(testCaPem()).replace('"', '\'') + " ] }"));
        DeviceRegistryComponent registry = start();

        ImportResult result = registry.importFile(file);

        assertThat(result.rejected()).isEmpty();
        assertThat(result.added()).isEqualTo(5);
        assertThat(result.trustAnchors()).isEqualTo(1);
        Device d1 = registry.byPskIdentity("demo-sensor-1").orElseThrow();
        assertThat(d1.deviceId()).isEqualTo("demo-sensor-1");
        assertThat(d1.enabled()).isTrue();
        assertThat(d1.metadata()).isEqualTo(Map.of("model", "demo"));
        assertThat(d1.resources()).containsExactly("telemetry/*", "events", "commands");
        assertThat(registry.pskSecret("demo-sensor-1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        assertThat(registry.pskSecret("psk-2")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_2));
        assertThat(registry.device("demo-sensor-2").get().resources()).containsExactly("events");
        assertThat(registry.byPublicKey(p256)).map(Device::deviceId).hasValue("ec-device");
        assertThat(registry.byPublicKey(ed25519)).map(Device::deviceId).hasValue("ed-device");
        assertThat(registry.byCertificateSubject("CN=device-3,O=Example")).map(Device::deviceId).hasValue("device-3");
        assertThat(registry.byCertificateSubject("CN=device-3,  O=Example")).isPresent();
        assertThat(registry.byCertificateSubject("not a DN")).isEmpty();
        assertThat(registry.device("device-3").get().certificateSubject()).hasValue("CN=device-3,O=Example");
        assertThat(registry.trustAnchors()).singleElement().satisfies(c -> assertThat(
                c.getSubjectX500Principal().getName()).isEqualTo("CN=m2mgw test device CA,O=Example"));
        assertThat(registry.devices()).extracting(Device::deviceId)
                .containsExactly("demo-sensor-1", "demo-sensor-2", "device-3", "ec-device", "ed-device");
    }

    @Test
    void givenInvalidEntries_whenImported_thenEachIsRejectedWithANamedReasonAndTheValidOnesImported() throws Exception {
        Path file = write("devices.json", devicesFile(
                pskDevice("good-1", "good-1", SECRET_1),
                "{'id':'bad-hex','psk':{'identity':'bad-hex','key':'hex:zz0102'}}",
                "{'id':'short-key','psk':{'identity':'short-key','key':'hex:0102'}}",
                "{'id':'no-prefix','psk':{'identity':'no-prefix','key':'0102030405060708090a0b0c0d0e0f10'}}",
                "{'id':'bad-b64','psk':{'identity':'bad-b64','key':'base64:!!!'}}",
                "{'id':'no-credential','resources':['events']}",
                "{'id':'bad-rpk','rpk':'" + b64("not a key".getBytes(StandardCharsets.US_ASCII)) + "'}",
                "{'id':'p384','rpk':'" + b64(p384PublicKey()) + "'}",
                "{'id':'bad-subject','x509':{'subject':'this is not a DN'}}",
                "{'id':'bad-rule','psk':{'identity':'bad-rule','key':'hex:" + HexFormat.of().formatHex(SECRET_2)
                        + "'},'resources':['../etc']}",
                "{'id':'bad/id','psk':{'identity':'x','key':'hex:" + HexFormat.of().formatHex(SECRET_2) + "'}}",
                "{'id':'typo','pks':{'identity':'typo'}}",
                "{'id':'bad-enabled','enabled':'yes','x509':{'subject':'CN=e'}}",
                "{'id':'bad-metadata','metadata':{'n':1},'x509':{'subject':'CN=m'}}",
                "{'psk':{'identity':'anon','key':'hex:" + HexFormat.of().formatHex(SECRET_2) + "'}}",
                pskDevice("good-2", "good-2", SECRET_2)));
        DeviceRegistryComponent registry = start();

        ImportResult result = registry.importFile(file);

        assertThat(result.added()).isEqualTo(2);
        assertThat(registry.devices()).extracting(Device::deviceId).containsExactly("good-1", "good-2");
        assertThat(result.rejectedCount()).isEqualTo(14);
        assertThat(result.rejected()).contains(
                "device 'bad-hex': psk.key is not valid hex",
                "device 'short-key': psk.key must be 16 to 64 bytes, got 2",
                "device 'no-prefix': psk.key must start with 'hex:' or 'base64:'",
                "device 'bad-b64': psk.key is not valid base64",
                "device 'no-credential': has no credential: give psk, rpk, x509 or edhoc",
                "device 'bad-rpk': rpk is not a P-256 or Ed25519 public key (DER SubjectPublicKeyInfo)",
                "device 'bad-subject': x509.subject is not a valid distinguished name",
                "device 'typo': unknown field 'pks'",
                "device 'bad-enabled': enabled must be true or false",
                "device 'bad-metadata': metadata.n must be a string",
                "devices[14]: id is missing");
        assertThat(result.rejected()).anySatisfy(r -> assertThat(r).startsWith("device 'p384': rpk is an EC key on another curve"));
        assertThat(result.rejected()).anySatisfy(r -> assertThat(r).startsWith("device 'bad-rule': resources[0] '../etc'"));
        assertThat(result.rejected()).anySatisfy(r -> assertThat(r).startsWith("devices[10]: id 'bad/id' is invalid"));
        assertThat(String.join("\n", result.rejected()))
                .doesNotContain(HexFormat.of().formatHex(SECRET_2)).doesNotContain("0102030405060708");
    }

    @Test
    void givenAPskIdentityOfAnotherDevice_whenImportedOrPut_thenRejected() throws Exception {
        byte[] key = p256PublicKey();
        DeviceRegistryComponent registry = start();
        registry.importFile(write("first.json", devicesFile(pskDevice("owner", "shared-identity", SECRET_1),
                "{'id':'key-owner','rpk':'" + b64(key) + "'}")));

        ImportResult result = registry.importFile(write("second.json", devicesFile(
                pskDevice("thief", "shared-identity", SECRET_2),
                "{'id':'key-thief','rpk':'" + b64(key) + "'}",
                pskDevice("honest", "honest", SECRET_2))));

        assertThat(result.rejected()).containsExactly(
                "device 'thief': psk.identity 'shared-identity' already belongs to device 'owner'",
                "device 'key-thief': rpk already belongs to device 'key-owner'");
        assertThat(result.added()).isEqualTo(1);
        assertThat(registry.byPskIdentity("shared-identity")).map(Device::deviceId).hasValue("owner");
        assertThat(registry.pskSecret("shared-identity")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        assertThatThrownBy(() -> registry.put(Device.builder("thief").pskIdentity("shared-identity").build(), SECRET_2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device 'thief': psk.identity 'shared-identity' already belongs to device 'owner'");
    }

    @Test
    void givenTwoEntriesWithTheSameIdentityInOneFile_whenImported_thenTheSecondIsRejected() throws Exception {
        DeviceRegistryComponent registry = start();

        ImportResult result = registry.importFile(write("devices.json", devicesFile(
                pskDevice("a", "same", SECRET_1), pskDevice("b", "same", SECRET_2), pskDevice("a", "other", SECRET_2))));

        assertThat(result.added()).isEqualTo(1);
        assertThat(result.rejected()).containsExactly(
                "device 'a': listed more than once, only the first entry is used",
                "device 'b': psk.identity 'same' already belongs to device 'a'");
    }

    @Test
    void givenDevicesNotInTheFile_whenImported_thenTheyAreLeftAloneAndListedOnesUpdated() throws Exception {
        DeviceRegistryComponent registry = start();
        registry.put(Device.builder("manual").pskIdentity("manual").allow("events").build(), SECRET_1);
        registry.importFile(write("devices.json", devicesFile(pskDevice("filed", "filed", SECRET_1))));

        ImportResult result = registry.importFile(write("devices.json", devicesFile(
                pskDevice("filed", "filed-renamed", SECRET_2))));

        assertThat(result.updated()).isEqualTo(1);
        assertThat(registry.devices()).extracting(Device::deviceId).containsExactly("filed", "manual");
        assertThat(registry.byPskIdentity("filed")).isEmpty();
        assertThat(registry.pskSecret("filed-renamed")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_2));
    }

    @Test
    void givenTheSameFile_whenImportedAgain_thenNothingChangesAndNoListenerIsCalled() throws Exception {
        DeviceRegistryComponent registry = start();
        Path file = write("devices.json", devicesFile(pskDevice("s1", "s1", SECRET_1)));
        registry.importFile(file);
        RecordingListener listener = new RecordingListener();
        registry.addListener(listener);

        ImportResult result = registry.importFile(file);

        assertThat(result.unchanged()).isEqualTo(1);
        assertThat(result.added() + result.updated()).isZero();
        assertThat(listener.events).isEmpty();
    }

    @Test
    void givenADeviceDisabledInTheShell_whenAFileWithoutEnabledIsImportedAgain_thenItStaysDisabled() throws Exception {
        DeviceRegistryComponent registry = start();
        Path file = write("devices.json", devicesFile(pskDevice("s1", "s1", SECRET_1)));
        registry.importFile(file);
        registry.setEnabled("s1", false);

        registry.importFile(write("devices.json", devicesFile(pskDevice("s1", "s1", SECRET_1, "'metadata':{'a':'b'}"))));

        assertThat(registry.device("s1")).hasValueSatisfying(d -> {
            assertThat(d.enabled()).isFalse();
            assertThat(d.metadata()).containsEntry("a", "b");
        });
        registry.importFile(write("devices.json", devicesFile(pskDevice("s1", "s1", SECRET_1, "'enabled':true"))));
        assertThat(registry.device("s1").get().enabled()).isTrue();
    }

    @Test
    void givenAFileThatIsNotJson_whenImported_thenItIsRefusedWithTheLocationButNoContent() throws Exception {
        DeviceRegistryComponent registry = start();
        Path file = write("devices.json", "{\"devices\": [ {\"id\": \"x\", \"psk\": {\"key\": \"hex:00112233 }");

        assertThatThrownBy(() -> registry.importFile(file))
                .isInstanceOf(RegistryJson.InvalidFileException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not valid JSON")
                .hasMessageContaining("line 1").satisfies(e -> assertThat(e.getMessage()).doesNotContain("00112233"));
        assertThatThrownBy(() -> registry.importFile(write("other.json", "[1,2]")))
                .hasMessageContaining("must hold a JSON object");
        assertThatThrownBy(() -> registry.importFile(write("third.json", "{\"devices\": {}}")))
                .hasMessageContaining("\"devices\" must be an array");
    }

    @Test
    void givenTheDemoFileOfTheDistro_whenImported_thenBothDemoSensorsAreThere() throws Exception {
        Path demo = Paths.get("../../gateway-config/devices/demo-devices.json");
        DeviceRegistryComponent registry = start();

        ImportResult result = registry.importFile(demo);

        assertThat(result.rejected()).isEmpty();
        assertThat(result.added()).isEqualTo(2);
        assertThat(registry.pskSecret("demo-sensor-1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        assertThat(registry.pskSecret("demo-sensor-2")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_2));
        for (String id : new String[] {"demo-sensor-1", "demo-sensor-2"}) {
            Device d = registry.device(id).orElseThrow();
            assertThat(d.enabled()).isTrue();
            assertThat(d.resources()).containsExactly("telemetry/*", "events", "commands");
            assertThat(d.metadata()).isEqualTo(Map.of("demo", "true"));
        }
    }

    @Test
    void givenTrustAnchorsInTheFile_thenTheyReplaceTheRegistrysAndInvalidOnesAreRejected() throws Exception {
        DeviceRegistryComponent registry = start();
        String ca = pemLiteral(testCaPem()).replace('"', '\'');
        registry.importFile(write("a.json", json("{'trustAnchors':[" + ca + "," + ca + "]}")));
        assertThat(registry.trustAnchors()).hasSize(1);

        ImportResult kept = registry.importFile(write("b.json", devicesFile(pskDevice("s1", "s1", SECRET_1))));
        assertThat(kept.trustAnchors()).isEqualTo(-1);
        assertThat(registry.trustAnchors()).hasSize(1);

        ImportResult replaced = registry.importFile(write("c.json",
                json("{'devices':[],'trustAnchors':['not a certificate','-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----']}")));
        assertThat(replaced.rejected()).containsExactly(
                "trustAnchors[0]: must be a PEM certificate (-----BEGIN CERTIFICATE-----)",
                "trustAnchors[1]: not a valid X.509 certificate");
        assertThat(registry.trustAnchors()).isEmpty();
        assertThat(registry.devices()).hasSize(1);
    }
}
