package org.m2mgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.device.Device;

/**
 * Issue 11, finding 3: an X.509 device is bound to its issuer and subject (and optionally to a
 * certificate or key hash), old files and stores without issuer still load, and a change of
 * trust anchors is announced to listeners.
 */
class X509BindingTest extends RegistryTestSupport {
    static final String ISSUER_A = "CN=Device CA A,O=Example";
    static final String ISSUER_B = "CN=Device CA B,O=Example";
    static final byte[] HASH = sha256("a device certificate".getBytes(StandardCharsets.US_ASCII));
    static final byte[] KEY_HASH = sha256("a device key".getBytes(StandardCharsets.US_ASCII));

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static X509Certificate testCa() throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(testCaPem().getBytes(StandardCharsets.US_ASCII)));
    }

    static String x509(String id, String subject, String issuer, String... extra) {
        return "{'id':'" + id + "','resources':['telemetry/*'],'x509':{'subject':'" + subject + "'"
                + (issuer == null ? "" : ",'issuer':'" + issuer + "'")
                + (extra.length == 0 ? "" : "," + String.join(",", extra)) + "}}";
    }

    interface Action {
        void run() throws Exception;
    }

    static String log(Action action) {
        return RegistryStoreTest.captureStderr(() -> {
            try {
                action.run();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void givenIssuerAndHashes_whenImported_thenNormalisedLookedUpByIssuerAndSubject_andReadBackAfterRestart()
            throws Exception {
        Path file = write("devices.json", devicesFile(x509("plc-3", "CN=plc-3, O=Example", "CN=Device CA A, O=Example",
                "'sha256':'" + HexFormat.ofDelimiter(":").withUpperCase().formatHex(HASH) + "'",
                "'spkiSha256':'base64:" + Base64.getEncoder().encodeToString(KEY_HASH) + "'")));
        DeviceRegistryComponent first = start();

        ImportResult r = first.importFile(file);

        assertThat(r.rejected()).isEmpty();
        assertThat(r.warnings()).isEmpty();
        Device d = first.device("plc-3").orElseThrow();
        assertThat(d.certificateSubject()).hasValue("CN=plc-3,O=Example");
        assertThat(d.certificateIssuer()).hasValue(ISSUER_A);
        assertThat(d.certificateSha256()).hasValueSatisfying(h -> assertThat(h).isEqualTo(HASH));
        assertThat(d.certificateSpkiSha256()).hasValueSatisfying(h -> assertThat(h).isEqualTo(KEY_HASH));
        assertThat(d.boundToSubjectOnly()).isFalse();
        assertThat(first.byCertificate("CN=Device CA A,  O=Example", "CN=plc-3,O=Example")).hasValue(d);
        assertThat(first.byCertificate(ISSUER_B, "CN=plc-3,O=Example")).as("another CA's certificate").isEmpty();
        assertThat(first.byCertificate("not a DN", "CN=plc-3,O=Example")).isEmpty();
        assertThat(first.byCertificate(null, "CN=plc-3,O=Example")).isEmpty();
        first.deactivate();

        DeviceRegistryComponent again = start();

        assertThat(again.device("plc-3")).hasValue(d);
        assertThat(again.byCertificate(ISSUER_A, "CN=plc-3,O=Example")).hasValue(d);
    }

    @Test
    void givenAnOldImportFileWithSubjectOnly_thenItStillLoads_isBoundToTheSubject_andReportedOnce() throws Exception {
        Path file = write("devices.json", devicesFile(x509("old-plc", "CN=old-plc,O=Example", null)));
        DeviceRegistryComponent registry = start();
        ImportResult[] results = new ImportResult[2];

        String log = log(() -> {
            results[0] = registry.importFile(file);
            results[1] = registry.importFile(write("devices.json",
                    devicesFile(x509("old-plc", "CN=old-plc,O=Example", null), pskDevice("s1", "s1", SECRET_1))));
        });

        assertThat(results[0].added()).isEqualTo(1);
        assertThat(results[0].rejected()).isEmpty();
        assertThat(results[0].warnings()).singleElement().asString()
                .contains("device 'old-plc'").contains("bound to subject only; add \"issuer\"");
        assertThat(results[1].warnings()).hasSize(1);
        assertThat(log.lines().filter(l -> l.contains("bound to subject only"))).as("logged once").hasSize(1);
        Device d = registry.device("old-plc").orElseThrow();
        assertThat(d.boundToSubjectOnly()).isTrue();
        assertThat(registry.byCertificate(ISSUER_A, "CN=old-plc,O=Example")).hasValue(d);
        assertThat(registry.byCertificate(ISSUER_B, "CN=old-plc,O=Example")).hasValue(d);
        assertThat(registry.byCertificateSubject("CN=old-plc,O=Example")).hasValue(d);

        DeviceCommands shell = new DeviceCommands(registry);
        assertThat(shell.deviceimport(file.toString())).contains("warning device 'old-plc'");
        assertThat(shell.devices()).contains("X509(subject-only)");
        assertThat(shell.deviceshow("old-plc")).contains("x509.issuer:     (none: bound to subject only");
    }

    @Test
    void givenManySubjectOnlyDevices_thenTheFirstTenAreLoggedOneByOne_andTheRestInOneLine() throws Exception {
        String[] entries = new String[13];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = x509("old-" + i, "CN=old-" + i, null);
        }
        DeviceRegistryComponent registry = start();

        String log = log(() -> registry.importFile(write("devices.json", devicesFile(entries))));

        assertThat(log.lines().filter(l -> l.contains("x509 is bound to subject only"))).hasSize(10);
        assertThat(log.lines().filter(l -> l.contains("3 more X.509 device(s) are bound to subject only")))
                .singleElement().asString().contains("old-10, old-11, old-12");
        assertThat(registry.devices()).hasSize(13);
    }

    @Test
    void givenAStoreWrittenBeforeIssuersExisted_whenStarted_thenItsX509DevicesLoad() throws Exception {
        Files.createDirectories(registryDir());
        RegistryStore old = new RegistryStore(registryDir(), new SecureRandom());
        assertThat(old.load()).isNull();
        old.save(json("{'version':1,'devices':[{'id':'s3','enabled':true,'resources':['telemetry/*'],"
                + "'metadata':{},'x509':{'subject':'CN=device-3,O=Example'}}],'trustAnchors':["
                + pemLiteral(testCaPem()).replace('"', '\'') + "]}").getBytes(StandardCharsets.UTF_8));

        String[] log = new String[1];
        DeviceRegistryComponent[] registry = new DeviceRegistryComponent[1];
        log[0] = log(() -> registry[0] = start());

        assertThat(registry[0].readOnlyReason()).isEmpty();
        assertThat(registry[0].device("s3")).hasValueSatisfying(d -> assertThat(d.boundToSubjectOnly()).isTrue());
        assertThat(registry[0].trustAnchors()).hasSize(1);
        assertThat(log[0]).contains("device 's3': x509 is bound to subject only; add \"issuer\"");
    }

    @Test
    void givenOneSubjectUnderTwoIssuers_thenEachCertificateFindsItsOwnDevice_andASubjectOnlyEntryClashesWithBoth()
            throws Exception {
        DeviceRegistryComponent registry = start();
        ImportResult r = registry.importFile(write("devices.json", devicesFile(
                x509("vendor-a-1", "CN=sensor-1", ISSUER_A), x509("vendor-b-1", "CN=sensor-1", ISSUER_B),
                x509("dup", "CN=sensor-1", ISSUER_B), x509("any", "CN=sensor-1", null))));

        assertThat(r.added()).isEqualTo(2);
        assertThat(r.rejected()).containsExactly(
                "device 'dup': x509.subject 'CN=sensor-1' from issuer 'CN=Device CA B,O=Example' already belongs "
                        + "to device 'vendor-b-1'",
                "device 'any': x509.subject 'CN=sensor-1' already belongs to device 'vendor-a-1' (issuer "
                        + "'CN=Device CA A,O=Example'): without \"issuer\" this entry would take its certificates too");
        assertThat(registry.byCertificate(ISSUER_A, "CN=sensor-1")).map(Device::deviceId).hasValue("vendor-a-1");
        assertThat(registry.byCertificate(ISSUER_B, "CN=sensor-1")).map(Device::deviceId).hasValue("vendor-b-1");
        assertThat(registry.byCertificate("CN=Device CA C", "CN=sensor-1")).isEmpty();
        assertThat(registry.byCertificateSubject("CN=sensor-1")).as("ambiguous").isEmpty();

        registry.put(Device.builder("old").certificateSubject("CN=old").build(), null);
        assertThatThrownBy(() -> registry.put(Device.builder("new").certificateSubject("CN=old")
                .certificateIssuer(ISSUER_A).build(), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device 'new': x509.subject 'CN=old' already belongs to device 'old', which has no "
                        + "\"issuer\" and so takes certificates of every issuer");

        registry.remove("vendor-a-1");
        assertThat(registry.byCertificate(ISSUER_A, "CN=sensor-1")).isEmpty();
        assertThat(registry.byCertificateSubject("CN=sensor-1")).map(Device::deviceId).hasValue("vendor-b-1");
        // The device itself may move from one issuer to another.
        registry.put(registry.device("vendor-b-1").orElseThrow().toBuilder().certificateIssuer(ISSUER_A).build(), null);
        assertThat(registry.byCertificate(ISSUER_A, "CN=sensor-1")).map(Device::deviceId).hasValue("vendor-b-1");
        assertThat(registry.byCertificate(ISSUER_B, "CN=sensor-1")).isEmpty();
    }

    @Test
    void givenBadIssuersOrHashes_whenImported_thenEachIsRejectedNamingTheField() throws Exception {
        DeviceRegistryComponent registry = start();

        ImportResult r = registry.importFile(write("devices.json", devicesFile(
                x509("bad-issuer", "CN=a", "not a DN"),
                x509("empty-issuer", "CN=b", ""),
                x509("short-hash", "CN=c", ISSUER_A, "'sha256':'hex:0102'"),
                x509("bad-hex", "CN=d", ISSUER_A, "'sha256':'zz'"),
                x509("bad-key-hash", "CN=e", ISSUER_A, "'spkiSha256':'base64:!!'"),
                x509("typo", "CN=f", ISSUER_A, "'sha1':'00'"),
                x509("good", "CN=g", ISSUER_A))));

        assertThat(r.added()).isEqualTo(1);
        assertThat(r.rejected()).containsExactly(
                "device 'bad-issuer': x509.issuer is not a valid distinguished name",
                "device 'empty-issuer': x509.issuer must not be empty",
                "device 'short-hash': x509.sha256 must be a SHA-256 hash of 32 bytes, got 2",
                "device 'bad-hex': x509.sha256 is not valid hex (or 'base64:...')",
                "device 'bad-key-hash': x509.spkiSha256 is not valid base64",
                "device 'typo': unknown field 'x509.sha1'");
        assertThatThrownBy(() -> registry.put(Device.builder("p").certificateSubject("CN=p")
                .certificateSpkiSha256(new byte[20]).build(), null))
                .hasMessage("device 'p': x509.spkiSha256 must be a SHA-256 hash of 32 bytes, got 20");
    }

    @Test
    void givenAnImportThatChangesTheTrustAnchors_thenListenersAreToldAfterTheDevices_andNotWhenTheyStayTheSame()
            throws Exception {
        DeviceRegistryComponent registry = start();
        RecordingListener listener = new RecordingListener();
        registry.addListener(listener);
        String ca = pemLiteral(testCaPem()).replace('"', '\'');

        registry.importFile(write("a.json", json("{'devices':[" + x509("plc", "CN=plc", ISSUER_A) + "],"
                + "'trustAnchors':[" + ca + "]}")));
        assertThat(listener.anchorChanges).singleElement().isEqualTo(List.of(testCa()));
        assertThat(listener.events).hasSize(1);

        registry.importFile(write("b.json", json("{'trustAnchors':[" + ca + "]}")));
        registry.importFile(write("c.json", devicesFile(pskDevice("s1", "s1", SECRET_1))));
        assertThat(listener.anchorChanges).as("same anchors, or none in the file").hasSize(1);

        registry.importFile(write("d.json", json("{'devices':[],'trustAnchors':[]}")));
        assertThat(listener.anchorChanges).hasSize(2);
        assertThat(listener.anchorChanges.get(1)).isEmpty();
        assertThat(registry.trustAnchors()).isEmpty();
    }

    @Test
    void givenAListenerThatThrowsOnAnchors_thenOthersAreStillTold() throws Exception {
        DeviceRegistryComponent registry = start();
        registry.addListener(new org.m2mgw.api.device.DeviceRegistryListener() {
            @Override
            public void deviceChanged(java.util.Optional<Device> before, java.util.Optional<Device> after) {
            }

            @Override
            public void trustAnchorsChanged(List<X509Certificate> anchors) {
                throw new IllegalStateException("listener bug");
            }
        });
        RecordingListener good = new RecordingListener();
        registry.addListener(good);

        String log = log(() -> registry.importFile(write("a.json",
                json("{'trustAnchors':[" + pemLiteral(testCaPem()).replace('"', '\'') + "]}"))));

        assertThat(good.anchorChanges).hasSize(1);
        assertThat(log).contains("failed on a change of the trust anchors").contains("listener bug");
    }

    @Test
    void givenADeviceCertificate_whenAddedFromTheShell_thenBoundToItsSubjectIssuerAndHash_andShown() throws Exception {
        DeviceRegistryComponent registry = start();
        DeviceCommands shell = new DeviceCommands(registry);
        Path pem = write("plc.pem", testCaPem());
        X509Certificate cert = testCa();
        String hash = HexFormat.of().formatHex(sha256(cert.getEncoded()));

        String out = shell.deviceaddcert("plc-9", pem.toString(), "telemetry/*");

        assertThat(out).startsWith("Added device 'plc-9' with X.509 subject 'CN=m2mgw test device CA,O=Example' "
                + "from issuer 'CN=m2mgw test device CA,O=Example', certificate SHA-256 " + hash);
        Device d = registry.byCertificate("CN=m2mgw test device CA,O=Example", "CN=m2mgw test device CA,O=Example")
                .orElseThrow();
        assertThat(d.certificateSha256()).hasValueSatisfying(h -> assertThat(HexFormat.of().formatHex(h)).isEqualTo(hash));
        assertThat(d.resources()).containsExactly("telemetry/*");
        assertThat(shell.deviceshow("plc-9")).contains("x509.issuer:     CN=m2mgw test device CA,O=Example")
                .contains("x509.sha256:     " + hash).contains("resources:       telemetry/*");
        assertThat(shell.devices()).containsPattern("plc-9\\s+yes\\s+X509\\s");
        assertThat(shell.deviceaddcert("plc-9", pem.toString())).contains("already exists");
        assertThat(shell.deviceaddcert("plc-10", write("junk.pem", "junk").toString()))
                .contains("is not an X.509 certificate");
        assertThat(shell.deviceaddcert("plc-11", tmp.resolve("missing.pem").toString())).contains("cannot be read");
        assertThat(shell.deviceshow("nope")).isEqualTo("Error: no device 'nope'");
    }
}
