package org.m2mgw.console.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.access.Restriction;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Web console page "m2mgw > Device restrictions": every quarantine, throttle and address block
 * in force, who put it there and why, with a button to lift it, and a form to quarantine a
 * device by hand.
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
            out.println("<p>No transport is running, so no restriction can be in force.</p>");
            return;
        }
        out.println("<p class='statline'>" + ac.restrictions().size() + " restriction(s) in force</p>");
        out.println("<table class='tablelayout nicetable' id='restrictions'><thead><tr><th>Kind</th><th>Subject</th>"
                + "<th>Rate/s</th><th>Until</th><th>By</th><th>Reason</th><th></th></tr></thead><tbody>");
        for (Restriction r : ac.restrictions()) {
            out.println("<tr><td>" + r.kind() + "</td><td>" + esc(r.subject()) + "</td><td>"
                    + (r.kind() == Restriction.Kind.THROTTLE ? r.ratePerSecond() : "") + "</td><td>" + r.until()
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
            }
        } catch (IllegalArgumentException e) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
            return;
        }
        resp.sendRedirect(req.getRequestURI());
    }

    private static String esc(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '\'' -> b.append("&#39;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
