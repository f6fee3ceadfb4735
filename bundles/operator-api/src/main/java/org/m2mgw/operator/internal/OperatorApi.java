package org.m2mgw.operator.internal;

import jakarta.json.JsonValue;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.alert.Alert;
import org.m2mgw.api.command.CommandQueue;
import org.m2mgw.api.device.DeviceAdministration;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.api.session.SessionDirectory;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's REST API: one servlet on the OSGi HTTP whiteboard at {@value #BASE}, so it runs
 * on any HTTP service with the whiteboard (Felix HTTP Jetty in the distro, Kura's). It takes the
 * request apart (path, query, body with its limits and content type), applies the console's access
 * rules ({@link ApiAccess}) and hands the call to {@link Calls}. Alongside it keeps, in memory and
 * bounded, what the dashboard needs: the alert log (Event Admin {@link Alert#TOPIC}), the device
 * activity (traffic events) and the metrics history (sampled every 10 s from the status providers).
 */
@Component(name = OperatorApi.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = {Servlet.class, TrafficEventListener.class, EventHandler.class, ConfigurableComponent.class},
        property = {"service.pid=" + OperatorApi.PID,
            "osgi.http.whiteboard.servlet.pattern=" + OperatorApi.BASE + "/*",
            "osgi.http.whiteboard.servlet.name=m2mgw-operator-api",
            EventConstants.EVENT_TOPIC + "=" + Alert.TOPIC})
@Designate(ocd = OperatorApiConfig.class)
public class OperatorApi extends HttpServlet implements TrafficEventListener, EventHandler, ConfigurableComponent {
    static final String PID = "org.m2mgw.operator.api";
    static final String BASE = "/m2mgw/api/v1";
    static final int MAX_BODY = 64 * 1024;
    static final int MAX_IMPORT_BODY = 4 * 1024 * 1024;
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OperatorApi.class);

    private final transient ApiAccess access;
    private final transient JsonSupport json = new JsonSupport();
    private final transient DeviceActivity activity;
    private final transient AlertLog alerts;
    private final transient MetricsHistory history;
    private final transient Calls calls;
    private final transient ScheduledExecutorService sampler;
    private volatile transient ApiSettings settings;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile transient DeviceRegistry registry;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile transient DeviceAdministration administration;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile transient DeviceAccessControl accessControl;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile transient CommandQueue commandQueue;

    private final transient List<SessionDirectory> directories = new CopyOnWriteArrayList<>();
    private final transient List<StatusProvider> providers = new CopyOnWriteArrayList<>();

    @Activate
    public OperatorApi(@Reference GatewayRuntime runtime, OperatorApiConfig config) {
        ApiSettings s = settings(config, ApiSettings.DEFAULTS);
        settings = s;
        access = new ApiAccess(runtime.dataDirectory("console"));
        activity = new DeviceActivity(s.maxDevices(), s.recentPerDevice());
        alerts = new AlertLog(s.maxAlerts());
        history = new MetricsHistory(s.historyPoints());
        calls = new Calls(json, new Gateway() {
            @Override
            public DeviceRegistry registry() {
                return registry;
            }

            @Override
            public DeviceAdministration administration() {
                return administration;
            }

            @Override
            public DeviceAccessControl access() {
                return accessControl;
            }

            @Override
            public CommandQueue commands() {
                return commandQueue;
            }

            @Override
            public List<SessionDirectory> sessionDirectories() {
                return directories;
            }

            @Override
            public List<StatusProvider> statusProviders() {
                return providers;
            }
        }, activity, alerts, history, Clock.systemUTC());
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "m2mgw-operator-history");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, MetricsHistory.INTERVAL_SECONDS, TimeUnit.SECONDS);
    }

    /** @return the checked settings, or {@code fallback} (logged) when a value is out of range */
    private static ApiSettings settings(OperatorApiConfig config, ApiSettings fallback) {
        try {
            return ApiSettings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error("Operator REST API: configuration {} refused ({}); keeping the previous settings", PID,
                    e.getMessage());
            return fallback;
        }
    }

    @Modified
    void modified(OperatorApiConfig config) {
        ApiSettings s = settings(config, settings);
        settings = s;
        activity.resize(s.maxDevices(), s.recentPerDevice());
        alerts.resize(s.maxAlerts());
        history.resize(s.historyPoints());
    }

    @Deactivate
    void deactivate() {
        sampler.shutdownNow();
    }

    private void sample() {
        try {
            history.sample(System.currentTimeMillis(), Calls.totals(providers, alerts.received()));
        } catch (RuntimeException e) {
            LOG.warn("Operator REST API: history sample failed: {}", e.toString());
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "removeSessionDirectory")
    void addSessionDirectory(SessionDirectory d) {
        directories.add(d);
    }

    void removeSessionDirectory(SessionDirectory d) {
        directories.remove(d);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "removeStatusProvider")
    void addStatusProvider(StatusProvider p) {
        providers.add(p);
    }

    void removeStatusProvider(StatusProvider p) {
        providers.remove(p);
    }

    // ------------------------------------------------------------------ events

    @Override
    public void onEvent(TrafficEvent event) {
        activity.onEvent(event);
    }

    @Override
    public void handleEvent(Event event) {
        try {
            Alert a = Alert.fromEventProperties(event::getProperty);
            Object action = event.getProperty(Alert.PROP_ACTION);
            alerts.add(a, action == null ? "none" : action.toString());
        } catch (IllegalArgumentException e) {
            LOG.debug("Ignoring a malformed alert event: {}", e.getMessage());
        }
    }

    // ------------------------------------------------------------------ HTTP

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        if (!settings.enabled()) {
            send(resp, new ApiError(404, "not_found", "the REST API is disabled (" + PID + " enabled=false)"));
            return;
        }
        String method = req.getMethod().toUpperCase(Locale.ROOT);
        ApiAccess.Refusal refused = access.check(new ApiAccess.Call(method, req.getQueryString(), req.getScheme(),
                req.getHeader("Host"), req.getServerName(), req.getServerPort(), req.getHeader("Origin"),
                req.getHeader("Referer"), req.getHeader("Sec-Fetch-Site"), req.getHeader("Authorization"),
                req.getRemoteAddr()));
        if (refused != null) {
            if (refused.header() != null) {
                resp.setHeader(refused.header(), refused.value());
            }
            send(resp, refused.error());
            return;
        }
        try {
            if (!List.of("GET", "POST", "PATCH", "DELETE").contains(method)) {
                throw new ApiError(405, "method_not_allowed", "use GET, POST, PATCH or DELETE");
            }
            List<String> path = segments(req.getPathInfo());
            Map<String, String> query = query(req.getQueryString());
            String body = body(req, method, path);
            ApiResponse answer = calls.handle(new ApiRequest(method, path, query, body));
            resp.setStatus(answer.status());
            if (answer.location() != null) {
                resp.setHeader("Location", req.getContextPath() + BASE + "/" + answer.location());
            }
            if (answer.body() != null) {
                write(resp, answer.body());
            }
        } catch (ApiError e) {
            send(resp, e);
        } catch (RuntimeException e) {
            LOG.error("Operator REST API: {} {} failed", method, req.getPathInfo(), e);
            send(resp, new ApiError(500, "internal", "internal error: " + e.getClass().getSimpleName()));
        }
    }

    static List<String> segments(String pathInfo) {
        List<String> out = new ArrayList<>();
        if (pathInfo != null) {
            for (String s : pathInfo.split("/")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    static Map<String, String> query(String raw) throws ApiError {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k;
            String v;
            try {
                k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("the query string is not well-formed");
            }
            if (out.put(k, v) != null) {
                throw ApiError.badRequest("query parameter '" + org.m2mgw.support.Text.printable(k, 64)
                        + "' given more than once");
            }
        }
        return out;
    }

    /** @return the body text, or null when there is none; checks its size and content type */
    static String body(HttpServletRequest req, String method, List<String> path) throws ApiError, IOException {
        if ("GET".equals(method)) {
            return null;
        }
        int max = Calls.largeBody(method, path) ? MAX_IMPORT_BODY : MAX_BODY;
        long declared = req.getContentLengthLong();
        if (declared > max) {
            throw new ApiError(413, "payload_too_large", "the body is larger than " + max / 1024 + " KiB");
        }
        byte[] bytes = readAtMost(req.getInputStream(), max);
        if (bytes == null) {
            throw new ApiError(413, "payload_too_large", "the body is larger than " + max / 1024 + " KiB");
        }
        if (bytes.length == 0) {
            return null;
        }
        String type = req.getContentType();
        String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!"application/json".equals(mime)) {
            throw new ApiError(415, "unsupported_media_type", "the body must be Content-Type: application/json");
        }
        if (type.toLowerCase(Locale.ROOT).contains("charset=") && !type.toLowerCase(Locale.ROOT).matches(
                ".*charset=\"?utf-8\"?.*")) {
            throw new ApiError(415, "unsupported_media_type", "the body must be UTF-8");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ApiError.badRequest("the body is not valid UTF-8");
        }
    }

    /** @return the stream's bytes, or null if it holds more than {@code max} */
    static byte[] readAtMost(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            if (out.size() + n > max) {
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private void write(HttpServletResponse resp, JsonValue body) throws IOException {
        byte[] bytes = json.write(body).getBytes(StandardCharsets.UTF_8);
        resp.setContentType("application/json;charset=UTF-8");
        resp.setContentLength(bytes.length);
        try (OutputStream out = resp.getOutputStream()) {
            out.write(bytes);
        }
    }

    private void send(HttpServletResponse resp, ApiError e) throws IOException {
        resp.setStatus(e.status());
        write(resp, json.object().add("error", e.code()).add("reason", e.getMessage() == null ? "" : e.getMessage())
                .build());
    }

    /** For the tests: the parts behind the servlet. */
    Calls calls() {
        return calls;
    }
}
