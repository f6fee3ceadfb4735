package org.m2mgw.itests.distro;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;
import org.m2mgw.itests.GatewayTestSupport;

/**
 * The operator REST API ({@code /m2mgw/api/v1}) of the exported distro, from outside over real
 * HTTP: every call, the bad-input cases (unknown fields, wrong types, oversize bodies, wrong
 * content type, duplicate ids and keys), no access without the console's password, cross-origin
 * changes refused, and a device added through the API that posts with libcoap's coap-client and
 * then shows as connected, with its session and message count.
 *
 * <p>The methods run in name order and share one gateway; the last one provokes an alert with
 * PSK identity guessing, whose action blocks 127.0.0.1 for CoAP.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class OperatorApiIT {
    private static final String API = "/m2mgw/api/v1";
    /** An ASCII key, so that coap-client's -k can take it as it is. */
    private static final String KEY = "rest-api-it-key-0001";
    private static final String DEVICE = "rest-dev-1";
    private static Path base;
    private static DistroProcess gateway;
    private static String password;
    private static HttpClient http;

    @BeforeClass
    public static void startGateway() throws Exception {
        // The distro's device and broker ports are fixed by its default configuration: another
        // gateway on this machine would take the device's datagrams.
        for (int port : new int[] {5684, 5683}) {
            try (java.net.DatagramSocket s = new java.net.DatagramSocket(port)) {
                s.setReuseAddress(false);
            } catch (java.net.SocketException e) {
                fail("udp/" + port + " is in use by another process (another gateway?): stop it first");
            }
        }
        try (java.net.ServerSocket s = new java.net.ServerSocket(1883, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
        } catch (java.io.IOException e) {
            fail("tcp/1883 is in use by another process (another gateway or broker?): stop it first");
        }
        Path target = Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath();
        base = Files.createDirectories(target.resolve("operator-api-it").resolve(Long.toString(System.currentTimeMillis())));
        gateway = DistroProcess.start(base.resolve("data"), GatewayTestSupport.freePort(), base.resolve("gateway.log"));
        String file = gateway.awaitOutput("password generated in (\\S+) \\(", 60_000);
        password = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int last = -1;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> counters = call("GET", "/counters", null, null, true);
                last = counters.statusCode();
                // the API comes up before the device listeners: wait for the CoAPS listener too
                if (last == 200 && counters.body().contains("\"org.m2mgw.transport.coaps~default\":{\"ready\":true")
                        && call("GET", "/devices", null, null, true).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                last = -1;
            }
            Thread.sleep(200);
        }
        fail("the REST API did not come up (last " + last + ")\n" + gateway.output());
    }

    @AfterClass
    public static void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static HttpResponse<String> call(String method, String path, String body, String origin, boolean auth)
            throws Exception {
        return call(method, path, body, "application/json", origin, auth ? password : null);
    }

    private static HttpResponse<String> call(String method, String path, String body, String contentType,
            String origin, String pw) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.consolePort + API + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null && contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (pw != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    ("admin:" + pw).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String ok(int status, String method, String path, String body) throws Exception {
        HttpResponse<String> r = call(method, path, body, null, true);
        assertEquals(method + " " + path + ": " + r.body(), status, r.statusCode());
        if (status != 204) {
            assertTrue(method + " " + path + " answers JSON", r.headers().firstValue("Content-Type").orElse("")
                    .startsWith("application/json"));
        }
        return r.body();
    }

    /** A refusal: the status and a JSON error with a reason. */
    private static void refused(int status, String method, String path, String body, String reasonPart)
            throws Exception {
        refused(status, call(method, path, body, null, true), method + " " + path + " " + body, reasonPart);
    }

    private static void refused(int status, HttpResponse<String> r, String what, String reasonPart) {
        assertEquals(what + ": " + r.body(), status, r.statusCode());
        assertTrue(what + " answers a JSON error: " + r.body(), r.body().matches("\\{\"error\":\"[a-z_]+\",\"reason\":\".*\"\\}"));
        if (reasonPart != null) {
            assertTrue(what + " reason names '" + reasonPart + "': " + r.body(), r.body().contains(reasonPart));
        }
    }

    private static String field(String json, String regex) {
        Matcher m = Pattern.compile(regex).matcher(json);
        assertTrue("/" + regex + "/ in " + json, m.find());
        return m.group(1);
    }

    @Test
    public void a1_noAccessWithoutThePassword() throws Exception {
        HttpResponse<String> none = call("GET", "/devices", null, null, false);
        refused(401, none, "GET without credentials", null);
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm=\"m2mgw gateway console\""));
        refused(401, call("GET", "/devices", null, null, null, password + "x"), "GET with a wrong password", null);
        refused(401, call("POST", "/devices", "{\"id\":\"x\",\"credential\":{\"type\":\"psk\"}}", "application/json",
                null, "admin"), "POST with a guessed password", null);
        assertFalse("the password never appears in the log", gateway.output().contains(password));
    }

    @Test
    public void a2_crossOriginChangesAreRefused() throws Exception {
        String body = "{\"id\":\"evil-1\",\"credential\":{\"type\":\"psk\"}}";
        refused(403, call("POST", "/devices", body, "http://evil.example", true), "cross-origin POST", null);
        refused(403, call("DELETE", "/devices/demo-sensor-1", null, "http://evil.example", true), "cross-origin DELETE",
                null);
        String own = "http://127.0.0.1:" + gateway.consolePort;
        assertEquals(404, call("GET", "/devices/evil-1", null, own, true).statusCode());
        assertEquals(200, call("GET", "/devices/demo-sensor-1", null, own, true).statusCode());
    }

    @Test
    public void b1_addDevices_andEveryBadInputIsRefusedWithNothingChanged() throws Exception {
        String hexKey = HexFormat.of().formatHex(KEY.getBytes(StandardCharsets.US_ASCII));
        String added = ok(201, "POST", "/devices", "{\"id\":\"" + DEVICE + "\",\"credential\":{\"type\":\"psk\",\"identity\":\""
                + DEVICE + "\",\"key\":\"" + hexKey + "\"},\"metadata\":{\"site\":\"it\"}}");
        assertTrue(added, added.contains("\"id\":\"" + DEVICE + "\""));
        assertFalse("a given key is never echoed: " + added, added.contains("\"psk\":"));

        String generated = ok(201, "POST", "/devices", "{\"id\":\"rest-dev-2\",\"credential\":{\"type\":\"psk\"}}");
        String psk = field(generated, "\"psk\":\"([0-9a-f]+)\"");
        assertEquals("32 random bytes, in hex", 64, psk.length());
        String again = ok(200, "GET", "/devices/rest-dev-2", null);
        assertFalse("the generated key is shown once only", again.contains(psk));
        assertFalse("the generated key never appears in the log", gateway.output().contains(psk));

        String before = ok(200, "GET", "/devices?limit=500", null);
        refused(409, "POST", "/devices", "{\"id\":\"" + DEVICE + "\",\"credential\":{\"type\":\"psk\",\"identity\":\"other\"}}", null);
        refused(409, "POST", "/devices", "{\"id\":\"rest-dev-3\",\"credential\":{\"type\":\"psk\",\"identity\":\"" + DEVICE + "\"}}", null);
        refused(400, "POST", "/devices", "{\"id\":\"rest-dev-3\",\"credential\":{\"type\":\"psk\"},\"colour\":\"red\"}", "colour");
        refused(400, "POST", "/devices", "{\"id\":\"rest-dev-3\",\"enabled\":\"yes\",\"credential\":{\"type\":\"psk\"}}", "enabled");
        refused(400, "POST", "/devices", "{\"id\":3,\"credential\":{\"type\":\"psk\"}}", "'id'");
        refused(400, "POST", "/devices", "{\"id\":\"rest-dev-3\",\"id\":\"rest-dev-4\",\"credential\":{\"type\":\"psk\"}}", "duplicate");
        refused(400, "POST", "/devices", "{\"id\":\"rest-dev-3\",", "not valid JSON");
        refused(422, "POST", "/devices", "{\"id\":\"rest dev\",\"credential\":{\"type\":\"psk\",\"identity\":\"rd\"}}", null);
        refused(415, call("POST", "/devices", "{\"id\":\"rest-dev-3\",\"credential\":{\"type\":\"psk\"}}", "text/plain", null,
                password), "POST text/plain", null);
        String big = "{\"id\":\"rest-dev-3\",\"credential\":{\"type\":\"psk\"},\"metadata\":{\"x\":\"" + "a".repeat(70_000) + "\"}}";
        refused(413, "POST", "/devices", big, null);
        refused(400, "GET", "/devices?limit=501", null, "limit");
        refused(400, "GET", "/devices?sort=colour", null, "sort");
        refused(400, "GET", "/devices?page=2", null, "page");
        refused(404, "GET", "/devices/nobody", null, null);
        refused(404, "GET", "/nothing", null, null);
        refused(405, "PUT", "/devices/" + DEVICE, "{}", null);
        String after = ok(200, "GET", "/devices?limit=500", null);
        assertEquals("nothing changed", field(before, "\"total\":(\\d+)"), field(after, "\"total\":(\\d+)"));
        assertFalse(after.contains("rest-dev-3"));

        String list = ok(200, "GET", "/devices?q=rest-dev&sort=-id", null);
        assertEquals("2", field(list, "\"total\":(\\d+)"));
        assertTrue(list, list.indexOf("rest-dev-2") < list.indexOf(DEVICE + "\""));
    }

    @Test
    public void b2_importFile() throws Exception {
        String file = "{\"devices\":[{\"id\":\"imp-1\",\"psk\":{\"identity\":\"imp-1\",\"key\":\"hex:"
                + "00112233445566778899aabbccddeeff\"},\"resources\":[\"telemetry/*\"]},"
                + "{\"id\":\"imp-2\",\"psk\":{\"identity\":\"imp-2\",\"key\":\"hex:00\"}}]}";
        String r = ok(200, "POST", "/devices/import", file);
        assertEquals("1", field(r, "\"added\":(\\d+)"));
        assertTrue(r, r.contains("\"refused\":[{\"id\":\"imp-2\""));
        refused(400, "POST", "/devices/import", "[1,2]", null);
        refused(400, "POST", "/devices/import", "{\"devices\":[],\"devices\":[]}", "duplicate");
        ok(204, "DELETE", "/devices/imp-1", null);
        refused(404, "DELETE", "/devices/imp-1", null, null);
    }

    @Test
    public void c1_aDevicePostingWithLibcoapShowsAsConnected() throws Exception {
        Process p = new ProcessBuilder("coap-client-openssl", "-v", "6", "-B", "8", "-m", "post", "-u", DEVICE, "-k", KEY,
                "-t", "json", "-e", "{\"t\":21.5}", "coaps://127.0.0.1:5684/telemetry/temp").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertTrue("coap-client output: " + out, out.contains("2.04"));

        String device = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            device = ok(200, "GET", "/devices/" + DEVICE, null);
            if (device.contains("\"connected\":true") && !device.contains("\"messages\":0")) {
                break;
            }
            Thread.sleep(200);
        }
        assertTrue(device, device.contains("\"connected\":true"));
        assertEquals(device, "1", field(device, "\"messages\":(\\d+)"));
        assertTrue(device, device.contains("\"protocol\":\"coaps\""));
        assertTrue(device, device.contains("\"resource\":\"telemetry/temp\""));
        assertTrue(device, device.contains("\"accepted\":true"));
        assertFalse("no payload in the metadata: " + device, device.contains("21.5"));

        String sessions = ok(200, "GET", "/sessions?device=" + DEVICE, null);
        assertTrue(sessions, sessions.contains("\"device\":\"" + DEVICE + "\""));
        assertTrue(sessions, sessions.contains("\"suite\":\"TLS_PSK_WITH_AES_128_CCM_8\"")
                || sessions.contains("\"suite\":\"TLS_"));
        assertTrue(sessions, Long.parseLong(field(sessions, "\"bytesIn\":(\\d+)")) > 0);
        assertNotNull(field(sessions, "\"since\":\"([^\"]+)\""));
        assertTrue(sessions, sessions.contains("\"address\":\"127.0.0.1:"));

        String connected = ok(200, "GET", "/devices?state=connected", null);
        assertTrue(connected, connected.contains("\"id\":\"" + DEVICE + "\""));
    }

    @Test
    public void d1_updateDisableEnableRotate() throws Exception {
        String patched = ok(200, "PATCH", "/devices/" + DEVICE, "{\"metadata\":{\"room\":\"7\"}}");
        assertTrue(patched, patched.contains("\"room\":\"7\""));
        refused(400, "PATCH", "/devices/" + DEVICE, "{\"enabled\":1}", "enabled");
        refused(400, "PATCH", "/devices/" + DEVICE, "{\"pskIdentity\":\"x\"}", "pskIdentity");
        assertTrue(ok(200, "POST", "/devices/" + DEVICE + "/disable", null).contains("\"state\":\"disabled\""));
        assertTrue(ok(200, "POST", "/devices/" + DEVICE + "/enable", "{}").contains("\"state\":\"enabled\""));
        String rotated = ok(200, "POST", "/devices/rest-dev-2/rotate", "{}");
        assertEquals("rest-dev-2-k1", field(rotated, "\"nextIdentity\":\"([^\"]+)\""));
        assertEquals(64, field(rotated, "\"psk\":\"([0-9a-f]+)\"").length());
        refused(422, "POST", "/devices/rest-dev-2/rotate", "{}", null); // a rollover is under way
        refused(400, "POST", "/devices/rest-dev-2/rotate", "{\"key\":\"x\"}", "key");
        ok(204, "DELETE", "/devices/rest-dev-2", null);
    }

    @Test
    public void d2_restrictionsAndCommands() throws Exception {
        String q = ok(200, "POST", "/devices/" + DEVICE + "/quarantine", "{\"seconds\":600,\"reason\":\"api test\"}");
        assertTrue(q, q.contains("\"kind\":\"quarantine\"") && q.contains("\"origin\":\"operator\""));
        assertTrue(ok(200, "GET", "/restrictions", null).contains("\"subject\":\"" + DEVICE + "\""));
        assertTrue(ok(200, "GET", "/devices/" + DEVICE, null).contains("\"quarantined\":true"));
        ok(204, "DELETE", "/restrictions/quarantine/" + DEVICE, null);
        refused(404, "DELETE", "/restrictions/quarantine/" + DEVICE, null, null);
        String block = ok(201, "POST", "/restrictions", "{\"kind\":\"block-prefix\",\"subject\":\"192.0.2.0/24\","
                + "\"seconds\":60,\"reason\":\"test\"}");
        assertTrue(block, block.contains("\"subject\":\"192.0.2.0/24\""));
        ok(204, "DELETE", "/restrictions/block-prefix/192.0.2.0/24", null);
        refused(400, "POST", "/restrictions", "{\"kind\":\"throttle\",\"subject\":\"" + DEVICE + "\",\"seconds\":60}", "rate");
        refused(400, "POST", "/restrictions", "{\"kind\":\"block-address\",\"subject\":\"example.org\"}", null);
        refused(400, "POST", "/restrictions", "{\"kind\":\"nap\",\"subject\":\"x\"}", "kind");
        String cmd = ok(202, "POST", "/devices/" + DEVICE + "/commands", "{\"name\":\"reboot\",\"payload\":\"now\","
                + "\"contentFormat\":0}");
        assertTrue(cmd, field(cmd, "\"id\":\"([^\"]+)\"").startsWith("reboot-"));
        assertEquals("1", field(ok(200, "GET", "/devices/" + DEVICE, null), "\"commandsWaiting\":(\\d+)"));
        refused(400, "POST", "/devices/" + DEVICE + "/commands", "{\"name\":\"x\",\"contentFormat\":\"json\"}", "contentFormat");
    }

    @Test
    public void e1_countersRatesHistoryQueue() throws Exception {
        String counters = ok(200, "GET", "/counters", null);
        assertTrue(counters, counters.contains("\"org.m2mgw.transport.coaps"));
        assertTrue(counters, counters.contains("\"REQUEST\":"));
        String rates = ok(200, "GET", "/rates", null);
        for (String k : new String[] {"messagesIn", "messagesOut", "handshakes", "handshakeFailures"}) {
            assertTrue(rates, rates.contains("\"" + k + "\":"));
        }
        // Two samples (10 s apart) make the first rate point.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String history = null;
        while (System.nanoTime() < deadline) {
            history = ok(200, "GET", "/history?minutes=60", null);
            if (history.contains("\"messagesIn\":[[")) {
                break;
            }
            Thread.sleep(1000);
        }
        assertTrue(history, history.startsWith("{\"interval\":10,\"series\":{"));
        for (String k : new String[] {"messagesIn", "messagesOut", "handshakes", "handshakeFailures", "queueDepth",
            "queueOldestAgeSeconds", "cloudConnected", "alerts"}) {
            assertTrue(k + " in " + history, history.contains("\"" + k + "\":[[") || history.contains("\"" + k + "\":[]"));
        }
        assertTrue(history, history.contains("\"messagesIn\":[["));
        refused(400, "GET", "/history?minutes=61", null, "minutes");
        String queue = ok(200, "GET", "/queue", null);
        assertTrue(queue, queue.contains("\"depth\":") && queue.contains("\"connections\":[{\"name\":\"org.m2mgw.cloud.mqtt"));
    }

    @Test
    public void f1_aRealAlertIsListedAndAcknowledged() throws Exception {
        refused(404, "POST", "/alerts/no-such-alert/ack", "{}", null);
        refused(400, "GET", "/alerts?acknowledged=maybe", null, "acknowledged");
        // PSK identity guessing from 127.0.0.1 (rule.identity-guessing); its action blocks the address.
        for (int i = 0; i < 14; i++) {
            Process p = new ProcessBuilder("coap-client-openssl", "-v", "6", "-B", "3", "-m", "post", "-u", "guess-" + i,
                    "-k", "not-a-registered-key", "-e", "{}", "coaps://127.0.0.1:5684/telemetry")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        }
        String open = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            open = ok(200, "GET", "/alerts?acknowledged=false", null);
            if (!open.contains("\"total\":0")) {
                break;
            }
            Thread.sleep(500);
        }
        String id = field(open, "\"id\":\"([^\"]+)\"");
        String acked = ok(200, "POST", "/alerts/" + id + "/ack", "{}");
        assertTrue(acked, acked.contains("\"acknowledged\":true"));
        assertTrue(ok(200, "GET", "/alerts?acknowledged=true", null).contains("\"id\":\"" + id + "\""));
    }
}
