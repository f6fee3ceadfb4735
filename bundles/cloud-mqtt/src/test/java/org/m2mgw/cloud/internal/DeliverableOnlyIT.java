package org.m2mgw.cloud.internal;

import org.m2mgw.cloud.testsupport.Mosquitto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.cloud.internal.CloudHarness.accept;
import static org.m2mgw.cloud.internal.CloudHarness.counter;
import static org.m2mgw.cloud.internal.CloudHarness.message;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.Acceptance.Refusal;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;

/**
 * Finding 1 of the security review: a device is told its message was taken only if it can be
 * delivered. What no route sends, what the route's encoder cannot encode and what is too large is
 * refused at once with a final code, counted, and logged once per device and code per minute.
 */
class DeliverableOnlyIT {
    @TempDir
    Path tmp;
    CloudHarness h;

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    static DeviceMessage withPayload(DeviceMessage m, String resource, int contentFormat, String payload) {
        return DeviceMessage.builder().messageId(m.messageId()).deviceId(m.deviceId()).resource(resource)
                .contentFormat(contentFormat).payload(payload.getBytes(StandardCharsets.UTF_8))
                .receivedAt(m.receivedAt()).security(m.security()).build();
    }

    @Test
    void givenUndeliverableMessages_thenEachIsRejectedWithItsCode_countedAndNeverPublished() throws Exception {
        h = new CloudHarness(tmp);
        Mosquitto broker = h.broker("");
        CloudConnectionIT.Subscriber sub = h.subscriber(broker.url(), "#");
        CloudConnection c = h.connection(Map.of("broker_url", broker.url(), "publish_max_bytes", 1024,
                "routes", new String[] {"telemetry/* {prefix}/{gateway}/{device}/{resource} json 1",
                    "blob/* {prefix}/{gateway}/{device}/{resource} raw 1"}));
        DeviceMessage base = message("dev-a", 1);

        Acceptance invalid = accept(c, withPayload(base, "telemetry/../x", ContentFormats.JSON, "{}"));
        Acceptance unrouted = accept(c, withPayload(base, "config/x", ContentFormats.JSON, "{}"));
        Acceptance malformed = accept(c, withPayload(base, "telemetry/t", ContentFormats.JSON, "{\"n\":"));
        Acceptance oddFormat = accept(c, withPayload(base, "blob/x", 70_000, "abc"));
        Acceptance large = accept(c, withPayload(base, "blob/x", ContentFormats.OCTET_STREAM, "y".repeat(1025)));
        DeviceMessage good = withPayload(message("dev-a", 2), "blob/x", ContentFormats.JSON,
                "{\"messageId\":\"m-dev-a-2\"}");

        assertThat(invalid.refusal()).contains(Refusal.INVALID_RESOURCE);
        assertThat(unrouted.refusal()).contains(Refusal.NO_ROUTE);
        assertThat(malformed.refusal()).contains(Refusal.BAD_PAYLOAD);
        assertThat(malformed.reason()).contains("JSON");
        assertThat(oddFormat.refusal()).contains(Refusal.UNSUPPORTED_FORMAT);
        assertThat(large.refusal()).contains(Refusal.TOO_LARGE);
        assertThat(large.reason()).contains("publish.max.bytes");
        assertThat(accept(c, good).isAccepted()).isTrue();

        CloudConnectionIT.await("the good message published", 10_000, () -> sub.ids.contains("m-dev-a-2"));
        Thread.sleep(300);
        assertThat(sub.lastByTopic).hasSize(1);
        assertThat(counter(c, "rejected.invalid_resource")).isEqualTo(1);
        assertThat(counter(c, "rejected.no_route")).isEqualTo(1);
        assertThat(counter(c, "rejected.bad_payload")).isEqualTo(1);
        assertThat(counter(c, "rejected.unsupported_format")).isEqualTo(1);
        assertThat(counter(c, "rejected.too_large")).isEqualTo(1);
        assertThat(counter(c, "queued")).isZero();
    }

    @Test
    void givenTheSameRefusalAgainAndAgain_thenItIsLoggedOncePerDeviceAndCode_butCountedEachTime() throws Exception {
        h = new CloudHarness(tmp);
        CloudConnection c = h.connection(Map.of("broker_url", "tcp://127.0.0.1:1"));
        try (CloudHarness.LogCapture log = new CloudHarness.LogCapture()) {
            for (int i = 0; i < 5; i++) {
                assertThat(accept(c, withPayload(message("dev-a", i), "config/x", ContentFormats.JSON, "{}"))
                        .refusal()).contains(Refusal.NO_ROUTE);
                assertThat(accept(c, withPayload(message("dev-b", i), "config/x", ContentFormats.JSON, "{}"))
                        .refusal()).contains(Refusal.NO_ROUTE);
                assertThat(accept(c, withPayload(message("dev-a", i), "telemetry/t", ContentFormats.JSON, "["))
                        .refusal()).contains(Refusal.BAD_PAYLOAD);
            }
            assertThat(log.lines("dev-a", "NO_ROUTE")).hasSize(1);
            assertThat(log.lines("dev-b", "NO_ROUTE")).hasSize(1);
            assertThat(log.lines("dev-a", "BAD_PAYLOAD")).hasSize(1);
        }
        assertThat(counter(c, "rejected.no_route")).isEqualTo(10);
        assertThat(counter(c, "rejected.bad_payload")).isEqualTo(5);
    }
}
