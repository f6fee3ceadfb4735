package org.m2mgw.operator.internal;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.access.Restriction;
import org.m2mgw.api.alert.Alert;
import org.m2mgw.api.command.Command;
import org.m2mgw.api.command.CommandQueue;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceAdministration;
import org.m2mgw.api.device.DeviceAdministrationException;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.device.ImportSummary;
import org.m2mgw.api.device.IssuedKey;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.api.session.SessionDirectory;
import org.m2mgw.api.session.SessionInfo;
import org.m2mgw.operator.internal.JsonSupport.Body;
import org.m2mgw.support.IpLiterals;
import org.m2mgw.support.Text;

/**
 * Every call of the REST API, as a function of an {@link ApiRequest}: checked input, the gateway
 * services through {@link Gateway}, and a JSON answer. No servlet types here, so that each call
 * and each refusal can be tested without a container. A refused call throws {@link ApiError}
 * before it changes anything.
 */
final class Calls {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    static final String CLOUD_PREFIX = "org.m2mgw.cloud.mqtt";
    static final String TRANSPORT_PREFIX = "org.m2mgw.transport.";
    /** Resource rules of a device added without any, as for the demo device. */
    static final List<String> DEFAULT_RESOURCES = List.of("telemetry/*", "events/*", "commands");
    static final long MAX_COMMAND_TTL_SECONDS = 30L * 24 * 3600;
    static final int MAX_COMMAND_PAYLOAD = 16 * 1024;

    private final JsonSupport json;
    private final Gateway gw;
    private final DeviceActivity activity;
    private final AlertLog alerts;
    private final MetricsHistory history;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    Calls(JsonSupport json, Gateway gw, DeviceActivity activity, AlertLog alerts, MetricsHistory history,
            Clock clock) {
        this.json = json;
        this.gw = gw;
        this.activity = activity;
        this.alerts = alerts;
        this.history = history;
        this.clock = clock;
    }

    /** @return whether the call takes a large body (the import) */
    static boolean largeBody(String method, List<String> path) {
        return "POST".equals(method) && path.size() == 2 && "devices".equals(path.get(0))
                && "import".equals(path.get(1));
    }

    ApiResponse handle(ApiRequest r) throws ApiError {
        String top = r.segment(0);
        if (top == null) {
            throw ApiError.notFound("no such call; see docs/rest-api.md");
        }
        String m = r.method();
        switch (top) {
            case "devices":
                return devices(r, m);
            case "sessions":
                only(r, m, "GET", 1, Set.of("device"));
                return sessions(r.query().get("device"));
            case "counters":
                only(r, m, "GET", 1, Set.of());
                return counters();
            case "rates":
                only(r, m, "GET", 1, Set.of());
                return rates();
            case "history":
                only(r, m, "GET", 1, Set.of("minutes"));
                return history(r.query().get("minutes"));
            case "queue":
                only(r, m, "GET", 1, Set.of());
                return queue();
            case "alerts":
                return alerts(r, m);
            case "restrictions":
                return restrictions(r, m);
            default:
                throw ApiError.notFound("no such call: /" + Text.printable(top, 64));
        }
    }

    /** Checks the method, the path length and the query parameters of a call. */
    private static void only(ApiRequest r, String method, String allowed, int segments, Set<String> params)
            throws ApiError {
        if (r.size() != segments) {
            throw ApiError.notFound("no such call");
        }
        if (!allowed.equals(method)) {
            throw new ApiError(405, "method_not_allowed", method + " is not allowed here; use " + allowed);
        }
        params(r, params);
        if ("GET".equals(method) && r.body() != null && !r.body().isBlank()) {
            throw ApiError.badRequest("a GET takes no body");
        }
    }

    private static void params(ApiRequest r, Set<String> params) throws ApiError {
        for (String k : r.query().keySet()) {
            if (!params.contains(k)) {
                throw ApiError.badRequest("unknown query parameter '" + Text.printable(k, 64) + "'"
                        + (params.isEmpty() ? "" : "; allowed: " + String.join(", ", new java.util.TreeSet<>(params))));
            }
        }
    }

    private static void method(String method, String... allowed) throws ApiError {
        for (String a : allowed) {
            if (a.equals(method)) {
                return;
            }
        }
        throw new ApiError(405, "method_not_allowed", method + " is not allowed here; use " + String.join(" or ", allowed));
    }

    /** @return the body as an object with only these fields; an absent or empty body is {} */
    private Body body(ApiRequest r, Set<String> fields) throws ApiError {
        String text = r.body();
        if (text == null || text.isBlank()) {
            return new Body(JsonValue.EMPTY_JSON_OBJECT);
        }
        return json.parseObject(text).only(fields);
    }

    private static int intParam(ApiRequest r, String name, int dflt, int min, int max) throws ApiError {
        String v = r.query().get(name);
        if (v == null) {
            return dflt;
        }
        try {
            int x = Integer.parseInt(v);
            if (x < min || x > max) {
                throw ApiError.badRequest("query parameter '" + name + "' must be " + min + " to " + max);
            }
            return x;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("query parameter '" + name + "' must be a whole number");
        }
    }

    // ------------------------------------------------------------------ devices

    private DeviceRegistry registry() throws ApiError {
        DeviceRegistry reg = gw.registry();
        if (reg == null) {
            throw ApiError.unavailable("the device registry is not running");
        }
        return reg;
    }

    private DeviceAdministration administration() throws ApiError {
        DeviceAdministration a = gw.administration();
        if (a == null) {
            throw ApiError.unavailable("device administration is not available (device registry not running)");
        }
        return a;
    }

    private ApiResponse devices(ApiRequest r, String m) throws ApiError {
        if (r.size() == 1) {
            method(m, "GET", "POST");
            if ("GET".equals(m)) {
                params(r, Set.of("offset", "limit", "q", "credential", "state", "sort"));
                return listDevices(r);
            }
            params(r, Set.of());
            return addDevice(r);
        }
        String id = r.segment(1);
        if (r.size() == 2 && "import".equals(id)) {
            method(m, "POST");
            params(r, Set.of());
            return importDevices(r);
        }
        if (r.size() == 2) {
            method(m, "GET", "PATCH", "DELETE");
            params(r, Set.of());
            switch (m) {
                case "GET":
                    return ApiResponse.ok(detail(existing(id), null));
                case "PATCH":
                    return patchDevice(id, body(r, Set.of("enabled", "resources", "metadata")));
                default:
                    existing(id);
                    try {
                        administration().remove(id);
                    } catch (DeviceAdministrationException e) {
                        throw adminError(e);
                    }
                    activity.forget(id);
                    return ApiResponse.noContent();
            }
        }
        if (r.size() == 3) {
            String action = r.segment(2);
            method(m, "POST");
            params(r, Set.of());
            switch (action) {
                case "enable":
                case "disable":
                    body(r, Set.of());
                    existing(id);
                    try {
                        administration().setEnabled(id, "enable".equals(action));
                    } catch (DeviceAdministrationException e) {
                        throw adminError(e);
                    }
                    return ApiResponse.ok(detail(existing(id), null));
                case "rotate":
                    return rotate(id, body(r, Set.of("publicKey")));
                case "quarantine":
                    return quarantine(id, body(r, Set.of("seconds", "reason")));
                case "commands":
                    return command(id, body(r, Set.of("name", "payload", "contentFormat", "ttlSeconds")));
                default:
                    throw ApiError.notFound("no such call: /devices/{id}/" + Text.printable(action, 64));
            }
        }
        throw ApiError.notFound("no such call");
    }

    private Device existing(String id) throws ApiError {
        return registry().device(id).orElseThrow(() -> ApiError.notFound("no device '" + Text.printable(id, 64) + "'"));
    }

    static String credentialOf(Device d) {
        if (d.pskIdentity().isPresent()) {
            return "psk";
        }
        if (d.publicKey().isPresent()) {
            return "rpk";
        }
        if (d.certificateSubject().isPresent()) {
            return "x509";
        }
        return d.edhocCredential().isPresent() ? "edhoc" : "none";
    }

    private static boolean hasCredential(Device d, String type) {
        return switch (type) {
            case "psk" -> d.pskIdentity().isPresent();
            case "rpk" -> d.publicKey().isPresent();
            case "x509" -> d.certificateSubject().isPresent();
            case "edhoc" -> d.edhocCredential().isPresent();
            default -> false;
        };
    }

    /** What the list needs of every device, gathered once per request. */
    private final class Context {
        final Map<String, List<SessionInfo>> sessions = new HashMap<>();
        final Map<String, List<Restriction>> restrictions = new HashMap<>();
        final Map<String, long[]> activity = Calls.this.activity.summaries();
        final Map<String, Integer> alertCounts = alerts.countsByDevice();

        Context() {
            for (SessionInfo s : allSessions(null)) {
                sessions.computeIfAbsent(s.deviceId(), k -> new ArrayList<>()).add(s);
            }
            DeviceAccessControl ac = gw.access();
            if (ac != null) {
                for (Restriction r : ac.restrictions()) {
                    if (r.kind() == Restriction.Kind.QUARANTINE || r.kind() == Restriction.Kind.THROTTLE) {
                        restrictions.computeIfAbsent(r.subject(), k -> new ArrayList<>()).add(r);
                    }
                }
            }
        }

        boolean quarantined(String id) {
            return restrictions.getOrDefault(id, List.of()).stream().anyMatch(r -> r.kind() == Restriction.Kind.QUARANTINE);
        }

        boolean connected(String id) {
            return sessions.containsKey(id);
        }

        Instant lastSeen(String id) {
            long[] a = activity.get(id);
            Instant t = a == null || a[0] == 0 ? null : Instant.ofEpochMilli(a[0]);
            for (SessionInfo s : sessions.getOrDefault(id, List.of())) {
                Instant seen = s.lastSeen().orElse(s.since());
                if (t == null || seen.isAfter(t)) {
                    t = seen;
                }
            }
            return t;
        }

        long messages(String id) {
            long[] a = activity.get(id);
            return a == null ? 0 : a[1];
        }
    }

    private ApiResponse listDevices(ApiRequest r) throws ApiError {
        int offset = intParam(r, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = intParam(r, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        String q = r.query().get("q");
        String credential = r.query().get("credential");
        if (credential != null && !Set.of("psk", "rpk", "x509", "edhoc").contains(credential)) {
            throw ApiError.badRequest("query parameter 'credential' must be psk, rpk, x509 or edhoc");
        }
        String state = r.query().get("state");
        if (state != null && !Set.of("enabled", "disabled", "quarantined", "connected").contains(state)) {
            throw ApiError.badRequest("query parameter 'state' must be enabled, disabled, quarantined or connected");
        }
        String sort = r.query().getOrDefault("sort", "id");
        boolean descending = sort.startsWith("-");
        String key = descending ? sort.substring(1) : sort;
        if (!Set.of("id", "lastSeen", "messages").contains(key)) {
            throw ApiError.badRequest("query parameter 'sort' must be id, lastSeen or messages, with '-' for descending");
        }
        Context c = new Context();
        String needle = q == null ? null : q.toLowerCase(Locale.ROOT);
        Predicate<Device> filter = d -> (needle == null || d.deviceId().toLowerCase(Locale.ROOT).contains(needle))
                && (credential == null || hasCredential(d, credential))
                && (state == null || switch (state) {
                    case "enabled" -> d.enabled();
                    case "disabled" -> !d.enabled();
                    case "quarantined" -> c.quarantined(d.deviceId());
                    default -> c.connected(d.deviceId());
                });
        List<Device> found = new ArrayList<>();
        for (Device d : registry().devices()) {
            if (filter.test(d)) {
                found.add(d);
            }
        }
        Comparator<Device> byId = Comparator.comparing(Device::deviceId);
        Comparator<Device> order = switch (key) {
            case "lastSeen" -> Comparator.comparing((Device d) -> c.lastSeen(d.deviceId()),
                    Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(byId);
            case "messages" -> Comparator.comparingLong((Device d) -> c.messages(d.deviceId())).thenComparing(byId);
            default -> byId;
        };
        found.sort(descending ? order.reversed() : order);
        JsonArrayBuilder items = json.array();
        for (int i = offset; i < found.size() && i < (long) offset + limit; i++) {
            items.add(summary(found.get(i), c).build());
        }
        return ApiResponse.ok(json.object().add("total", found.size()).add("offset", offset).add("limit", limit)
                .add("items", items).build());
    }

    private JsonObjectBuilder summary(Device d, Context c) {
        String id = d.deviceId();
        List<SessionInfo> sessions = c.sessions.getOrDefault(id, List.of());
        SessionInfo first = sessions.isEmpty() ? null : sessions.get(0);
        JsonArrayBuilder restrictions = json.array();
        for (Restriction r : c.restrictions.getOrDefault(id, List.of())) {
            restrictions.add(restriction(r));
        }
        return json.object().add("id", id).add("credential", credentialOf(d))
                .add("state", d.enabled() ? "enabled" : "disabled")
                .add("quarantined", c.quarantined(id))
                .add("connected", !sessions.isEmpty())
                .add("lastSeen", JsonSupport.time(c.lastSeen(id)))
                .add("suite", first == null ? JsonValue.NULL : Json.createValue(first.suite()))
                .add("protocol", first == null ? JsonValue.NULL : Json.createValue(first.protocol()))
                .add("messages", c.messages(id))
                .add("restrictions", restrictions)
                .add("alerts", c.alertCounts.getOrDefault(id, 0));
    }

    /** @param issued the key just made for the device, shown in "psk" once, or null */
    JsonObject detail(Device d, IssuedKey issued) {
        Context c = new Context();
        String id = d.deviceId();
        JsonObjectBuilder o = summary(d, c);
        o.add("pskIdentity", d.pskIdentity().<JsonValue>map(Json::createValue).orElse(JsonValue.NULL));
        o.add("resources", json.array(List.copyOf(d.resources())));
        JsonObjectBuilder meta = json.object();
        d.metadata().forEach(meta::add);
        o.add("metadata", meta);
        o.add("keyCreated", JsonSupport.time(d.keyCreated().orElse(null)));
        if (d.rolloverPending()) {
            JsonObjectBuilder next = json.object()
                    .add("pskIdentity", d.nextPskIdentity().<JsonValue>map(Json::createValue).orElse(JsonValue.NULL))
                    .add("publicKey", d.nextPublicKey().<JsonValue>map(k -> Json.createValue(
                            Base64.getEncoder().encodeToString(k))).orElse(JsonValue.NULL))
                    .add("deadline", JsonSupport.time(d.rolloverDeadline().orElse(null)));
            o.add("nextCredential", next);
        } else {
            o.add("nextCredential", JsonValue.NULL);
        }
        JsonArrayBuilder sessions = json.array();
        DeviceActivity.View v = activity.view(id);
        for (SessionInfo s : c.sessions.getOrDefault(id, List.of())) {
            sessions.add(session(s, v));
        }
        o.add("sessions", sessions);
        o.add("counters", json.object().add("messages", v == null ? 0 : v.messages())
                .add("rejected", v == null ? 0 : v.rejected()));
        CommandQueue q = gw.commands();
        o.add("commandsWaiting", q == null ? JsonValue.NULL : Json.createValue(q.pending(id)));
        JsonArrayBuilder recent = json.array();
        if (v != null) {
            for (DeviceActivity.Recent m : v.recent()) {
                recent.add(json.object().add("time", Instant.ofEpochMilli(m.timeMs()).toString())
                        .add("resource", m.resource() == null ? JsonValue.NULL : Json.createValue(m.resource()))
                        .add("bytes", m.bytes()).add("contentFormat", JsonValue.NULL)
                        .add("accepted", m.accepted()));
            }
        }
        o.add("recent", recent);
        if (issued != null && issued.keyHex().isPresent()) {
            o.add("psk", issued.keyHex().get());
        }
        return o.build();
    }

    private ApiResponse addDevice(ApiRequest r) throws ApiError {
        Body b = body(r, Set.of("id", "credential", "enabled", "resources", "metadata"));
        String id = b.requiredString("id", 64);
        Body cred = b.object("credential");
        if (cred == null) {
            throw ApiError.badRequest("field 'credential' is required");
        }
        String type = cred.requiredString("type", 16);
        Device.Builder d = Device.builder(id);
        byte[] key = null;
        switch (type) {
            case "psk" -> {
                cred.only(Set.of("type", "identity", "key"));
                String identity = cred.string("identity", 128);
                d.pskIdentity(identity == null || identity.isEmpty() ? id : identity);
                String hex = cred.string("key", 256);
                if (hex != null) {
                    key = hex(hex, "credential.key");
                }
            }
            case "rpk" -> {
                cred.only(Set.of("type", "publicKey"));
                d.publicKey(base64(cred.requiredString("publicKey", 4096), "credential.publicKey"));
            }
            case "x509" -> {
                cred.only(Set.of("type", "issuer", "subject"));
                d.certificateIssuer(cred.requiredString("issuer", 1024));
                d.certificateSubject(cred.requiredString("subject", 1024));
            }
            default -> throw ApiError.badRequest("credential.type must be psk, rpk or x509 (EDHOC devices come "
                    + "with the import file)");
        }
        Boolean enabled = b.bool("enabled");
        d.enabled(enabled == null || enabled);
        List<String> resources = b.strings("resources", 256, 256);
        (resources == null ? DEFAULT_RESOURCES : resources).forEach(d::allow);
        Map<String, String> meta = b.stringMap("metadata", 64, 1024);
        if (meta != null) {
            d.metadata(meta);
        }
        Device device;
        try {
            device = d.build();
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        try (IssuedKey issued = administration().add(device, key)) {
            return new ApiResponse(201, detail(issued.device(), issued), "devices/" + id);
        } catch (DeviceAdministrationException e) {
            throw adminError(e);
        } finally {
            if (key != null) {
                java.util.Arrays.fill(key, (byte) 0);
            }
        }
    }

    private ApiResponse patchDevice(String id, Body b) throws ApiError {
        existing(id);
        Boolean enabled = b.bool("enabled");
        List<String> resources = b.strings("resources", 256, 256);
        Map<String, String> meta = b.stringMap("metadata", 64, 1024);
        try {
            Device d = administration().update(id, enabled, resources, meta);
            return ApiResponse.ok(detail(d, null));
        } catch (DeviceAdministrationException e) {
            throw adminError(e);
        }
    }

    private ApiResponse importDevices(ApiRequest r) throws ApiError {
        String text = r.body();
        if (text == null || text.isBlank()) {
            throw ApiError.badRequest("the body must be the registry's import file (JSON)");
        }
        // Strict JSON first (one object, no duplicate keys); the registry then checks each entry.
        json.parseObject(text);
        ImportSummary s;
        try {
            s = administration().importJson(text, "REST API import");
        } catch (DeviceAdministrationException e) {
            throw adminError(e);
        }
        JsonArrayBuilder refused = json.array();
        for (ImportSummary.Refusal f : s.refused()) {
            refused.add(json.object().add("id", f.deviceId() == null ? JsonValue.NULL : Json.createValue(f.deviceId()))
                    .add("reason", f.reason()));
        }
        return ApiResponse.ok(json.object().add("added", s.added()).add("updated", s.updated())
                .add("unchanged", s.unchanged()).add("refused", refused)
                .add("warnings", json.array(s.warnings())).build());
    }

    private ApiResponse rotate(String id, Body b) throws ApiError {
        existing(id);
        String pk = b.string("publicKey", 4096);
        try {
            if (pk == null) {
                try (IssuedKey k = administration().rotatePsk(id)) {
                    return ApiResponse.ok(json.object().add("nextIdentity", k.identity().orElseThrow())
                            .add("psk", k.keyHex().orElseThrow()).build());
                }
            }
            Device d = administration().rotatePublicKey(id, base64(pk, "publicKey"));
            return ApiResponse.ok(json.object().add("nextIdentity", JsonValue.NULL).add("psk", JsonValue.NULL)
                    .add("nextPublicKey", d.nextPublicKey().map(k -> Base64.getEncoder().encodeToString(k)).orElse(""))
                    .build());
        } catch (DeviceAdministrationException e) {
            throw adminError(e);
        }
    }

    private DeviceAccessControl access() throws ApiError {
        DeviceAccessControl a = gw.access();
        if (a == null) {
            throw ApiError.unavailable("the restriction table (device-access) is not running");
        }
        return a;
    }

    private ApiResponse quarantine(String id, Body b) throws ApiError {
        existing(id);
        long seconds = b.integer("seconds", 1, 365L * 24 * 3600) == null ? 3600 : b.integer("seconds", 1, 365L * 24 * 3600);
        String reason = b.string("reason", 256);
        try {
            Restriction r = access().quarantine(id, Duration.ofSeconds(seconds),
                    reason == null || reason.isBlank() ? "quarantined by the operator (REST API)" : reason, "operator");
            return ApiResponse.ok(restriction(r).build());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        } catch (IllegalStateException e) {
            throw ApiError.conflict(e.getMessage());
        }
    }

    private ApiResponse command(String id, Body b) throws ApiError {
        existing(id);
        String name = b.requiredString("name", 64);
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw ApiError.badRequest("field 'name' must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        String payload = b.string("payload", MAX_COMMAND_PAYLOAD);
        Long cf = b.integer("contentFormat", 0, 65535);
        Long ttl = b.integer("ttlSeconds", 1, MAX_COMMAND_TTL_SECONDS);
        CommandQueue q = gw.commands();
        if (q == null) {
            throw ApiError.unavailable("no command queue (no cloud connection is running)");
        }
        byte[] rnd = new byte[4];
        random.nextBytes(rnd);
        String commandId = name + "-" + HexFormat.of().formatHex(rnd);
        Instant now = clock.instant();
        Command c = new Command(commandId, id, cf == null ? 0 : cf.intValue(),
                (payload == null ? "" : payload).getBytes(StandardCharsets.UTF_8), now,
                now.plusSeconds(ttl == null ? 24 * 3600 : ttl));
        if (!q.offer(c)) {
            throw ApiError.conflict("the device's command queue is full");
        }
        return new ApiResponse(202, json.object().add("id", commandId).build(), null);
    }

    private static ApiError adminError(DeviceAdministrationException e) {
        String m = e.getMessage() == null ? "refused" : e.getMessage();
        return switch (e.reason()) {
            case CONFLICT -> ApiError.conflict(m);
            case NOT_FOUND -> ApiError.notFound(m);
            case UNAVAILABLE -> ApiError.unavailable(m);
            default -> ApiError.unprocessable(m);
        };
    }

    private static byte[] hex(String s, String field) throws ApiError {
        String h = s.startsWith("hex:") ? s.substring(4) : s;
        try {
            return HexFormat.of().parseHex(h);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("field '" + field + "' must be hex");
        }
    }

    private static byte[] base64(String s, String field) throws ApiError {
        try {
            return Base64.getDecoder().decode(s.strip());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("field '" + field + "' must be Base64 (DER SubjectPublicKeyInfo)");
        }
    }

    // ------------------------------------------------------------------ sessions

    private List<SessionInfo> allSessions(String device) {
        List<SessionInfo> out = new ArrayList<>();
        for (SessionDirectory d : gw.sessionDirectories()) {
            try {
                out.addAll(device == null ? d.sessions() : d.sessions(device));
            } catch (RuntimeException e) {
                // a listener that is stopping: its sessions are gone anyway
            }
        }
        return out;
    }

    private ApiResponse sessions(String device) {
        JsonArrayBuilder items = json.array();
        for (SessionInfo s : allSessions(device)) {
            items.add(session(s, activity.view(s.deviceId())));
        }
        return ApiResponse.ok(json.object().add("items", items).build());
    }

    /** Bytes come from the transport when it counts them per session, else from the traffic events. */
    private JsonObjectBuilder session(SessionInfo s, DeviceActivity.View v) {
        long[] counted = v == null ? null : v.sessionBytes().get(s.protocol());
        long in = s.bytesIn() >= 0 ? s.bytesIn() : counted == null ? 0 : counted[0];
        long out = s.bytesOut() >= 0 ? s.bytesOut() : counted == null ? 0 : counted[1];
        return json.object().add("device", s.deviceId()).add("protocol", s.protocol())
                .add("address", s.address().<JsonValue>map(a -> Json.createValue(address(a))).orElse(JsonValue.NULL))
                .add("suite", s.suite())
                .add("cid", s.cid().<JsonValue>map(Json::createValue).orElse(JsonValue.NULL))
                .add("resumed", s.resumed())
                .add("since", s.since().toString())
                .add("lastSeen", JsonSupport.time(s.lastSeen().orElse(null)))
                .add("bytesIn", in).add("bytesOut", out);
    }

    static String address(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        String host = ip == null ? a.getHostString() : ip.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    // ------------------------------------------------------------------ counters, rates, history, queue

    private ApiResponse counters() {
        JsonObjectBuilder providers = json.object();
        List<StatusProvider> list = new ArrayList<>(gw.statusProviders());
        list.sort(Comparator.comparing(StatusProvider::statusName));
        for (StatusProvider p : list) {
            try {
                JsonObjectBuilder c = json.object();
                p.counters().forEach((k, v) -> c.add(k, v == null ? 0 : v));
                providers.add(p.statusName(), json.object().add("ready", p.ready()).add("status", p.statusLine())
                        .add("counters", c));
            } catch (RuntimeException e) {
                // a provider that is going away
            }
        }
        return ApiResponse.ok(json.object().add("time", clock.instant().toString()).add("providers", providers).build());
    }

    /** Sums the providers' counters into the history's totals (called by the sampler). */
    static MetricsHistory.Totals totals(List<StatusProvider> providers, long alertsReceived) {
        long in = 0;
        long out = 0;
        long hs = 0;
        long hf = 0;
        long depth = 0;
        int clouds = 0;
        int connected = 0;
        for (StatusProvider p : providers) {
            try {
                String name = p.statusName();
                if (!name.startsWith(TRANSPORT_PREFIX) && !name.startsWith(CLOUD_PREFIX)) {
                    // not summed; and some (the crypto inventory) walk every device for their counters
                    continue;
                }
                Map<String, Long> c = p.counters();
                if (name.startsWith(TRANSPORT_PREFIX)) {
                    in += c.getOrDefault("REQUEST", 0L);
                    hs += c.getOrDefault("HANDSHAKE_SUCCEEDED", 0L) + c.getOrDefault("SESSION_RESUMED", 0L);
                    hf += c.getOrDefault("HANDSHAKE_FAILED", 0L);
                } else if (name.startsWith(CLOUD_PREFIX)) {
                    out += c.getOrDefault("published", 0L);
                    depth += c.getOrDefault("queued", 0L);
                    clouds++;
                    if (p.ready()) {
                        connected++;
                    }
                }
            } catch (RuntimeException e) {
                // a provider that is going away
            }
        }
        return new MetricsHistory.Totals(in, out, hs, hf, depth,
                clouds == 0 ? Double.NaN : connected == clouds ? 1 : 0, alertsReceived);
    }

    private ApiResponse rates() {
        MetricsHistory.Rates r = history.rates();
        JsonObjectBuilder o = json.object().add("time", r == null ? JsonValue.NULL
                : Json.createValue(Instant.ofEpochMilli(r.timeMs()).toString()))
                .add("interval", MetricsHistory.INTERVAL_SECONDS);
        o.add("messagesIn", r == null ? 0 : r.messagesIn()).add("messagesOut", r == null ? 0 : r.messagesOut())
                .add("handshakes", r == null ? 0 : r.handshakes())
                .add("handshakeFailures", r == null ? 0 : r.handshakeFailures());
        return ApiResponse.ok(o.build());
    }

    private ApiResponse history(String minutesText) throws ApiError {
        int minutes = 60;
        if (minutesText != null) {
            try {
                minutes = Integer.parseInt(minutesText);
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("query parameter 'minutes' must be a whole number");
            }
            if (minutes < 1 || minutes > 60) {
                throw ApiError.badRequest("query parameter 'minutes' must be 1 to 60");
            }
        }
        long from = clock.millis() - minutes * 60_000L;
        JsonObjectBuilder series = json.object();
        for (Map.Entry<String, List<double[]>> e : history.since(from).entrySet()) {
            JsonArrayBuilder points = json.array();
            for (double[] p : e.getValue()) {
                points.add(json.array().add((long) p[0]).add(Double.isNaN(p[1]) ? JsonValue.NULL : number(p[1])));
            }
            series.add(e.getKey(), points);
        }
        return ApiResponse.ok(json.object().add("interval", MetricsHistory.INTERVAL_SECONDS).add("series", series).build());
    }

    private static JsonValue number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Json.createValue((long) v)
                : Json.createValue(Math.round(v * 1000) / 1000.0);
    }

    private ApiResponse queue() {
        long depth = 0;
        boolean allConnected = true;
        int clouds = 0;
        JsonArrayBuilder connections = json.array();
        List<StatusProvider> list = new ArrayList<>(gw.statusProviders());
        list.sort(Comparator.comparing(StatusProvider::statusName));
        for (StatusProvider p : list) {
            try {
                if (!p.statusName().startsWith(CLOUD_PREFIX)) {
                    continue;
                }
                long d = p.counters().getOrDefault("queued", 0L);
                boolean c = p.ready();
                clouds++;
                depth += d;
                allConnected &= c;
                connections.add(json.object().add("name", p.statusName()).add("connected", c).add("depth", d)
                        .add("status", p.statusLine()));
            } catch (RuntimeException e) {
                // a provider that is going away
            }
        }
        Map<String, List<double[]>> h = history.since(clock.millis() - 60_000L);
        List<double[]> age = h.get("queueOldestAgeSeconds");
        double last = age == null || age.isEmpty() ? Double.NaN : age.get(age.size() - 1)[1];
        JsonValue oldest = depth == 0 ? Json.createValue(0) : Double.isNaN(last) ? JsonValue.NULL : number(last);
        return ApiResponse.ok(json.object().add("depth", depth).add("oldestAgeSeconds", oldest)
                .add("connected", clouds > 0 && allConnected).add("connections", connections).build());
    }

    // ------------------------------------------------------------------ alerts

    private ApiResponse alerts(ApiRequest r, String m) throws ApiError {
        if (r.size() == 1) {
            only(r, m, "GET", 1, Set.of("rule", "device", "acknowledged", "offset", "limit"));
            String rule = r.query().get("rule");
            String device = r.query().get("device");
            String ack = r.query().get("acknowledged");
            if (ack != null && !ack.equals("true") && !ack.equals("false")) {
                throw ApiError.badRequest("query parameter 'acknowledged' must be true or false");
            }
            int offset = intParam(r, "offset", 0, 0, Integer.MAX_VALUE);
            int limit = intParam(r, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
            AlertLog.Page page = alerts.page(e -> (rule == null || rule.equals(e.alert.detector()))
                    && (device == null || device.equals(e.device()))
                    && (ack == null || e.acknowledged() == Boolean.parseBoolean(ack)), offset, limit);
            JsonArrayBuilder items = json.array();
            page.items().forEach(e -> items.add(alertView(e)));
            return ApiResponse.ok(json.object().add("total", page.total()).add("offset", offset).add("limit", limit)
                    .add("items", items).build());
        }
        if (r.size() == 3 && "ack".equals(r.segment(2))) {
            method(m, "POST");
            params(r, Set.of());
            body(r, Set.of());
            Optional<AlertLog.Entry> e = alerts.acknowledge(r.segment(1), clock.instant());
            return ApiResponse.ok(alertView(e.orElseThrow(
                    () -> ApiError.notFound("no alert '" + Text.printable(r.segment(1), 64) + "' (it may be older than "
                            + "the newest alerts kept)"))));
        }
        throw ApiError.notFound("no such call");
    }

    JsonObject alertView(AlertLog.Entry e) {
        Alert a = e.alert;
        JsonObjectBuilder features = json.object();
        a.features().forEach((k, v) -> features.add(k, Double.isFinite(v) ? number(v) : JsonValue.NULL));
        return json.object().add("id", a.id()).add("time", a.time().toString()).add("rule", a.detector())
                .add("subject", a.subject()).add("subjectKind", a.subjectKind().name().toLowerCase(Locale.ROOT))
                .add("device", e.device() == null ? JsonValue.NULL : Json.createValue(e.device()))
                .add("severity", a.severity().name().toLowerCase(Locale.ROOT))
                .add("score", Double.isFinite(a.score()) ? number(a.score()) : JsonValue.NULL)
                .add("reason", a.reason()).add("features", features).add("action", e.action)
                .add("acknowledged", e.acknowledged())
                .add("acknowledgedAt", JsonSupport.time(e.acknowledgedAt)).build();
    }

    // ------------------------------------------------------------------ restrictions

    static String kindName(Restriction.Kind k) {
        return switch (k) {
            case QUARANTINE -> "quarantine";
            case THROTTLE -> "throttle";
            case BLOCK_ADDRESS -> "block-address";
            case BLOCK_PREFIX -> "block-prefix";
            case LIMIT_HANDSHAKES -> "limit-handshakes";
        };
    }

    static Restriction.Kind kind(String name) throws ApiError {
        for (Restriction.Kind k : Restriction.Kind.values()) {
            if (kindName(k).equals(name)) {
                return k;
            }
        }
        throw ApiError.badRequest("kind must be quarantine, throttle, block-address, block-prefix or limit-handshakes");
    }

    JsonObjectBuilder restriction(Restriction r) {
        boolean rated = r.kind() == Restriction.Kind.THROTTLE || r.kind() == Restriction.Kind.LIMIT_HANDSHAKES;
        return json.object().add("kind", kindName(r.kind())).add("subject", r.subject())
                .add("until", JsonSupport.time(r.until()))
                .add("rate", rated ? number(r.ratePerSecond()) : JsonValue.NULL)
                .add("reason", r.reason()).add("origin", r.origin());
    }

    private ApiResponse restrictions(ApiRequest r, String m) throws ApiError {
        if (r.size() == 1) {
            method(m, "GET", "POST");
            params(r, Set.of());
            if ("GET".equals(m)) {
                JsonArrayBuilder items = json.array();
                access().restrictions().forEach(x -> items.add(restriction(x)));
                return ApiResponse.ok(json.object().add("items", items).build());
            }
            return addRestriction(body(r, Set.of("kind", "subject", "seconds", "rate", "reason")));
        }
        if (r.size() >= 3) {
            method(m, "DELETE");
            params(r, Set.of());
            Restriction.Kind k = kind(r.segment(1));
            String subject = String.join("/", r.path().subList(2, r.size()));
            if (!access().lift(k, subject)) {
                throw ApiError.notFound("no " + kindName(k) + " restriction on '" + Text.printable(subject, 64) + "'");
            }
            return ApiResponse.noContent();
        }
        throw ApiError.notFound("no such call");
    }

    private ApiResponse addRestriction(Body b) throws ApiError {
        Restriction.Kind k = kind(b.requiredString("kind", 32));
        String subject = b.requiredString("subject", 128);
        Long seconds = b.integer("seconds", 1, 365L * 24 * 3600);
        Double rate = b.number("rate", 0.001, 1_000_000);
        String reason = b.string("reason", 256);
        Duration d = Duration.ofSeconds(seconds == null ? 3600 : seconds);
        String why = reason == null || reason.isBlank() ? "set by the operator (REST API)" : reason;
        boolean rated = k == Restriction.Kind.THROTTLE || k == Restriction.Kind.LIMIT_HANDSHAKES;
        if (rated && rate == null) {
            throw ApiError.badRequest("field 'rate' is required for " + kindName(k));
        }
        if (!rated && rate != null) {
            throw ApiError.badRequest("field 'rate' is only for throttle and limit-handshakes");
        }
        DeviceAccessControl ac = access();
        Restriction made;
        try {
            made = switch (k) {
                case QUARANTINE -> ac.quarantine(existing(subject).deviceId(), d, why, "operator");
                case THROTTLE -> ac.throttle(existing(subject).deviceId(), rate, d, why, "operator");
                case BLOCK_ADDRESS -> ac.blockAddress(IpLiterals.parse(subject), d, why, "operator");
                case LIMIT_HANDSHAKES -> ac.limitHandshakes(IpLiterals.parse(subject), rate, d, why, "operator");
                case BLOCK_PREFIX -> {
                    int slash = subject.lastIndexOf('/');
                    if (slash < 0) {
                        throw ApiError.badRequest("subject of block-prefix must be network/length, e.g. 192.0.2.0/24");
                    }
                    int len;
                    try {
                        len = Integer.parseInt(subject.substring(slash + 1));
                    } catch (NumberFormatException e) {
                        throw ApiError.badRequest("subject of block-prefix must be network/length, e.g. 192.0.2.0/24");
                    }
                    yield ac.blockPrefix(IpLiterals.parse(subject.substring(0, slash)), len, d, why, "operator");
                }
            };
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        } catch (IllegalStateException e) {
            throw ApiError.conflict(e.getMessage());
        }
        return new ApiResponse(201, restriction(made).build(), null);
    }
}
