package org.m2mgw.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.support.http.AdminPasswordFile;

/** The provider's decisions on requests, with the servlet API faked by proxies. */
class ConsoleSecurityProviderTest {
    @TempDir
    Path dir;
    private ConsoleSecurityProvider provider;
    private String password;

    /** What the provider did to a response. */
    static final class Answer {
        int status = -1;
        String message;
        final Map<String, String> headers = new HashMap<>();
    }

    @BeforeEach
    void start() throws IOException {
        GatewayRuntime runtime = org.m2mgw.support.testing.TestRuntime.on(dir, "test");
        provider = new ConsoleSecurityProvider(runtime);
        password = Files.readString(dir.resolve("console").resolve(AdminPasswordFile.FILE_NAME)).strip();
    }

    private static HttpServletRequest request(String method, String remote, String user, String pw,
            String... headers) {
        Map<String, String> h = new HashMap<>();
        h.put("host", "127.0.0.1:8080");
        if (user != null) {
            h.put("authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + pw).getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < headers.length; i += 2) {
            h.put(headers[i].toLowerCase(), headers[i + 1]);
        }
        return (HttpServletRequest) Proxy.newProxyInstance(ConsoleSecurityProviderTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getHeader" -> h.get(((String) args[0]).toLowerCase());
                    case "getScheme" -> "http";
                    case "getServerName" -> "127.0.0.1";
                    case "getServerPort" -> 8080;
                    case "getRemoteAddr" -> remote;
                    case "getRequestURI" -> "/system/console/configMgr/x";
                    case "getQueryString" -> null;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private static HttpServletResponse response(Answer a) {
        return (HttpServletResponse) Proxy.newProxyInstance(ConsoleSecurityProviderTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "sendError" -> {
                            a.status = (Integer) args[0];
                            a.message = args.length > 1 ? (String) args[1] : null;
                        }
                        case "setHeader" -> a.headers.put((String) args[0], (String) args[1]);
                        default -> throw new UnsupportedOperationException(m.getName());
                    }
                    return null;
                });
    }

    private Object authenticate(HttpServletRequest r, Answer a) {
        return provider.authenticate(r, response(a));
    }

    @Test
    void crossOriginPost_isRefusedBeforeTheCredentialsAreLookedAt() {
        Answer a = new Answer();
        assertThat(authenticate(request("POST", "10.0.0.1", "admin", password, "Origin", "http://evil.example"), a))
                .isNull();
        assertThat(a.status).isEqualTo(403);
        assertThat(a.message).doesNotContain("evil");
        assertThat(a.headers).doesNotContainKey("WWW-Authenticate");

        // Wrong credentials from another origin are not counted as failed logins either.
        for (int i = 0; i < 10; i++) {
            authenticate(request("POST", "10.0.0.1", "admin", "guess", "Origin", "http://evil.example"), new Answer());
        }
        assertThat(provider.failures()).isZero();
        assertThat(provider.counters()).containsEntry("crossorigin.refused", 11L);

        Answer ok = new Answer();
        assertThat(authenticate(request("POST", "10.0.0.1", "admin", password, "Origin", "http://127.0.0.1:8080"), ok))
                .isEqualTo("admin");
        assertThat(ok.status).isEqualTo(-1);
        assertThat(authenticate(request("POST", "10.0.0.1", "admin", password), new Answer()))
                .as("a script without Origin").isEqualTo("admin");
        assertThat(authenticate(request("GET", "10.0.0.1", "admin", password, "Referer", "http://evil.example/"),
                new Answer())).as("reading").isEqualTo("admin");
    }

    @Test
    void repeatedWrongPasswords_get429WithRetryAfter_thenTheRightOneWorksAgainLater() {
        for (int i = 0; i < 5; i++) {
            Answer a = new Answer();
            assertThat(authenticate(request("GET", "10.0.0.2", "admin", "guess-" + i), a)).isNull();
            assertThat(a.status).isEqualTo(401);
            assertThat(a.headers.get("WWW-Authenticate")).startsWith("Basic realm=");
        }
        Answer locked = new Answer();
        assertThat(authenticate(request("GET", "10.0.0.2", "admin", password), locked)).isNull();
        assertThat(locked.status).isEqualTo(429);
        assertThat(locked.headers.get("Retry-After")).isEqualTo("2");
        assertThat(provider.counters()).containsEntry("login.throttled", 1L).containsEntry("login.refused", 5L)
                .containsEntry("login.backoff.addresses", 1L);

        assertThat(authenticate(request("GET", "10.0.0.3", "admin", password), new Answer()))
                .as("another address").isEqualTo("admin");
        Answer anonymous = new Answer();
        authenticate(request("GET", "10.0.0.2", null, null), anonymous);
        assertThat(anonymous.status).as("no credentials: the usual challenge").isEqualTo(401);
    }

    @Test
    void statusNamesTheProvider() {
        assertThat(provider.statusName()).isEqualTo("console");
        assertThat(provider.statusLine()).contains("no address in login back-off");
        assertThat(provider.counters()).containsKeys("login.refused", "login.throttled", "crossorigin.refused");
    }
}
