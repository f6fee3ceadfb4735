package org.m2mgw.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
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
import java.util.concurrent.TimeUnit;
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
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.DeviceMessageConsumer;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventListener;
import org.m2mgw.api.traffic.TrafficEventType;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The device registry and the CoAPS transport as bundles, on Felix and on Equinox: devices
 * imported from a file connect with libcoap's client and with Californium clients, their
 * messages reach the DeviceMessageConsumer service, and an update of the transport bundle costs
 * 100 connected devices no new handshake.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CoapsTransportIT extends GatewayTestSupport {
    private static final int DEVICES = 100;

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    DeviceRegistry registry;

    @Inject
    org.m2mgw.api.crypto.CryptoInventory inventory;

    private final List<DeviceMessage> received = new CopyOnWriteArrayList<>();
    private final List<TrafficEvent> events = new CopyOnWriteArrayList<>();
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private final List<CoapEndpoint> clients = new ArrayList<>();
    private int port;

    @Before
    public void setUp() throws Exception {
        // Outranks the distro's own cloud connection, so that the transport hands messages here.
        Dictionary<String, Object> ranking = new Hashtable<>();
        ranking.put(org.osgi.framework.Constants.SERVICE_RANKING, 1000);
        registrations.add(context.registerService(DeviceMessageConsumer.class, m -> {
            received.add(m);
            return CompletableFuture.completedFuture(Acceptance.accepted());
        }, ranking));
        registrations.add(context.registerService(TrafficEventListener.class, events::add, null));

        // Devices come in through the registry's import file, as an operator would add them.
        Path dir = Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath()
                .resolve("coaps-it-" + framework());
        Files.createDirectories(dir);
        StringBuilder json = new StringBuilder("{\"devices\":[");
        for (int i = 0; i < DEVICES; i++) {
            json.append(i == 0 ? "" : ",").append("{\"id\":\"it-dev-").append(i)
                    .append("\",\"resources\":[\"telemetry/*\"],\"psk\":{\"identity\":\"it-dev-").append(i)
                    .append("\",\"key\":\"hex:").append(hexKey(i)).append("\"}}");
        }
        json.append("]}");
        Path file = Files.writeString(dir.resolve("devices.json"), json.toString());
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        org.osgi.service.cm.Configuration reg = configAdmin.getConfiguration("org.m2mgw.registry", "?");
        Dictionary<String, Object> p = reg.getProperties() == null ? new Hashtable<>() : reg.getProperties();
        p.put("registry.import.file", file.toString());
        reg.update(p);
        await("devices imported", 30_000, () -> registry.byPskIdentity("it-dev-" + (DEVICES - 1)).isPresent());

        port = freePort();
        org.osgi.service.cm.Configuration listener =
                configAdmin.getFactoryConfiguration("org.m2mgw.transport.coaps", "it", "?");
        Dictionary<String, Object> l = new Hashtable<>();
        l.put("listener.address", "127.0.0.1");
        l.put("listener.port", port);
        l.put("dtls.retransmission.timeout.ms", 500);
        l.put("dtls.max.retransmissions", 1);
        listener.update(l);
    }

    @After
    public void tearDown() {
        clients.forEach(CoapEndpoint::destroy);
        registrations.forEach(ServiceRegistration::unregister);
    }

    static String hexKey(int i) {
        byte[] k = String.format("it-key-%09d", i).getBytes(StandardCharsets.US_ASCII);
        StringBuilder s = new StringBuilder();
        for (byte b : k) {
            s.append(String.format("%02x", b));
        }
        return s.toString();
    }

    private String coapClient(String identity, String key) throws Exception {
        Process p = new ProcessBuilder("coap-client-openssl", "-v", "6", "-B", "8", "-m", "post",
                "-u", identity, "-k", key, "-t", "50", "-e", "{\"it\":1}",
                "coaps://127.0.0.1:" + port + "/telemetry/it")
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    public void givenImportedDevice_whenLibcoapPosts_thenTheConsumerServiceGetsIt_andStrangersAreReported()
            throws Exception {
        String key = new String(java.util.HexFormat.of().parseHex(hexKey(7)), StandardCharsets.US_ASCII);
        String out = awaitValue("libcoap gets 2.04", 30_000, () -> {
            try {
                return coapClient("it-dev-7", key);
            } catch (Exception e) {
                return e.toString();
            }
        }, o -> o.contains("2.04"));
        assertTrue(out, out.contains("2.04"));
        assertTrue(received.stream().anyMatch(m -> m.deviceId().equals("it-dev-7")
                && m.resource().equals("telemetry/it")));

        coapClient("stranger", key);
        awaitValue("unknown identity reported", 20_000, () -> events.stream()
                .filter(e -> e.type() == TrafficEventType.HANDSHAKE_FAILED).map(TrafficEvent::reason).toList(),
                l -> l.contains("unknown PSK identity 'stranger'"));
    }

    private CoapEndpoint client(int i) {
        Configuration c = Configuration.createStandardWithoutFile();
        c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
        c.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 0);
        c.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        DTLSConnector dtls = new DTLSConnector(DtlsConnectorConfig.builder(c)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setAdvancedPskStore(new AdvancedSinglePskStore("it-dev-" + i,
                        java.util.HexFormat.of().parseHex(hexKey(i)))).build());
        CoapEndpoint ep = new CoapEndpoint.Builder().setConfiguration(c).setConnector(dtls).build();
        clients.add(ep);
        return ep;
    }

    private ResponseCode post(CoapEndpoint ep) throws Exception {
        CoapClient client = new CoapClient("coaps://127.0.0.1:" + port + "/telemetry");
        client.setEndpoint(ep);
        client.setTimeout(10_000L);
        try {
            CoapResponse r = client.post("{\"v\":1}", 50);
            return r == null ? null : r.getCode();
        } catch (java.io.IOException e) {
            return null;
        } finally {
            client.shutdown();
        }
    }

    private long count(TrafficEventType type) {
        return events.stream().filter(e -> e.type() == type).count();
    }

    @Test
    public void givenTheCryptoPolicy_whenItRetiresTheSuiteADeviceUsed_thenTheInventoryShowsWhyAndTheNextHandshakeIsRefused()
            throws Exception {
        String key = new String(java.util.HexFormat.of().parseHex(hexKey(11)), StandardCharsets.US_ASCII);
        // A handshake the inventory has seen: libcoap again until it has one. (Once, on Felix, the inventory
        // had no suite 10 s after libcoap's first 2.04, while the test's listener configuration was still
        // being applied; not explained yet: see docs/status.md.)
        awaitValue("libcoap gets 2.04 and the inventory has the device's suite", 40_000, () -> {
            try {
                String out = coapClient("it-dev-11", key);
                return out.contains("2.04") && inventory.entry("it-dev-11").flatMap(e -> e.suite()).isPresent()
                        ? "ok" : out;
            } catch (Exception e) {
                return e.toString();
            }
        }, o -> o.equals("ok"));
        String suite = inventory.entry("it-dev-11").flatMap(e -> e.suite()).orElseThrow();
        org.m2mgw.api.crypto.CryptoStatus before = inventory.entry("it-dev-11").orElseThrow().verdict().status();
        assertTrue("allowed before the change: " + before, before.compareTo(org.m2mgw.api.crypto.CryptoStatus.WARN) <= 0);

        org.osgi.service.cm.Configuration policy = configAdmin.getConfiguration("org.m2mgw.crypto.policy", "?");
        Dictionary<String, Object> p = new Hashtable<>();
        // Every PSK suite the listener offers except the one libcoap chose.
        p.put("suites.psk", java.util.stream.Stream.of("TLS_PSK_WITH_AES_128_CCM_8", "TLS_PSK_WITH_AES_128_CCM",
                "TLS_PSK_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256")
                .filter(x -> !x.equals(suite)).toArray(String[]::new));
        try {
            policy.update(p);
            await("the inventory marks the suite retired", 10_000, () -> inventory.entry("it-dev-11")
                    .map(e -> e.verdict().status() == org.m2mgw.api.crypto.CryptoStatus.RETIRED
                            && e.verdict().reason().contains(suite)).orElse(false));
            coapClient("it-dev-11", key);
            await("libcoap's next handshake uses an allowed suite or is refused by policy", 10_000,
                    () -> events.stream().anyMatch(e -> e.cause() == org.m2mgw.api.traffic.FailureCause.POLICY)
                            || inventory.entry("it-dev-11").flatMap(e -> e.suite()).map(s -> !s.equals(suite))
                                    .orElse(false));
        } finally {
            policy.delete();
        }
    }

    @Test
    public void givenHundredConnectedDevices_whenTheTransportBundleIsUpdated_thenNoDeviceHandshakesAgain()
            throws Exception {
        List<CoapEndpoint> eps = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            eps.add(client(i));
        }
        CoapEndpoint first = eps.get(0);
        awaitValue("listener up", 30_000, () -> {
            try {
                return post(first);
            } catch (Exception e) {
                return null;
            }
        }, c -> c == ResponseCode.CHANGED);
        for (CoapEndpoint ep : eps) {
            assertEquals(ResponseCode.CHANGED, post(ep));
        }
        awaitValue("100 full handshakes", 20_000, () -> count(TrafficEventType.HANDSHAKE_SUCCEEDED),
                n -> n >= DEVICES);
        long handshakesBefore = count(TrafficEventType.HANDSHAKE_SUCCEEDED);
        long resumedBefore = count(TrafficEventType.SESSION_RESUMED);

        Bundle transport = null;
        for (Bundle b : context.getBundles()) {
            if ("org.m2mgw.transport-coap-dtls".equals(b.getSymbolicName())) {
                transport = b;
            }
        }
        transport.update();

        int ok = 0;
        for (CoapEndpoint ep : eps) {
            ResponseCode code = awaitValue("device answered after update", 20_000, () -> {
                try {
                    return post(ep);
                } catch (Exception e) {
                    return null;
                }
            }, c -> c != null);
            if (code == ResponseCode.CHANGED) {
                ok++;
            }
        }
        assertEquals("devices that sent successfully after the update", DEVICES, ok);
        assertEquals("new full handshakes after the update", handshakesBefore,
                count(TrafficEventType.HANDSHAKE_SUCCEEDED));
        assertEquals("resumptions after the update", resumedBefore, count(TrafficEventType.SESSION_RESUMED));
    }
}
