package org.m2mgw.support.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OriginCheckTest {

    /** A POST to a console served at {@code http://<host>}, with the given headers. */
    private static OriginCheck.Refusal post(String host, String origin, String referer) {
        return post(host, origin, referer, null);
    }

    private static OriginCheck.Refusal post(String host, String origin, String referer, String fetchSite) {
        return OriginCheck.check("POST", null, "http", host, "ignored.invalid", 1, origin, referer, fetchSite);
    }

    @Test
    void sameOrigin_isAllowed() {
        assertThat(post("127.0.0.1:8080", "http://127.0.0.1:8080", null)).isNull();
        assertThat(post("127.0.0.1:8080", null, "http://127.0.0.1:8080/system/console/configMgr?x=1#y")).isNull();
        assertThat(post("Gateway.Local:8080", "HTTP://gateway.local:8080", null)).isNull();
        assertThat(post("gateway.local.:8080", "http://gateway.local:8080", null)).isNull();
    }

    @Test
    void anotherOrigin_isRefused() {
        assertThat(post("127.0.0.1:8080", "http://evil.example", null)).isNotNull();
        assertThat(post("127.0.0.1:8080", null, "http://evil.example/page.html")).isNotNull();
        assertThat(post("127.0.0.1:8080", "http://127.0.0.1.evil.example:8080", null)).isNotNull();
        assertThat(post("127.0.0.1:8080", "http://localhost:8080", null))
                .as("another host name of the same machine is another origin").isNotNull();
        // The Origin decides when both are there, whatever the Referer says.
        assertThat(post("127.0.0.1:8080", "http://evil.example", "http://127.0.0.1:8080/system/console")).isNotNull();
        assertThat(post("127.0.0.1:8080", "http://127.0.0.1:8080", "http://evil.example/")).isNull();
    }

    @Test
    void portsAndSchemesMatter_andDefaultPortsAreFilledIn() {
        assertThat(post("127.0.0.1:8080", "http://127.0.0.1:8081", null)).isNotNull();
        assertThat(post("127.0.0.1:8080", "http://127.0.0.1", null)).isNotNull();
        assertThat(post("127.0.0.1:8080", "https://127.0.0.1:8080", null)).isNotNull();
        assertThat(post("gw.example", "http://gw.example:80", null)).isNull();
        assertThat(post("gw.example:80", "http://gw.example", null)).isNull();
        assertThat(post("gw.example", "https://gw.example", null)).as("scheme differs").isNotNull();
        assertThat(OriginCheck.check("POST", null, "https", "gw.example", "gw.example", 443,
                "https://gw.example:443", null, null)).isNull();
        assertThat(OriginCheck.check("POST", null, "https", "gw.example:443", "gw.example", 443,
                "https://gw.example", null, null)).isNull();
        assertThat(OriginCheck.check("POST", null, "https", "gw.example", "gw.example", 443,
                "http://gw.example", null, null)).isNotNull();
    }

    @Test
    void ipv6LiteralHosts() {
        assertThat(post("[::1]:8080", "http://[::1]:8080", null)).isNull();
        assertThat(post("[::1]:8080", "http://[0:0:0:0:0:0:0:1]:8080", null)).isNull();
        assertThat(post("[0:0:0:0:0:0:0:1]:8080", null, "http://[::1]:8080/system/console")).isNull();
        assertThat(post("[2001:DB8::1]", "http://[2001:db8:0:0::1]", null)).isNull();
        assertThat(post("[::1]:8080", "http://[::2]:8080", null)).isNotNull();
        assertThat(post("[::1]:8080", "http://[::1]:8081", null)).isNotNull();
        assertThat(post("[::1]:8080", "http://[::1]", null)).isNotNull();
        // The container's bare IPv6 server name, when there is no Host header.
        assertThat(OriginCheck.check("POST", null, "http", null, "0:0:0:0:0:0:0:1", 8080,
                "http://[::1]:8080", null, null)).isNull();
        assertThat(OriginCheck.normalize("http://[::1", true)).isNull();
        assertThat(OriginCheck.normalize("http://[evil.example]", true)).as("never resolved").isNull();
        assertThat(OriginCheck.normalize("http://[::1]x", true)).isNull();
        assertThat(OriginCheck.compress("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(OriginCheck.compress("1:0:2:0:3:0:4:0")).isEqualTo("1:0:2:0:3:0:4:0");
    }

    @Test
    void nullAndMalformedOrigins_areRefused() {
        assertThat(post("127.0.0.1:8080", "null", null)).as("opaque origin: sandboxed frame, data: URL").isNotNull();
        assertThat(post("127.0.0.1:8080", "null", "http://127.0.0.1:8080/")).isNotNull();
        assertThat(post("127.0.0.1:8080", "", null)).isNotNull();
        assertThat(post("127.0.0.1:8080", "http://127.0.0.1:8080 http://evil.example", null))
                .as("a list of origins").isNotNull();
        assertThat(post("127.0.0.1:8080", "http://127.0.0.1:8080/path", null)).isNotNull();
        assertThat(post("127.0.0.1:8080", "http://admin@127.0.0.1:8080", null)).isNotNull();
        assertThat(post("127.0.0.1:8080", "file://", null)).isNotNull();
        assertThat(post("127.0.0.1:8080", "chrome-extension://abc", null)).isNotNull();
        assertThat(post("127.0.0.1:8080", "http://127.0.0.1:99999", null)).isNotNull();
        assertThat(post("127.0.0.1:8080", "http://127.0.0.1:80x", null)).isNotNull();
        assertThat(post("127.0.0.1:8080", null, "about:blank")).isNotNull();
        assertThat(post("127.0.0.1:8080", null, "not a url")).isNotNull();
        // Browsers drop the user info from a Referer; if a client sends it, it changes nothing.
        assertThat(post("127.0.0.1:8080", null, "http://u:p@127.0.0.1:8080/x")).isNull();
        // An absent or malformed Host header never matches anything.
        assertThat(OriginCheck.check("POST", null, "http", "", null, -1, "http://127.0.0.1", null, null)).isNotNull();
    }

    @Test
    void withoutOriginOrReferer_scriptsPass_butBrowsersSayingCrossSiteDoNot() {
        assertThat(post("127.0.0.1:8080", null, null)).as("curl, the itests, the benchmarks").isNull();
        assertThat(post("127.0.0.1:8080", null, "  ")).as("blank Referer counts as none").isNull();
        assertThat(post("127.0.0.1:8080", null, null, "cross-site")).isNotNull();
        assertThat(post("127.0.0.1:8080", null, null, "same-site")).as("another port of this host").isNotNull();
        assertThat(post("127.0.0.1:8080", null, null, "same-origin")).isNull();
        assertThat(post("127.0.0.1:8080", null, null, "none")).isNull();
    }

    @Test
    void readsAreNotChecked_exceptTheConfigEditorsGetAsPost() {
        for (String m : new String[] {"GET", "HEAD", "OPTIONS"}) {
            assertThat(OriginCheck.check(m, "a=1", "http", "127.0.0.1:8080", "127.0.0.1", 8080,
                    "http://evil.example", "http://evil.example/", "cross-site")).as(m).isNull();
        }
        for (String m : new String[] {"POST", "PUT", "DELETE", "PATCH", "TRACE", "post", "FOO"}) {
            assertThat(OriginCheck.changesState(m, null)).as(m).isTrue();
        }
        // Felix's ConfigManager runs doPost for GET ...?post=true (its editor reads forms so).
        assertThat(OriginCheck.changesState("GET", "post=true&apply=true")).isTrue();
        assertThat(OriginCheck.changesState("HEAD", "x=1&post=true")).isTrue();
        assertThat(OriginCheck.changesState("GET", "%70ost=true")).isTrue();
        assertThat(OriginCheck.changesState("GET", "post")).isTrue();
        assertThat(OriginCheck.changesState("GET", "bad=%zz&post=true")).isTrue();
        assertThat(OriginCheck.changesState("GET", "%zz=1")).as("undecodable: assume the worst").isTrue();
        assertThat(OriginCheck.changesState("GET", "poster=1&repost=true&x=post")).isFalse();
        assertThat(OriginCheck.changesState("GET", "")).isFalse();

        String q = "post=true&apply=true&broker.url=tcp://evil.example";
        assertThat(OriginCheck.check("GET", q, "http", "127.0.0.1:8080", "127.0.0.1", 8080,
                null, "http://evil.example/", null)).isNotNull();
        assertThat(OriginCheck.check("GET", q, "http", "127.0.0.1:8080", "127.0.0.1", 8080,
                null, null, null)).as("an <img> with no-referrer: no proof of origin").isNotNull();
        assertThat(OriginCheck.check("GET", "post=true", "http", "127.0.0.1:8080", "127.0.0.1", 8080,
                null, "http://127.0.0.1:8080/system/console/configMgr", null)).as("the editor itself").isNull();
        assertThat(OriginCheck.check("GET", "post=true", "http", "127.0.0.1:8080", "127.0.0.1", 8080,
                null, null, "same-origin")).isNull();
    }

    @Test
    void theContainersServerNameCountsToo() {
        // Behind a proxy that the container trusts, the derived name may differ from Host.
        assertThat(OriginCheck.check("POST", null, "https", "10.0.0.5:8080", "gw.example", 443,
                "https://gw.example", null, null)).isNull();
        assertThat(OriginCheck.check("POST", null, "https", "10.0.0.5:8080", "gw.example", 443,
                "https://evil.example", null, null)).isNotNull();
    }

    @Test
    void refusalsDoNotEchoTheOriginInTheirReason() {
        OriginCheck.Refusal r = post("127.0.0.1:8080", "http://<script>.example", null);
        assertThat(r.reason()).doesNotContain("script");
        assertThat(r.source()).contains("script"); // for the (sanitised) log line only
    }
}
