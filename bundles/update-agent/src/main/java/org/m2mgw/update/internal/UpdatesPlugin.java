package org.m2mgw.update.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.m2mgw.support.Text;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Web console page "m2mgw > Updates": the installed packages with their versions, version floors,
 * signers and bundle states, the agent's state, and the update history from the journal, newest
 * first. Read only: updates come from the cloud (DEPLOY-V2) or the shell ({@code m2mgw:updateinstall}).
 * The trust store's keys are on the shell ({@code m2mgw:trustkeys}).
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=m2mgw-updates",
    "felix.webconsole.title=Updates",
    "felix.webconsole.category=m2mgw"})
public class UpdatesPlugin extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final int HISTORY = 200;

    @Reference
    private transient UpdateAgent agent;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        UpdateEngine e = agent.engine();
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        out.println("<p class='statline'>" + Text.html(agent.statusLine()) + "</p>");
        if (e == null) {
            return;
        }
        List<Journal.Entry> journal = e.journal().entries();
        Map<String, PackageState.Committed> committed = e.state().allCommitted();
        out.println("<h3>Installed packages</h3><table class='tablelayout nicetable'><thead><tr><th>Package</th>"
                + "<th>Version</th><th>Committed</th><th>Floor</th><th>Signed</th><th>Bundles</th></tr></thead><tbody>");
        List<Installer.InstalledPackage> packages = e.installer().packages();
        if (packages.isEmpty()) {
            out.println("<tr><td colspan='6'>none installed by the update agent: the distro's own bundles run</td></tr>");
        }
        for (Installer.InstalledPackage p : packages) {
            String signers = journal.stream().filter(x -> x.step() == Journal.Step.VERIFIED
                    && x.pkg().equals(p.name()) && x.version().equals(p.version())).reduce((a, z) -> z)
                    .map(Journal.Entry::detail).orElse("unknown");
            StringBuilder bundles = new StringBuilder();
            for (String[] b : p.bundles()) {
                bundles.append(Text.html(b[0] + " " + b[1] + " " + b[2])).append("<br/>");
            }
            out.println("<tr><td>" + Text.html(p.name()) + "</td><td>" + Text.html(p.version()) + "</td><td>"
                    + (committed.containsKey(p.name()) ? "yes" : "no") + "</td><td>"
                    + Text.html(e.state().floor(p.name()).map(Object::toString).orElse("-")) + "</td><td>"
                    + Text.html(signers) + "</td><td>" + bundles + "</td></tr>");
        }
        out.println("</tbody></table><h3>History (newest first)</h3><table class='tablelayout nicetable'><thead><tr>"
                + "<th>Time</th><th>Job</th><th>Package</th><th>Version</th><th>Step</th><th>Detail</th></tr></thead>"
                + "<tbody>");
        for (int i = journal.size() - 1; i >= Math.max(0, journal.size() - HISTORY); i--) {
            Journal.Entry x = journal.get(i);
            out.println("<tr><td>" + x.time() + "</td><td>" + x.job() + "</td><td>" + Text.html(x.pkg()) + "</td><td>"
                    + Text.html(x.version()) + "</td><td>" + x.step() + "</td><td>" + Text.html(x.detail())
                    + "</td></tr>");
        }
        out.println("</tbody></table>");
    }
}
