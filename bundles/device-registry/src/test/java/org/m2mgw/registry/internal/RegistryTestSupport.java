package org.m2mgw.registry.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistryListener;
import org.m2mgw.api.runtime.GatewayRuntime;

/** A fake GatewayRuntime on a temporary directory, and helpers to write import files. */
abstract class RegistryTestSupport {
    static final byte[] SECRET_1 = "demo-secret-0001".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SECRET_2 = "demo-secret-0002".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;

    private final List<DeviceRegistryComponent> started = new ArrayList<>();

    @AfterEach
    void stopRegistries() {
        started.forEach(DeviceRegistryComponent::deactivate);
    }

    Path dataDir() {
        return tmp.resolve("data");
    }

    Path registryDir() {
        return dataDir().resolve(DeviceRegistryComponent.DATA_DIR);
    }

    /** Like gateway-core's GatewayRuntime, on {@link #dataDir()}. */
    GatewayRuntime runtime() {
        return org.m2mgw.support.testing.TestRuntime.on(dataDir(), "test-gateway");
    }

    /** A registry without import file. */
    DeviceRegistryComponent start() {
        return start(RegistrySettings.of("", 3600));
    }

    /** A registry that imports {@code file}, checked only when the test says so. */
    DeviceRegistryComponent start(Path importFile) {
        return start(RegistrySettings.of(importFile.toString(), 3600));
    }

    DeviceRegistryComponent start(RegistrySettings settings) {
        DeviceRegistryComponent c = new DeviceRegistryComponent(runtime(), settings);
        started.add(c);
        return c;
    }

    /** A registry without import file on the test's clock; rollover sweeps only when the test asks. */
    DeviceRegistryComponent start(java.time.Clock clock) {
        return start(clock, java.time.Duration.ofHours(1));
    }

    /** A registry without import file on the test's clock, sweeping rollover deadlines every {@code sweep}. */
    DeviceRegistryComponent start(java.time.Clock clock, java.time.Duration sweep) {
        DeviceRegistryComponent c = new DeviceRegistryComponent(runtime(), RegistrySettings.of("", 3600), clock, sweep);
        started.add(c);
        return c;
    }

    /** A clock the test moves. */
    static final class MutableClock extends java.time.Clock {
        private final java.util.concurrent.atomic.AtomicReference<java.time.Instant> now;

        MutableClock(java.time.Instant start) {
            now = new java.util.concurrent.atomic.AtomicReference<>(start);
        }

        void advance(java.time.Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now.get();
        }
    }

    Path write(String name, String json) throws IOException {
        Path file = tmp.resolve(name);
        if (Files.exists(file)) {
            FileTime before = Files.getLastModifiedTime(file);
            Files.writeString(file, json);
            // File systems with coarse timestamps: make sure the change is visible.
            Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 2000));
        } else {
            Files.writeString(file, json);
        }
        return file;
    }

    static String json(String s) {
        return s.replace('\'', '"');
    }

    static String pskDevice(String id, String identity, byte[] key, String... extra) {
        return "{'id':'" + id + "','resources':['telemetry/*','events','commands'],"
                + "'psk':{'identity':'" + identity + "','key':'hex:" + HexFormat.of().formatHex(key) + "'}"
                + (extra.length == 0 ? "" : "," + String.join(",", extra)) + "}";
    }

    static String devicesFile(String... devices) {
        return json("{'devices':[" + String.join(",", devices) + "]}");
    }

    static byte[] p256PublicKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair().getPublic().getEncoded();
    }

    static byte[] ed25519PublicKey() throws GeneralSecurityException {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
    }

    static byte[] p384PublicKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        return g.generateKeyPair().getPublic().getEncoded();
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static String testCaPem() throws IOException {
        try (InputStream in = RegistryTestSupport.class.getResourceAsStream("/test-ca.pem")) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** The PEM as a JSON string literal (newlines escaped). */
    static String pemLiteral(String pem) {
        return "\"" + pem.strip().replace("\n", "\\n") + "\"";
    }

    /** One change as a listener saw it. */
    record Event(Optional<Device> before, Optional<Device> after) {
    }

    /** A listener that records every change. */
    static final class RecordingListener implements DeviceRegistryListener {
        final List<Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** The anchors of every trustAnchorsChanged call. */
        final List<List<java.security.cert.X509Certificate>> anchorChanges =
                new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void deviceChanged(Optional<Device> before, Optional<Device> after) {
            events.add(new Event(before, after));
        }

        @Override
        public void trustAnchorsChanged(List<java.security.cert.X509Certificate> anchors) {
            anchorChanges.add(anchors);
        }
    }
}
