package org.m2mgw.itests.distro;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;
import org.m2mgw.itests.GatewayTestSupport;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator's console pages on the exported distro, in the real Chromium, against the real
 * REST API and real devices (libcoap): an operator logs in, adds a device with the form and
 * gives the key it shows once to libcoap, sees the device connected and the dashboard's message
 * rate rise, quarantines it from its page and sees the next post refused, and acknowledges a real
 * alert of the anomaly detector.
 *
 * <p>The methods run in name order: they share one gateway, one browser and one device.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class OperatorConsoleIT {
    private static final String DEVICE = "it-console-1";
    private static final Pattern CHANGED = Pattern.compile("(?<![0-9.])2\\.04(?![0-9])");

    private static Path base;
    private static DistroProcess gateway;
    private static String password;
    private static WebDriver browser;
    private static WebDriverWait wait;
    private static byte[] key;
    private static String identity;

    @BeforeClass
    public static void start() throws Exception {
        Path target = Paths.get(System.getProperty("m2mgw.target", "target")).toAbsolutePath();
        base = Files.createDirectories(target.resolve("operator-console-it").resolve(Long.toString(System.currentTimeMillis())));
        gateway = DistroProcess.start(base.resolve("data"), GatewayTestSupport.freePort(), base.resolve("run.log"));
        String file = gateway.awaitOutput("password generated in (\\S+) \\(", 60_000);
        password = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int status = -1;
        while (status != 200 && System.nanoTime() < deadline) {
            try {
                status = gateway.consoleStatus("/m2mgw/api/v1/devices?limit=1", "admin", password);
            } catch (IOException notYet) {
                status = -1;
            }
            if (status != 200) {
                Thread.sleep(200);
            }
        }
        assertEquals("the REST API answers\n" + gateway.output(), 200, status);

        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1000",
                "--user-data-dir=" + Files.createDirectories(base.resolve("chromium-profile")));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    @AfterClass
    public static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private static String origin() {
        return "http://127.0.0.1:" + gateway.consolePort;
    }

    private static void open(String label, String query) {
        browser.get(origin() + "/system/console/" + label + (query == null ? "" : query));
    }

    private static String text(String css) {
        List<WebElement> e = browser.findElements(By.cssSelector(css));
        return e.isEmpty() ? "" : e.get(0).getText();
    }

    private static void until(String what, java.util.function.Supplier<Boolean> condition) {
        try {
            wait.withMessage(what).until(d -> condition.get());
        } catch (RuntimeException e) {
            throw new AssertionError(what + "; status line: '" + text("#m2mgw-status") + "'\n" + gateway.output(), e);
        }
    }

    /**
     * Posts as the device with libcoap. libcoap 4.3's {@code -k} takes the key as a C string, so
     * the key's bytes go through bash's {@code $'\xNN'} quoting; a key with a zero byte cannot be
     * given that way (see a1).
     */
    private static String coapPost(String payload) throws Exception {
        StringBuilder k = new StringBuilder();
        for (byte b : key) {
            k.append(String.format("\\x%02x", b & 0xff));
        }
        Process p = new ProcessBuilder("bash", "-c", "exec coap-client-openssl -v 6 -B 8 -m post -u '" + identity
                + "' -k $'" + k + "' -t json -e '" + payload + "' coaps://127.0.0.1:5684/telemetry/temp")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("coap-client finished", p.waitFor(20, TimeUnit.SECONDS));
        return out;
    }

    /** libcoap with a PSK identity the gateway does not know: a failed handshake. */
    private static void coapUnknownIdentity(String who) throws Exception {
        Process p = new ProcessBuilder("coap-client-openssl", "-v", "6", "-B", "3", "-m", "post", "-u", who, "-k",
                "not-a-registered-key", "-e", "{}", "coaps://127.0.0.1:5684/telemetry")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    }

    private static String apiGet(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(origin() + "/m2mgw/api/v1" + path).toURL().openConnection();
        c.setRequestProperty("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8)));
        return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    public void a1_operatorLogsIn_andAddsADeviceWhoseGeneratedKeyIsShownOnce() throws Exception {
        browser.get("http://admin:" + password + "@127.0.0.1:" + gateway.consolePort + "/system/console/m2mgw-devices");
        until("device table", () -> !browser.findElements(By.cssSelector("#devices tbody tr")).isEmpty());
        // Up to three tries: a generated key with a zero byte cannot be handed to libcoap (a C
        // string), so such a device is deleted on its page and added again.
        for (int attempt = 1; attempt <= 3 && key == null; attempt++) {
            open("m2mgw-devices", null);
            until("add button", () -> !browser.findElements(By.id("add-device-open")).isEmpty());
            browser.findElement(By.id("add-device-open")).click();
            browser.findElement(By.id("add-id")).sendKeys(DEVICE);
            browser.findElement(By.id("add-submit")).click();
            until("key shown", () -> !browser.findElements(By.cssSelector("#m2mgw-secret code.m2mgw-psk")).isEmpty()
                    || !browser.findElements(By.id("add-error")).isEmpty());
            assertTrue("added: " + text("#add-error"), browser.findElements(By.id("add-error")).isEmpty());
            String hex = text("#m2mgw-secret code.m2mgw-psk");
            assertTrue(hex, hex.matches("[0-9a-f]{64}"));
            identity = text("#m2mgw-secret code.m2mgw-psk-identity");
            assertFalse("the key is never logged", gateway.output().contains(hex));
            browser.findElement(By.id("m2mgw-secret-done")).click();
            assertFalse("gone from the page", browser.getPageSource().contains(hex));
            byte[] k = HexFormat.of().parseHex(hex);
            boolean hasZero = false;
            for (byte b : k) {
                hasZero |= b == 0;
            }
            if (!hasZero) {
                key = k;
                break;
            }
            open("m2mgw-devices", "?id=" + DEVICE);
            until("device page", () -> !browser.findElements(By.id("action-delete")).isEmpty());
            browser.findElement(By.id("action-delete")).click();
            browser.findElement(By.id("action-delete")).click();
            wait.until(d -> d.getCurrentUrl().endsWith("/m2mgw-devices"));
        }
        assertNotNull("a key libcoap can take", key);
        // Shown once: the device's page and the API never show it again.
        open("m2mgw-devices", "?id=" + DEVICE);
        until("device page", () -> text("#device-facts").contains("psk"));
        assertFalse(browser.getPageSource().contains(HexFormat.of().formatHex(key)));
        assertFalse(apiGet("/devices/" + DEVICE).contains(HexFormat.of().formatHex(key)));
    }

    @Test
    public void b1_libcoapPostsWithTheShownKey_andTheDeviceShowsConnected() throws Exception {
        String out = coapPost("{\"t\":1}");
        assertTrue("coap-client with the key from the page: " + out, CHANGED.matcher(out).find());
        open("m2mgw-devices", "?q=" + DEVICE);
        until("listed as connected", () -> {
            for (WebElement row : browser.findElements(By.cssSelector("#devices tbody tr"))) {
                if (DEVICE.equals(row.getAttribute("data-device")) && row.getText().contains("connected")
                        && !row.getText().contains("not connected")) {
                    return true;
                }
            }
            return false;
        });
    }

    @Test
    public void b2_theDashboardsMessageRateRises_withoutAReload() throws Exception {
        open("m2mgw-dashboard", null);
        until("dashboard drawn", () -> browser.findElements(By.cssSelector("#m2mgw-charts svg")).size() == 6
                && !text("#rate-messagesIn").equals("-"));
        ((JavascriptExecutor) browser).executeScript("window.__sameDocument = 'yes';");
        AtomicBoolean posting = new AtomicBoolean(true);
        Thread device = new Thread(() -> {
            try {
                for (int i = 0; posting.get() && i < 200; i++) {
                    coapPost("{\"t\":" + i + "}");
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "it-device");
        device.start();
        try {
            until("message rate above zero", () -> {
                String v = text("#rate-messagesIn").replace(" /s", "");
                try {
                    return Double.parseDouble(v) > 0;
                } catch (NumberFormatException e) {
                    return false;
                }
            });
        } finally {
            posting.set(false);
            device.join(30_000);
        }
        assertEquals("no page reload", "yes",
                ((JavascriptExecutor) browser).executeScript("return window.__sameDocument;"));
        assertTrue(browser.findElements(By.cssSelector("path[data-series=messagesIn]")).size() == 1);
    }

    @Test
    public void c1_quarantineFromTheDevicePage_refusesTheNextPost() throws Exception {
        open("m2mgw-devices", "?id=" + DEVICE);
        until("device page", () -> !browser.findElements(By.id("action-quarantine")).isEmpty());
        browser.findElement(By.id("quarantine-reason")).clear();
        browser.findElement(By.id("quarantine-reason")).sendKeys("console test");
        browser.findElement(By.id("action-quarantine")).click();
        until("quarantined", () -> text("#device-state").contains("quarantined"));
        assertTrue(text("#device-restrictions"), text("#device-restrictions").contains("console test"));
        String refused = coapPost("{\"t\":99}");
        assertFalse("a quarantined device gets no 2.04: " + refused, CHANGED.matcher(refused).find());
    }

    @Test
    public void d1_aRealAlertIsAcknowledgedOnTheAlertsPage() throws Exception {
        // PSK identity guessing from 127.0.0.1, as the anomaly detector's rule.identity-guessing
        // knows it (10 unknown-identity failures a minute, 3 identities or more). Its action
        // blocks the address for the CoAP transports, which is why this step comes last.
        for (int i = 0; i < 14; i++) {
            coapUnknownIdentity("guess-" + i);
        }
        open("m2mgw-alerts", "?acknowledged=false");
        // The detector raises other alerts around it too (the prefix and gateway views of the same
        // guessing, a handshake storm of the test device): acknowledge the identity-guessing one.
        By guessing = By.xpath("//table[@id='alerts']//tr[contains(@class,'m2mgw-open')]"
                + "[td[contains(.,'rule.identity-guessing')]]");
        until("the identity-guessing alert is listed", () -> {
            if (browser.findElements(guessing).isEmpty()) {
                browser.navigate().refresh();
                return false;
            }
            return true;
        });
        WebElement row = browser.findElement(guessing);
        String id = row.getAttribute("data-alert");
        assertTrue(row.getText(), row.getText().contains("identities"));
        By thatRow = By.cssSelector("#alerts tr[data-alert='" + id + "']");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        boolean done = false;
        while (!done && System.nanoTime() < deadline) {
            List<WebElement> open = browser.findElements(By.cssSelector("#alerts tr[data-alert='" + id
                    + "'] button.m2mgw-ack:not([disabled])"));
            if (!open.isEmpty()) {
                try {
                    // the page re-renders its table every few seconds; a click on a row it just
                    // replaced is lost, so click the current one again until it is gone
                    open.get(0).click();
                } catch (org.openqa.selenium.StaleElementReferenceException replaced) {
                    continue;
                }
            }
            Thread.sleep(1000);
            done = browser.findElements(thatRow).isEmpty() || text("#alerts tr[data-alert='" + id + "']")
                    .contains("acknowledged");
            assertTrue("the page reported an error: " + text("#alert-result"),
                    browser.findElements(By.id("ack-error")).isEmpty());
        }
        assertTrue("not acknowledged within 40 s; page says '" + text("#alert-result") + "'", done);
        String acked = apiGet("/alerts?acknowledged=true");
        assertTrue(acked, acked.contains("\"" + id + "\""));
    }

    @Test
    public void e1_theConsolePagesChangeNothingByThemselves() throws Exception {
        // Changes go through the API only; a POST to a page is refused.
        int status = gateway.consolePost("/system/console/m2mgw-devices", "admin", password, "id=x");
        assertEquals(405, status);
        if (!browser.getCurrentUrl().startsWith(origin())) {
            fail("the browser left the console: " + browser.getCurrentUrl());
        }
    }
}
