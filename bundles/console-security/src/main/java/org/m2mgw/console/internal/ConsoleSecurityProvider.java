package org.m2mgw.console.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.m2mgw.api.runtime.GatewayRuntime;
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
 */
@Component(service = SecurityProvider.class,
        property = "webconsole.security.provider.id=" + ConsoleSecurityProvider.PROVIDER_ID)
public class ConsoleSecurityProvider implements SecurityProvider {
    static final String PROVIDER_ID = "m2mgw";
    static final String USER = "admin";
    static final String REALM = "m2mgw gateway console";
    private static final long LOG_INTERVAL_MS = 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSecurityProvider.class);

    private final AdminPasswordFile password;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong lastFailureLog = new AtomicLong();

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
        Credentials c = Credentials.parse(request.getHeader("Authorization"));
        if (c != null) {
            try {
                password.reloadIfChanged();
            } catch (IOException e) {
                LOG.error("Cannot read {}: {}", password.path(), e.getMessage());
            }
            if (USER.equals(c.user) && password.matches(c.password)) {
                return USER;
            }
            recordFailure(request.getRemoteAddr(), c.user);
        }
        response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        try {
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
        } catch (IOException ignored) {
            // The client went away; nothing to tell it.
        }
        return null;
    }

    private void recordFailure(String remote, String user) {
        long n = failures.incrementAndGet();
        long now = System.currentTimeMillis();
        long last = lastFailureLog.get();
        if (now - last >= LOG_INTERVAL_MS && lastFailureLog.compareAndSet(last, now)) {
            // Never log the attempted password, only who tried and how often.
            LOG.warn("Web console login refused for user '{}' from {} ({} refusals since start)",
                    sanitize(user), remote, n);
        }
    }

    /** @return the number of refused logins since start */
    long failures() {
        return failures.get();
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

    /** A user name and password from an HTTP Basic Authorization header. */
    static final class Credentials {
        final String user;
        final String password;

        private Credentials(String user, String password) {
            this.user = user;
            this.password = password;
        }

        static Credentials parse(String header) {
            if (header == null || header.length() < 6
                    || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
                return null;
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return null;
            }
            return new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
    }
}
