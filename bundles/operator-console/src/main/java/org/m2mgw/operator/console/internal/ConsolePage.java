package org.m2mgw.operator.console.internal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * One operator page of the web console. The page itself is a little static markup: the console
 * frames it (menu, header, login), and its scripts, served from this bundle under
 * {@code <label>/res/}, draw the page from the REST API ({@code /m2mgw/api/v1}) with
 * {@code fetch()}. So this servlet holds no state and changes nothing: every change goes through
 * the API, which checks the login and the request's origin again.
 *
 * <p>The web console serves {@code /<label>/res/<path>} from {@code res/<path>} of this bundle
 * by itself (it looks the resource up through the plugin's class), with {@code Last-Modified}.
 */
abstract class ConsolePage extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** The REST API's base path; the pages call it on the console's own origin. */
    static final String API = "/m2mgw/api/v1";
    /** The scripts every page loads, in this order, from {@code res/}. */
    static final List<String> SCRIPTS = List.of("m2mgw-console.js", "m2mgw-charts.js", "m2mgw-dashboard.js",
            "m2mgw-devices.js", "m2mgw-alerts.js");
    static final String STYLE = "m2mgw-console.css";
    /** The request attribute in which the web console gives its root path, e.g. {@code /system/console}. */
    static final String APP_ROOT = "felix.webconsole.appRoot";

    private final String label;
    private final String page;

    ConsolePage(String label, String page) {
        this.label = label;
        this.page = page;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/html;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        Object root = req.getAttribute(APP_ROOT);
        resp.getWriter().print(fragment(root instanceof String s ? s : "/system/console", label, page));
    }

    /**
     * @param appRoot the console's root path
     * @param label the plugin's label, under which its resources are served
     * @param page which page the scripts draw: {@code dashboard}, {@code devices} or {@code alerts}
     * @return the markup of the page inside the console's frame
     */
    static String fragment(String appRoot, String label, String page) {
        String res = attr(appRoot + "/" + label + "/res/");
        StringBuilder out = new StringBuilder(1024);
        out.append("<link rel='stylesheet' type='text/css' href='").append(res).append(STYLE).append("'/>\n");
        out.append("<div id='m2mgw-app' class='m2mgw' data-page='").append(attr(page))
                .append("' data-api='").append(API).append("' data-app-root='").append(attr(appRoot))
                .append("'><noscript><p class='ui-state-error'>This page is drawn by JavaScript from the gateway's REST API"
                        + " (" + API + "); turn JavaScript on for this console.</p></noscript>"
                        + "<p class='m2mgw-status' id='m2mgw-status' role='status'>Loading...</p></div>\n");
        for (String s : SCRIPTS) {
            out.append("<script src='").append(res).append(s).append("'></script>\n");
        }
        return out.toString();
    }

    /** Escapes a value for a single-quoted HTML attribute. */
    static String attr(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        // Changes go through the REST API, never through the page.
        resp.setHeader("Allow", "GET");
        resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "changes go through " + API);
    }
}
