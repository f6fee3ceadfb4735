package org.m2mgw.itests.distro;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;
import org.m2mgw.itests.GatewayTestSupport;

/**
 * Security review, issue 11 finding 5, against the exported distro run as a process with a real
 * HTTP client: a page on another site must not be able to make a logged-in operator's browser
 * change the gateway through the console (configuration, restrictions, bundles), and repeated
 * wrong passwords from one address must slow that address down.
 *
 * <p>{@link java.net.http.HttpClient} is used because {@link java.net.HttpURLConnection} silently
 * drops an {@code Origin} request header. The methods run in name order on one gateway: the
 * cross-origin tests first, the login back-off last (it locks 127.0.0.1 out for a few seconds).
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class ConsoleForgeryAndLoginBackoffIT {
    private static final String CLOUD_PID = "org.m2mgw.cloud.mqtt~default";
    private static final String CONFIG = "/system/console/configMgr/" + CLOUD_PID;
    private static final String RESTRICTIONS = "/system/console/m2mgw-restrictions";
    private static final String EVIL = "http://evil.example";

    private static Path base;
    private static DistroProcess gateway;
    private static String password;
    private static String ownOrigin;
    private static HttpClient http;

    @BeforeClass
    public static void startGateway() throws Exception {
        Path target = Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath();
        base = Files.createDirectories(target.resolve("console-forgery-it")
                .resolve(Long.toString(System.currentTimeMillis())));
        gateway = DistroProcess.start(base.resolve("data"), GatewayTestSupport.freePort(), base.resolve("run.log"));
        String file = gateway.awaitOutput("password generated in (\\S+) \\(", 60_000);
        password = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        ownOrigin = "http://127.0.0.1:" + gateway.consolePort;
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(3))
                .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int last = -1;
        while (last != 200 && System.nanoTime() < deadline) {
            try {
                last = gateway.consoleStatus(CONFIG + ".json", "admin", password);
                if (last == 200 && !configJson().contains("\"broker.url\"")) {
                    last = -2; // the configuration's metatype is not there yet
                }
            } catch (IOException notYet) {
                last = -1;
            }
            if (last != 200) {
                Thread.sleep(200);
            }
        }
        assertEquals("console up with the cloud connection's configuration\n" + gateway.output(), 200, last);
    }

    @AfterClass
    public static void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    // --- (a) cross-site request forgery --------------------------------------------------------

    @Test
    public void a1_configPostFromAnotherOrigin_isRefusedAndChangesNothing() throws Exception {
        String before = brokerUrl();
        String evilForm = brokerUrlForm("tcp://evil.example:1883");

        HttpResponse<String> r = post(CONFIG, evilForm, "Origin", EVIL);
        assertEquals("cross-origin POST to configMgr: " + r.body(), 403, r.statusCode());
        r = post(CONFIG, evilForm, "Origin", "http://127.0.0.1:" + (gateway.consolePort + 1));
        assertEquals("same host, another port is another origin", 403, r.statusCode());
        r = post(CONFIG, evilForm, "Origin", "https://127.0.0.1:" + gateway.consolePort);
        assertEquals("same host and port, another scheme is another origin", 403, r.statusCode());
        r = post(CONFIG, evilForm, "Origin", "null");
        assertEquals("an opaque origin (sandboxed frame, data: URL) is not this console", 403, r.statusCode());
        r = post(CONFIG, evilForm, "Referer", EVIL + "/cats.html");
        assertEquals("no Origin, cross-origin Referer", 403, r.statusCode());
        r = post(CONFIG, evilForm, "Sec-Fetch-Site", "cross-site");
        assertEquals("no Origin or Referer, but the browser says cross-site", 403, r.statusCode());

        // The configuration editor also applies a GET with ?post=true, which an <img> can send.
        String query = "?post=true&" + evilForm;
        assertEquals(403, getWith(CONFIG + query, "Referer", EVIL + "/cats.html").statusCode());
        assertEquals("GET ?post=true from a browser that hides where it came from", 403,
                getWith(CONFIG + query).statusCode());

        assertEquals("the configuration is unchanged", before, brokerUrl());
        assertFalse(configJson().contains("evil.example"));
        assertFalse("refusals are logged without the password", gateway.output().contains(password));
        gateway.awaitOutput("Web console: refused a cross-origin POST [^\\n]*evil\\.example", 5_000);

        // The console's own pages send their own origin: that works.
        String mine = "tcp://127.0.0.1:" + GatewayTestSupport.freePort();
        r = post(CONFIG, brokerUrlForm(mine), "Origin", ownOrigin);
        assertTrue("same-origin POST accepted: " + r.statusCode(), r.statusCode() < 400);
        assertEquals(mine, brokerUrl());
        r = post(CONFIG, brokerUrlForm(before), "Referer", ownOrigin + "/system/console/configMgr");
        assertTrue("same-origin Referer accepted: " + r.statusCode(), r.statusCode() < 400);
        assertEquals(before, brokerUrl());
        // The console's own script reads the editor form with GET ?post=true (same-origin Referer).
        assertEquals(200, getWith(CONFIG + "?post=true", "Referer", ownOrigin + "/system/console/configMgr")
                .statusCode());
    }

    @Test
    public void a2_restrictionPostsFromAnotherOrigin_areRefused() throws Exception {
        String quarantine = "action=quarantine&subject=csrf-victim&minutes=10&reason=forged";
        assertEquals(403, post(RESTRICTIONS, quarantine, "Origin", EVIL).statusCode());
        assertFalse("no quarantine from a forged request", page(RESTRICTIONS).contains("csrf-victim"));

        assertTrue(post(RESTRICTIONS, quarantine, "Origin", ownOrigin).statusCode() < 400);
        assertTrue(page(RESTRICTIONS).contains("csrf-victim"));

        String lift = "action=lift&kind=QUARANTINE&subject=csrf-victim";
        assertEquals(403, post(RESTRICTIONS, lift, "Origin", EVIL).statusCode());
        assertEquals(403, post(RESTRICTIONS, lift, "Referer", EVIL + "/").statusCode());
        assertTrue("a forged request does not lift a quarantine", page(RESTRICTIONS).contains("csrf-victim"));

        assertTrue(post(RESTRICTIONS, lift, "Origin", ownOrigin).statusCode() < 400);
        assertFalse(page(RESTRICTIONS).contains("csrf-victim"));
    }

    @Test
    public void a3_bundlePostFromAnotherOrigin_isRefused() throws Exception {
        String bundle = "/system/console/bundles/org.apache.felix.webconsole.plugins.event";
        assertTrue(page(bundle + ".json").contains("\"state\":\"Active\""));
        assertEquals(403, post(bundle, "action=stop", "Origin", EVIL).statusCode());
        Thread.sleep(500);
        assertTrue("the bundle was not stopped", page(bundle + ".json").contains("\"state\":\"Active\""));
    }

    @Test
    public void a4_clientsThatSendNoOrigin_keepWorking() throws Exception {
        // Scripts and the itests post without Origin or Referer; browsers always send Origin on
        // a cross-origin POST.
        String quarantine = "action=quarantine&subject=script-client&minutes=1&reason=api";
        assertTrue(gateway.consolePost(RESTRICTIONS, "admin", password, quarantine) < 400);
        assertTrue(page(RESTRICTIONS).contains("script-client"));
        assertTrue(gateway.consolePost(RESTRICTIONS, "admin", password,
                "action=lift&kind=QUARANTINE&subject=script-client") < 400);
        assertFalse(page(RESTRICTIONS).contains("script-client"));
        // Reading is never refused, whatever the Referer.
        assertEquals(200, getWith(RESTRICTIONS, "Referer", EVIL + "/").statusCode());
    }

    // --- (b) repeated failed logins --------------------------------------------------------------

    @Test
    public void b1_repeatedWrongPasswords_lockTheAddressOutForAGrowingWhile() throws Exception {
        String path = "/system/console/bundles";
        for (int i = 1; i <= 5; i++) {
            assertEquals("wrong password " + i, 401, status(path, "admin", "wrong-" + i));
        }
        long lockedAt = System.nanoTime();
        HttpResponse<String> r = getAs(path, "admin", password);
        assertEquals("the right password is refused during the back-off", 429, r.statusCode());
        long first = retryAfter(r);
        assertTrue("Retry-After: " + first, first >= 1 && first <= 5);
        assertEquals("a guess is not even checked during the back-off", 429,
                getAs(path, "admin", "wrong-6").statusCode());

        sleepUntil(lockedAt, first);
        assertEquals("accepted after the back-off", 200, status(path, "admin", password));

        // A success forgets the failures: one typo is just a 401 again.
        assertEquals(401, status(path, "admin", "typo"));
        assertEquals(200, status(path, "admin", password));

        // The back-off grows with each further failure.
        for (int i = 1; i <= 5; i++) {
            assertEquals(401, status(path, "admin", "again-" + i));
        }
        lockedAt = System.nanoTime();
        r = getAs(path, "admin", password);
        assertEquals(429, r.statusCode());
        sleepUntil(lockedAt, retryAfter(r));
        assertEquals("a wrong password after the back-off is checked (and refused)", 401,
                status(path, "admin", "again-6"));
        lockedAt = System.nanoTime();
        r = getAs(path, "admin", password);
        assertEquals(429, r.statusCode());
        long second = retryAfter(r);
        assertTrue("back-off grows: " + first + " s, then " + second + " s", second > first);
        sleepUntil(lockedAt, second);
        assertEquals(200, status(path, "admin", password));

        gateway.awaitOutput("Web console: \\d+ failed logins from 127\\.0\\.0\\.1", 5_000);
        assertFalse("the password never appears in the log", gateway.output().contains(password));
        assertTrue(page("/system/console/status-m2mgw.json").matches("(?s).*\"login\\.throttled\":[1-9].*"));
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static String brokerUrlForm(String url) {
        return "apply=true&action=ajaxConfigManager&propertylist=broker.url,mqtt.version"
                + "&mqtt.version=3.1.1&broker.url=" + URLEncoder.encode(url, StandardCharsets.UTF_8);
    }

    private static String configJson() throws Exception {
        return page(CONFIG + ".json").replace("\\/", "/");
    }

    /** @return the cloud connection's broker.url as the console reads it back from Config Admin */
    private static String brokerUrl() throws Exception {
        String json = configJson();
        int at = json.indexOf("\"broker.url\":{");
        assertTrue(json, at >= 0);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"value\":\"([^\"]*)\"")
                .matcher(json.substring(at));
        assertTrue(json, m.find());
        return m.group(1);
    }

    private static String page(String path) throws Exception {
        HttpResponse<String> r = getAs(path, "admin", password);
        assertEquals(path + ": " + r.body(), 200, r.statusCode());
        return r.body();
    }

    private static HttpRequest.Builder request(String path, String user, String pw) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(ownOrigin + path)).timeout(Duration.ofSeconds(10));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + pw).getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    /** POSTs a form with the right credentials and the given extra headers (name, value, ...). */
    private static HttpResponse<String> post(String path, String form, String... headers) throws Exception {
        HttpRequest.Builder b = request(path, "admin", password)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GETs with the right credentials and the given extra headers (name, value, ...). */
    private static HttpResponse<String> getWith(String path, String... headers) throws Exception {
        HttpRequest.Builder b = request(path, "admin", password).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> getAs(String path, String user, String pw) throws Exception {
        return http.send(request(path, user, pw).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int status(String path, String user, String pw) throws Exception {
        return getAs(path, user, pw).statusCode();
    }

    private static long retryAfter(HttpResponse<?> r) {
        String v = r.headers().firstValue("Retry-After").orElse(null);
        if (v == null) {
            fail("429 without Retry-After");
        }
        return Long.parseLong(v.trim());
    }

    /** Sleeps until {@code seconds} (plus a little) after {@code startNanos}. */
    private static void sleepUntil(long startNanos, long seconds) throws InterruptedException {
        long wait = TimeUnit.SECONDS.toMillis(seconds) + 300
                - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }
}
