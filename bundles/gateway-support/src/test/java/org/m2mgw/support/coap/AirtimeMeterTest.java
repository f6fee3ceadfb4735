package org.m2mgw.support.coap;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.crypto.Airtime;
import org.m2mgw.api.crypto.CryptoInventory;

class AirtimeMeterTest {

    /** An inventory that records airtime reports only. */
    private static CryptoInventory recording(List<Map.Entry<String, Collection<Airtime>>> out) {
        return (CryptoInventory) Proxy.newProxyInstance(CryptoInventory.class.getClassLoader(),
                new Class<?>[] {CryptoInventory.class}, (proxy, m, args) -> {
                    if (m.getName().equals("airtime")) {
                        @SuppressWarnings("unchecked")
                        Collection<Airtime> delta = (Collection<Airtime>) args[1];
                        out.add(Map.entry((String) args[0], delta));
                    }
                    return null;
                });
    }

    @Test
    void givenDatagramsOfTwoDevices_whenFlushed_thenEachGetsItsSumsPerProtocolOnceAndIdleOnesAreDropped() {
        AirtimeMeter m = new AirtimeMeter();
        int full = AirtimeMeter.index(Airtime.DTLS_FULL_HANDSHAKE);
        int oscore = AirtimeMeter.index(Airtime.OSCORE);
        m.add("a", full, true, 3, 300);
        m.add("a", full, false, 2, 250);
        m.handshake("a", full);
        m.add("a", oscore, true, 1, 40);
        m.add("b", oscore, false, 1, 30);
        m.add(null, oscore, true, 1, 99);

        List<Map.Entry<String, Collection<Airtime>>> reports = new ArrayList<>();
        assertThat(m.flush(recording(reports))).isEqualTo(2);

        assertThat(reports).extracting(Map.Entry::getKey).containsExactlyInAnyOrder("a", "b");
        Collection<Airtime> a = reports.stream().filter(e -> e.getKey().equals("a")).findFirst().orElseThrow().getValue();
        assertThat(a).containsExactly(new Airtime(Airtime.DTLS_FULL_HANDSHAKE, 3, 300, 2, 250, 1),
                new Airtime(Airtime.OSCORE, 1, 40, 0, 0, 0));

        // nothing new: nothing reported, and the idle devices are forgotten; totals stay
        reports.clear();
        assertThat(m.flush(recording(reports))).isZero();
        m.add("a", oscore, true, 1, 10);
        assertThat(m.flush(recording(reports))).isEqualTo(1);
        assertThat(reports.get(0).getValue()).containsExactly(new Airtime(Airtime.OSCORE, 1, 10, 0, 0, 0));
        assertThat(m.counters()).containsEntry("airtime.dtls-full-handshake.bytes.in", 300L)
                .containsEntry("airtime.dtls-full-handshake.handshakes", 1L)
                .containsEntry("airtime.oscore.bytes.in", 50L).containsEntry("airtime.unattributed.bytes", 99L);
        assertThat(m.total(Airtime.DTLS_FULL_HANDSHAKE).bytesPerHandshake()).isEqualTo(550.0);
    }
}
