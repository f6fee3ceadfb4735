package org.m2mgw.support.coap;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.traffic.TrafficEventType;

class TrafficReporterTest {

    @Test
    void reasonsLoseTheirVariableParts_butKeepSuiteNames() {
        assertThat(TrafficReporter.reasonClass("unknown PSK identity 'guess-4711'")).isEqualTo("unknown PSK identity '*'");
        assertThat(TrafficReporter.reasonClass("record epoch 1 seq 123 already received"))
                .isEqualTo("record epoch # seq # already received");
        assertThat(TrafficReporter.reasonClass("from 192.0.2.7:40123")).isEqualTo("from #");
        assertThat(TrafficReporter.reasonClass("from [2001:db8::1]:5684")).isEqualTo("from #");
        assertThat(TrafficReporter.reasonClass("TLS_PSK_WITH_AES_128_CCM_8")).isEqualTo("TLS_PSK_WITH_AES_128_CCM_8");
    }

    @Test
    void givenAnIdentityScan_thenCountersStayBounded() {
        TrafficReporter t = new TrafficReporter("test", "coaps");
        InetSocketAddress peer = new InetSocketAddress("192.0.2.7", 40000);
        for (int i = 0; i < 10_000; i++) {
            t.reject(TrafficEventType.HANDSHAKE_FAILED, org.m2mgw.api.traffic.FailureCause.UNKNOWN_IDENTITY, null, peer, "unknown PSK identity 'guess-" + i + "'", null);
        }
        assertThat(t.snapshot()).containsEntry("HANDSHAKE_FAILED", 10_000L)
                .containsEntry("HANDSHAKE_FAILED: unknown PSK identity '*'", 10_000L).hasSize(2);
    }
}
