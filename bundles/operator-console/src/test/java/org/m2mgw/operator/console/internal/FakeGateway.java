package org.m2mgw.operator.console.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A stand-in for the gateway as the console pages see it: the web console's frame around the
 * pages (with the real markup of {@link ConsolePage#fragment}), the pages' resources from the
 * class path as the web console serves them, and the REST API of the issue 15 contract, in
 * memory. Everything asks for HTTP Basic with the console's realm, as the gateway does.
 */
final class FakeGateway implements AutoCloseable {
    static final String USER = "admin";
    static final String PASSWORD = "fake-console-password";
    static final String REALM = "m2mgw gateway console";
    static final String API = "/m2mgw/api/v1";

    /** One request that reached the fake API. */
    record Call(String method, String path, Map<String, String> query, String contentType, String origin,
            String fetchSite, String body) {
        Object json() {
            return FakeGateway.parse(body);
        }
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    final Map<String, Map<String, Object>> devices = new LinkedHashMap<>();
    final List<Map<String, Object>> alerts = new ArrayList<>();
    final Map<String, List<Object[]>> history = new LinkedHashMap<>();
    final Map<String, Object> rates = new LinkedHashMap<>();
    final Map<String, Object> queue = new LinkedHashMap<>();
    /** When set, the API answers 404 without JSON, as a console without the API bundle does. */
    volatile boolean apiMissing;
    private final HttpServer server;
    private final SecureRandom random = new SecureRandom();
    private int commandIds;

    FakeGateway() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        for (String k : List.of("messagesIn", "messagesOut", "handshakes", "handshakeFailures")) {
            rates.put(k, 0);
        }
        queue.put("depth", 0);
        queue.put("oldestAgeSeconds", 0);
        queue.put("connected", true);
        queue.put("connections", List.of(map("name", "default", "connected", true, "depth", 0)));
    }

    int port() {
        return server.getAddress().getPort();
    }

    String origin() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    synchronized void reset() {
        calls.clear();
        devices.clear();
        alerts.clear();
        history.clear();
        apiMissing = false;
    }

    synchronized Map<String, Object> addDevice(String id, String credential, long messages) {
        Map<String, Object> d = map("id", id, "credential", credential, "state", "enabled", "quarantined", false,
                "connected", false, "lastSeen", null, "suite", null, "protocol", null, "messages", messages,
                "restrictions", new ArrayList<>(), "alerts", 0);
        d.put("pskIdentity", "psk".equals(credential) ? id : null);
        d.put("nextCredential", null);
        d.put("sessions", new ArrayList<>());
        d.put("counters", new LinkedHashMap<>());
        d.put("commandsWaiting", 0);
        d.put("recent", new ArrayList<>());
        devices.put(id, d);
        return d;
    }

    synchronized Map<String, Object> addAlert(String id, String rule, String device, String reason, Instant time) {
        Map<String, Object> a = map("id", id, "time", time.toString(), "rule", rule, "subject",
                device != null ? device : "192.0.2.7", "subjectKind", device != null ? "device" : "address",
                "device", device, "severity", "high", "score", 0.93, "reason", reason, "features",
                map("handshakeFailures", 12), "action", "none", "acknowledged", false, "acknowledgedAt", null);
        alerts.add(a);
        return a;
    }

    List<Call> calls(String method, String pathPrefix) {
        return calls.stream().filter(c -> c.method.equals(method) && c.path.startsWith(pathPrefix)).toList();
    }

    // ------------------------------------------------------------------------------ HTTP

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!authorized(x.getRequestHeaders().getFirst("Authorization"))) {
                x.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
                send(x, 401, "text/plain", "login required");
                return;
            }
            String path = x.getRequestURI().getRawPath();
            if (path.startsWith(API + "/")) {
                api(x, path.substring(API.length()));
            } else if (path.startsWith("/system/console/")) {
                console(x, path.substring("/system/console/".length()));
            } else {
                send(x, 404, "text/plain", "no such page");
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            send(x, 500, "text/plain", String.valueOf(e));
        }
    }

    private static boolean authorized(String header) {
        String expected = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        return expected.equals(header);
    }

    /** The console: a frame around a page, or a page's resource (as SimplePluginAdapter serves them). */
    private void console(HttpExchange x, String rest) throws IOException {
        int slash = rest.indexOf('/');
        String label = slash < 0 ? rest : rest.substring(0, slash);
        String page = switch (label) {
            case DashboardPage.LABEL -> "dashboard";
            case DevicesPage.LABEL -> "devices";
            case AlertsPage.LABEL -> "alerts";
            default -> null;
        };
        if (page == null) {
            send(x, 404, "text/plain", "no such plugin");
            return;
        }
        if (slash < 0) {
            send(x, 200, "text/html;charset=UTF-8", "<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
                    + label + "</title></head><body><div id='content'>"
                    + ConsolePage.fragment("/system/console", label, page) + "</div></body></html>");
            return;
        }
        String res = rest.substring(slash);
        if (!res.startsWith("/res/") || res.contains("..")) {
            send(x, 404, "text/plain", "no such resource");
            return;
        }
        try (InputStream in = ConsolePage.class.getResourceAsStream(res)) {
            if (in == null) {
                send(x, 404, "text/plain", "no such resource");
                return;
            }
            String type = res.endsWith(".js") ? "text/javascript" : res.endsWith(".css") ? "text/css" : "application/octet-stream";
            send(x, 200, type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private void api(HttpExchange x, String path) throws IOException {
        String method = x.getRequestMethod();
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> q = query(x.getRequestURI().getRawQuery());
        String decodedPath = decodePath(path);
        calls.add(new Call(method, decodedPath, q, x.getRequestHeaders().getFirst("Content-Type"),
                x.getRequestHeaders().getFirst("Origin"), x.getRequestHeaders().getFirst("Sec-Fetch-Site"), body));
        if (apiMissing) {
            send(x, 404, "text/html", "<html>Not Found</html>");
            return;
        }
        if (!body.isEmpty() && !String.valueOf(x.getRequestHeaders().getFirst("Content-Type")).startsWith("application/json")) {
            error(x, 415, "unsupported-media-type", "Content-Type must be application/json");
            return;
        }
        String[] seg = path.substring(1).split("/", -1);
        for (int i = 0; i < seg.length; i++) {
            seg[i] = URLDecoder.decode(seg[i].replace("+", "%2B"), StandardCharsets.UTF_8);
        }
        synchronized (this) {
            switch (seg[0]) {
                case "rates" -> json(x, 200, withTime(new LinkedHashMap<>(rates)));
                case "queue" -> json(x, 200, queue);
                case "history" -> json(x, 200, map("interval", 10, "series", historySeries()));
                case "devices" -> devices(x, method, seg, q, body);
                case "alerts" -> alerts(x, method, seg, q);
                case "restrictions" -> restrictions(x, method, seg);
                default -> error(x, 404, "not-found", "no such resource");
            }
        }
    }

    private Map<String, Object> withTime(Map<String, Object> m) {
        m.put("time", Instant.now().toString());
        return m;
    }

    private Map<String, Object> historySeries() {
        Map<String, Object> out = new LinkedHashMap<>();
        history.forEach((k, v) -> out.put(k, v));
        return out;
    }

    private void devices(HttpExchange x, String method, String[] seg, Map<String, String> q, String body)
            throws IOException {
        if (seg.length == 1 && method.equals("GET")) {
            List<Map<String, Object>> all = new ArrayList<>(devices.values());
            String text = q.getOrDefault("q", "");
            all.removeIf(d -> !((String) d.get("id")).contains(text));
            if (q.containsKey("credential")) {
                all.removeIf(d -> !q.get("credential").equals(d.get("credential")));
            }
            if (q.containsKey("state")) {
                String s = q.get("state");
                all.removeIf(d -> !(s.equals(d.get("state")) || s.equals("quarantined") && (boolean) d.get("quarantined")
                        || s.equals("connected") && (boolean) d.get("connected")));
            }
            String sort = q.getOrDefault("sort", "id");
            boolean desc = sort.startsWith("-");
            String key = desc ? sort.substring(1) : sort;
            Comparator<Map<String, Object>> c = key.equals("messages")
                    ? Comparator.comparingLong(d -> ((Number) d.get("messages")).longValue())
                    : Comparator.comparing(d -> String.valueOf(d.get(key)));
            all.sort(desc ? c.reversed() : c);
            int offset = Integer.parseInt(q.getOrDefault("offset", "0"));
            int limit = Math.min(500, Integer.parseInt(q.getOrDefault("limit", "50")));
            List<Object> items = new ArrayList<>();
            for (int i = offset; i < Math.min(all.size(), offset + limit); i++) {
                items.add(summary(all.get(i)));
            }
            json(x, 200, map("total", all.size(), "offset", offset, "limit", limit, "items", items));
            return;
        }
        if (seg.length == 1 && method.equals("POST")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> in = (Map<String, Object>) parse(body);
            String id = (String) in.get("id");
            if (id == null || id.isBlank()) {
                error(x, 400, "bad-request", "id is missing");
                return;
            }
            if (devices.containsKey(id)) {
                error(x, 409, "conflict", "a device '" + id + "' exists already");
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> cred = (Map<String, Object>) in.get("credential");
            Map<String, Object> d = addDevice(id, (String) cred.get("type"), 0);
            d.put("state", Boolean.FALSE.equals(in.get("enabled")) ? "disabled" : "enabled");
            Map<String, Object> out = new LinkedHashMap<>(d);
            if ("psk".equals(cred.get("type"))) {
                d.put("pskIdentity", cred.getOrDefault("identity", id));
                out.put("pskIdentity", d.get("pskIdentity"));
                if (cred.get("key") == null) {
                    byte[] key = new byte[32];
                    random.nextBytes(key);
                    out.put("psk", HexFormat.of().formatHex(key));
                }
            }
            json(x, 201, out);
            return;
        }
        Map<String, Object> d = devices.get(seg[1]);
        if (d == null) {
            error(x, 404, "not-found", "no device '" + seg[1] + "'");
            return;
        }
        String action = seg.length > 2 ? seg[2] : "";
        switch (method + " " + action) {
            case "GET " -> json(x, 200, d);
            case "DELETE " -> {
                devices.remove(seg[1]);
                send(x, 204, null, "");
            }
            case "POST disable", "POST enable" -> {
                d.put("state", action.equals("disable") ? "disabled" : "enabled");
                json(x, 200, d);
            }
            case "POST quarantine" -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> in = (Map<String, Object>) parse(body);
                long seconds = ((Number) in.get("seconds")).longValue();
                Map<String, Object> r = map("kind", "quarantine", "subject", d.get("id"), "until",
                        Instant.now().plusSeconds(seconds).toString(), "rate", null, "reason", in.get("reason"),
                        "origin", "operator (api)");
                restrictionsOf(d).add(r);
                d.put("quarantined", true);
                json(x, 200, r);
            }
            case "POST rotate" -> {
                byte[] key = new byte[32];
                random.nextBytes(key);
                d.put("nextCredential", "psk identity " + d.get("id") + "-2");
                json(x, 200, map("nextIdentity", d.get("id") + "-2", "psk", HexFormat.of().formatHex(key)));
            }
            case "POST commands" -> {
                d.put("commandsWaiting", ((Number) d.get("commandsWaiting")).intValue() + 1);
                json(x, 202, map("id", "cmd-" + (++commandIds)));
            }
            default -> error(x, 404, "not-found", "no such action");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> restrictionsOf(Map<String, Object> d) {
        return (List<Map<String, Object>>) d.get("restrictions");
    }

    private static Map<String, Object> summary(Map<String, Object> d) {
        Map<String, Object> s = new LinkedHashMap<>();
        for (String k : List.of("id", "credential", "state", "quarantined", "connected", "lastSeen", "suite", "protocol",
                "messages", "restrictions", "alerts")) {
            s.put(k, d.get(k));
        }
        return s;
    }

    private void alerts(HttpExchange x, String method, String[] seg, Map<String, String> q) throws IOException {
        if (seg.length == 1 && method.equals("GET")) {
            List<Map<String, Object>> all = new ArrayList<>(alerts);
            all.sort(Comparator.comparing((Map<String, Object> a) -> (String) a.get("time")).reversed());
            if (q.containsKey("rule")) {
                all.removeIf(a -> !q.get("rule").equals(a.get("rule")));
            }
            if (q.containsKey("device")) {
                all.removeIf(a -> !q.get("device").equals(a.get("device")));
            }
            if (q.containsKey("acknowledged")) {
                all.removeIf(a -> !q.get("acknowledged").equals(String.valueOf(a.get("acknowledged"))));
            }
            int offset = Integer.parseInt(q.getOrDefault("offset", "0"));
            int limit = Integer.parseInt(q.getOrDefault("limit", "50"));
            json(x, 200, map("total", all.size(), "items", all.subList(Math.min(offset, all.size()),
                    Math.min(all.size(), offset + limit))));
            return;
        }
        if (seg.length == 3 && method.equals("POST") && seg[2].equals("ack")) {
            for (Map<String, Object> a : alerts) {
                if (a.get("id").equals(seg[1])) {
                    a.put("acknowledged", true);
                    a.put("acknowledgedAt", Instant.now().toString());
                    json(x, 200, a);
                    return;
                }
            }
        }
        error(x, 404, "not-found", "no such alert");
    }

    private void restrictions(HttpExchange x, String method, String[] seg) throws IOException {
        if (method.equals("DELETE") && seg.length == 3) {
            for (Map<String, Object> d : devices.values()) {
                if (restrictionsOf(d).removeIf(r -> r.get("kind").equals(seg[1]) && r.get("subject").equals(seg[2]))) {
                    d.put("quarantined", restrictionsOf(d).stream().anyMatch(r -> r.get("kind").equals("quarantine")));
                    send(x, 204, null, "");
                    return;
                }
            }
        }
        error(x, 404, "not-found", "no such restriction");
    }

    private static String decodePath(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void error(HttpExchange x, int status, String code, String reason) throws IOException {
        json(x, status, map("error", code, "reason", reason));
    }

    private static void json(HttpExchange x, int status, Object body) throws IOException {
        send(x, status, "application/json;charset=UTF-8", write(body));
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (type != null) {
            x.getResponseHeaders().set("Content-Type", type);
        }
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(status, status == 204 ? -1 : bytes.length);
        if (status != 204) {
            x.getResponseBody().write(bytes);
        }
    }

    // ------------------------------------------------------------------------------ JSON

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static String write(Object o) {
        StringBuilder b = new StringBuilder();
        write(b, o);
        return b.toString();
    }

    private static void write(StringBuilder b, Object o) {
        if (o == null) {
            b.append("null");
        } else if (o instanceof String s) {
            b.append('"');
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    b.append('\\').append(c);
                } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
            b.append('"');
        } else if (o instanceof Number || o instanceof Boolean) {
            b.append(o);
        } else if (o instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                write(b, String.valueOf(e.getKey()));
                b.append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else if (o instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(b, l.get(i));
            }
            b.append(']');
        } else if (o instanceof Object[] a) {
            write(b, List.of(a));
        } else {
            throw new IllegalArgumentException("cannot write " + o.getClass());
        }
    }

    static Object parse(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        try (JsonReader r = Json.createReader(new StringReader(s))) {
            return plain(r.readValue());
        }
    }

    private static Object plain(JsonValue v) {
        switch (v.getValueType()) {
            case OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                ((JsonObject) v).forEach((k, e) -> m.put(k, plain(e)));
                return m;
            }
            case ARRAY: {
                List<Object> l = new ArrayList<>();
                ((JsonArray) v).forEach(e -> l.add(plain(e)));
                return l;
            }
            case STRING:
                return ((JsonString) v).getString();
            case NUMBER: {
                JsonNumber n = (JsonNumber) v;
                if (n.isIntegral()) {
                    long l = n.longValueExact();
                    return l == (int) l ? (Object) (int) l : (Object) l;
                }
                return n.doubleValue();
            }
            case TRUE:
                return true;
            case FALSE:
                return false;
            default:
                return null;
        }
    }
}
