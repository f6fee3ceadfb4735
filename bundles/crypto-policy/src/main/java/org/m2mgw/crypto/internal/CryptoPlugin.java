package org.m2mgw.crypto.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.m2mgw.api.crypto.Finding;
import org.m2mgw.api.crypto.InventoryEntry;
import org.m2mgw.support.Text;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Web console page "m2mgw > Crypto inventory": every device's credential, key age, last suite and
 * status against the policy, with the filters operators plan migrations by (quantum-vulnerable,
 * keys older than N days, retiring within N days), and the posture findings. {@code ?format=json}
 * gives the same rows as JSON ({@code &findings=1} for the findings).
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=m2mgw-crypto",
    "felix.webconsole.title=Crypto inventory",
    "felix.webconsole.category=m2mgw"})
public class CryptoPlugin extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile InventoryComponent inventory;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        InventoryComponent inv = inventory;
        String filter = req.getParameter("filter");
        boolean json = "json".equals(req.getParameter("format"));
        if (inv == null) {
            resp.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "the crypto inventory is not available");
            return;
        }
        Predicate<InventoryEntry> p;
        try {
            p = InventoryFilter.parse(filter, Instant.now());
        } catch (IllegalArgumentException e) {
            if (json) {
                resp.setStatus(HttpServletResponse.SC_BAD_REQUEST);
                resp.setContentType("application/json;charset=UTF-8");
                resp.getWriter().print("{\"error\":" + org.m2mgw.support.Json.quote(e.getMessage()) + "}");
                return;
            }
            p = x -> true;
            filter = null;
            resp.getWriter().println("<p class='statline ui-state-error'>" + Text.html(e.getMessage()) + "</p>");
        }
        List<InventoryEntry> rows = inv.entries().stream().filter(p).toList();
        if (json) {
            resp.setContentType("application/json;charset=UTF-8");
            resp.getWriter().print(req.getParameter("findings") != null ? InventoryJson.findings(inv.findings())
                    : req.getParameter("uplinks") != null ? InventoryJson.uplinks(inv.uplinks())
                    : InventoryJson.entries(rows, inv.energy()));
            return;
        }
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        out.println("<p class='statline'>" + rows.size() + " device(s)" + (filter == null || filter.isBlank() ? ""
                : " matching '" + Text.html(filter) + "'") + "</p>");
        out.println("<form method='get'>Show <select name='filter'>"
                + option("all", "all devices", filter) + option("quantum", "on quantum-vulnerable credentials", filter)
                + option("older:365", "keys older than 365 days", filter)
                + option("retiring:90", "retiring within 90 days", filter)
                + option("status:retired", "on retired suites or keys", filter)
                + "</select> <button type='submit'>Filter</button> or type one: <input name='filter' size='14' "
                + "placeholder='older:730'/> <a href='?format=json" + (filter == null ? "" : "&filter="
                        + Text.html(filter)) + "'>JSON</a></form>");
        out.println("<table class='tablelayout nicetable' id='crypto'><thead><tr><th>Device</th><th>Credential</th>"
                + "<th>Key</th><th>Created</th><th>Fingerprint</th><th>Suite</th><th>Records / MAC failures</th>"
                + "<th>Last handshake</th><th>Full / resumed</th><th>Status</th><th>Reason</th></tr></thead><tbody>");
        for (InventoryEntry e : rows) {
            out.println("<tr><td>" + Text.html(e.deviceId()) + "</td><td>" + e.credentialType() + "</td><td>"
                    + Text.html(e.keyAlgorithm()) + " (" + e.keyStrengthBits() + " bits)</td><td>"
                    + e.keyCreated().map(PolicyRules::day).orElse("unknown") + "</td><td><code>"
                    + Text.html(e.keyFingerprint()) + "</code></td><td>" + Text.html(e.suite().orElse("-"))
                    + "</td><td>" + e.recordsProtected() + " / " + e.macFailures() + "</td><td>"
                    + e.lastHandshake().map(Instant::toString).orElse("-") + "</td><td>" + e.fullHandshakes() + " / "
                    + e.resumptions() + "</td><td class='status-" + e.verdict().status() + "'>" + e.verdict().status()
                    + "</td><td>" + Text.html(e.verdict().reason() + e.lastEvent().map(l -> "; last: " + l).orElse(""))
                    + "</td></tr>");
        }
        out.println("</tbody></table><h3>Cloud uplinks</h3><table class='tablelayout nicetable' id='uplinks'><thead>"
                + "<tr><th>Connection</th><th>Protocol</th><th>Suite</th><th>Key exchange</th><th>Since</th></tr>"
                + "</thead><tbody>");
        for (var u : inv.uplinks()) {
            out.println("<tr><td>" + Text.html(u.name()) + "</td><td>" + Text.html(u.protocol()) + "</td><td>"
                    + Text.html(u.suite()) + "</td><td>" + Text.html(u.group().isEmpty() ? "unknown" : u.group())
                    + (u.postQuantum() ? " (post-quantum hybrid)" : "") + "</td><td>" + u.since() + "</td></tr>");
        }
        out.println("</tbody></table><h3>Findings</h3><table class='tablelayout nicetable' id='findings'><thead><tr>"
                + "<th>Severity</th><th>Kind</th><th>Devices</th><th>Detail</th><th>What to do</th></tr></thead><tbody>");
        for (Finding f : inv.findings()) {
            out.println("<tr><td>" + f.severity() + "</td><td>" + f.kind() + "</td><td>"
                    + Text.html(String.join(", ", f.deviceIds())) + "</td><td>" + Text.html(f.detail()) + "</td><td>"
                    + Text.html(f.advice()) + "</td></tr>");
        }
        out.println("</tbody></table>");
    }

    private static String option(String value, String label, String selected) {
        return "<option value='" + value + "'" + (value.equals(selected) ? " selected" : "") + ">" + label + "</option>";
    }
}
