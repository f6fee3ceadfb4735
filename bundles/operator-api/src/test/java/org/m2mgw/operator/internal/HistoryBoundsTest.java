package org.m2mgw.operator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventType;

/**
 * The dashboard's memory with a fleet of 10,000 devices (and twice that many over time): the
 * history holds a fixed number of points whatever the fleet, and the per-device activity at most
 * the configured number of devices and of recent messages each.
 */
class HistoryBoundsTest {
    static final int DEVICES = 10_000;

    @Test
    void givenTenThousandDevicesAndAnHourOfSamples_thenTheHistoryHoldsAFixedNumberOfPoints() {
        MetricsHistory h = new MetricsHistory(360);
        DeviceActivity activity = new DeviceActivity(DEVICES, 16);
        long t0 = 1_800_000_000_000L;
        long requests = 0;
        // Two hours of samples, every 10 s, while 10,000 devices send.
        for (int s = 0; s < 720; s++) {
            for (int d = 0; d < DEVICES; d += 97) {
                activity.onEvent(request("dev-" + d, t0 + s * 10_000L));
                requests++;
            }
            h.sample(t0 + s * 10_000L, new MetricsHistory.Totals(requests, requests, s, 0, s % 5, 1, s / 100));
        }
        assertThat(h.capacity()).isEqualTo(MetricsHistory.SERIES.size() * 360L);
        assertThat(h.pointsHeld()).isEqualTo(MetricsHistory.SERIES.size() * 360L);
        Map<String, List<double[]>> hour = h.since(t0 + 720 * 10_000L - 3_600_000L);
        assertThat(hour.keySet()).containsExactlyElementsOf(MetricsHistory.SERIES);
        hour.values().forEach(points -> assertThat(points).hasSizeLessThanOrEqualTo(360));
        assertThat(hour.get("messagesIn").get(0)[1]).isEqualTo(104 / 10.0, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void givenTwiceTheDeviceCapSending_thenActivityIsBoundedByTheCapAndTheRingSize() {
        DeviceActivity activity = new DeviceActivity(DEVICES, 16);
        long t = 1_800_000_000_000L;
        for (int round = 0; round < 20; round++) {
            for (int d = 0; d < 2 * DEVICES; d++) {
                activity.onEvent(request("dev-" + d, t++));
            }
        }
        assertThat(activity.tracked()).isEqualTo(DEVICES);
        assertThat(activity.recentHeld()).isLessThanOrEqualTo(DEVICES * 16L);
        // The newest 10,000 keep sending: each holds its newest 16 messages, no more.
        for (int round = 0; round < 20; round++) {
            for (int d = DEVICES; d < 2 * DEVICES; d++) {
                activity.onEvent(request("dev-" + d, t++));
            }
        }
        assertThat(activity.tracked()).isEqualTo(DEVICES);
        assertThat(activity.recentHeld()).isEqualTo(DEVICES * 16L);
        assertThat(activity.evicted()).isGreaterThan(0);
        // The most recently active devices are the ones kept.
        assertThat(activity.view("dev-" + (2 * DEVICES - 1))).isNotNull();
        assertThat(activity.view("dev-0")).isNull();
        DeviceActivity.View v = activity.view("dev-" + (2 * DEVICES - 1));
        assertThat(v.recent()).hasSize(16);
        assertThat(v.recent().get(0).timeMs()).isGreaterThan(v.recent().get(15).timeMs());
    }

    @Test
    void givenTenThousandDevices_thenTheRetainedHeapIsBounded() {
        // A deterministic bound from the structure: each tracked device holds one Stats (with its
        // map and a ring of 16 references) and at most 16 Recent records; nothing else grows.
        DeviceActivity activity = new DeviceActivity(DEVICES, 16);
        long t = 1_800_000_000_000L;
        for (int round = 0; round < 40; round++) {
            for (int d = 0; d < DEVICES; d++) {
                activity.onEvent(request("dev-" + d, t++));
            }
        }
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        for (int round = 0; round < 40; round++) {
            for (int d = 0; d < DEVICES; d++) {
                activity.onEvent(request("dev-" + d, t++));
            }
        }
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        assertThat(activity.recentHeld()).isEqualTo(DEVICES * 16L);
        // 400,000 more events changed nothing in size: allow GC noise of 16 MB.
        assertThat(after - before).isLessThan(16L << 20);
    }

    static TrafficEvent request(String device, long timeMs) {
        return TrafficEvent.builder(TrafficEventType.REQUEST, "coaps", "192.0.2.1:5684").deviceId(device)
                .resource("telemetry/temp").bytes(12).time(Instant.ofEpochMilli(timeMs)).build();
    }
}
