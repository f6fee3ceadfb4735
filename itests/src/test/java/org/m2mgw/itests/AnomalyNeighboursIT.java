package org.m2mgw.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.inject.Inject;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.access.Restriction;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.DeviceMessageConsumer;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Issue 11, finding 4, through the real bundles on Felix and Equinox: unknown PSK identities are
 * guessed from an address that a registered device also uses (every client here is on 127.0.0.1,
 * as devices behind one NAT are). The detector must not block the address and with it the honest
 * device: it rations the address's new handshakes instead, and the device's session goes on.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AnomalyNeighboursIT extends GatewayTestSupport {

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    DeviceRegistry registry;

    @Inject
    DeviceAccessControl access;

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private DeviceFixture devices;

    @After
    public void tearDown() {
        if (devices != null) {
            devices.close();
        }
        registrations.forEach(ServiceRegistration::unregister);
        // The table is persisted in the data directory the other test classes share.
        access.restrictions().forEach(r -> access.lift(r.kind(), r.subject()));
    }

    @Test
    public void givenIdentityGuessingBehindTheAddressOfARegisteredDevice_thenTheDeviceKeepsWorking() throws Exception {
        Dictionary<String, Object> ranking = new Hashtable<>();
        ranking.put(org.osgi.framework.Constants.SERVICE_RANKING, 1000);
        registrations.add(context.registerService(DeviceMessageConsumer.class,
                m -> CompletableFuture.completedFuture(Acceptance.accepted()), ranking));

        devices = new DeviceFixture(configAdmin);
        devices.importDevices(Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath()
                .resolve("neighbours-it-" + framework()), "behind-nat");
        await("device imported", 30_000, () -> registry.byPskIdentity("behind-nat").isPresent());

        org.osgi.service.cm.Configuration det = configAdmin.getConfiguration("org.m2mgw.anomaly", "?");
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("rcf.enabled", false);
        det.update(d);

        int port = devices.startListener("neighbours");

        CoapEndpoint device = devices.client("behind-nat");
        awaitValue("listener up", 30_000, () -> DeviceFixture.post(device, port), c -> c == ResponseCode.CHANGED);

        // Guessing from the same address: unknown identities, more than 10 a minute, all different.
        for (int i = 0; i < 40 && access.restrictions().isEmpty(); i++) {
            DeviceFixture.post(devices.client("guess-" + i, "0123456789abcdef"), port);
        }
        List<Restriction> rs = awaitValue("a restriction on the address", 20_000, access::restrictions,
                list -> !list.isEmpty());
        assertTrue("the address is not blocked: " + rs,
                rs.stream().noneMatch(r -> r.kind() == Restriction.Kind.BLOCK_ADDRESS));
        assertTrue("its new handshakes are rationed: " + rs, rs.stream().anyMatch(r ->
                r.kind() == Restriction.Kind.LIMIT_HANDSHAKES && r.subject().equals("127.0.0.1")
                        && r.origin().equals("rule.identity-guessing")));
        assertEquals("the registered device behind the same address keeps its session", ResponseCode.CHANGED,
                DeviceFixture.post(device, port));
    }
}
