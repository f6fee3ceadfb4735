package org.m2mgw.support.http;

import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Refuses cross-site request forgery on the web console: a request that changes state must come
 * from a page of the console itself.
 *
 * <p>The console authenticates with HTTP Basic, which a browser sends again by itself with every
 * request to the console, whichever site the request comes from. So any page an operator visits
 * while logged in could post a form to the console. Browsers name the page's origin in the
 * {@code Origin} header of every cross-origin POST (the string {@code null} when they hide it),
 * and usually in the {@code Referer}, and modern ones say {@code Sec-Fetch-Site}. A request
 * that changes state is therefore accepted only if:
 *
 * <ul>
 * <li>its {@code Origin}, when present, is the console's own origin (scheme, host and port of
 *     the request), otherwise
 * <li>its {@code Referer}, when present, is a URL of the console's own origin, otherwise
 * <li>its {@code Sec-Fetch-Site}, when present, is {@code same-origin} or {@code none}, otherwise
 * <li>it carries none of the three: a script or tool, not a browser (browsers always send
 *     {@code Origin} on a cross-origin POST). Only a GET that the configuration editor treats as
 *     a POST ({@code ?post=true}) needs positive proof, because an {@code <img>} on another site
 *     can send it without any of the three headers.
 * </ul>
 *
 * <p>GET, HEAD and OPTIONS change nothing and are always allowed, except the configuration
 * editor's {@code GET ...?post=true}, which Felix's {@code ConfigManager} handles as a POST.
 *
 * <p>All methods are pure functions of the request's strings, so that they can be tested
 * without a servlet container.
 */
public final class OriginCheck {
    /** The query parameter that makes Felix's configuration editor handle a GET as a POST. */
    static final String GET_AS_POST_PARAMETER = "post";

    private OriginCheck() {
    }

    /** Why a request was refused; {@code source} is the offending value, for the log only. */
    public record Refusal(String reason, String source) {
    }

    /**
     * @param method the request method
     * @param query the raw query string, or {@code null}
     * @return whether the request may change state and must come from the console's own origin
     */
    static boolean changesState(String method, String query) {
        if ("OPTIONS".equals(method)) {
            return false;
        }
        if ("GET".equals(method) || "HEAD".equals(method)) {
            return isGetAsPost(query);
        }
        return true;
    }

    /** @return whether the query has a {@code post} parameter, under any encoding of its name */
    static boolean isGetAsPost(String query) {
        if (query == null || query.isEmpty()) {
            return false;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            try {
                name = URLDecoder.decode(name, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                return true; // cannot tell: treat it as one that changes state
            }
            if (GET_AS_POST_PARAMETER.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decides whether a request may proceed.
     *
     * @param method the request method
     * @param query the raw query string, or {@code null}
     * @param scheme the request's scheme ({@code http} or {@code https})
     * @param host the request's {@code Host} header, or {@code null}
     * @param serverName the server name the container derived for the request
     * @param serverPort the server port the container derived for the request
     * @param origin the {@code Origin} header, or {@code null}
     * @param referer the {@code Referer} header, or {@code null}
     * @param fetchSite the {@code Sec-Fetch-Site} header, or {@code null}
     * @return {@code null} if the request may proceed, else why not
     */
    public static Refusal check(String method, String query, String scheme, String host, String serverName,
            int serverPort, String origin, String referer, String fetchSite) {
        if (!changesState(method, query)) {
            return null;
        }
        boolean getAsPost = "GET".equals(method) || "HEAD".equals(method);
        String own = ownOrigin(scheme, host);
        String derived = ownOrigin(scheme, serverName, serverPort);
        if (origin != null) {
            String o = normalize(origin.trim(), true);
            if (o != null && (o.equals(own) || o.equals(derived))) {
                return null;
            }
            return new Refusal("Origin is not this console", origin);
        }
        if (referer != null && !referer.isBlank()) {
            String r = normalize(referer.trim(), false);
            if (r != null && (r.equals(own) || r.equals(derived))) {
                return null;
            }
            return new Refusal("Referer is not this console", r != null ? r : referer);
        }
        if (fetchSite != null) {
            String site = fetchSite.trim().toLowerCase(Locale.ROOT);
            if (site.equals("same-origin") || site.equals("none")) {
                return null;
            }
            return new Refusal("Sec-Fetch-Site is not same-origin", "Sec-Fetch-Site: " + site);
        }
        if (getAsPost) {
            return new Refusal("a GET with ?post= needs an Origin or Referer of this console",
                    "no Origin or Referer");
        }
        return null; // not a browser
    }

    /**
     * @param scheme the request's scheme
     * @param host a {@code Host} header: {@code name}, {@code name:port}, {@code [v6]} or
     *        {@code [v6]:port}
     * @return {@code scheme://host:port}, normalised, or {@code null} if the header is missing or
     *         malformed
     */
    static String ownOrigin(String scheme, String host) {
        if (scheme == null || host == null || host.isBlank()) {
            return null;
        }
        return normalize(scheme.trim() + "://" + host.trim(), true);
    }

    /** @return {@code scheme://name:port}, normalised, or {@code null} */
    static String ownOrigin(String scheme, String serverName, int serverPort) {
        if (scheme == null || serverName == null || serverName.isBlank()) {
            return null;
        }
        String name = serverName.trim();
        if (name.indexOf(':') >= 0 && !name.startsWith("[")) {
            name = "[" + name + "]"; // a bare IPv6 address
        }
        return normalize(scheme.trim() + "://" + name + (serverPort > 0 ? ":" + serverPort : ""), true);
    }

    /**
     * Reduces an origin or URL to {@code scheme://host:port}: scheme and host in lower case, the
     * scheme's default port written out, an IPv6 literal in its canonical form.
     *
     * @param originOnly whether {@code s} must be a serialised origin (no path, query, fragment
     *        or user info), as in an {@code Origin} header
     * @return the normalised origin, or {@code null} for {@code "null"}, a list of origins, or
     *         anything that is not an absolute http(s) URL with a host
     */
    static String normalize(String s, boolean originOnly) {
        if (s == null) {
            return null;
        }
        int sep = s.indexOf("://");
        if (sep <= 0) {
            return null; // also "null", the opaque origin
        }
        String scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
        int defaultPort = switch (scheme) {
            case "http" -> 80;
            case "https" -> 443;
            default -> -1;
        };
        if (defaultPort < 0) {
            return null;
        }
        String rest = s.substring(sep + 3);
        int end = 0;
        while (end < rest.length() && "/?#".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        String authority = rest.substring(0, end);
        String after = rest.substring(end);
        if (originOnly && !(after.isEmpty() || after.equals("/"))) {
            return null;
        }
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            if (originOnly) {
                return null;
            }
            authority = authority.substring(at + 1);
        }
        String host;
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = canonicalIpv6(authority.substring(0, close + 1));
            String tail = authority.substring(close + 1);
            if (!tail.isEmpty() && !tail.startsWith(":")) {
                return null;
            }
            port = tail.isEmpty() ? "" : tail.substring(1);
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? "" : authority.substring(colon + 1);
            host = host.toLowerCase(Locale.ROOT);
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            if (!validName(host)) {
                return null;
            }
        }
        if (host == null || host.isEmpty()) {
            return null;
        }
        int p = defaultPort;
        if (!port.isEmpty()) {
            if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                return null;
            }
        }
        return scheme + "://" + host + ":" + p;
    }

    /** A host name or IPv4 address: no spaces, colons, controls or other delimiters. */
    private static boolean validName(String host) {
        return !host.isEmpty() && host.chars().allMatch(c -> c > 0x20 && c < 0x7f && "[]:@/\\?#,;\"'<>".indexOf(c) < 0);
    }

    /** @return {@code [v6]} in canonical form, or {@code null}; never looks a name up */
    private static String canonicalIpv6(String bracketed) {
        if (!bracketed.endsWith("]")) {
            return null;
        }
        String inner = bracketed.substring(1, bracketed.length() - 1);
        // Only hex digits, colons and dots, and at least one colon: a literal that
        // InetAddress parses without ever looking a name up.
        if (inner.indexOf(':') < 0
                || !inner.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            return null;
        }
        try {
            // A bracketed literal is parsed, never resolved.
            String a = InetAddress.getByName("[" + inner + "]").getHostAddress();
            return "[" + compress(a) + "]";
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Java writes IPv6 addresses uncompressed; browsers compress the longest run of zeros. */
    static String compress(String full) {
        if (full.indexOf(':') < 0) {
            return full; // an IPv4-mapped address comes back as IPv4
        }
        String[] g = full.split(":");
        for (int i = 0; i < g.length; i++) {
            g[i] = Integer.toHexString(Integer.parseInt(g[i], 16));
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < g.length;) {
            if (!g[i].equals("0")) {
                i++;
                continue;
            }
            int j = i;
            while (j < g.length && g[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestStart < 0) {
            return String.join(":", g);
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(g, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(g, bestStart + bestLen, g.length));
        return head + "::" + tail;
    }
}
