package org.m2mgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.device.Device;

/** The web console page "Device keys": the list, and rotate, rotate-rpk, promote and cancel from the browser. */
class DeviceKeysPluginTest extends RegistryTestSupport {
    private static final Instant T0 = KeyRolloverTest.T0;
    private static final Pattern NEXT_KEY = Pattern.compile("<code id='next-key'>([0-9a-f]+)</code>");
    private static final String PAGE = "/system/console/" + DeviceKeysPlugin.LABEL;

    private DeviceRegistryComponent registry;
    private DeviceKeysPlugin plugin;
    private MutableClock clock;
    private byte[] currentRpk;

    private void startWithDevices() throws Exception {
        clock = new MutableClock(T0);
        registry = start(clock);
        plugin = new DeviceKeysPlugin(registry);
        registry.put(KeyRolloverTest.sensor("s1"), SECRET_1);
        currentRpk = p256PublicKey();
        registry.put(Device.builder("m1").publicKey(currentRpk).build(), null);
    }

    // ---------------------------------------------------------------- the list

    @Test
    void givenDevices_whenTheListIsShown_thenEachHasItsCredentialsKeyAgeRolloverAndTheFormsThatFit()
            throws Exception {
        startWithDevices();
        registry.put(Device.builder("x1").certificateSubject("CN=x1").certificateIssuer("CN=Test CA")
                .certificateSha256(new byte[32]).build(), null);
        registry.startRollover("m1", null, null, p256PublicKey(), Instant.parse("2026-06-08T10:00:00Z"));
        clock.advance(Duration.ofDays(3));

        Reply page = get();

        assertThat(page.status).isEqualTo(200);
        assertThat(page.contentType).startsWith("text/html");
        assertThat(page.body).contains("3 device(s), 1 key rollover(s) under way");
        String s1 = row(page.body, "s1");
        assertThat(s1).contains("PSK <small>identity 's1'</small>").contains("age 3d")
                .contains("<td>-</td>").contains("value='rotate'").contains("Rotate PSK")
                .doesNotContain("Set next public key").doesNotContain("Promote now");
        String m1 = row(page.body, "m1");
        assertThat(m1).contains("RAW_PUBLIC_KEY <small>SHA-256 <code>" + sha256Hex(currentRpk) + "</code>")
                .contains("next public key <small>SHA-256 <code>")
                .contains("deadline 2026-06-08T10:00:00Z <small>(in 4d)</small>")
                .contains("Promote now").contains("Cancel rotation").doesNotContain("Rotate PSK");
        String x1 = row(page.body, "x1");
        assertThat(x1).contains("X509 <small>subject 'CN=x1'</small>").endsWith("<td>-</td></tr>");
    }

    @Test
    void givenEdhocDevices_whenTheListIsShown_thenTheKindAndKidOrCertificateSubjectAreShownButNotTheCcs()
            throws Exception {
        startWithDevices();
        byte[] ccs = EdhocCredentialTest.CCS_1;
        registry.put(Device.builder("e1").edhocCredential(org.m2mgw.api.device.EdhocCredential.ccs(new byte[] {0x2b},
                ccs)).build(), null);
        registry.put(Device.builder("e2").edhocCredential(org.m2mgw.api.device.EdhocCredential.x509(
                EdhocCredentialTest.der("edhoc-device-1.pem"))).build(), null);

        Reply page = get();

        assertThat(row(page.body, "e1")).contains("EDHOC-CCS <small>kid <code>2b</code></small>")
                .endsWith("<td>-</td></tr>");
        assertThat(row(page.body, "e2")).contains("EDHOC-X509 <small>subject '"
                + EdhocCredentialTest.SUBJECT_1 + "'</small>");
        assertThat(page.body).doesNotContain(HexFormat.of().formatHex(ccs));
    }

    @Test
    void givenAnRpkDeviceAndAHostileIdentity_whenShown_thenTheRpkFormIsThereAndEverythingIsEscaped() throws Exception {
        startWithDevices();
        registry.put(KeyRolloverTest.sensor("evil").toBuilder().pskIdentity("<img src=x onerror=alert('1')>").build(),
                SECRET_2);

        Reply page = get();

        assertThat(row(page.body, "m1")).contains("<summary>Set next public key</summary>")
                .contains("<textarea name='publicKey'").contains("value='rotate-rpk'");
        assertThat(page.body).doesNotContain("<img").contains("identity '&lt;img src=x onerror=alert(&#39;1&#39;)&gt;'");
    }

    @Test
    void givenAReadOnlyRegistry_thenTheListSaysWhy_andAChangeIsRefused() throws Exception {
        startWithDevices();
        byte[] stored = Files.readAllBytes(registryDir().resolve(RegistryStore.STORE_FILE));
        stored[stored.length - 1] ^= 1;
        Files.write(registryDir().resolve(RegistryStore.STORE_FILE), stored);
        DeviceRegistryComponent[] readOnly = new DeviceRegistryComponent[1];
        RegistryStoreTest.captureStderr(() -> readOnly[0] = start(clock));
        DeviceKeysPlugin page = new DeviceKeysPlugin(readOnly[0]);
        assertThat(readOnly[0].readOnlyReason()).isPresent();

        assertThat(get(page).body).contains("<p class='ui-state-error' id='read-only'>The device registry is "
                + "read-only: ").contains("0 device(s)");
        Reply refused = post(page, Map.of("action", "rotate", "device", "s1"));
        assertThat(refused.status).isEqualTo(400);
        assertThat(refused.body).contains("Error: no device &#39;s1&#39;").contains("Nothing was changed.");
        assertThat(Files.readAllBytes(registryDir().resolve(RegistryStore.STORE_FILE))).isEqualTo(stored);
    }

    // ---------------------------------------------------------------- rotate

    @Test
    void givenRotate_thenTheNewIdentityAndKeyAreShownOnce_registeredAsNext_neverLogged_andNotShownAgain()
            throws Exception {
        startWithDevices();

        Reply[] reply = new Reply[1];
        String log = RegistryStoreTest.captureStderr(() -> reply[0] = post(Map.of("action", "rotate", "device", "s1")));

        Reply r = reply[0];
        assertThat(r.status).isEqualTo(200);
        assertThat(r.headers).containsEntry("Cache-Control", "no-store").containsEntry("Pragma", "no-cache");
        assertThat(r.body).startsWith("<!DOCTYPE html>").contains("Device 's1': PSK rollover started.")
                .contains("<code id='next-identity'>s1-k1</code>")
                .contains("<strong>The key is shown only this once.</strong> It is not shown again")
                .contains("it is never logged")
                .contains("Both credentials are accepted until the device&#39;s first handshake with the new one")
                .contains("<a href='" + PAGE + "'>Back to Device keys</a>");
        Matcher m = NEXT_KEY.matcher(r.body);
        assertThat(m.find()).isTrue();
        String hex = m.group(1);
        byte[] key = HexFormat.of().parseHex(hex);
        assertThat(key).hasSize(DeviceRegistryComponent.ROTATED_KEY_BYTES).isNotEqualTo(new byte[32]);
        assertThat(m.find()).as("the key appears once").isFalse();
        assertThat(r.body.split(hex, -1)).hasSize(2);

        assertThat(registry.device("s1").orElseThrow().nextPskIdentity()).hasValue("s1-k1");
        assertThat(registry.pskSecret("s1-k1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(key));
        assertThat(registry.pskSecret("s1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        assertThat(log).contains("key rollover started, next PSK identity 's1-k1'").doesNotContain(hex)
                .doesNotContain(hex.toUpperCase()).doesNotContain(Base64.getEncoder().encodeToString(key));

        Reply list = get();
        assertThat(list.body).doesNotContain(hex);
        assertThat(row(list.body, "s1")).contains("next PSK identity 's1-k1'").contains("no deadline")
                .contains("Promote now").doesNotContain("Rotate PSK");
        assertThat(new DeviceCommands(registry).deviceshow("s1")).doesNotContain(hex);

        Reply again = post(Map.of("action", "rotate", "device", "s1"));
        assertThat(again.status).isEqualTo(400);
        assertThat(again.body).contains("Error: device &#39;s1&#39; already has a key rollover under way (next PSK "
                + "identity &#39;s1-k1&#39;)").doesNotContain("next-key");
        assertThat(registry.pskSecret("s1-k1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(key));
    }

    @Test
    void givenRotateWithADeadline_thenItIsSet_andTheShellAndThePageNumberIdentitiesAlike() throws Exception {
        startWithDevices();

        Reply r = post(Map.of("action", "rotate", "device", "s1", "deadline", " 2026-06-08T12:00:00+02:00 "));

        assertThat(r.status).isEqualTo(200);
        assertThat(r.body).contains("at 2026-06-08T10:00:00Z the new one replaces the old one even if unused");
        assertThat(registry.device("s1").orElseThrow().rolloverDeadline()).hasValue(Instant.parse("2026-06-08T10:00:00Z"));
        assertThat(post(Map.of("action", "promote", "device", "s1")).status).isEqualTo(200);
        assertThat(new DeviceCommands(registry).rotate("s1")).startsWith("Device 's1': next PSK identity 's1-k2'");
        assertThat(post(Map.of("action", "cancel-rotation", "device", "s1")).status).isEqualTo(200);
        assertThat(post(Map.of("action", "rotate", "device", "s1")).body).contains("<code id='next-identity'>s1-k2</code>");
    }

    @Test
    void givenBadRotateInput_thenAClearErrorAndNothingChanges() throws Exception {
        startWithDevices();
        Device s1 = registry.device("s1").orElseThrow();
        Device m1 = registry.device("m1").orElseThrow();

        assertError(post(Map.of("action", "rotate", "device", "nope")), 400, "Error: no device &#39;nope&#39;");
        assertError(post(Map.of("action", "rotate", "device", "<script>alert(1)</script>")), 400,
                "Error: no device &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39;");
        assertError(post(Map.of("action", "rotate")), 400, "Error: no device given");
        assertError(post(Map.of("action", "rotate", "device", "m1")), 400,
                "Error: device &#39;m1&#39; has no pre-shared key");
        assertError(post(Map.of("action", "rotate", "device", "s1", "deadline", "tomorrow")), 400,
                "Error: deadline &#39;tomorrow&#39; is not an ISO-8601 instant (e.g. 2026-12-31T23:00:00Z)");
        assertError(post(Map.of("action", "rotate", "device", "s1", "deadline", "2026-05-01T00:00:00Z")), 400,
                "Error: device &#39;s1&#39;: the rollover deadline 2026-05-01T00:00:00Z is not in the future");
        assertError(post(Map.of("action", "rotate-everything", "device", "s1")), 400,
                "Error: unknown action &#39;rotate-everything&#39;");

        assertThat(registry.device("s1")).hasValue(s1);
        assertThat(registry.device("m1")).hasValue(m1);
        assertThat(registry.byPskIdentity("s1-k1")).isEmpty();
    }

    @Test
    void givenAGetWithTheParametersOfAChange_thenNothingChanges() throws Exception {
        startWithDevices();

        Reply page = get(plugin, Map.of("action", "rotate", "device", "s1"));

        assertThat(page.status).isEqualTo(200);
        assertThat(page.body).doesNotContain("next-key");
        assertThat(registry.device("s1").orElseThrow().rolloverPending()).isFalse();
    }

    // ---------------------------------------------------------------- rotate-rpk

    @Test
    void givenANextPublicKeyAsBase64OrPem_thenItIsRegistered() throws Exception {
        startWithDevices();
        byte[] next = p256PublicKey();

        Reply r = post(Map.of("action", "rotate-rpk", "device", "m1", "publicKey", "base64:" + b64(next)));

        assertThat(r.status).isEqualTo(200);
        assertThat(r.body).contains("Device &#39;m1&#39;: next raw public key SHA-256 " + sha256Hex(next) + " registered.");
        assertThat(registry.byPublicKey(next)).map(Device::deviceId).hasValue("m1");
        assertThat(registry.byPublicKey(currentRpk)).map(Device::deviceId).hasValue("m1");
        assertThat(post(Map.of("action", "cancel-rotation", "device", "m1")).body)
                .contains("key rollover cancelled, next raw public key SHA-256 " + sha256Hex(next) + " dropped");

        byte[] fromPem = ed25519PublicKey();
        String pem = "-----BEGIN PUBLIC KEY-----\r\n"
                + Base64.getMimeEncoder(64, new byte[] {'\r', '\n'}).encodeToString(fromPem) + "\r\n-----END PUBLIC KEY-----\r\n";
        Reply fromText = post(Map.of("action", "rotate-rpk", "device", "m1", "publicKey", pem,
                "deadline", "2026-07-01T00:00:00Z"));

        assertThat(fromText.status).isEqualTo(200);
        Device m1 = registry.device("m1").orElseThrow();
        assertThat(m1.nextPublicKey()).hasValueSatisfying(k -> assertThat(k).isEqualTo(fromPem));
        assertThat(m1.rolloverDeadline()).hasValue(Instant.parse("2026-07-01T00:00:00Z"));
    }

    @Test
    void givenABadNextPublicKey_thenAClearErrorThatDoesNotRepeatTheText_andNothingChanges() throws Exception {
        startWithDevices();
        Device m1 = registry.device("m1").orElseThrow();
        String privateKey = "-----BEGIN PRIVATE KEY-----\nTUlJQ2VRSUJBREFOQmdrcWhraUc5dzBC\n-----END PRIVATE KEY-----\n";

        assertError(rpk("m1", privateKey), 400, "Error: that is a private key: paste the public key only");
        assertThat(rpk("m1", privateKey).body).doesNotContain("TUlJQ2VRSUJBREFOQmdrcWhraUc5dzBC");
        assertError(rpk("m1", testCaPem()), 400,
                "Error: the key text is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
        assertError(rpk("m1", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"), 400,
                "Error: the key text has no -----END PUBLIC KEY----- line");
        assertError(rpk("m1", "not*base64*secret"), 400,
                "Error: the key text is neither a PEM public key (-----BEGIN PUBLIC KEY-----) nor base64");
        assertThat(rpk("m1", "not*base64*secret").body).doesNotContain("secret");
        assertError(rpk("m1", "  "), 400, "Error: no public key given");
        assertError(post(Map.of("action", "rotate-rpk", "device", "m1")), 400, "Error: no public key given");
        assertError(rpk("m1", b64(new byte[] {1, 2, 3})), 400, "Error: device &#39;m1&#39;: next.publicKey is not a "
                + "P-256 or Ed25519 public key (DER SubjectPublicKeyInfo)");
        assertError(rpk("m1", b64(currentRpk)), 400, "Error: device &#39;m1&#39;: next.publicKey must differ from rpk");
        // a file name is text like any other, never read
        assertError(rpk("m1", "/etc/passwd"), 400, "next.publicKey is not a P-256 or Ed25519 public key");
        assertError(rpk("s1", b64(p256PublicKey())), 400,
                "Error: device &#39;s1&#39; has no raw public key; for a pre-shared key use &quot;Rotate PSK&quot;");
        assertError(rpk("nope", b64(p256PublicKey())), 400, "Error: no device &#39;nope&#39;");
        assertError(post(Map.of("action", "rotate-rpk", "device", "m1", "publicKey", b64(p256PublicKey()),
                "deadline", "31/12/2026")), 400, "Error: deadline &#39;31/12/2026&#39; is not an ISO-8601 instant");

        assertThat(registry.device("m1")).hasValue(m1);
    }

    // ---------------------------------------------------------------- promote and cancel

    @Test
    void givenARolloverUnderWay_whenPromotedNow_thenTheNextCredentialIsCurrentAndTheOldOneRetired() throws Exception {
        startWithDevices();
        String hex = NEXT_KEY.matcher(post(Map.of("action", "rotate", "device", "s1")).body).results()
                .findFirst().orElseThrow().group(1);

        Reply[] reply = new Reply[1];
        String log = RegistryStoreTest.captureStderr(() -> reply[0] = post(Map.of("action", "promote", "device", "s1")));

        Reply r = reply[0];
        assertThat(r.status).isEqualTo(200);
        assertThat(log).contains("Device 's1': key rollover done, its next PSK identity 's1-k1' is now current and "
                + "PSK identity 's1' is retired (forced from the web console)").doesNotContain(hex);
        assertThat(r.body).contains("Device &#39;s1&#39;: next PSK identity &#39;s1-k1&#39; is now current; "
                + "PSK identity &#39;s1&#39; is retired.").doesNotContain(hex);
        Device s1 = registry.device("s1").orElseThrow();
        assertThat(s1.pskIdentity()).hasValue("s1-k1");
        assertThat(s1.rolloverPending()).isFalse();
        assertThat(registry.pskSecret("s1")).isEmpty();
        assertThat(registry.pskSecret("s1-k1")).hasValueSatisfying(k -> assertThat(HexFormat.of().formatHex(k)).isEqualTo(hex));

        Reply again = post(Map.of("action", "promote", "device", "s1"));
        assertThat(again.status).isEqualTo(200);
        assertThat(again.body).contains("Device &#39;s1&#39; has no key rollover under way; nothing was changed.");
        assertError(post(Map.of("action", "promote", "device", "nope")), 400, "Error: no device &#39;nope&#39;");
        assertThat(registry.device("s1")).hasValue(s1);
    }

    @Test
    void givenARolloverUnderWay_whenCancelled_thenTheNextCredentialIsDroppedAndTheCurrentOneStays() throws Exception {
        startWithDevices();
        byte[] next = p256PublicKey();
        registry.startRollover("m1", null, null, next, null);

        Reply r = post(Map.of("action", "cancel-rotation", "device", "m1"));

        assertThat(r.status).isEqualTo(200);
        assertThat(r.body).contains("Device &#39;m1&#39;: key rollover cancelled, next raw public key SHA-256 "
                + sha256Hex(next) + " dropped; the current credential stays.");
        assertThat(registry.device("m1").orElseThrow().rolloverPending()).isFalse();
        assertThat(registry.byPublicKey(next)).isEmpty();
        assertThat(registry.byPublicKey(currentRpk)).isPresent();
        assertThat(post(Map.of("action", "cancel-rotation", "device", "m1")).body)
                .contains("Device &#39;m1&#39; has no key rollover under way; nothing was changed.");
        assertError(post(Map.of("action", "cancel-rotation", "device", "nope")), 400, "Error: no device &#39;nope&#39;");
    }

    @Test
    void givenTheConsoleSaysWhereItIs_thenTheAnswerUsesItsStyleSheetsAndLinksBackToThePage() throws Exception {
        startWithDevices();
        Map<String, Object> attributes = Map.of("felix.webconsole.appRoot", "/system/console",
                "felix.webconsole.pluginRoot", "/system/console/m2mgw-keys");

        Reply r = exchange(plugin, "POST", Map.of("action", "promote", "device", "s1"), attributes);

        assertThat(r.body).contains("<link href='/system/console/res/ui/webconsole.css' rel='stylesheet'")
                .contains("<a href='/system/console/m2mgw-keys'>Back to Device keys</a>");
    }

    // ---------------------------------------------------------------- helpers

    private void assertError(Reply r, int status, String message) {
        assertThat(r.status).as(r.body).isEqualTo(status);
        assertThat(r.body).contains("<p class='ui-state-error' id='error'>").contains(message)
                .contains("Nothing was changed.").doesNotContain("next-key");
    }

    private Reply rpk(String device, String key) {
        return post(Map.of("action", "rotate-rpk", "device", device, "publicKey", key));
    }

    private static String row(String page, String device) {
        int start = page.indexOf("<tr id='device-" + device + "'>");
        assertThat(start).as("row of " + device).isNotNegative();
        return page.substring(start, page.indexOf("</tr>", start) + "</tr>".length());
    }

    private static String sha256Hex(byte[] b) {
        return HexFormat.of().formatHex(X509BindingTest.sha256(b));
    }

    private Reply get() {
        return get(plugin);
    }

    private static Reply get(DeviceKeysPlugin plugin) {
        return get(plugin, Map.of());
    }

    private static Reply get(DeviceKeysPlugin plugin, Map<String, String> parameters) {
        return exchange(plugin, "GET", parameters, Map.of());
    }

    private Reply post(Map<String, String> parameters) {
        return post(plugin, parameters);
    }

    private static Reply post(DeviceKeysPlugin plugin, Map<String, String> parameters) {
        return exchange(plugin, "POST", parameters, Map.of());
    }

    /** Calls the servlet as the web console would, with a fake request and response. */
    private static Reply exchange(DeviceKeysPlugin plugin, String method, Map<String, String> parameters,
            Map<String, Object> attributes) {
        Reply reply = new Reply();
        HttpServletRequest req = request(method, parameters, attributes);
        HttpServletResponse resp = reply.response();
        try {
            if ("GET".equals(method)) {
                plugin.doGet(req, resp);
            } else {
                plugin.doPost(req, resp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reply.writer.flush();
        reply.body = reply.buffer.toString();
        return reply;
    }

    private static HttpServletRequest request(String method, Map<String, String> parameters,
            Map<String, Object> attributes) {
        String[] encoding = {null};
        return (HttpServletRequest) Proxy.newProxyInstance(DeviceKeysPluginTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getParameter" -> parameters.get((String) args[0]);
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "getRequestURI" -> PAGE;
                    case "getCharacterEncoding" -> encoding[0];
                    case "setCharacterEncoding" -> {
                        encoding[0] = (String) args[0];
                        yield null;
                    }
                    case "toString" -> "fake " + method + " request";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException("request." + m.getName());
                });
    }

    /** What the servlet answered. */
    private static final class Reply {
        int status = 200;
        String contentType;
        String body;
        final Map<String, String> headers = new HashMap<>();
        final StringWriter buffer = new StringWriter();
        final PrintWriter writer = new PrintWriter(buffer);

        HttpServletResponse response() {
            return (HttpServletResponse) Proxy.newProxyInstance(DeviceKeysPluginTest.class.getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> switch (m.getName()) {
                        case "setStatus" -> {
                            status = (Integer) args[0];
                            yield null;
                        }
                        case "setContentType" -> {
                            contentType = (String) args[0];
                            yield null;
                        }
                        case "setHeader" -> {
                            headers.put((String) args[0], (String) args[1]);
                            yield null;
                        }
                        case "getWriter" -> writer;
                        case "toString" -> "fake response";
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException("response." + m.getName());
                    });
        }
    }
}
