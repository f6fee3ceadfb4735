package org.m2mgw.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.crypto.Airtime;

class DeviceUsageTest {

    @Test
    void givenDeltasOfKnownAndUnknownProtocols_whenSummed_thenEachProtocolIsListedOnceInOrder() {
        DeviceUsage u = new DeviceUsage();
        assertThat(u.airtimeList()).isEmpty();
        u.addAirtime(List.of(new Airtime("LoRaWAN join", 1, 23, 1, 33, 1),
                new Airtime(Airtime.DTLS_RECORDS, 2, 100, 2, 80, 0),
                new Airtime(Airtime.DTLS_FULL_HANDSHAKE, 3, 300, 3, 246, 1),
                new Airtime(Airtime.OSCORE, 0, 0, 0, 0, 0)));
        u.addAirtime(List.of(new Airtime(Airtime.DTLS_RECORDS, 1, 50, 1, 40, 0),
                new Airtime("Another radio", 1, 10, 0, 0, 0)));
        assertThat(u.airtimeList()).containsExactly(
                new Airtime(Airtime.DTLS_FULL_HANDSHAKE, 3, 300, 3, 246, 1),
                new Airtime(Airtime.DTLS_RECORDS, 3, 150, 3, 120, 0),
                new Airtime("Another radio", 1, 10, 0, 0, 0),
                new Airtime("LoRaWAN join", 1, 23, 1, 33, 1));
        // a device that only made a handshake and sent records holds three protocols' counters
        assertThat(u.airtime).hasSize(15);
    }

    @Test
    void givenACopy_whenTheOriginalGrows_thenTheCopyKeepsItsSums() {
        DeviceUsage u = new DeviceUsage();
        u.addAirtime(List.of(new Airtime(Airtime.EDHOC, 2, 120, 1, 60, 1), new Airtime("x", 1, 1, 1, 1, 0)));
        DeviceUsage c = u.copy();
        u.addAirtime(List.of(new Airtime(Airtime.EDHOC, 2, 120, 1, 60, 1), new Airtime("x", 1, 1, 1, 1, 0)));
        assertThat(c.airtimeList()).containsExactly(new Airtime(Airtime.EDHOC, 2, 120, 1, 60, 1),
                new Airtime("x", 1, 1, 1, 1, 0));
        assertThat(u.airtimeList()).containsExactly(new Airtime(Airtime.EDHOC, 4, 240, 2, 120, 2),
                new Airtime("x", 2, 2, 2, 2, 0));
    }
}
