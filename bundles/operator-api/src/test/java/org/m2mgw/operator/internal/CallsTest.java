package org.m2mgw.operator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.m2mgw.api.device.Device;

/** The calls' input checks: each bad request is a 4xx with a reason, and nothing changes. */
class CallsTest {
    private FakeGateway gw;
    private Calls calls;

    @BeforeEach
    void setUp() {
        gw = new FakeGateway();
        gw.devices.put("d0", Device.builder("d0").pskIdentity("d0").allow("telemetry/*").build());
        calls = new Calls(new JsonSupport(), gw, new DeviceActivity(100, 16), new AlertLog(100),
                new MetricsHistory(360), Clock.systemUTC());
    }

    private ApiResponse call(String method, String path, String body) throws ApiError {
        return calls.handle(new ApiRequest(method, OperatorApi.segments(path), Map.of(), body));
    }

    private ApiError refused(String method, String path, String body) {
        int before = gw.changes;
        ApiError e = (ApiError) org.assertj.core.api.Assertions.catchThrowable(() -> call(method, path, body));
        assertThat(e).as(method + " " + path + " " + body).isNotNull();
        assertThat(gw.changes).as("nothing changed").isEqualTo(before);
        return e;
    }

    @Test
    void givenAPskDeviceWithoutKey_whenAdded_then201WithTheKeyOnce() throws ApiError {
        ApiResponse r = call("POST", "/devices", "{\"id\":\"d1\",\"credential\":{\"type\":\"psk\",\"identity\":\"d1\"}}");
        assertThat(r.status()).isEqualTo(201);
        JsonObject o = r.body().asJsonObject();
        assertThat(o.getString("psk")).hasSize(64);
        assertThat(o.getString("id")).isEqualTo("d1");
        JsonObject again = call("GET", "/devices/d1", null).body().asJsonObject();
        assertThat(again.containsKey("psk")).isFalse();
        assertThat(again.getJsonArray("resources")).hasSize(3);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown field|{\"id\":\"d1\",\"credential\":{\"type\":\"psk\"},\"colour\":\"red\"}|400|colour",
        "unknown credential field|{\"id\":\"d1\",\"credential\":{\"type\":\"psk\",\"pin\":1}}|400|pin",
        "wrong type of id|{\"id\":7,\"credential\":{\"type\":\"psk\"}}|400|'id'",
        "wrong type of enabled|{\"id\":\"d1\",\"enabled\":\"yes\",\"credential\":{\"type\":\"psk\"}}|400|enabled",
        "wrong type of resources|{\"id\":\"d1\",\"resources\":\"telemetry\",\"credential\":{\"type\":\"psk\"}}|400|resources",
        "no credential|{\"id\":\"d1\"}|400|credential",
        "bad credential type|{\"id\":\"d1\",\"credential\":{\"type\":\"magic\"}}|400|credential.type",
        "key not hex|{\"id\":\"d1\",\"credential\":{\"type\":\"psk\",\"key\":\"zz\"}}|400|hex",
        "duplicate key|{\"id\":\"d1\",\"id\":\"d2\",\"credential\":{\"type\":\"psk\"}}|400|duplicate",
        "not JSON|{\"id\":|400|not valid JSON",
        "an array|[1,2]|400|object",
        "duplicate id|{\"id\":\"d0\",\"credential\":{\"type\":\"psk\",\"identity\":\"x\"}}|409|taken",
        "duplicate identity|{\"id\":\"d9\",\"credential\":{\"type\":\"psk\",\"identity\":\"d0\"}}|409|taken"})
    void givenABadDevice_whenAdded_thenRefusedWithAReasonAndNothingChanges(String what, String body, int status,
            String reasonPart) {
        ApiError e = refused("POST", "/devices", body);
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.getMessage()).contains(reasonPart);
        assertThat(gw.devices).containsOnlyKeys("d0");
    }

    @Test
    void givenBadPatchesAndActions_thenRefusedAndNothingChanges() {
        assertThat(refused("PATCH", "/devices/d0", "{\"enabled\":1}").status()).isEqualTo(400);
        assertThat(refused("PATCH", "/devices/d0", "{\"pskIdentity\":\"x\"}").status()).isEqualTo(400);
        assertThat(refused("PATCH", "/devices/nope", "{\"enabled\":false}").status()).isEqualTo(404);
        assertThat(refused("POST", "/devices/d0/disable", "{\"now\":true}").status()).isEqualTo(400);
        assertThat(refused("POST", "/devices/d0/rotate", "{\"publicKey\":5}").status()).isEqualTo(400);
        assertThat(refused("DELETE", "/devices/nope", null).status()).isEqualTo(404);
        assertThat(refused("PUT", "/devices/d0", "{}").status()).isEqualTo(405);
        assertThat(refused("GET", "/nothing", null).status()).isEqualTo(404);
        assertThat(refused("POST", "/devices/import", "{\"devices\":[],\"devices\":[]}").status()).isEqualTo(400);
        assertThat(gw.devices.get("d0").enabled()).isTrue();
    }

    @Test
    void givenQueryParameters_whenWrong_then400() {
        for (Map<String, String> q : List.of(Map.of("limit", "0"), Map.of("limit", "501"), Map.of("limit", "x"),
                Map.of("sort", "colour"), Map.of("state", "asleep"), Map.of("credential", "password"),
                Map.of("page", "2"))) {
            assertThatThrownBy(() -> calls.handle(new ApiRequest("GET", List.of("devices"), q, null)))
                    .as(q.toString()).isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(400));
        }
        assertThatThrownBy(() -> calls.handle(new ApiRequest("GET", List.of("history"), Map.of("minutes", "61"), null)))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThatThrownBy(() -> OperatorApi.query("a=1&a=2"))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void givenDevices_whenListed_thenPagedFilteredAndSorted() throws ApiError {
        for (int i = 1; i <= 120; i++) {
            gw.devices.put(String.format("s%03d", i), Device.builder(String.format("s%03d", i))
                    .pskIdentity(String.format("s%03d", i)).enabled(i % 2 == 0).build());
        }
        JsonObject page = calls.handle(new ApiRequest("GET", List.of("devices"),
                Map.of("q", "s0", "state", "enabled", "sort", "-id", "offset", "10", "limit", "5"), null))
                .body().asJsonObject();
        assertThat(page.getInt("total")).isEqualTo(49); // s002..s098, even
        assertThat(page.getJsonArray("items")).hasSize(5);
        assertThat(page.getJsonArray("items").getJsonObject(0).getString("id")).isEqualTo("s078");
    }

    @Test
    void givenAnUnknownAlert_whenAcknowledged_then404() {
        assertThat(refused("POST", "/alerts/nope/ack", "{}").status()).isEqualTo(404);
    }
}
