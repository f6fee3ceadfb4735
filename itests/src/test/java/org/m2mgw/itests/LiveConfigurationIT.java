package org.m2mgw.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Dictionary;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Configuration changes through Config Admin (what the Kura and Felix consoles do) take effect
 * live, and a bad value is refused without harming the rest of the gateway.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LiveConfigurationIT extends GatewayTestSupport {

    @Inject
    ConfigurationAdmin configAdmin;

    private Configuration brokerConfig() throws Exception {
        await("default broker configuration applied", 30_000, () -> {
            try {
                return configAdmin.listConfigurations("(service.pid=org.m2mgw.broker)") != null;
            } catch (Exception e) {
                return false;
            }
        });
        return configAdmin.getConfiguration("org.m2mgw.broker", "?");
    }

    private void setBroker(String key, Object value) throws Exception {
        Configuration c = brokerConfig();
        Dictionary<String, Object> p = c.getProperties();
        p.put(key, value);
        c.update(p);
    }

    @Test
    public void givenGatewayIdChanged_thenRuntimeReportsItLive() throws Exception {
        GatewayRuntime runtime = service(GatewayRuntime.class, 30_000);
        Configuration c = configAdmin.getConfiguration("org.m2mgw.gateway", "?");
        Dictionary<String, Object> p = c.getProperties();
        if (p == null) {
            p = new java.util.Hashtable<>();
        }
        p.put("gateway.id", "itest-gw-7");
        c.update(p);
        await("gateway.id applied", 10_000, () -> "itest-gw-7".equals(runtime.gatewayId()));
    }

    @Test
    public void givenBrokerPortChanged_thenBrokerMovesLive_andBadPortIsRefusedHarmlessly() throws Exception {
        int first = freePort();
        setBroker("broker.port", first);
        await("MQTT broker answers CONNECT on " + first, 15_000, () -> MqttProbe.connackOk(first));

        int second = freePort();
        setBroker("broker.port", second);
        await("MQTT broker answers on new port " + second, 15_000, () -> MqttProbe.connackOk(second));
        await("old port " + first + " closed", 15_000, () -> !accepts(first));

        // Out of range: refused, the broker stops, everything else keeps running.
        setBroker("broker.port", 70000);
        await("broker stopped after bad port", 15_000, () -> !accepts(second));
        assertEquals(Bundle.ACTIVE, context.getBundle(0).getState());
        GatewayRuntime runtime = service(GatewayRuntime.class, 5_000);
        assertTrue(runtime.gatewayId() != null);
        Bundle broker = null;
        for (Bundle b : context.getBundles()) {
            if ("org.m2mgw.embedded-broker".equals(b.getSymbolicName())) {
                broker = b;
            }
        }
        assertEquals("broker bundle still active", Bundle.ACTIVE, broker.getState());

        // Fixing the value brings it back without a restart.
        int third = freePort();
        setBroker("broker.port", third);
        await("broker back on " + third, 15_000, () -> MqttProbe.connackOk(third));
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
