package org.m2mgw.itests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
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
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Devices for the Pax Exam tests: a registry import file of PSK devices, a CoAPS listener on a
 * free port, and Scandium clients that post as those devices. Clients are closed by {@link #close()}.
 */
final class DeviceFixture implements AutoCloseable {
    private final ConfigurationAdmin configAdmin;
    private final List<CoapEndpoint> clients = new ArrayList<>();

    DeviceFixture(ConfigurationAdmin configAdmin) {
        this.configAdmin = configAdmin;
    }

    /** @return the key of a test device, derived from its id */
    static String keyOf(String id) {
        return "key-of-" + id + "-0000";
    }

    /** Writes a 0600 import file of PSK devices (identity = id, key = {@link #keyOf}) and points the registry at it. */
    void importDevices(Path dir, String... ids) throws IOException {
        StringBuilder json = new StringBuilder("{\"devices\":[");
        for (int i = 0; i < ids.length; i++) {
            json.append(i == 0 ? "" : ",").append("{\"id\":\"").append(ids[i])
                    .append("\",\"resources\":[\"telemetry/*\"],\"psk\":{\"identity\":\"").append(ids[i])
                    .append("\",\"key\":\"base64:").append(Base64.getEncoder().encodeToString(
                            keyOf(ids[i]).getBytes(StandardCharsets.US_ASCII))).append("\"}}");
        }
        Files.createDirectories(dir);
        Path file = Files.writeString(dir.resolve("devices.json"), json.append("]}").toString());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        org.osgi.service.cm.Configuration reg = configAdmin.getConfiguration("org.m2mgw.registry", "?");
        Dictionary<String, Object> p = reg.getProperties() == null ? new Hashtable<>() : reg.getProperties();
        p.put("registry.import.file", file.toString());
        reg.update(p);
    }

    /** Starts a CoAPS listener instance on 127.0.0.1 and a free port; @return the port */
    int startListener(String name) throws IOException {
        int port = GatewayTestSupport.freePort();
        org.osgi.service.cm.Configuration listener = configAdmin.getFactoryConfiguration(
                "org.m2mgw.transport.coaps", name, "?");
        Dictionary<String, Object> l = new Hashtable<>();
        l.put("listener.address", "127.0.0.1");
        l.put("listener.port", port);
        listener.update(l);
        return port;
    }

    /** @return a Scandium PSK client (CCM_8) on 127.0.0.1 with its own port */
    CoapEndpoint client(String identity, String key) {
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

    /** @return a client for a device of {@link #importDevices} */
    CoapEndpoint client(String id) {
        return client(id, keyOf(id));
    }

    /** Posts a small JSON reading to /telemetry; @return the response code, null if none came */
    static ResponseCode post(CoapEndpoint ep, int port) {
        return post(ep, port, 5_000L);
    }

    /**
     * Posts a small JSON reading to /telemetry, waiting up to {@code timeoutMs} (long enough, and
     * CoAP retransmits across a connector restart); @return the response code, null if none came
     */
    static ResponseCode post(CoapEndpoint ep, int port, long timeoutMs) {
        CoapClient client = new CoapClient("coaps://127.0.0.1:" + port + "/telemetry");
        client.setEndpoint(ep);
        client.setTimeout(timeoutMs);
        try {
            CoapResponse r = client.post("{\"v\":1}", 50);
            return r == null ? null : r.getCode();
        } catch (Exception e) {
            return null;
        } finally {
            client.shutdown();
        }
    }

    @Override
    public void close() {
        clients.forEach(CoapEndpoint::destroy);
        clients.clear();
    }
}
