package org.m2mgw.anomaly.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrimitivesTest {

    @Test
    void givenEventSources_thenTheIpIsTakenTypedWithoutPort() {
        assertThat(Subjects.ipOf(org.m2mgw.api.traffic.TrafficEvent.builder(
                org.m2mgw.api.traffic.TrafficEventType.REQUEST, "coaps", "192.0.2.7:40123").build())).isEqualTo("192.0.2.7");
        assertThat(Subjects.ipOf(org.m2mgw.api.traffic.TrafficEvent.builder(
                org.m2mgw.api.traffic.TrafficEventType.REQUEST, "coaps", "[2001:db8::1]:5684").build()))
                .isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(Subjects.ipOf(org.m2mgw.api.traffic.TrafficEvent.builder(
                org.m2mgw.api.traffic.TrafficEventType.REQUEST, "coaps", (java.net.InetSocketAddress) null).build()))
                .isEqualTo(Subjects.UNKNOWN);
        assertThat(Subjects.normalizeAllowed("[2001:db8::1]")).isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void givenEventsInOneMinute_thenTheLastMinuteSlidesOverThePreviousOne() {
        MinuteCounts m = new MinuteCounts(1);
        m.advance(0);
        for (int i = 0; i < 60; i++) {
            m.advance(i * 1000L);
            m.add(0);
        }

        assertThat(m.lastMinute(0, 59_000)).isEqualTo(60.0);
        m.advance(75_000);
        assertThat(m.lastMinute(0, 75_000)).isEqualTo(45.0);
        assertThat(m.lastMinute(0, 150_000)).isEqualTo(0.0);
        m.advance(200_000);
        assertThat(m.lastMinute(0, 200_000)).isEqualTo(0.0);
    }

    @Test
    void givenAFullStripe_thenTheLeastRecentlySeenIsEvicted() {
        SubjectTable<String> t = new SubjectTable<>(300);
        for (int i = 0; i < 300; i++) {
            t.getOrCreate("k" + i, k -> k);
        }
        t.getOrCreate("k0", k -> "again");
        t.getOrCreate("new", k -> k);

        assertThat(t.size()).isEqualTo(300);
        assertThat(t.find("k0")).isEqualTo("k0");
        assertThat(t.find("k1")).isNull();
        assertThat(t.evictions()).isEqualTo(1);
    }
}
