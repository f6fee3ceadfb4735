package org.m2mgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.device.Device;

/** The shell commands of key rollovers: rotate, rotate-rpk, promote, cancel-rotation, and what devices and deviceshow say. */
class RolloverCommandsTest extends RegistryTestSupport {
    static final Instant T0 = KeyRolloverTest.T0;
    private static final Pattern ROTATED = Pattern.compile(
            "\\ADevice 's1': next PSK identity '([^']+)'\nkey \\(hex\\): ([0-9a-f]+)\n(.*)\\z", Pattern.DOTALL);

    private DeviceRegistryComponent registry;
    private DeviceCommands shell;
    private MutableClock clock;

    private void startWithDevices() throws Exception {
        clock = new MutableClock(T0);
        registry = start(clock);
        shell = new DeviceCommands(registry);
        registry.put(KeyRolloverTest.sensor("s1"), SECRET_1);
        registry.put(Device.builder("m1").publicKey(p256PublicKey()).build(), null);
    }

    @Test
    void givenRotate_thenANewIdentityAndA32ByteKeyArePrintedOnce_registeredAsNext_andNeverLoggedOrShownAgain()
            throws Exception {
        startWithDevices();

        String[] out = new String[1];
        String log = RegistryStoreTest.captureStderr(() -> out[0] = shell.rotate("s1"));

        Matcher m = ROTATED.matcher(out[0]);
        assertThat(m.matches()).as(out[0]).isTrue();
        String identity = m.group(1);
        byte[] key = HexFormat.of().parseHex(m.group(2));
        assertThat(identity).isEqualTo("s1-k1");
        assertThat(key).hasSize(32).isNotEqualTo(new byte[32]);
        assertThat(m.group(3)).startsWith("The key is shown only this once: provision the identity and key on the "
                + "device now. Both credentials are accepted until the device's first handshake with the new one, "
                + "which retires the old one.");
        assertThat(registry.pskSecret(identity)).hasValueSatisfying(k -> assertThat(k).isEqualTo(key));
        assertThat(registry.pskSecret("s1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        assertThat(registry.device("s1").orElseThrow().nextPskIdentity()).hasValue("s1-k1");
        assertThat(log).contains("key rollover started, next PSK identity 's1-k1'").doesNotContain(m.group(2))
                .doesNotContain(Base64.getEncoder().encodeToString(key));
        assertThat(shell.deviceshow("s1")).contains("next.pskIdentity: s1-k1 (key not shown)")
                .contains("rollover:        pending until the device's first handshake with the next credential (no deadline)")
                .doesNotContain(m.group(2));
        assertThat(shell.devices()).containsPattern("s1\\s+yes\\s+PSK\\s+0m\\s+PSK\\s").doesNotContain(m.group(2));

        assertThat(shell.rotate("s1")).isEqualTo("Error: device 's1' already has a key rollover under way (next "
                + "PSK identity 's1-k1'): promote or cancel-rotation it first");
        assertThat(shell.promote("s1")).isEqualTo("Device 's1': next PSK identity 's1-k1' is now current; "
                + "PSK identity 's1' is retired");
        assertThat(registry.pskSecret("s1")).isEmpty();

        String second = shell.rotate("s1");
        assertThat(second).startsWith("Device 's1': next PSK identity 's1-k2'\nkey (hex): ");
        String secondKey = second.lines().toList().get(1).substring("key (hex): ".length());
        assertThat(secondKey).hasSize(64).isNotEqualTo(m.group(2));
    }

    @Test
    void givenTheNextIdentityIsTaken_thenRotatePicksTheNextFreeNumber() throws Exception {
        startWithDevices();
        registry.put(KeyRolloverTest.sensor("other").toBuilder().pskIdentity("s1-k1").build(), SECRET_2);

        assertThat(shell.rotate("s1")).startsWith("Device 's1': next PSK identity 's1-k2'");
    }

    @Test
    void givenADeadline_whenRotated_thenItIsSetAndShown_andBadDeadlinesAreRefused() throws Exception {
        startWithDevices();

        assertThat(shell.rotate("s1", "--deadline", "yesterday")).isEqualTo(
                "Error: --deadline 'yesterday' is not an ISO-8601 instant (e.g. 2026-12-31T23:00:00Z)");
        assertThat(shell.rotate("s1", "--deadline")).startsWith("Error: --deadline needs an ISO-8601 instant");
        assertThat(shell.rotate("s1", "--deadline", "2026-05-01T00:00:00Z")).isEqualTo(
                "Error: device 's1': the rollover deadline 2026-05-01T00:00:00Z is not in the future");
        assertThat(shell.rotate("s1", "--force")).isEqualTo("Error: unknown option '--force'");
        assertThat(shell.rotate()).startsWith("usage: rotate <deviceId>");
        assertThat(shell.rotate("s1", "s2")).startsWith("usage: rotate <deviceId>");
        assertThat(registry.device("s1").orElseThrow().rolloverPending()).isFalse();

        String out = shell.rotate("--deadline=2026-06-08T10:00:00Z", "s1");

        assertThat(out).endsWith("; at 2026-06-08T10:00:00Z the new one replaces the old one even if unused.");
        assertThat(registry.device("s1").orElseThrow().rolloverDeadline()).hasValue(Instant.parse("2026-06-08T10:00:00Z"));
        clock.advance(Duration.ofDays(3));
        assertThat(shell.deviceshow("s1")).contains("rollover:        pending until the device's first handshake "
                + "with the next credential or 2026-06-08T10:00:00Z (in 4d)");
        assertThat(shell.devices()).containsPattern("s1\\s+yes\\s+PSK\\s+3d\\s+PSK by 2026-06-08T10:00:00Z\\s");
    }

    @Test
    void givenDevicesThatCannotRotateAPsk_thenRotateSaysWhy() throws Exception {
        startWithDevices();

        assertThat(shell.rotate("nope")).isEqualTo("Error: no device 'nope'");
        assertThat(shell.rotate("m1")).isEqualTo("Error: device 'm1' has no pre-shared key; rotate makes a next PSK "
                + "(for a raw public key use rotate-rpk)");
    }

    @Test
    void givenRotateRpk_withBase64APemFileOrADerFile_thenTheNextKeyIsRegistered() throws Exception {
        startWithDevices();
        byte[] next = p256PublicKey();
        String hash = HexFormat.of().formatHex(X509BindingTest.sha256(next));

        String out = shell.rotateRpk("m1", b64(next));

        assertThat(out).isEqualTo("Device 'm1': next raw public key SHA-256 " + hash + " registered. Both credentials "
                + "are accepted until the device's first handshake with the new one, which retires the old one.");
        assertThat(registry.byPublicKey(next)).map(Device::deviceId).hasValue("m1");
        assertThat(shell.deviceshow("m1")).contains("next.publicKey:  SHA-256 " + hash);
        assertThat(shell.devices()).containsPattern("m1\\s+yes\\s+RAW_PUBLIC_KEY\\s+0m\\s+RPK\\s");
        assertThat(shell.cancelRotation("m1")).isEqualTo("Device 'm1': key rollover cancelled, next raw public key SHA-256 "
                + hash + " dropped");
        assertThat(shell.cancelRotation("m1")).isEqualTo("Device 'm1' has no key rollover under way");
        assertThat(registry.byPublicKey(next)).isEmpty();

        byte[] fromPem = ed25519PublicKey();
        Path pem = write("next.pem", "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(fromPem) + "\n-----END PUBLIC KEY-----\n");
        assertThat(shell.rotateRpk("m1", pem.toString(), "--deadline", "2026-07-01T00:00:00Z"))
                .startsWith("Device 'm1': next raw public key SHA-256 ");
        assertThat(registry.device("m1").orElseThrow().nextPublicKey()).hasValueSatisfying(k -> assertThat(k).isEqualTo(fromPem));
        assertThat(registry.device("m1").orElseThrow().rolloverDeadline()).hasValue(Instant.parse("2026-07-01T00:00:00Z"));
        assertThat(shell.promote("m1")).startsWith("Device 'm1': next raw public key SHA-256 ").contains(" is now current; raw public key SHA-256 ");
        assertThat(registry.device("m1").orElseThrow().publicKey()).hasValueSatisfying(k -> assertThat(k).isEqualTo(fromPem));

        byte[] fromDer = p256PublicKey();
        Path der = tmp.resolve("next.der");
        Files.write(der, fromDer);
        assertThat(shell.rotateRpk("m1", der.toString())).startsWith("Device 'm1': next raw public key");
        assertThat(registry.byPublicKey(fromDer)).isPresent();
    }

    @Test
    void givenBadRotateRpkArguments_thenEachErrorSaysWhy() throws Exception {
        startWithDevices();

        assertThat(shell.rotateRpk("m1")).startsWith("usage: rotate-rpk <deviceId>");
        assertThat(shell.rotateRpk("nope", b64(p256PublicKey()))).isEqualTo("Error: no device 'nope'");
        assertThat(shell.rotateRpk("s1", b64(p256PublicKey()))).isEqualTo("Error: device 's1' has no raw public key; "
                + "rotate-rpk makes a next one (for a pre-shared key use rotate)");
        assertThat(shell.rotateRpk("m1", "not*base64")).isEqualTo("Error: 'not*base64' is neither a public key file nor base64");
        assertThat(shell.rotateRpk("m1", b64(new byte[] {1, 2, 3}))).isEqualTo(
                "Error: device 'm1': next.publicKey is not a P-256 or Ed25519 public key (DER SubjectPublicKeyInfo)");
        Path cert = write("cert.pem", testCaPem());
        assertThat(shell.rotateRpk("m1", cert.toString())).isEqualTo("Error: " + cert + " is not a PEM public key "
                + "(-----BEGIN PUBLIC KEY-----)");
        assertThat(shell.promote("m1")).isEqualTo("Device 'm1' has no key rollover under way");
        assertThat(shell.promote("nope")).isEqualTo("Error: no device 'nope'");
        assertThat(shell.cancelRotation("nope")).isEqualTo("Error: no device 'nope'");
    }

    @Test
    void givenTheGogoRuntime_thenEveryRolloverCommandRunsAsTheShellCallsIt() throws Exception {
        startWithDevices();
        byte[] next = p256PublicKey();
        Gogo gogo = new Gogo(shell);

        String rotated = gogo.run("m2mgw:rotate s1 --deadline 2026-06-30T00:00:00Z");
        assertThat(rotated).startsWith("Device 's1': next PSK identity 's1-k1'\nkey (hex): ");
        assertThat(registry.device("s1").orElseThrow().rolloverDeadline()).hasValue(Instant.parse("2026-06-30T00:00:00Z"));
        assertThat(gogo.run("m2mgw:rotate-rpk m1 " + b64(next))).startsWith("Device 'm1': next raw public key SHA-256");
        assertThat(gogo.run("rotate-rpk m1")).startsWith("usage: rotate-rpk");
        assertThat(gogo.run("m2mgw:cancel-rotation m1")).startsWith("Device 'm1': key rollover cancelled");
        assertThat(gogo.run("cancel-rotation")).isEqualTo("usage: cancel-rotation <deviceId>");
        assertThat(gogo.run("m2mgw:promote s1")).isEqualTo("Device 's1': next PSK identity 's1-k1' is now current; "
                + "PSK identity 's1' is retired");
        assertThat(gogo.run("m2mgw:deviceshow s1")).contains("psk.identity:    s1-k1").contains("rollover:        none");
    }

    /** The Gogo runtime with the registry's commands registered as the descriptor says. */
    static final class Gogo {
        private final org.apache.felix.gogo.runtime.CommandProcessorImpl processor =
                new org.apache.felix.gogo.runtime.CommandProcessorImpl(
                        new org.apache.felix.gogo.runtime.threadio.ThreadIOImpl());

        Gogo(DeviceCommands commands) {
            for (String f : List.of("devices", "deviceshow", "rotate", "rotate-rpk", "promote", "cancel-rotation")) {
                processor.addCommand("m2mgw", commands, f);
            }
        }

        String run(String line) throws Exception {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (var session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
                return String.valueOf(session.execute(line));
            }
        }
    }
}
