package org.m2mgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.EdhocCredential;

/**
 * EDHOC credentials (API 2.2): a CWT Claims Set named by its kid, or an X.509 certificate named by
 * its hash; in import files and the store, in lookups, conflicts, the shell and the credential types.
 */
class EdhocCredentialTest extends RegistryTestSupport {
    static final String SUBJECT_1 = "CN=edhoc-device-1,O=Example";
    static final String SUBJECT_2 = "CN=edhoc-device-2,O=Example";

    /**
     * A CWT Claims Set shaped like RFC 9529's CRED_I: {2: "edhoc-device", 8: {1: COSE_Key EC2 P-256
     * with kid}}. Its outer map header is the non-preferred 0xb9 0x0002, so that any re-encoding
     * would show.
     */
    static byte[] ccs(byte kid, int seed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(HexFormat.of().parseHex("b90002" + "02" + "6c"));
        out.writeBytes("edhoc-device".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(HexFormat.of().parseHex("08a101a501020241"));
        out.write(kid);
        out.writeBytes(HexFormat.of().parseHex("2001215820"));
        byte[] coordinate = new byte[32];
        Arrays.fill(coordinate, (byte) seed);
        out.writeBytes(coordinate);
        out.writeBytes(HexFormat.of().parseHex("225820"));
        Arrays.fill(coordinate, (byte) (seed + 1));
        out.writeBytes(coordinate);
        return out.toByteArray();
    }

    static final byte[] CCS_1 = ccs((byte) 0x2b, 1);
    static final byte[] CCS_2 = ccs((byte) 0x2c, 7);

    static String pem(String resource) throws IOException {
        try (InputStream in = EdhocCredentialTest.class.getResourceAsStream("/" + resource)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    static byte[] der(String resource) throws Exception {
        return CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem(resource).getBytes(StandardCharsets.US_ASCII)))
                .getEncoded();
    }

    static String ccsDevice(String id, String kid, byte[] ccs) {
        return "{'id':'" + id + "','resources':['telemetry/*'],'edhoc':{'kid':'" + kid + "','ccs':'"
                + HexFormat.of().formatHex(ccs) + "'}}";
    }

    static String certDevice(String id, String certificate) {
        return "{'id':'" + id + "','resources':['telemetry/*'],'edhoc':{'certificate':'" + certificate + "'}}";
    }

    // ---------------------------------------------------------------- import, lookups, store

    @Test
    void givenBothKindsInAnImportFile_whenImported_thenFoundByKidAndByWholeOrTruncatedCertificateHash()
            throws Exception {
        byte[] der1 = der("edhoc-device-1.pem");
        byte[] der2 = der("edhoc-device-2.pem");
        DeviceRegistryComponent registry = start();

        ImportResult r = registry.importFile(write("devices.json", devicesFile(
                ccsDevice("ccs-1", "2b", CCS_1),
                certDevice("cert-1", b64(der1)),
                // a PEM block, and beside a PSK
                pskDevice("cert-2", "cert-2", SECRET_1, "'edhoc':{'certificate':"
                        + pemLiteral(pem("edhoc-device-2.pem")).replace('"', '\'') + "}"))));

        assertThat(r.rejected()).isEmpty();
        assertThat(r.added()).isEqualTo(3);
        Device ccs1 = registry.device("ccs-1").orElseThrow();
        EdhocCredential c = ccs1.edhocCredential().orElseThrow();
        assertThat(c.kind()).isEqualTo(EdhocCredential.Kind.CCS);
        assertThat(c.kid()).hasValueSatisfying(k -> assertThat(k).containsExactly(0x2b));
        assertThat(c.credential()).isEqualTo(CCS_1);
        assertThat(ccs1.keyCreated()).isPresent();
        assertThat(registry.byEdhocKid(new byte[] {0x2b})).hasValue(ccs1);
        assertThat(registry.byEdhocKid(new byte[] {0x2c})).isEmpty();
        assertThat(registry.byEdhocKid(null)).isEmpty();

        byte[] hash1 = X509BindingTest.sha256(der1);
        byte[] hash2 = X509BindingTest.sha256(der2);
        assertThat(registry.device("cert-1").orElseThrow().edhocCredential().orElseThrow().credential())
                .isEqualTo(der1);
        assertThat(registry.device("cert-2").orElseThrow().edhocCredential().orElseThrow().credential())
                .isEqualTo(der2);
        assertThat(registry.byEdhocCertificateHash(hash1)).map(Device::deviceId).hasValue("cert-1");
        assertThat(registry.byEdhocCertificateHash(Arrays.copyOf(hash1, 8))).as("SHA-256/64")
                .map(Device::deviceId).hasValue("cert-1");
        assertThat(registry.byEdhocCertificateHash(Arrays.copyOf(hash2, 8))).map(Device::deviceId).hasValue("cert-2");
        assertThat(registry.byEdhocCertificateHash(Arrays.copyOf(hash2, 20))).map(Device::deviceId).hasValue("cert-2");
        assertThat(registry.byPskIdentity("cert-2")).map(Device::deviceId).hasValue("cert-2");
    }

    @Test
    void givenAHashShorterThan8BytesOrMatchingNoCertificate_whenLookedUp_thenNothingIsFound() throws Exception {
        byte[] der1 = der("edhoc-device-1.pem");
        byte[] hash = X509BindingTest.sha256(der1);
        DeviceRegistryComponent registry = start();
        registry.importFile(write("devices.json", devicesFile(certDevice("cert-1", b64(der1)))));

        assertThat(registry.byEdhocCertificateHash(Arrays.copyOf(hash, 7))).as("shorter than SHA-256/64").isEmpty();
        assertThat(registry.byEdhocCertificateHash(new byte[0])).isEmpty();
        assertThat(registry.byEdhocCertificateHash(null)).isEmpty();
        assertThat(registry.byEdhocCertificateHash(Arrays.copyOf(hash, 33))).as("longer than SHA-256").isEmpty();
        byte[] other = hash.clone();
        other[31] ^= 1;
        assertThat(registry.byEdhocCertificateHash(other)).as("same first 8 bytes, another hash").isEmpty();
        byte[] otherPrefix = Arrays.copyOf(hash, 8);
        otherPrefix[0] ^= 1;
        assertThat(registry.byEdhocCertificateHash(otherPrefix)).isEmpty();
        assertThat(registry.byEdhocCertificateHash(X509BindingTest.sha256(der("edhoc-device-2.pem")))).isEmpty();
        assertThat(registry.byEdhocKid(Arrays.copyOf(hash, 1))).as("a kid is not a hash").isEmpty();
    }

    @Test
    void givenEdhocDevices_whenRestarted_thenTheStoreGivesBackTheCredentialsByteForByte() throws Exception {
        byte[] der1 = der("edhoc-device-1.pem");
        DeviceRegistryComponent first = start();
        first.importFile(write("devices.json", devicesFile(ccsDevice("ccs-1", "2B", CCS_1),
                certDevice("cert-1", pem("edhoc-device-1.pem").strip().replace("\n", "\\n")))));
        first.deactivate();
        String stored = new String(new RegistryStore(registryDir(), new SecureRandom()).load(), StandardCharsets.UTF_8);

        DeviceRegistryComponent again = start();

        assertThat(stored).contains("\"edhoc\":{\"kid\":\"2b\",\"ccs\":\"" + HexFormat.of().formatHex(CCS_1) + "\"}")
                .contains("\"edhoc\":{\"certificate\":\"" + b64(der1) + "\"}");
        assertThat(again.devices()).containsExactlyElementsOf(first.devices());
        assertThat(again.device("ccs-1").orElseThrow().edhocCredential().orElseThrow().credential())
                .as("the non-preferred map header stays").startsWith(0xb9, 0x00, 0x02).isEqualTo(CCS_1);
        assertThat(again.device("cert-1").orElseThrow().edhocCredential().orElseThrow().credential()).isEqualTo(der1);
        assertThat(again.byEdhocKid(new byte[] {0x2b})).map(Device::deviceId).hasValue("ccs-1");
        assertThat(again.byEdhocCertificateHash(Arrays.copyOf(X509BindingTest.sha256(der1), 8)))
                .map(Device::deviceId).hasValue("cert-1");
    }

    @Test
    void givenTheSameFile_whenImportedAgain_thenUnchanged_andAChangedCcsIsANewCredential() throws Exception {
        MutableClock clock = new MutableClock(KeyRolloverTest.T0);
        DeviceRegistryComponent registry = start(clock);
        Path file = write("devices.json", devicesFile(ccsDevice("ccs-1", "2b", CCS_1)));
        registry.importFile(file);
        clock.advance(java.time.Duration.ofDays(2));

        assertThat(registry.importFile(file).unchanged()).isEqualTo(1);
        assertThat(registry.device("ccs-1").orElseThrow().keyCreated()).hasValue(KeyRolloverTest.T0);

        ImportResult r = registry.importFile(write("devices.json", devicesFile(ccsDevice("ccs-1", "2b", CCS_2))));
        assertThat(r.updated()).isEqualTo(1);
        assertThat(registry.device("ccs-1").orElseThrow().keyCreated()).hasValue(clock.instant());
        assertThat(registry.byEdhocKid(new byte[] {0x2b}).orElseThrow().edhocCredential().orElseThrow().credential())
                .isEqualTo(CCS_2);
    }

    // ---------------------------------------------------------------- conflicts and bad input

    @Test
    void givenAKidOrCertificateOfAnotherDevice_whenImportedOrPut_thenRefusedNamingTheOtherDevice() throws Exception {
        byte[] der1 = der("edhoc-device-1.pem");
        DeviceRegistryComponent registry = start();
        registry.importFile(write("first.json", devicesFile(ccsDevice("owner", "2b", CCS_1),
                certDevice("cert-owner", b64(der1)))));

        ImportResult r = registry.importFile(write("second.json", devicesFile(
                ccsDevice("thief", "2b", CCS_2),
                certDevice("cert-thief", b64(der1)),
                ccsDevice("honest", "2c", CCS_2),
                // the owner itself may change its CCS under the same kid
                ccsDevice("owner", "2b", CCS_2))));

        assertThat(r.rejected()).containsExactly(
                "device 'thief': edhoc.kid '2b' already belongs to device 'owner'",
                "device 'cert-thief': edhoc.certificate (SHA-256 "
                        + HexFormat.of().formatHex(X509BindingTest.sha256(der1)) + ") already belongs to device 'cert-owner'");
        assertThat(r.added()).isEqualTo(1);
        assertThat(r.updated()).isEqualTo(1);
        assertThat(registry.byEdhocKid(new byte[] {0x2b})).map(Device::deviceId).hasValue("owner");
        assertThat(registry.byEdhocCertificateHash(X509BindingTest.sha256(der1))).map(Device::deviceId)
                .hasValue("cert-owner");
        assertThatThrownBy(() -> registry.put(Device.builder("thief")
                .edhocCredential(EdhocCredential.ccs(new byte[] {0x2b}, CCS_1)).build(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device 'thief': edhoc.kid '2b' already belongs to device 'owner'");
        assertThat(registry.device("thief")).isEmpty();

        registry.remove("owner");
        assertThat(registry.byEdhocKid(new byte[] {0x2b})).isEmpty();
        registry.remove("cert-owner");
        assertThat(registry.byEdhocCertificateHash(X509BindingTest.sha256(der1))).isEmpty();
        assertThat(registry.put(Device.builder("thief").edhocCredential(EdhocCredential.ccs(new byte[] {0x2b}, CCS_1))
                .build(), null).deviceId()).isEqualTo("thief");
    }

    @Test
    void givenBadEdhocEntries_whenImported_thenEachIsRefusedWithAClearReason_andNothingChanges() throws Exception {
        byte[] der1 = der("edhoc-device-1.pem");
        DeviceRegistryComponent registry = start();
        registry.importFile(write("devices.json", devicesFile(ccsDevice("ccs-1", "2b", CCS_1))));
        Device before = registry.device("ccs-1").orElseThrow();
        RecordingListener listener = new RecordingListener();
        registry.addListener(listener);
        byte[] withTrailer = Arrays.copyOf(der1, der1.length + 2);

        ImportResult r = registry.importFile(write("devices.json", devicesFile(
                ccsDevice("ccs-1", "zz", CCS_2),
                ccsDevice("long-kid", "00".repeat(EdhocCredential.MAX_KID_BYTES + 1), CCS_2),
                ccsDevice("empty-kid", "", CCS_2),
                ccsDevice("array", "2c", HexFormat.of().parseHex("8201a0")),
                "{'id':'bad-ccs-hex','edhoc':{'kid':'2c','ccs':'a1g0'}}",
                ccsDevice("huge", "2c", Arrays.copyOf(CCS_2, EdhocCredential.MAX_CREDENTIAL_BYTES + 1)),
                certDevice("garbage", b64("not a certificate".getBytes(StandardCharsets.US_ASCII))),
                certDevice("bad-b64", "!!!"),
                certDevice("trailer", b64(withTrailer)),
                certDevice("key-pem", "-----BEGIN PUBLIC KEY-----AAAA-----END PUBLIC KEY-----"),
                "{'id':'typo','edhoc':{'kid':'2c','ccs':'a0','x5t':'00'}}",
                "{'id':'both','edhoc':{'kid':'2c','ccs':'a0','certificate':'" + b64(der1) + "'}}",
                "{'id':'no-ccs','edhoc':{'kid':'2c'}}",
                "{'id':'no-kid','edhoc':{'ccs':'a0'}}",
                "{'id':'empty','edhoc':{}}",
                "{'id':'not-object','edhoc':'a0'}",
                "{'id':'number-kid','edhoc':{'kid':43,'ccs':'a0'}}")));

        assertThat(r.added() + r.updated() + r.unchanged()).isZero();
        assertThat(r.rejected()).containsExactly(
                "device 'ccs-1': edhoc.kid is not valid hex",
                "device 'long-kid': edhoc.kid must be 1 to 32 bytes, got 33",
                "device 'empty-kid': edhoc.kid must not be empty",
                "device 'array': edhoc.ccs must be a CBOR map (a CWT Claims Set), but it starts with 0x82",
                "device 'bad-ccs-hex': edhoc.ccs is not valid hex",
                "device 'huge': edhoc.ccs must be 1 to 4096 bytes, got 4097",
                "device 'garbage': edhoc.certificate is not a valid X.509 certificate",
                "device 'bad-b64': edhoc.certificate is not valid base64",
                "device 'trailer': edhoc.certificate has data after the certificate",
                "device 'key-pem': edhoc.certificate is a PEM block of another kind than -----BEGIN CERTIFICATE-----",
                "device 'typo': unknown field 'edhoc.x5t'",
                "device 'both': edhoc has \"certificate\" and \"kid\" or \"ccs\": give either \"kid\" and \"ccs\" "
                        + "(a CWT Claims Set) or \"certificate\" (X.509)",
                "device 'no-ccs': edhoc.ccs is missing",
                "device 'no-kid': edhoc.kid is missing (a CWT Claims Set is named by its kid)",
                "device 'empty': edhoc must be an object with \"kid\" and \"ccs\", or with \"certificate\"",
                "device 'not-object': edhoc must be an object with \"kid\" and \"ccs\", or with \"certificate\"",
                "device 'number-kid': edhoc.kid must be a string");
        assertThat(registry.devices()).containsExactly(before);
        assertThat(listener.events).isEmpty();
        assertThat(String.join("\n", r.rejected())).doesNotContain(HexFormat.of().formatHex(CCS_2).substring(2));
    }

    @Test
    void givenAnUnparsableCertificate_whenPut_thenRefused() {
        DeviceRegistryComponent registry = start();

        assertThatThrownBy(() -> registry.put(Device.builder("x")
                .edhocCredential(EdhocCredential.x509(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01})).build(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device 'x': edhoc.certificate is not a valid X.509 certificate");
        assertThat(registry.devices()).isEmpty();
    }

    // ---------------------------------------------------------------- credential types

    @Test
    void givenAnEdhocCredential_thenItCountsAsRawPublicKeyOrX509_onlyWhenItIsTheDevicesOnlyCredential()
            throws Exception {
        EdhocCredential ccs = EdhocCredential.ccs(new byte[] {1}, CCS_1);
        EdhocCredential cert = EdhocCredential.x509(der("edhoc-device-1.pem"));

        assertThat(DeviceRegistryComponent.credentialTypes(Device.builder("a").edhocCredential(ccs).build()))
                .isEqualTo(Set.of(CredentialType.RAW_PUBLIC_KEY));
        assertThat(DeviceRegistryComponent.credentialTypes(Device.builder("b").edhocCredential(cert).build()))
                .isEqualTo(Set.of(CredentialType.X509));
        assertThat(DeviceRegistryComponent.credentialTypes(Device.builder("c").pskIdentity("c")
                .edhocCredential(ccs).build())).isEqualTo(Set.of(CredentialType.PSK));
        assertThat(DeviceRegistryComponent.credentialTypes(Device.builder("d").pskIdentity("d")
                .edhocCredential(cert).build())).isEqualTo(Set.of(CredentialType.PSK));
    }

    // ---------------------------------------------------------------- shell

    @Test
    void givenTheShell_whenEdhocDevicesAreAddedSetAndCleared_thenListedAndShownWithKidOrSubject() throws Exception {
        DeviceRegistryComponent registry = start();
        DeviceCommands shell = new DeviceCommands(registry);
        Path certFile = write("device-1.pem", pem("edhoc-device-1.pem"));
        Path ccsFile = tmp.resolve("ccs.cbor");
        Files.write(ccsFile, CCS_2);
        byte[] der1 = der("edhoc-device-1.pem");

        assertThat(shell.deviceaddedhoc("ccs-1", "ccs", "2b", HexFormat.of().formatHex(CCS_1), "telemetry/*"))
                .isEqualTo("Added device 'ccs-1' with EDHOC CCS kid 2b, resources telemetry/*");
        assertThat(shell.deviceaddedhoc("cert-1", "x509", certFile.toString()))
                .isEqualTo("Added device 'cert-1' with EDHOC X.509 subject '" + SUBJECT_1 + "' and no resources");
        assertThat(registry.device("cert-1").orElseThrow().edhocCredential().orElseThrow().credential()).isEqualTo(der1);
        assertThat(shell.deviceadd("s1", "s1", HexFormat.of().formatHex(SECRET_1))).startsWith("Added");

        assertThat(shell.deviceedhoc("s1", "ccs", "0a", ccsFile.toString()))
                .isEqualTo("Device 's1': EDHOC credential set (EDHOC CCS kid 0a)");
        assertThat(registry.byEdhocKid(new byte[] {0x0a})).map(Device::deviceId).hasValue("s1");
        assertThat(registry.device("s1").orElseThrow().edhocCredential().orElseThrow().credential()).isEqualTo(CCS_2);
        assertThat(registry.pskSecret("s1")).as("the PSK stays").hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        assertThat(shell.deviceedhoc("s1", "ccs", "0a", ccsFile.toString()))
                .isEqualTo("Device 's1' already has this EDHOC credential");

        String list = shell.devices();
        assertThat(list).containsPattern("ccs-1\\s+yes\\s+EDHOC-CCS\\(kid 2b\\)\\s")
                .containsPattern("cert-1\\s+yes\\s+EDHOC-X509\\s").containsPattern("s1\\s+yes\\s+PSK,EDHOC-CCS\\(kid 0a\\)\\s")
                .doesNotContain(HexFormat.of().formatHex(CCS_1));
        assertThat(shell.deviceshow("ccs-1")).contains("edhoc:           CCS (CWT Claims Set, " + CCS_1.length
                + " bytes), kid 2b").doesNotContain(HexFormat.of().formatHex(CCS_1));
        assertThat(shell.deviceshow("cert-1")).contains("edhoc:           X.509, subject " + SUBJECT_1)
                .contains("edhoc.sha256:    " + HexFormat.of().formatHex(X509BindingTest.sha256(der1)));

        assertThat(shell.deviceedhoc("s1", "clear")).isEqualTo("Device 's1': EDHOC credential removed (EDHOC CCS kid 0a)");
        assertThat(registry.byEdhocKid(new byte[] {0x0a})).isEmpty();
        assertThat(registry.device("s1").orElseThrow().edhocCredential()).isEmpty();
        assertThat(shell.deviceedhoc("s1", "clear")).isEqualTo("Device 's1' has no EDHOC credential");
        assertThat(shell.deviceedhoc("ccs-1", "clear")).isEqualTo("Error: device 'ccs-1': the EDHOC credential is its "
                + "only credential; remove the device instead");
        assertThat(registry.byEdhocKid(new byte[] {0x2b})).isPresent();
    }

    @Test
    void givenBadShellInput_thenAClearErrorAndNothingChanges() throws Exception {
        DeviceRegistryComponent registry = start();
        DeviceCommands shell = new DeviceCommands(registry);
        shell.deviceaddedhoc("ccs-1", "ccs", "2b", HexFormat.of().formatHex(CCS_1));
        Path notACert = write("not.pem", "hello");

        assertThat(shell.deviceaddedhoc("x", "ccs", "2b", HexFormat.of().formatHex(CCS_2)))
                .isEqualTo("Error: device 'x': edhoc.kid '2b' already belongs to device 'ccs-1'");
        assertThat(shell.deviceaddedhoc("x", "ccs", "zz", "a0")).isEqualTo("Error: device 'x': edhoc.kid is not valid hex");
        assertThat(shell.deviceaddedhoc("x", "ccs", "01", "8201a0"))
                .isEqualTo("Error: device 'x': edhoc.ccs must be a CBOR map (a CWT Claims Set), but it starts with 0x82");
        assertThat(shell.deviceaddedhoc("x", "x509", notACert.toString()))
                .isEqualTo("Error: " + notACert + " is not an X.509 certificate (PEM or DER)");
        assertThat(shell.deviceaddedhoc("x", "x509", tmp.resolve("missing.pem").toString())).contains("cannot be read");
        assertThat(shell.deviceaddedhoc("x", "psk")).startsWith("usage: deviceaddedhoc");
        assertThat(shell.deviceaddedhoc("ccs-1", "ccs", "01", "a0")).contains("already exists");
        assertThat(shell.deviceedhoc("nope", "clear")).isEqualTo("Error: no device 'nope'");
        assertThat(shell.deviceedhoc("ccs-1")).startsWith("usage: deviceedhoc");
        assertThat(shell.deviceedhoc("ccs-1", "ccs", "01", "a0", "extra")).startsWith("usage: deviceedhoc");
        assertThat(registry.devices()).extracting(Device::deviceId).containsExactly("ccs-1");
        assertThat(registry.device("ccs-1").orElseThrow().edhocCredential().orElseThrow().credential()).isEqualTo(CCS_1);
    }

    @Test
    void givenTheRealGogoRuntime_whenAKidLooksLikeANumber_thenItIsStillTakenAsHex() throws Exception {
        DeviceRegistryComponent registry = start();
        DeviceCommands commands = new DeviceCommands(registry);
        var processor = new org.apache.felix.gogo.runtime.CommandProcessorImpl(
                new org.apache.felix.gogo.runtime.threadio.ThreadIOImpl());
        processor.addCommand("m2mgw", commands, "deviceaddedhoc");
        processor.addCommand("m2mgw", commands, "deviceedhoc");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        try (var session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
            assertThat(String.valueOf(session.execute("m2mgw:deviceaddedhoc g1 ccs 10 "
                    + HexFormat.of().formatHex(CCS_1) + " events")))
                    .isEqualTo("Added device 'g1' with EDHOC CCS kid 10, resources events");
            assertThat(String.valueOf(session.execute("m2mgw:deviceedhoc g1 ccs 0010 " + HexFormat.of().formatHex(CCS_1))))
                    .isEqualTo("Device 'g1': EDHOC credential set (EDHOC CCS kid 0010)");
        }
        assertThat(registry.byEdhocKid(new byte[] {0x00, 0x10})).map(Device::deviceId).hasValue("g1");
    }

    @Test
    void givenAnEdhocDevice_whenChanged_thenTheLogNamesKidOrSubjectButNeverTheCcs() throws Exception {
        DeviceRegistryComponent registry = start();

        String log = RegistryStoreTest.captureStderr(() -> {
            registry.put(Device.builder("ccs-1").edhocCredential(EdhocCredential.ccs(new byte[] {0x2b}, CCS_1)).build(),
                    null);
            try {
                registry.put(Device.builder("cert-1").edhocCredential(EdhocCredential.x509(der("edhoc-device-1.pem")))
                        .build(), null);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        assertThat(log).contains("Device 'ccs-1' added (EDHOC CCS kid 2b)")
                .contains("Device 'cert-1' added (EDHOC X.509 subject '" + SUBJECT_1 + "')")
                .doesNotContain(HexFormat.of().formatHex(CCS_1)).doesNotContain(Base64.getEncoder().encodeToString(CCS_1));
    }
}
