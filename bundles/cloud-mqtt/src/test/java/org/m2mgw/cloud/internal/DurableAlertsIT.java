package org.m2mgw.cloud.internal;

import org.m2mgw.cloud.testsupport.Mosquitto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.cloud.internal.CloudConnectionIT.await;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.alert.Alert;
import org.osgi.service.event.Event;

/**
 * Finding 6 of the security review: alerts are kept on disk like device messages, so those raised
 * while the broker is away arrive, in order, once it is back, even across a restart.
 */
class DurableAlertsIT {
    @TempDir
    Path tmp;
    CloudHarness h;

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    static Event alert(String id, String subject) {
        Map<String, Object> props = new HashMap<>();
        props.put(Alert.PROP_ID, id);
        props.put(Alert.PROP_SUBJECT, subject);
        props.put(Alert.PROP_DETECTOR, "rule.flood");
        props.put(Alert.PROP_SEVERITY, "WARNING");
        props.put(Alert.PROP_SCORE, 40.0);
        props.put(Alert.PROP_REASON, "flood");
        return new Event(Alert.TOPIC, props);
    }

    /** The alert ids in the order the subscriber got them. */
    static List<String> ids(List<String> received) {
        Pattern id = Pattern.compile("\"id\":\"([^\"]+)\"");
        List<String> jsons;
        synchronized (received) {
            jsons = new ArrayList<>(received);
        }
        List<String> out = new ArrayList<>();
        for (String j : jsons) {
            Matcher m = id.matcher(j);
            if (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    @Test
    void givenAlertsRaisedWhileTheBrokerIsDown_thenTheyArriveInOrderOnceItIsBack_evenAcrossARestart() throws Exception {
        h = new CloudHarness(tmp);
        Mosquitto broker = h.broker("");
        // a persistent session: the broker keeps what arrives for it while it is away
        CloudConnectionIT.Subscriber sub = h.subscriber(broker.url(), "m2mgw/gw1/alerts");
        Map<String, Object> cfg = Map.of("broker_url", broker.url());
        CloudConnection c = h.connection(cfg);
        await("connected", 10_000, () -> c.statusLine().startsWith("connected"));
        broker.stop();
        await("disconnected", 10_000, () -> !c.statusLine().startsWith("connected"));

        List<String> raised = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            raised.add("a-" + i);
            c.handleEvent(alert("a-" + i, "sensor-" + (i % 3)));
        }
        await("alerts stored", 10_000, () -> CloudHarness.counter(c, "alerts.queued") == 30);
        // the connection restarts (a configuration change, a bundle update) before the broker is back
        h.stop(c);
        CloudConnection again = h.connection(cfg);
        assertThat(CloudHarness.counter(again, "alerts.queued")).isEqualTo(30);

        broker.start();
        try {
            await("all 30 delivered", 20_000, () -> ids(sub.payloads).size() >= 30);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + again.statusLine() + " " + again.counters(), e);
        }
        assertThat(ids(sub.payloads).stream().distinct()).containsExactlyElementsOf(raised);
        await("queue empty", 5_000, () -> CloudHarness.counter(again, "alerts.queued") == 0);
        assertThat(CloudHarness.counter(again, "alerts.published")).isEqualTo(30);
    }
}
