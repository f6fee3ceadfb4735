package org.m2mgw.operator.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ConsolePageTest {

    private static String resource(String name) throws IOException {
        // As the web console looks a plugin's resource up: through the plugin's class, from the bundle root.
        try (InputStream in = DashboardPage.class.getResourceAsStream("/res/" + name)) {
            assertThat(in).as("res/" + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<String> pageFiles() {
        List<String> all = new ArrayList<>(ConsolePage.SCRIPTS);
        all.add(ConsolePage.STYLE);
        return all;
    }

    @Test
    void givenAPage_whenRendered_thenItLoadsEveryScriptFromTheBundleUnderItsOwnLabel() throws IOException {
        String html = ConsolePage.fragment("/system/console", DevicesPage.LABEL, "devices");

        assertThat(html).contains("data-page='devices'", "data-api='/m2mgw/api/v1'",
                "data-app-root='/system/console'", "<noscript>",
                "href='/system/console/m2mgw-devices/res/m2mgw-console.css'");
        int last = -1;
        for (String s : ConsolePage.SCRIPTS) {
            int at = html.indexOf("<script src='/system/console/m2mgw-devices/res/" + s + "'></script>");
            assertThat(at).as(s + " in order").isGreaterThan(last);
            last = at;
            resource(s);
        }
        resource(ConsolePage.STYLE);
    }

    @Test
    void givenAHostileAppRoot_whenRendered_thenItStaysInsideItsAttribute() {
        String html = ConsolePage.fragment("/x'><script>alert(1)</script>", AlertsPage.LABEL, "alerts");

        assertThat(html).doesNotContain("<script>alert(1)").contains("/x&#39;&gt;&lt;script&gt;");
    }

    @Test
    void givenThePagesScripts_thenNoneWritesMarkupOrEvaluatesText() throws IOException {
        // Device ids and alert reasons come from the field: data goes in as text nodes only.
        Pattern forbidden = Pattern.compile(
                "innerHTML|outerHTML|insertAdjacentHTML|document\\.write|\\beval\\s*\\(|new\\s+Function|setTimeout\\(\\s*['\"]"
                        + "|\\.html\\(|createContextualFragment|DOMParser");
        for (String s : ConsolePage.SCRIPTS) {
            Matcher m = forbidden.matcher(resource(s));
            assertThat(m.find()).as(s + " uses " + (m.hitEnd() ? "" : m.group())).isFalse();
        }
    }

    @Test
    void givenThePagesFiles_thenNothingIsLoadedFromAnotherHost() throws IOException {
        // No CDN, no web font, no analytics: the gateway may have no internet, and must not leak.
        Pattern url = Pattern.compile("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}[/:'\"]|@import|url\\(");
        for (String s : pageFiles()) {
            Matcher m = url.matcher(resource(s).replace("'http://www.w3.org/2000/svg'", "''"));
            List<String> found = new ArrayList<>();
            while (m.find()) {
                found.add(m.group());
            }
            assertThat(found).as(s).isEmpty();
        }
    }

    @Test
    void givenStateChangingCalls_thenTheyAreSentAsJsonToTheApiOnThisOrigin() throws IOException {
        String common = resource("m2mgw-console.js");

        assertThat(common).contains("fetch(location.origin + M.apiBase + path", "'Content-Type'] = 'application/json'",
                "credentials: 'same-origin'");
        for (String s : List.of("m2mgw-dashboard.js", "m2mgw-devices.js", "m2mgw-alerts.js", "m2mgw-charts.js")) {
            assertThat(resource(s)).as(s + " calls the API through M.api only").doesNotContain("fetch(", "XMLHttpRequest");
        }
    }

    @Test
    void givenThePages_thenNoneShowsPayloads() throws IOException {
        assertThat(resource("m2mgw-devices.js")).doesNotContain(".payload")
                .contains("Metadata only; payloads are not shown.");
    }
}
