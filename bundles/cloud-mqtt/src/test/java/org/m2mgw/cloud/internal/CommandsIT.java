package org.m2mgw.cloud.internal;

import org.m2mgw.cloud.testsupport.Mosquitto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.cloud.internal.CloudConnectionIT.await;
import static org.m2mgw.cloud.internal.CloudHarness.accept;
import static org.m2mgw.cloud.internal.CloudHarness.counter;
import static org.m2mgw.cloud.internal.CloudHarness.message;

import java.lang.reflect.Proxy;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.command.Command;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;

/**
 * Finding 7 of the security review: the command store. A damaged file does not stop the
 * connection; commands are taken only for devices the registry knows, within a size and a total
 * bound; and the store appends to its file rather than rewriting it for every command.
 */
class CommandsIT {
    @TempDir
    Path tmp;
    CloudHarness h;

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    static Command command(String id, String device, int bytes) {
        Instant now = Instant.now();
        return new Command(id, device, 0, new byte[bytes], now, now.plusSeconds(600));
    }

    /** A registry that knows exactly {@code known}. */
    static DeviceRegistry registry(Set<String> known) {
        return (DeviceRegistry) Proxy.newProxyInstance(DeviceRegistry.class.getClassLoader(),
                new Class<?>[] {DeviceRegistry.class}, (p, m, args) -> {
                    if (m.getName().equals("device")) {
                        return known.contains((String) args[0])
                                ? Optional.of(Device.builder((String) args[0]).pskIdentity("id-" + args[0]).build())
                                : Optional.empty();
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    void givenAGarbageCommandsFile_thenTheConnectionRuns_takesDeviceMessages_andSetsTheFileAside() throws Exception {
        h = new CloudHarness(tmp);
        Files.createDirectories(h.dataDir());
        Path file = h.dataDir().resolve("commands.bin");
        Files.write(file, "this is not a command store, just garbage".getBytes(StandardCharsets.UTF_8));
        try (CloudHarness.LogCapture log = new CloudHarness.LogCapture()) {
            CloudConnection c = h.connection(Map.of("broker_url", "tcp://127.0.0.1:1", "routes",
                    CloudHarness.RAW_ROUTES));
            assertThat(c.statusLine()).doesNotStartWith("not running");
            assertThat(accept(c, message("dev", 1)).isAccepted()).isTrue();
            assertThat(c.pending("dev")).isZero();
            assertThat(c.offer(command("c1", "dev", 10))).isTrue();
            assertThat(log.lines("commands.bin", "set aside")).hasSize(1);
        }
        try (var files = Files.list(h.dataDir())) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("commands.bin.damaged"));
        }
    }

    @Test
    void givenARegistry_thenCommandsForDevicesItDoesNotKnowAreRefused_fromTheBrokerToo() throws Exception {
        h = new CloudHarness(tmp);
        Mosquitto broker = h.broker("");
        CloudConnection c = h.connection(Map.of("broker_url", broker.url()));
        c.registry = registry(Set.of("valve-7"));
        await("connected", 10_000, () -> c.statusLine().startsWith("connected"));

        assertThat(c.offer(command("c1", "valve-7", 10))).isTrue();
        assertThat(c.offer(command("c2", "stranger", 10))).isFalse();
        MqttClient cloud = new MqttClient(broker.url(), "cloud", new MemoryPersistence());
        cloud.connect();
        h.closeLater(() -> {
            cloud.disconnect();
            cloud.close();
        });
        cloud.publish("m2mgw/gw1/stranger/commands", "{\"x\":1}".getBytes(StandardCharsets.UTF_8), 1, false);
        cloud.publish("m2mgw/gw1/valve-7/commands", "{\"open\":true}".getBytes(StandardCharsets.UTF_8), 1, false);
        await("the known device's command queued", 10_000, () -> c.pending("valve-7") == 2);
        assertThat(c.pending("stranger")).isZero();
        assertThat(counter(c, "commands.refused.unknown.device")).isEqualTo(2);

        // without a registry, commands are taken (within the bounds)
        c.registry = null;
        assertThat(c.offer(command("c3", "stranger", 10))).isTrue();
    }

    @Test
    void givenCommandBounds_thenATooLargeCommandAndOneTooMany_areRefused() throws Exception {
        h = new CloudHarness(tmp);
        CloudConnection c = h.connection(Map.of("broker_url", "tcp://127.0.0.1:1", "command_max_bytes", 100,
                "command_total_max", 5, "command_queue_max", 3));
        assertThat(c.offer(command("big", "d1", 101))).isFalse();
        assertThat(c.offer(command("ok", "d1", 100))).isTrue();
        assertThat(c.offer(command("c2", "d1", 1))).isTrue();
        assertThat(c.offer(command("c3", "d1", 1))).isTrue();
        assertThat(c.offer(command("c4", "d1", 1))).as("per device").isFalse();
        assertThat(c.offer(command("c5", "d2", 1))).isTrue();
        assertThat(c.offer(command("c6", "d2", 1))).isTrue();
        assertThat(c.offer(command("c7", "d3", 1))).as("in all").isFalse();
        assertThat(counter(c, "commands.refused.too.large")).isEqualTo(1);
        assertThat(counter(c, "commands.refused.full")).isEqualTo(2);
        assertThat(counter(c, "commands.pending")).isEqualTo(5);
        c.delivered("d2", List.of("c5"));
        assertThat(c.offer(command("c7", "d3", 1))).isTrue();
    }

    @Test
    void givenCommands_thenTheStoreAppendsToItsFile_andCompactsItWhenMostOfItIsDelivered() throws Exception {
        h = new CloudHarness(tmp);
        CloudConnection c = h.connection(Map.of("broker_url", "tcp://127.0.0.1:1", "command_queue_max", 1000));
        assertThat(c.offer(command("c0", "d1", 100))).isTrue();
        Path file = h.dataDir().resolve("commands.bin");
        Object inode = Files.getAttribute(file, "unix:ino");
        long size = Files.size(file);
        long t0 = System.nanoTime();
        for (int i = 1; i < 200; i++) {
            assertThat(c.offer(command("c" + i, "d1", 100))).isTrue();
        }
        long perCommandUs = (System.nanoTime() - t0) / 1000 / 199;
        System.out.println("command store: " + perCommandUs + " us per command taken");
        assertThat(Files.getAttribute(file, "unix:ino")).as("appended to, not replaced").isEqualTo(inode);
        long grown = Files.size(file);
        assertThat(grown).isGreaterThan(size * 150);

        for (int i = 0; i < 190; i++) {
            c.delivered("d1", List.of("c" + i));
        }
        assertThat(Files.size(file)).as("compacted").isLessThan(grown / 4);
        h.stop(c);
        CloudConnection again = h.connection(Map.of("broker_url", "tcp://127.0.0.1:1", "command_queue_max", 1000));
        assertThat(again.peek("d1", 100)).extracting(Command::commandId)
                .containsExactly("c190", "c191", "c192", "c193", "c194", "c195", "c196", "c197", "c198", "c199");
    }

    @Test
    void givenATornLastRecord_asAfterAPowerCut_thenTheEarlierCommandsAreKept() throws Exception {
        h = new CloudHarness(tmp);
        Map<String, Object> cfg = Map.of("broker_url", "tcp://127.0.0.1:1");
        CloudConnection c = h.connection(cfg);
        assertThat(c.offer(command("c1", "d1", 50))).isTrue();
        assertThat(c.offer(command("c2", "d1", 50))).isTrue();
        assertThat(c.offer(command("c3", "d1", 50))).isTrue();
        h.stop(c);
        Path file = h.dataDir().resolve("commands.bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 7);
        }
        CloudConnection again = h.connection(cfg);
        assertThat(again.statusLine()).doesNotStartWith("not running");
        assertThat(again.peek("d1", 10)).extracting(Command::commandId).containsExactly("c1", "c2");
    }

    @Test
    void givenACommandsFileOfTheFirstFormat_thenItsCommandsAreKept_andTheFileIsConverted() throws Exception {
        h = new CloudHarness(tmp);
        Files.createDirectories(h.dataDir());
        Path file = h.dataDir().resolve("commands.bin");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeInt(0x4d32434d);
            out.writeByte(1);
            out.writeInt(2);
            Instant now = Instant.now();
            for (String id : List.of("old1", "old2")) {
                out.writeUTF(id);
                out.writeUTF("d1");
                out.writeInt(0);
                out.writeInt(3);
                out.write(new byte[] {1, 2, 3});
                out.writeLong(now.toEpochMilli());
                out.writeLong(now.plusSeconds(600).toEpochMilli());
            }
        }
        Files.write(file, bytes.toByteArray());
        CloudConnection c = h.connection(Map.of("broker_url", "tcp://127.0.0.1:1"));
        assertThat(c.peek("d1", 10)).extracting(Command::commandId).containsExactly("old1", "old2");
        assertThat(Files.readAllBytes(file)[4]).as("version").isEqualTo((byte) 2);
        c.delivered("d1", List.of("old1"));
        h.stop(c);
        assertThat(h.connection(Map.of("broker_url", "tcp://127.0.0.1:1")).peek("d1", 10))
                .extracting(Command::commandId).containsExactly("old2");
    }
}
