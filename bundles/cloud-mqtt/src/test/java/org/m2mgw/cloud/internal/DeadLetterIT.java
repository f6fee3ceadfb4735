package org.m2mgw.cloud.internal;

import org.m2mgw.cloud.testsupport.Mosquitto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.cloud.internal.CloudHarness.accept;
import static org.m2mgw.cloud.internal.CloudHarness.counter;
import static org.m2mgw.cloud.internal.CloudHarness.message;
import static org.m2mgw.cloud.internal.CloudConnectionIT.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.message.DeviceMessage;

/**
 * Finding 2 of the security review: an entry the broker will never take (it drops the connection
 * each time, or refuses it again and again) is parked as a dead letter, so that it no longer
 * holds back the messages of everyone else; it survives a restart, and the operator can list,
 * retry and delete it.
 */
class DeadLetterIT {
    @TempDir
    Path tmp;
    CloudHarness h;

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void givenABrokerThatDropsTheConnectionOnOneMessage_thenItIsParked_theOthersArrive_andItSurvivesARestart()
            throws Exception {
        h = new CloudHarness(tmp);
        // mosquitto disconnects a client that sends a packet above its limit, every time
        Mosquitto broker = h.broker("max_packet_size 2048\n");
        CloudConnectionIT.Subscriber sub = h.subscriber(broker.url(), "m2mgw/#");
        Map<String, Object> cfg = Map.of("broker_url", broker.url(), "routes", CloudHarness.RAW_ROUTES);
        CloudConnection c = h.connection(cfg);
        await("connected", 10_000, () -> c.statusLine().startsWith("connected"));

        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            DeviceMessage m = i == 20 ? message("big", "telemetry/t", i, 3000) : message("dev" + (i % 4), i);
            assertThat(accept(c, m).isAccepted()).isTrue();
            if (i != 20) {
                expected.add(m.messageId());
            }
        }
        try {
            await("the 199 others delivered", 30_000, () -> sub.ids.containsAll(expected));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + c.statusLine() + " " + c.counters(), e);
        }
        await("the big one parked", 10_000, () -> counter(c, "deadletters") == 1);
        assertThat(sub.ids).doesNotContain("m-big-20");
        assertThat(counter(c, "deadletters.parked")).isEqualTo(1);
        assertThat(c.statusLine()).contains("1 dead letter");
        await("queue drained", 10_000, () -> counter(c, "queued") == 0);

        Path file = h.dataDir().resolve("deadletters.log");
        assertThat(file).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        h.stop(c);
        CloudConnection again = h.connection(cfg);
        assertThat(counter(again, "deadletters")).isEqualTo(1);
        assertThat(again.statusLine()).contains("1 dead letter");
    }

    @Test
    void givenABrokerThatRefusesOneTopic_thenItsMessageIsParkedAfterFiveRefusals_andTheOperatorCanRetryAndDelete()
            throws Exception {
        h = new CloudHarness(tmp);
        Path acl = tmp.resolve("acl");
        Files.writeString(acl, "topic readwrite m2mgw/gw1/dev/#\ntopic readwrite m2mgw/gw1/other/#\n");
        Mosquitto broker = h.broker("acl_file " + acl + "\n");
        CloudConnectionIT.Subscriber sub = h.subscriber(broker.url(), "m2mgw/#");
        Map<String, Object> cfg = Map.of("broker_url", broker.url(), "mqtt_version", "5", "routes",
                CloudHarness.RAW_ROUTES);
        CloudConnection c = h.connection(cfg);
        await("connected", 10_000, () -> c.statusLine().startsWith("connected"));

        // "denied" may not publish: an MQTT 5 broker answers each attempt with PUBACK 0x87
        assertThat(accept(c, message("denied", 1)).isAccepted()).isTrue();
        assertThat(accept(c, message("denied", 2)).isAccepted()).isTrue();
        for (int i = 0; i < 20; i++) {
            assertThat(accept(c, message(i % 2 == 0 ? "dev" : "other", 10 + i)).isAccepted()).isTrue();
        }
        await("the others delivered", 20_000, () -> sub.ids.size() == 20);
        await("both refused ones parked", 20_000, () -> counter(c, "deadletters") == 2);
        assertThat(counter(c, "publish.failed")).isGreaterThanOrEqualTo(10);
        await("queue drained", 5_000, () -> counter(c, "queued") == 0);

        // the operator's commands, through the Gogo runtime as the console runs them
        Gogo gogo = new Gogo(new DeadLetterCommands(List.of(c)));
        String list = gogo.run("m2mgw:deadletters");
        assertThat(list).contains("connection test: 2 dead letters").contains("denied").contains("MESSAGE")
                .contains("refused 5 times").contains("0x87").doesNotContain("m-denied-1");
        long first = c.deadLetters().get(0).id();
        long second = c.deadLetters().get(1).id();

        // the operator deletes one, allows the topic, and retries the other
        assertThat(gogo.run("m2mgw:deadletter-delete " + first)).contains("deleted");
        Files.writeString(acl, "topic readwrite m2mgw/#\n");
        broker.reload();
        Thread.sleep(500);
        assertThat(gogo.run("deadletter-retry test:" + second)).contains("put back");
        await("the retried one delivered", 10_000, () -> sub.ids.contains("m-denied-2"));
        assertThat(sub.ids).doesNotContain("m-denied-1");
        assertThat(counter(c, "deadletters")).isZero();
        assertThat(gogo.run("deadletters")).contains("0 dead letters");
        assertThat(gogo.run("deadletter-retry all")).isEqualTo("no dead letters");
        assertThat(gogo.run("deadletter-delete 42")).isEqualTo("no dead letter #42");
        assertThat(gogo.run("deadletter-delete x")).startsWith("usage");
    }

    /** The Gogo runtime with the dead-letter commands registered as the descriptor says. */
    static final class Gogo {
        private final org.apache.felix.gogo.runtime.CommandProcessorImpl processor =
                new org.apache.felix.gogo.runtime.CommandProcessorImpl(
                        new org.apache.felix.gogo.runtime.threadio.ThreadIOImpl());

        Gogo(DeadLetterCommands commands) {
            for (String f : List.of("deadletters", "deadletter-retry", "deadletter-delete")) {
                processor.addCommand("m2mgw", commands, f);
            }
        }

        String run(String line) throws Exception {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try (var session = processor.createSession(new java.io.ByteArrayInputStream(new byte[0]), out, out)) {
                return String.valueOf(session.execute(line));
            }
        }
    }

    @Test
    void givenTheGeneratedDescriptors_thenTheThreeShellCommandsAreRegistered_andTheConnectionOffersItsDeadLetters()
            throws Exception {
        String xml = Files.readString(Path.of("target/classes/OSGI-INF/" + DeadLetterCommands.class.getName() + ".xml"));
        assertThat(xml).contains("name=\"osgi.command.scope\" type=\"String\" value=\"m2mgw\"");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "osgi.command.function\" type=\"String\">([^<]*)<").matcher(xml);
        assertThat(m.find()).isTrue();
        assertThat(m.group(1).strip().split("\\s+")).containsExactlyInAnyOrder("deadletters", "deadletter-retry",
                "deadletter-delete");
        assertThat(xml).contains("cardinality=\"0..n\"").contains("policy=\"dynamic\"");
        String connection = Files.readString(Path.of("target/classes/OSGI-INF/"
                + CloudConnection.class.getName() + ".xml"));
        assertThat(connection).contains("interface=\"" + DeadLetterAdmin.class.getName() + "\"")
                .contains("interface=\"org.m2mgw.api.device.DeviceRegistry\"").contains("cardinality=\"0..1\"")
                .contains("policy=\"dynamic\"");
    }
}
