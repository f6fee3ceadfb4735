package org.m2mgw.update.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.m2mgw.api.trust.SigningKey;
import org.m2mgw.api.trust.SigningTrust;
import org.m2mgw.support.Text;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Web console page "m2mgw > Updates": the installed packages with their versions, version floors,
 * signers and bundle states, the agent's state, and the update history from the journal, newest
 * first, and the signing keys of the trust store that packages are checked against (active and
 * retired, with their fingerprints). Read only: updates come from the cloud (DEPLOY-V2) or the shell
 * ({@code m2mgw:updateinstall}); keys are added and retired by a signed rotation or on the shell
 * ({@code m2mgw:trustkeys}, {@code m2mgw:trustadd}, {@code m2mgw:trustretire}).
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

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile SigningTrust trust;

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
        out.println("</tbody></table>");
        signingKeys(out);
        out.println("<h3>History (newest first)</h3><table class='tablelayout nicetable'><thead><tr>"
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

    /** The trust store's keys: every package needs a valid signature by an active key of each algorithm. */
    private void signingKeys(PrintWriter out) {
        SigningTrust t = trust;
        out.println("<h3>Signing keys</h3>");
        if (t == null) {
            out.println("<p class='statline'>no trust store: the crypto-policy bundle is not running, so every "
                    + "package is refused</p>");
            return;
        }
        List<SigningKey> keys = t.keys();
        out.println("<p class='statline'>" + keys.stream().filter(SigningKey::active).count() + " active, "
                + keys.stream().filter(k -> !k.active()).count() + " retired</p>"
                + "<table class='tablelayout nicetable' id='signing-keys'><thead><tr><th>Key</th><th>Algorithm</th>"
                + "<th>SHA-256 of the public key</th><th>Added</th><th>Retired</th><th>Origin</th></tr></thead><tbody>");
        for (SigningKey k : keys) {
            out.println("<tr><td>" + Text.html(k.id()) + "</td><td>" + Text.html(k.algorithm()) + "</td><td><code>"
                    + fingerprint(k.publicKey()) + "</code></td><td>" + k.added() + "</td><td>"
                    + k.retired().map(Object::toString).orElse("-") + "</td><td>" + Text.html(k.origin())
                    + "</td></tr>");
        }
        out.println("</tbody></table>");
    }

    private static String fingerprint(byte[] publicKey) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }
}
