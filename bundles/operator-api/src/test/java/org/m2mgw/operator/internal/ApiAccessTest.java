package org.m2mgw.operator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's access rules applied to the API: origin first, then Basic with the back-off. */
class ApiAccessTest {
    @TempDir
    Path dir;

    private static ApiAccess.Call call(String method, String origin, String auth, String remote) {
        return new ApiAccess.Call(method, null, "http", "127.0.0.1:8080", "127.0.0.1", 8080, origin, null, null, auth,
                remote);
    }

    private static String basic(String user, String pw) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + pw).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void givenTheConsolePassword_thenOnlyItOpensTheApi_andCrossOriginChangesAreRefusedFirst() throws Exception {
        ApiAccess access = new ApiAccess(dir);
        assertThat(access.check(call("GET", null, null, "127.0.0.1")).error().status()).isEqualTo(401);
        // The first login makes the file where no console did.
        assertThat(access.check(call("GET", null, basic("admin", "x"), "192.0.2.1")).error().status()).isEqualTo(401);
        String password = Files.readString(dir.resolve("admin-password")).strip();
        ApiAccess.Refusal none = access.check(call("GET", null, null, "127.0.0.1"));
        assertThat(none.header()).isEqualTo("WWW-Authenticate");
        assertThat(none.value()).startsWith("Basic realm=\"m2mgw gateway console\"");
        assertThat(access.check(call("GET", null, basic("admin", password), "127.0.0.1"))).isNull();
        assertThat(access.check(call("POST", "http://127.0.0.1:8080", basic("admin", password), "127.0.0.1"))).isNull();
        ApiAccess.Refusal forged = access.check(call("POST", "http://evil.example", basic("admin", password),
                "127.0.0.1"));
        assertThat(forged.error().status()).isEqualTo(403);
        assertThat(access.check(call("GET", null, basic("admin", password + "x"), "127.0.0.1")).error().status())
                .isEqualTo(401);
        assertThat(access.check(call("GET", null, basic("root", password), "127.0.0.1")).error().status())
                .isEqualTo(401);
    }

    @Test
    void givenRepeatedWrongPasswords_thenTheAddressIsThrottledWith429() throws Exception {
        ApiAccess access = new ApiAccess(dir);
        for (int i = 0; i < 5; i++) {
            assertThat(access.check(call("GET", null, basic("admin", "guess" + i), "192.0.2.9")).error().status())
                    .isEqualTo(401);
        }
        ApiAccess.Refusal r = access.check(call("GET", null, basic("admin", "guess"), "192.0.2.9"));
        assertThat(r.error().status()).isEqualTo(429);
        assertThat(r.header()).isEqualTo("Retry-After");
        String password = Files.readString(dir.resolve("admin-password")).strip();
        assertThat(access.check(call("GET", null, basic("admin", password), "127.0.0.1"))).as("other address").isNull();
    }
}
