package org.m2mgw.console.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.support.http.AdminPasswordFile;
import org.m2mgw.support.http.BasicCredentials;
import org.m2mgw.support.http.LoginThrottle;
import org.m2mgw.support.http.OriginCheck;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates web console users against the generated admin password (HTTP Basic).
 *
 * <p>The distro sets the framework property {@code felix.webconsole.security.providers} to this
 * provider's id. The console then refuses every request until this provider is registered, and
 * never falls back to its built-in default credentials.
 *
 * <p>The console asks this provider about every request under its root before the request runs,
 * Felix's own pages and plugins alike, so this is also where the console is guarded against:
 * <ul>
 * <li>cross-site request forgery: a request that changes state and names another origin is
 *     refused with 403 before its credentials are looked at ({@link OriginCheck});
 * <li>password guessing: after repeated failed logins from one address, logins from there are
 *     refused with 429 and {@code Retry-After}, for a back-off that doubles up to five minutes
 *     ({@link LoginThrottle}).
 * </ul>
 * Both are counted on the status page ({@code console}).
 */
@Component(service = {SecurityProvider.class, StatusProvider.class},
        property = "webconsole.security.provider.id=" + ConsoleSecurityProvider.PROVIDER_ID)
public class ConsoleSecurityProvider implements SecurityProvider, StatusProvider {
    static final String PROVIDER_ID = "m2mgw";
    static final String USER = "admin";
    static final String REALM = org.m2mgw.support.http.BasicCredentials.REALM;
    private static final long LOG_INTERVAL_MS = 60_000;
    /** How many refused origins are remembered for the once-a-minute log line. */
    private static final int MAX_LOGGED_ORIGINS = 256;
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSecurityProvider.class);

    private final AdminPasswordFile password;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong lastFailureLog = new AtomicLong();
    private final AtomicLong lastLockoutLog = new AtomicLong();
    private final LoginThrottle throttle = new LoginThrottle();
    private final AtomicLong forgeries = new AtomicLong();
    private final Map<String, Long> forgeryLog = new HashMap<>();

    @Activate
    public ConsoleSecurityProvider(@Reference GatewayRuntime runtime) throws IOException {
        password = AdminPasswordFile.openOrCreate(runtime.dataDirectory("console"), new SecureRandom());
        if (password.wasCreated()) {
            // Printed once, at first start, so that the operator can find the password.
            String msg = "Web console user '" + USER + "': password generated in "
                    + password.path() + " (readable by this user only)";
            System.out.println("m2mgw: " + msg);
            LOG.info(msg);
        }
        if (!password.isUsable()) {
            LOG.error("{} is empty: the web console refuses every login until it holds a password",
                    password.path());
        }
    }

    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        // First, before any credentials are looked at: a request that changes state must come
        // from the console's own pages (cross-site request forgery). The console calls this for
        // every request under its root, its own pages (configMgr, bundles, ...) and plugins alike.
        OriginCheck.Refusal forged = OriginCheck.check(request.getMethod(), request.getQueryString(),
                request.getScheme(), request.getHeader("Host"), request.getServerName(), request.getServerPort(),
                request.getHeader("Origin"), request.getHeader("Referer"), request.getHeader("Sec-Fetch-Site"));
        if (forged != null) {
            recordForgery(request, forged);
            send(response, HttpServletResponse.SC_FORBIDDEN,
                    "Refused: a request that changes the gateway must come from the console's own pages ("
                            + forged.reason() + ")");
            return null;
        }
        BasicCredentials c = BasicCredentials.parse(request.getHeader("Authorization"));
        if (c != null) {
            try {
                password.reloadIfChanged();
            } catch (IOException e) {
                LOG.error("Cannot read {}: {}", password.path(), e.getMessage());
            }
            String remote = request.getRemoteAddr();
            LoginThrottle.Result r = throttle.attempt(remote,
                    () -> USER.equals(c.user()) && password.matches(c.password()));
            switch (r.verdict()) {
                case ACCEPTED:
                    return USER;
                case THROTTLED:
                    response.setHeader("Retry-After", Long.toString((r.backoffMs() + 999) / 1000));
                    send(response, 429, "Too many failed logins from this address; retry later");
                    return null;
                case REFUSED:
                default:
                    recordFailure(remote, c.user(), r);
                    break;
            }
        }
        response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        send(response, HttpServletResponse.SC_UNAUTHORIZED, null);
        return null;
    }

    private static void send(HttpServletResponse response, int status, String message) {
        try {
            if (message == null) {
                response.sendError(status);
            } else {
                response.sendError(status, message);
            }
        } catch (IOException ignored) {
            // The client went away; nothing to tell it.
        }
    }

    private void recordFailure(String remote, String user, LoginThrottle.Result r) {
        long n = failures.incrementAndGet();
        long now = System.currentTimeMillis();
        // Never log the attempted password, only who tried and how often.
        if (r.backoffMs() > 0 && r.failures() == LoginThrottle.FREE_ATTEMPTS) {
            // An address is locked out for the first time: worth a line of its own, though not
            // more than one a second whatever the number of addresses.
            long last = lastLockoutLog.get();
            if (now - last >= 1_000 && lastLockoutLog.compareAndSet(last, now)) {
                LOG.warn("Web console: {} failed logins from {} (last as user '{}'); further logins from there"
                        + " are refused for {} s, longer after each further failure ({} refusals since start)",
                        r.failures(), remote, sanitize(user), (r.backoffMs() + 999) / 1000, n);
                return;
            }
        }
        long last = lastFailureLog.get();
        if (now - last >= LOG_INTERVAL_MS && lastFailureLog.compareAndSet(last, now)) {
            LOG.warn("Web console login refused for user '{}' from {} ({} refusals since start)",
                    sanitize(user), remote, n);
        }
    }

    private void recordForgery(HttpServletRequest request, OriginCheck.Refusal refusal) {
        long n = forgeries.incrementAndGet();
        String source = sanitize(refusal.source());
        long now = System.currentTimeMillis();
        synchronized (forgeryLog) {
            Long last = forgeryLog.get(source);
            if (last != null && now - last < LOG_INTERVAL_MS) {
                return;
            }
            if (forgeryLog.size() >= MAX_LOGGED_ORIGINS) {
                forgeryLog.values().removeIf(t -> now - t >= LOG_INTERVAL_MS);
                if (forgeryLog.size() >= MAX_LOGGED_ORIGINS) {
                    return; // a flood of origins: the counter still counts them
                }
            }
            forgeryLog.put(source, now);
        }
        // The path only: a query string may hold configuration values, passwords among them.
        LOG.warn("Web console: refused a cross-origin {} {} from {}: {} ({}); {} refused since start",
                sanitize(request.getMethod()), sanitize(request.getRequestURI()), request.getRemoteAddr(),
                refusal.reason(), source, n);
    }

    /** @return the number of refused logins since start */
    long failures() {
        return failures.get();
    }

    @Override
    public String statusName() {
        return "console";
    }

    @Override
    public String statusLine() {
        int locked = throttle.lockedOut();
        return "user '" + USER + "', HTTP Basic; cross-origin changes refused; "
                + (locked == 0 ? "no address" : locked + " address(es)") + " in login back-off";
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("login.refused", failures.get());
        out.put("login.throttled", throttle.throttled());
        out.put("login.backoff.addresses", (long) throttle.lockedOut());
        out.put("login.tracked.addresses", (long) throttle.tracked());
        out.put("login.tracked.evicted", throttle.evicted());
        out.put("crossorigin.refused", forgeries.get());
        return out;
    }

    private static String sanitize(String s) {
        return s == null ? "null" : org.m2mgw.support.Text.printable(s, 64);
    }

    @Override
    public boolean authorize(Object user, String role) {
        return USER.equals(user);
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        // Basic authentication keeps no server-side state to remove.
    }
}
