package org.m2mgw.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.inject.Inject;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.access.Restriction;
import org.m2mgw.api.alert.Alert;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.DeviceMessageConsumer;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

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
    private final List<CoapEndpoint> clients = new ArrayList<>();

    @After
    public void tearDown() {
        clients.forEach(CoapEndpoint::destroy);
        registrations.forEach(ServiceRegistration::unregister);
        // The table is persisted in the data directory the other test classes share.
        access.restrictions().forEach(r -> access.lift(r.kind(), r.subject()));
    }

    private CoapEndpoint client(String identity, String key) {
        Configuration c = Configuration.createStandardWithoutFile();
        c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
        c.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        c.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 1);
        DTLSConnector dtls = new DTLSConnector(DtlsConnectorConfig.builder(c)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setAdvancedPskStore(new AdvancedSinglePskStore(identity, key.getBytes(StandardCharsets.US_ASCII)))
                .build());
        CoapEndpoint ep = new CoapEndpoint.Builder().setConfiguration(c).setConnector(dtls).build();
        clients.add(ep);
        return ep;
    }

    private static ResponseCode post(CoapEndpoint ep, int port) {
        CoapClient client = new CoapClient("coaps://127.0.0.1:" + port + "/telemetry");
        client.setEndpoint(ep);
        client.setTimeout(3_000L);
        try {
            CoapResponse r = client.post("{\"v\":1}", 50);
            return r == null ? null : r.getCode();
        } catch (Exception e) {
            return null;
        } finally {
            client.shutdown();
        }
    }

    @Test
    public void givenIdentityGuessingBehindTheAddressOfARegisteredDevice_thenTheDeviceKeepsWorking() throws Exception {
        Dictionary<String, Object> ranking = new Hashtable<>();
        ranking.put(org.osgi.framework.Constants.SERVICE_RANKING, 1000);
        registrations.add(context.registerService(DeviceMessageConsumer.class,
                m -> CompletableFuture.completedFuture(Acceptance.accepted()), ranking));

        Path dir = Files.createDirectories(Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath()
                .resolve("neighbours-it-" + framework()));
        String key = "key-of-behind-nat";
        Path file = Files.writeString(dir.resolve("devices.json"), "{\"devices\":[{\"id\":\"behind-nat\","
                + "\"resources\":[\"telemetry/*\"],\"psk\":{\"identity\":\"behind-nat\",\"key\":\"base64:"
                + java.util.Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.US_ASCII)) + "\"}}]}");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        org.osgi.service.cm.Configuration reg = configAdmin.getConfiguration("org.m2mgw.registry", "?");
        Dictionary<String, Object> p = reg.getProperties() == null ? new Hashtable<>() : reg.getProperties();
        p.put("registry.import.file", file.toString());
        reg.update(p);
        await("device imported", 30_000, () -> registry.byPskIdentity("behind-nat").isPresent());

        org.osgi.service.cm.Configuration det = configAdmin.getConfiguration("org.m2mgw.anomaly", "?");
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("rcf.enabled", false);
        det.update(d);

        int port = freePort();
        org.osgi.service.cm.Configuration listener = configAdmin.getFactoryConfiguration("org.m2mgw.transport.coaps",
                "neighbours", "?");
        Dictionary<String, Object> l = new Hashtable<>();
        l.put("listener.address", "127.0.0.1");
        l.put("listener.port", port);
        listener.update(l);

        CoapEndpoint device = client("behind-nat", key);
        awaitValue("listener up", 30_000, () -> post(device, port), c -> c == ResponseCode.CHANGED);

        // Guessing from the same address: unknown identities, more than 10 a minute, all different.
        for (int i = 0; i < 40 && access.restrictions().isEmpty(); i++) {
            post(client("guess-" + i, "0123456789abcdef"), port);
        }
        List<Restriction> rs = awaitValue("a restriction on the address", 20_000, access::restrictions,
                list -> !list.isEmpty());
        assertTrue("the address is not blocked: " + rs,
                rs.stream().noneMatch(r -> r.kind() == Restriction.Kind.BLOCK_ADDRESS));
        assertTrue("its new handshakes are rationed: " + rs, rs.stream().anyMatch(r ->
                r.kind() == Restriction.Kind.LIMIT_HANDSHAKES && r.subject().equals("127.0.0.1")
                        && r.origin().equals("rule.identity-guessing")));
        assertEquals("the registered device behind the same address keeps its session", ResponseCode.CHANGED,
                post(device, port));
    }
}
