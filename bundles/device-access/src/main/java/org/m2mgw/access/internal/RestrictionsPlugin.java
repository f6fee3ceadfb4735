package org.m2mgw.access.internal;

import org.m2mgw.support.IpLiterals;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.access.Restriction;
import org.m2mgw.support.Text;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Web console page "m2mgw > Device restrictions": every quarantine, throttle, address and prefix
 * block in force, who put it there and why, with a button to lift it, and forms to quarantine a
 * device or block an address or prefix by hand. It needs the servlet API that the Felix web
 * console brings; where that is missing (a Kura gateway without it), only this page is missing.
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=m2mgw-restrictions",
    "felix.webconsole.title=Device restrictions",
    "felix.webconsole.category=m2mgw"})
public class RestrictionsPlugin extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DeviceAccessControl access;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        DeviceAccessControl ac = access;
        if (ac == null) {
            out.println("<p>The restriction table is not available.</p>");
            return;
        }
        out.println("<p class='statline'>" + ac.restrictions().size() + " restriction(s) in force</p>");
        out.println("<table class='tablelayout nicetable' id='restrictions'><thead><tr><th>Kind</th><th>Subject</th>"
                + "<th>Rate/s</th><th>Until</th><th>By</th><th>Reason</th><th></th></tr></thead><tbody>");
        for (Restriction r : ac.restrictions()) {
            out.println("<tr><td>" + r.kind() + "</td><td>" + esc(r.subject()) + "</td><td>"
                    + (r.kind() == Restriction.Kind.THROTTLE || r.kind() == Restriction.Kind.LIMIT_HANDSHAKES
                            ? r.ratePerSecond() : "") + "</td><td>" + r.until()
                    + "</td><td>" + esc(r.origin()) + "</td><td>" + esc(r.reason()) + "</td><td>"
                    + "<form method='post'><input type='hidden' name='action' value='lift'/>"
                    + "<input type='hidden' name='kind' value='" + r.kind() + "'/>"
                    + "<input type='hidden' name='subject' value='" + esc(r.subject()) + "'/>"
                    + "<button type='submit' class='lift'>Lift</button></form></td></tr>");
        }
        out.println("</tbody></table>");
        out.println("<h3>Quarantine a device</h3><form method='post'><input type='hidden' name='action' value='quarantine'/>"
                + "Device <input name='subject'/> minutes <input name='minutes' value='60' size='5'/> reason "
                + "<input name='reason'/> <button type='submit'>Quarantine</button></form>");
        out.println("<h3>Block an address or prefix</h3><form method='post'><input type='hidden' name='action' value='block'/>"
                + "Address or network/length <input name='subject'/> minutes <input name='minutes' value='60' size='5'/>"
                + " reason <input name='reason'/> <button type='submit'>Block</button></form>");
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        DeviceAccessControl ac = access;
        String action = req.getParameter("action");
        String subject = req.getParameter("subject");
        try {
            if (ac != null && "lift".equals(action)) {
                ac.lift(Restriction.Kind.valueOf(req.getParameter("kind")), subject);
            } else if (ac != null && "quarantine".equals(action)) {
                ac.quarantine(subject, Duration.ofMinutes(Long.parseLong(req.getParameter("minutes"))),
                        req.getParameter("reason"), "operator (console)");
            } else if (ac != null && "block".equals(action) && subject != null) {
                Duration d = Duration.ofMinutes(Long.parseLong(req.getParameter("minutes")));
                int slash = subject.indexOf('/');
                if (slash > 0) {
                    ac.blockPrefix(IpLiterals.parse(subject.substring(0, slash)), Prefix.parse(subject).length(), d,
                            req.getParameter("reason"), "operator (console)");
                } else {
                    ac.blockAddress(subject, d, req.getParameter("reason"), "operator (console)");
                }
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
            return;
        }
        resp.sendRedirect(req.getRequestURI());
    }

    private static String esc(String s) {
        return Text.html(s);
    }
}
