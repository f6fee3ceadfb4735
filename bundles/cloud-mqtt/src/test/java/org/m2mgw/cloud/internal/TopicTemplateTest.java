package org.m2mgw.cloud.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 3 of the security review: a topic template where {@code {resource}} (which may hold
 * several topic levels) comes before {@code {device}}, or that holds MQTT wildcards or control
 * characters, is a configuration error naming its key: with it, one device could publish where
 * another one's messages go, or a subscription could take in other devices' commands.
 */
class TopicTemplateTest {
    @TempDir
    Path tmp;
    CloudHarness h;

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    String error(Map<String, Object> cfg) {
        h = h == null ? new CloudHarness(tmp) : h;
        CloudConnection c = h.connection(cfg);
        String line = c.statusLine();
        h.stop(c);
        return line;
    }

    @Test
    void givenResourceBeforeDevice_orWildcards_inAnyTopicTemplate_thenTheConnectionDoesNotStart_andTheErrorNamesTheKey() {
        assertThat(error(Map.of("routes", new String[] {"telemetry/* {prefix}/{resource}/{device} json 1"})))
                .startsWith("not running").contains("routes[0]").contains("{resource}").contains("{device}");
        assertThat(error(Map.of("routes", new String[] {"telemetry/* {prefix}/{gateway}/{device}/{resource} json 1",
            "events/* {prefix}/{resource} json 1"})))
                .startsWith("not running").contains("routes[1]").contains("{device}");
        assertThat(error(Map.of("command_topic", "{prefix}/#/{device}/commands")))
                .startsWith("not running").contains("command.topic").contains("wildcard");
        assertThat(error(Map.of("command_topic", "{prefix}/{resource}/{device}/commands")))
                .startsWith("not running").contains("command.topic").contains("{resource}");
        assertThat(error(Map.of("alert_topic", "{prefix}/+/alerts")))
                .startsWith("not running").contains("alert.topic").contains("wildcard");
        assertThat(error(Map.of("alert_topic", "{prefix}/{resource}/alerts")))
                .startsWith("not running").contains("alert.topic").contains("{resource}");
        assertThat(error(Map.of("routes", new String[] {"telemetry/* {prefix}/{device}/x\u0001/{resource} json 1"})))
                .startsWith("not running").contains("routes[0]").contains("control character");
        assertThat(error(Map.of("topic_prefix", "site/#"))).startsWith("not running").contains("topic.prefix")
                .contains("wildcard");
        // '+' must stand for a whole level in the subscription the gateway makes
        assertThat(error(Map.of("command_topic", "{prefix}/cmd-{device}"))).startsWith("not running")
                .contains("command.topic").contains("whole topic level");
    }

    @Test
    void givenTheDefaults_andDeviceBeforeResource_thenTheConnectionStarts() {
        assertThat(error(Map.of("broker_url", "tcp://127.0.0.1:1"))).doesNotStartWith("not running");
        assertThat(error(Map.of("broker_url", "tcp://127.0.0.1:1", "routes",
                new String[] {"telemetry/* site/{device}/data/{resource} raw 0"}, "command_topic", "cmd/{device}",
                "alert_topic", "{prefix}/{gateway}/alerts"))).doesNotStartWith("not running");
        assertThat(error(Map.of("broker_url", "tcp://127.0.0.1:1", "topic_prefix", "", "routes",
                new String[] {"telemetry/* gw/{device}/{resource} json 1"}))).doesNotStartWith("not running");
    }
}
