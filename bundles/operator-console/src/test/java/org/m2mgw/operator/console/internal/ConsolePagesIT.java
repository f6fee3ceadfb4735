package org.m2mgw.operator.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console pages in the real Chromium, against {@link FakeGateway}: a stand-in for the web
 * console and the REST API of the issue 15 contract. It checks what the pages do with the API
 * (which calls, with which bodies and headers), what they show, that they refresh without a
 * reload, and that text from devices stays text. The same pages against the real API are
 * tested end to end in itests ({@code OperatorConsoleIT}).
 */
class ConsolePagesIT {
    private static final String HOSTILE_ID = "<img src=x onerror=window.__pwned=1>";
    private static final String HOSTILE_REASON = "<script>window.__pwned=2</script><b>bold?</b>";

    private static final List<String> DEFAULT_RESOURCES = List.of("telemetry/*", "events", "commands");

    private static FakeGateway gw;
    private static WebDriver browser;
    private static WebDriverWait wait;

    @BeforeAll
    static void start() throws Exception {
        gw = new FakeGateway();
        Path profile = Files.createTempDirectory("m2mgw-console-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        // Log in as an operator does from the address bar; the pages' fetch() calls then have to get
        // the same login from the browser (same origin, same realm), with no password in the page.
        browser.get("http://" + FakeGateway.USER + ":" + FakeGateway.PASSWORD + "@127.0.0.1:" + gw.port()
                + "/system/console/" + DashboardPage.LABEL);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (gw != null) {
            gw.close();
        }
    }

    @BeforeEach
    void clean() {
        gw.reset();
    }

    private static void open(String label, String query) {
        browser.get(gw.origin() + "/system/console/" + label + (query == null ? "" : query));
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static void until(String what, Supplier<Boolean> condition) {
        wait.withMessage(what).until(d -> condition.get());
    }

    private static List<WebElement> rows(String table) {
        return browser.findElements(By.cssSelector("#" + table + " tbody tr"));
    }

    private static String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    /** Every change the pages made was JSON and came from this origin, as the API demands. */
    private static void assertChangesWereSameOriginJson() {
        List<FakeGateway.Call> changes = new ArrayList<>();
        gw.calls.stream().filter(c -> !c.method().equals("GET")).forEach(changes::add);
        for (FakeGateway.Call c : changes) {
            if (!c.body().isEmpty()) {
                assertThat(c.contentType()).as(c.method() + " " + c.path()).startsWith("application/json");
            }
            assertThat(c.origin()).as("Origin of " + c.method() + " " + c.path()).isEqualTo(gw.origin());
            assertThat(c.fetchSite()).as("Sec-Fetch-Site of " + c.path()).isEqualTo("same-origin");
        }
    }

    // -------------------------------------------------------------------------- dashboard

    @Test
    void dashboard_drawsTheLastHour_andRefreshesLiveWithoutAReload() {
        long now = System.currentTimeMillis();
        List<Object[]> in = new ArrayList<>();
        for (int i = 359; i >= 0; i--) {
            in.add(new Object[] {now - i * 10_000L, i % 7});
        }
        gw.history.put("messagesIn", in);
        gw.history.put("messagesOut", in);
        gw.history.put("cloudConnected", List.<Object[]>of(new Object[] {now - 3_000_000L, 0}, new Object[] {now - 60_000L, 1}));
        gw.addAlert("a1", "handshake-failures", null, "many failures", Instant.now());

        open(DashboardPage.LABEL, null);
        until("charts drawn", () -> browser.findElements(By.cssSelector("path.m2mgw-line[data-series=messagesIn]")).size() == 1);
        assertThat(browser.findElements(By.cssSelector("#m2mgw-charts figure.m2mgw-chart svg"))).hasSize(6);
        assertThat(browser.findElement(By.cssSelector("path[data-series=messagesIn]")).getAttribute("data-points")).isEqualTo("360");
        assertThat(text("#rate-messagesIn")).isEqualTo("0 /s");
        assertThat(text("#cloud-state")).isEqualTo("connected");
        assertThat(text("#alerts-open")).isEqualTo("1");
        assertThat(text("#chart-cloud figcaption")).contains("connected");

        js("window.__sameDocument = 'yes';");
        synchronized (gw) {
            gw.rates.put("messagesIn", 12.5);
            gw.queue.put("depth", 42);
            gw.queue.put("oldestAgeSeconds", 600);
            gw.queue.put("connected", false);
            List<Object[]> more = new ArrayList<>(in);
            more.add(new Object[] {System.currentTimeMillis(), 12.5});
            gw.history.put("messagesIn", more);
        }
        until("the rate rises on the page", () -> text("#rate-messagesIn").equals("12.50 /s"));
        until("the queue shows", () -> text("#queue-depth").equals("42"));
        assertThat(text("#queue-age")).isEqualTo("10 min");
        assertThat(text("#cloud-state")).isEqualTo("disconnected");
        assertThat(js("return window.__sameDocument;")).as("no page reload").isEqualTo("yes");
        until("the chart has the new sample", () -> "361".equals(
                browser.findElement(By.cssSelector("path[data-series=messagesIn]")).getAttribute("data-points")));
        assertThat(gw.calls("GET", "/history")).allSatisfy(c -> assertThat(c.query()).containsEntry("minutes", "60"));
        // Everything the page loaded came from the console itself.
        for (WebElement s : browser.findElements(By.tagName("script"))) {
            assertThat(s.getAttribute("src")).startsWith(gw.origin() + "/system/console/m2mgw-dashboard/res/");
        }
    }

    @Test
    void dashboard_saysSoWhenTheApiIsMissing() {
        gw.apiMissing = true;
        open(DashboardPage.LABEL, null);
        until("the status names the missing bundle", () -> text("#m2mgw-status").contains("org.m2mgw.operator-api"));
    }

    // -------------------------------------------------------------------------- devices

    @Test
    void devices_searchSortAndPageThroughTheApi() {
        for (int i = 0; i < 120; i++) {
            gw.addDevice(String.format("d-%03d", i), i % 2 == 0 ? "psk" : "rpk", i == 77 ? 9_999 : i);
        }
        open(DevicesPage.LABEL, null);
        until("first page", () -> rows("devices").size() == 50);
        assertThat(text("#devices-summary")).isEqualTo("1-50 of 120 device(s)");
        assertThat(rows("devices").get(0).getText()).startsWith("d-000");

        browser.findElement(By.id("page-next")).click();
        until("second page", () -> text("#devices-summary").equals("51-100 of 120 device(s)"));
        assertThat(gw.calls("GET", "/devices").get(gw.calls("GET", "/devices").size() - 1).query())
                .containsEntry("offset", "50").containsEntry("limit", "50");

        browser.findElement(By.id("device-search")).sendKeys("d-01");
        until("search", () -> text("#devices-summary").equals("1-10 of 10 device(s)"));
        assertThat(gw.calls("GET", "/devices").stream().anyMatch(c -> "d-01".equals(c.query().get("q")))).isTrue();
        browser.findElement(By.id("device-search")).clear();
        js("var s = document.getElementById('device-search'); s.value=''; s.dispatchEvent(new Event('input'));");
        until("all again", () -> text("#devices-summary").equals("1-50 of 120 device(s)"));

        browser.findElement(By.id("sort-messages")).click();
        until("ascending by messages", () -> gw.calls("GET", "/devices").stream()
                .anyMatch(c -> "messages".equals(c.query().get("sort"))));
        browser.findElement(By.id("sort-messages")).click();
        until("descending: the busiest first", () -> !rows("devices").isEmpty() && rows("devices").get(0).getText().startsWith("d-077"));
        assertThat(gw.calls("GET", "/devices").stream().anyMatch(c -> "-messages".equals(c.query().get("sort")))).isTrue();

        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("device-credential"))).selectByValue("rpk");
        until("filtered by credential", () -> text("#devices-summary").endsWith("of 60 device(s)"));
    }

    @Test
    void devices_showHostileIdsAndReasonsAsText() {
        Map<String, Object> d = gw.addDevice(HOSTILE_ID, "psk", 1);
        d.put("suite", "<i>suite</i>");
        gw.addAlert("a-x", "<b>rule</b>", HOSTILE_ID, HOSTILE_REASON, Instant.now());

        open(DevicesPage.LABEL, null);
        until("listed", () -> rows("devices").size() == 1);
        WebElement link = browser.findElement(By.cssSelector("#devices a.m2mgw-device-link"));
        assertThat(link.getText()).isEqualTo(HOSTILE_ID);
        assertThat(browser.findElements(By.cssSelector("#devices img, #devices i"))).isEmpty();
        link.click();
        until("device page", () -> browser.findElements(By.cssSelector("#device-title .m2mgw-id")).size() == 1
                && text("#device-facts").contains("<i>suite</i>"));
        assertThat(text("#device-title .m2mgw-id")).isEqualTo(HOSTILE_ID);
        assertThat(gw.calls("GET", "/devices/" + HOSTILE_ID)).isNotEmpty();

        open(AlertsPage.LABEL, null);
        until("alert listed", () -> rows("alerts").size() == 1 && rows("alerts").get(0).getText().contains("bold?"));
        assertThat(text("#alerts td.m2mgw-reason")).isEqualTo(HOSTILE_REASON);
        assertThat(browser.findElements(By.cssSelector("#alerts b, #alerts img, #alerts script"))).isEmpty();
        assertThat(js("return window.__pwned === undefined;")).isEqualTo(true);
    }

    @Test
    void devices_addAGeneratedPskDevice_andItsKeyIsShownOnce() {
        open(DevicesPage.LABEL, null);
        until("empty table", () -> text("#devices").contains("No devices yet"));
        browser.findElement(By.id("add-device-open")).click();
        browser.findElement(By.id("add-id")).sendKeys("sensor-9");
        browser.findElement(By.id("add-submit")).click();
        until("key shown", () -> !browser.findElements(By.cssSelector("#m2mgw-secret code.m2mgw-psk")).isEmpty());
        String key = text("#m2mgw-secret code.m2mgw-psk");
        assertThat(key).matches("[0-9a-f]{64}");
        assertThat(text("#m2mgw-secret code.m2mgw-psk-identity")).isEqualTo("sensor-9");
        assertThat(text("#m2mgw-secret")).contains("shown only this once");

        FakeGateway.Call post = gw.calls("POST", "/devices").get(0);
        assertThat(post.json()).isEqualTo(FakeGateway.map("id", "sensor-9", "credential",
                FakeGateway.map("type", "psk", "identity", "sensor-9"), "enabled", true, "resources", DEFAULT_RESOURCES));
        until("in the table", () -> text("#devices").contains("sensor-9"));

        browser.findElement(By.id("m2mgw-secret-done")).click();
        assertThat(browser.getPageSource()).doesNotContain(key);
        browser.navigate().refresh();
        until("table again", () -> text("#devices").contains("sensor-9"));
        assertThat(browser.getPageSource()).doesNotContain(key);

        // A duplicate is refused with the API's reason, and nothing is shown as added.
        browser.findElement(By.id("add-device-open")).click();
        browser.findElement(By.id("add-id")).sendKeys("sensor-9");
        browser.findElement(By.id("add-submit")).click();
        until("refusal", () -> !browser.findElements(By.id("add-error")).isEmpty());
        assertThat(text("#add-error")).contains("exists already").contains("409");
        assertThat(browser.findElements(By.id("m2mgw-secret"))).isEmpty();
        assertChangesWereSameOriginJson();
    }

    @Test
    void devices_addARawPublicKeyOrCertificateDevice() {
        open(DevicesPage.LABEL, null);
        until("page", () -> !browser.findElements(By.id("add-device-open")).isEmpty());
        browser.findElement(By.id("add-device-open")).click();
        browser.findElement(By.id("add-id")).sendKeys("rpk-1");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("add-type"))).selectByValue("rpk");
        assertThat(browser.findElement(By.id("add-identity")).isDisplayed()).isFalse();
        browser.findElement(By.id("add-publicKey")).sendKeys("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\nAAAA");
        browser.findElement(By.id("add-submit")).click();
        until("added", () -> !browser.findElements(By.id("add-ok")).isEmpty());
        assertThat(gw.calls("POST", "/devices").get(0).json()).isEqualTo(FakeGateway.map("id", "rpk-1",
                "credential", FakeGateway.map("type", "rpk", "publicKey", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAAAA"),
                "enabled", true, "resources", DEFAULT_RESOURCES));
        assertThat(browser.findElements(By.id("m2mgw-secret"))).isEmpty();

        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("add-type"))).selectByValue("x509");
        browser.findElement(By.id("add-id")).sendKeys("cert-1");
        browser.findElement(By.id("add-issuer")).sendKeys("CN=Factory CA");
        browser.findElement(By.id("add-subject")).sendKeys("CN=cert-1");
        browser.findElement(By.id("add-submit")).click();
        until("second added", () -> gw.calls("POST", "/devices").size() == 2);
        assertThat(gw.calls("POST", "/devices").get(1).json()).isEqualTo(FakeGateway.map("id", "cert-1",
                "credential", FakeGateway.map("type", "x509", "issuer", "CN=Factory CA", "subject", "CN=cert-1"),
                "enabled", true, "resources", DEFAULT_RESOURCES));
    }

    @Test
    void devicePage_showsSessionsMessagesCounters_andItsActionsCallTheApi() {
        Map<String, Object> d = gw.addDevice("sensor-1", "psk", 17);
        d.put("connected", true);
        d.put("lastSeen", Instant.now().minusSeconds(5).toString());
        d.put("suite", "TLS_PSK_WITH_AES_128_CCM_8");
        d.put("protocol", "coaps");
        d.put("sessions", List.of(FakeGateway.map("device", "sensor-1", "protocol", "coaps", "address", "127.0.0.1:40001",
                "suite", "TLS_PSK_WITH_AES_128_CCM_8", "cid", "a1b2", "resumed", false, "since", Instant.now().toString(),
                "lastSeen", Instant.now().toString(), "bytesIn", 321, "bytesOut", 123)));
        d.put("recent", List.of(FakeGateway.map("time", Instant.now().toString(), "resource", "telemetry/temp", "bytes", 11,
                "contentFormat", 50, "accepted", true)));
        d.put("counters", FakeGateway.map("requests", 17, "macFailures", 0));

        open(DevicesPage.LABEL, "?id=sensor-1");
        until("sessions", () -> text("#device-sessions").contains("127.0.0.1:40001"));
        assertThat(text("#device-sessions")).contains("a1b2", "321", "123");
        assertThat(text("#device-recent")).contains("telemetry/temp", "50", "accepted");
        assertThat(text("#device-counters")).contains("requests", "17");
        assertThat(text("#device-state")).contains("enabled", "connected");

        browser.findElement(By.id("action-quarantine")).click();
        until("quarantined", () -> text("#device-state").contains("quarantined"));
        assertThat(gw.calls("POST", "/devices/sensor-1/quarantine").get(0).json())
                .isEqualTo(FakeGateway.map("seconds", 3600, "reason", "operator"));
        until("listed restriction", () -> text("#device-restrictions").contains("quarantine"));
        browser.findElement(By.cssSelector("#device-restrictions button.m2mgw-lift")).click();
        until("lifted", () -> text("#device-restrictions").contains("None."));
        assertThat(gw.calls("DELETE", "/restrictions/quarantine/sensor-1")).hasSize(1);

        browser.findElement(By.id("action-toggle")).click();
        until("disabled", () -> text("#action-toggle").equals("Enable"));
        assertThat(gw.calls("POST", "/devices/sensor-1/disable")).hasSize(1);
        browser.findElement(By.id("action-toggle")).click();
        until("enabled", () -> text("#action-toggle").equals("Disable"));

        browser.findElement(By.id("action-rotate")).click();
        until("next key shown", () -> !browser.findElements(By.cssSelector("#m2mgw-secret code.m2mgw-psk")).isEmpty());
        assertThat(text("#m2mgw-secret code.m2mgw-psk")).matches("[0-9a-f]{64}");
        assertThat(text("#m2mgw-secret code.m2mgw-psk-identity")).isEqualTo("sensor-1-2");
        assertThat(gw.calls("POST", "/devices/sensor-1/rotate").get(0).json()).isEqualTo(Map.of());

        browser.findElement(By.id("command-name")).sendKeys("reboot");
        browser.findElement(By.id("command-payload")).sendKeys("now");
        browser.findElement(By.id("action-command")).click();
        until("queued", () -> text("#commands-waiting").equals("1"));
        assertThat(gw.calls("POST", "/devices/sensor-1/commands").get(0).json())
                .isEqualTo(FakeGateway.map("name", "reboot", "payload", "now", "contentFormat", 0));
        assertChangesWereSameOriginJson();
    }

    // -------------------------------------------------------------------------- alerts

    @Test
    void alerts_newestFirst_filterAcknowledge_andLinkToTheDevice() {
        gw.addDevice("sensor-1", "psk", 1);
        gw.addAlert("a1", "handshake-failures", "sensor-1", "12 failed handshakes", Instant.now().minusSeconds(300));
        gw.addAlert("a2", "rate", "sensor-1", "300 requests/s", Instant.now().minusSeconds(60));
        gw.addAlert("a3", "handshake-failures", null, "from an unknown address", Instant.now());

        open(AlertsPage.LABEL, null);
        until("three alerts", () -> rows("alerts").size() == 3);
        assertThat(rows("alerts").get(0).getAttribute("data-alert")).isEqualTo("a3");
        assertThat(rows("alerts").get(2).getAttribute("data-alert")).isEqualTo("a1");
        assertThat(rows("alerts").get(0).getText()).contains("address 192.0.2.7");

        browser.findElement(By.id("alert-rule")).sendKeys("rate");
        browser.findElement(By.id("alert-filter")).click();
        until("filtered", () -> rows("alerts").size() == 1);
        assertThat(gw.calls("GET", "/alerts").stream().anyMatch(c -> "rate".equals(c.query().get("rule")))).isTrue();

        browser.findElement(By.cssSelector("#alerts button.m2mgw-ack")).click();
        until("acknowledged", () -> text("#alerts").contains("acknowledged"));
        assertThat(gw.calls("POST", "/alerts/a2/ack")).hasSize(1);
        assertThat(gw.calls("POST", "/alerts/a2/ack").get(0).json()).isEqualTo(Map.of());
        assertChangesWereSameOriginJson();

        browser.findElement(By.cssSelector("#alerts a.m2mgw-device-link")).click();
        wait.until(ExpectedConditions.urlContains("m2mgw-devices?id=sensor-1"));
        until("device page", () -> !browser.findElements(By.id("device-facts")).isEmpty());
    }

    @Test
    void alerts_openedFromADevice_showOnlyThatDevice() {
        gw.addAlert("a1", "rate", "sensor-1", "x", Instant.now());
        gw.addAlert("a2", "rate", "sensor-2", "y", Instant.now());
        open(AlertsPage.LABEL, "?device=sensor-2&acknowledged=false");
        until("one alert", () -> rows("alerts").size() == 1);
        assertThat(rows("alerts").get(0).getAttribute("data-alert")).isEqualTo("a2");
        assertThat(browser.findElement(By.id("alert-device")).getAttribute("value")).isEqualTo("sensor-2");
    }
}
