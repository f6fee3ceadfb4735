package org.m2mgw.transport.coaps.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.californium.scandium.dtls.Connection;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {
    final List<Connection> removed = new ArrayList<>();
    final ConnectionLimits limits = new ConnectionLimits((c, withSession) -> removed.add(c), 3);

    /** A connection of a source address; its principal is left out (the superseding of a device's
     *  connections is tested with real handshakes in CoapsListenerTest). */
    static Connection connection(String host, int port) {
        return new Connection(new InetSocketAddress(host, port));
    }

    @Test
    void givenMoreDevicesBehindOneAddressThanTheCap_thenTheOldestAreRemoved_andOtherAddressesAreNotTouched() {
        List<Connection> nat = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Connection c = connection("192.0.2.1", 40000 + i);
            nat.add(c);
            limits.established(c);
            limits.established(c); // restored and then handshake-reported: counted once
        }
        limits.established(connection("192.0.2.2", 40000));
        assertThat(removed).containsExactly(nat.get(0), nat.get(1));
        assertThat(limits.overAddressCap()).isEqualTo(2);
    }
}
