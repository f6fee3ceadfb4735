package org.m2mgw.operator.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.m2mgw.support.Text;
import org.m2mgw.support.http.AdminPasswordFile;
import org.m2mgw.support.http.BasicCredentials;
import org.m2mgw.support.http.LoginThrottle;
import org.m2mgw.support.http.OriginCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call the API: the web console's rules, from the same code (gateway-support's
 * {@code org.m2mgw.support.http}) and the same password file. First the cross-origin check (a call
 * that changes state and names another origin is refused with 403 before any credentials are
 * looked at), then HTTP Basic as user {@code admin} with the password in
 * {@code <data>/console/admin-password}, behind the per-address login back-off (429 with
 * Retry-After). Wrong or missing credentials get 401 with {@code WWW-Authenticate}.
 *
 * <p>The back-off table is this bundle's own: failures at the console and at the API are counted
 * apart, each with the console's limits. Where no console bundle made the password file (a Kura
 * gateway), the API makes it at first start, with the console's generator, and says where.
 */
final class ApiAccess {
    static final String USER = "admin";
    static final String REALM = org.m2mgw.support.http.BasicCredentials.REALM;
    private static final long LOG_INTERVAL_MS = 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(ApiAccess.class);

    /** A refusal: the error and the headers that go with it. */
    record Refusal(ApiError error, String header, String value) {
    }

    /** The request's parts the rules look at. */
    record Call(String method, String query, String scheme, String host, String serverName, int serverPort,
            String origin, String referer, String fetchSite, String authorization, String remote) {
    }

    private final Path consoleDir;
    private AdminPasswordFile password;
    private final LoginThrottle throttle = new LoginThrottle();
    private final AtomicLong refusedLogins = new AtomicLong();
    private final AtomicLong crossOrigin = new AtomicLong();
    private final AtomicLong lastLog = new AtomicLong();

    ApiAccess(Path consoleDir) {
        this.consoleDir = consoleDir;
    }

    /**
     * The password file, opened at the first login rather than at start: in the distro the console
     * has made it by then (and printed where, once); on a gateway without the console (Kura) the API
     * makes it here and says where, as the console would.
     */
    private synchronized AdminPasswordFile password() throws IOException {
        if (password == null) {
            password = AdminPasswordFile.openOrCreate(consoleDir, new SecureRandom());
            if (password.wasCreated()) {
                String msg = "REST API user '" + USER + "': password generated in " + password.path()
                        + " (readable by this user only)";
                System.out.println("m2mgw: " + msg);
                LOG.info(msg);
            }
        }
        return password;
    }

    /** @return null if the call may proceed, else why not */
    Refusal check(Call c) {
        OriginCheck.Refusal forged = OriginCheck.check(c.method(), c.query(), c.scheme(), c.host(), c.serverName(),
                c.serverPort(), c.origin(), c.referer(), c.fetchSite());
        if (forged != null) {
            crossOrigin.incrementAndGet();
            logLimited("REST API: refused a cross-origin {} from {}: {}", Text.printable(c.method(), 16), c.remote(),
                    forged.reason());
            return new Refusal(new ApiError(403, "forbidden", "a request that changes the gateway must come from "
                    + "the gateway's own pages (" + forged.reason() + ")"), null, null);
        }
        BasicCredentials cred = BasicCredentials.parse(c.authorization());
        if (cred != null) {
            AdminPasswordFile pw;
            try {
                pw = password();
                pw.reloadIfChanged();
            } catch (IOException e) {
                LOG.error("Cannot read the admin password in {}: {}", consoleDir, e.getMessage());
                return new Refusal(ApiError.unavailable("the admin password file cannot be read"), null, null);
            }
            LoginThrottle.Result r = throttle.attempt(c.remote(),
                    () -> USER.equals(cred.user()) && pw.isUsable() && pw.matches(cred.password()));
            switch (r.verdict()) {
                case ACCEPTED:
                    return null;
                case THROTTLED:
                    return new Refusal(new ApiError(429, "too_many_requests",
                            "too many failed logins from this address; retry later"), "Retry-After",
                            Long.toString((r.backoffMs() + 999) / 1000));
                default:
                    refusedLogins.incrementAndGet();
                    // Never the password; who tried, as which user, at most once a minute.
                    logLimited("REST API: login refused for user '{}' from {} ({} refusals since start)",
                            Text.printable(cred.user(), 64), c.remote(), refusedLogins.get());
                    break;
            }
        }
        return new Refusal(new ApiError(401, "unauthorized", "HTTP Basic authentication as the console's admin "
                + "user is required"), "WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
    }

    private void logLimited(String format, Object... args) {
        long now = System.currentTimeMillis();
        long last = lastLog.get();
        if (now - last >= LOG_INTERVAL_MS && lastLog.compareAndSet(last, now)) {
            LOG.warn(format, args);
        }
    }

    long refusedLogins() {
        return refusedLogins.get();
    }

    long crossOriginRefused() {
        return crossOrigin.get();
    }

    long throttled() {
        return throttle.throttled();
    }
}
