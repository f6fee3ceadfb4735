package org.m2mgw.registry.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.EdhocCredential;
import org.m2mgw.support.Text;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Web console page "m2mgw &gt; Device keys": every device with its credentials (EDHOC ones too), the age of its
 * current key and any key rollover under way, and the rollover actions of the shell: "Rotate PSK"
 * ({@code m2mgw:rotate}), "Set next public key" ({@code m2mgw:rotate-rpk}), "Promote now"
 * ({@code m2mgw:promote}) and "Cancel rotation" ({@code m2mgw:cancel-rotation}).
 *
 * <p>GET only shows; every change is a POST. The web console frames a plugin's GET page but
 * hands a POST to the plugin as it is, so the answer to a POST is a page of its own: the outcome
 * and a link back. A new PSK appears there once, in that one answer (sent with
 * {@code Cache-Control: no-store}); it is never logged, and the registry never shows it again.
 * Bad input (no such device, a bad key or deadline) gives an error page and changes nothing.
 *
 * <p>Login and the refusal of cross-origin posts are the web console's, for every plugin
 * (bundle console-security). This page needs the servlet API that the Felix web console brings;
 * where that is missing (a Kura gateway without it), only this page is missing.
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=" + DeviceKeysPlugin.LABEL,
    "felix.webconsole.title=Device keys",
    "felix.webconsole.category=m2mgw"})
public class DeviceKeysPlugin extends HttpServlet {
    static final String LABEL = "m2mgw-keys";
    static final String ROTATE = "rotate";
    static final String ROTATE_RPK = "rotate-rpk";
    static final String PROMOTE = "promote";
    static final String CANCEL = "cancel-rotation";
    private static final long serialVersionUID = 1L;
    private static final String DEADLINE_HINT = "e.g. 2026-12-31T23:00:00Z (optional)";

    private final transient DeviceRegistryComponent registry;

    @Activate
    public DeviceKeysPlugin(@Reference(name = "registry") DeviceRegistryComponent registry) {
        this.registry = registry;
    }

    // ---------------------------------------------------------------- the list (GET)

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        Collection<Device> devices = registry.devices();
        long rolling = devices.stream().filter(Device::rolloverPending).count();
        out.println("<p class='statline'>" + devices.size() + " device(s), " + rolling
                + " key rollover(s) under way</p>");
        registry.readOnlyReason().ifPresent(r -> out.println("<p class='ui-state-error' id='read-only'>"
                + "The device registry is read-only: " + esc(r) + "</p>"));
        out.println("<p>Rotating a key registers the device's next credential beside its current one: both are "
                + "accepted until the device's first handshake with the new one, or until the deadline. "
                + "A new pre-shared key is shown once, on the page that answers \"Rotate PSK\".</p>");
        out.println("<table class='tablelayout nicetable' id='device-keys'><thead><tr><th>Device</th>"
                + "<th>Enabled</th><th>Credentials</th><th>Key created</th><th>Rollover</th><th>Actions</th>"
                + "</tr></thead><tbody>");
        Instant now = registry.now();
        for (Device d : devices) {
            out.println("<tr id='device-" + esc(d.deviceId()) + "'><td>" + esc(d.deviceId()) + "</td><td>"
                    + (d.enabled() ? "yes" : "no") + "</td><td>" + credentials(d) + "</td><td>"
                    + keyCreated(d, now) + "</td><td>" + rollover(d, now) + "</td><td>" + actions(d) + "</td></tr>");
        }
        out.println("</tbody></table>");
    }

    /**
     * @return the credential types, with the PSK identity, the public key's hash, the certificate
     *         subject, and the EDHOC credential's kind and kid or certificate subject
     */
    private static String credentials(Device d) {
        List<String> parts = new ArrayList<>();
        d.pskIdentity().ifPresent(i -> parts.add("PSK <small>identity '" + esc(i) + "'</small>"));
        d.publicKey().ifPresent(k -> parts.add("RAW_PUBLIC_KEY <small>SHA-256 <code>" + sha256(k) + "</code></small>"));
        d.certificateSubject().ifPresent(s -> parts.add("X509" + (d.boundToSubjectOnly() ? "(subject-only)" : "")
                + " <small>subject '" + esc(s) + "'</small>"));
        d.edhocCredential().ifPresent(c -> parts.add(c.kind() == EdhocCredential.Kind.CCS
                ? "EDHOC-CCS <small>kid <code>" + HexFormat.of().formatHex(c.kid().orElseThrow()) + "</code></small>"
                : "EDHOC-X509 <small>subject '" + esc(Credentials.edhocSubject(c)) + "'</small>"));
        return String.join("<br/>", parts);
    }

    private static String keyCreated(Device d, Instant now) {
        return d.keyCreated().map(t -> esc(t.truncatedTo(ChronoUnit.SECONDS).toString()) + "<br/><small>age "
                + DeviceCommands.age(t, now) + "</small>").orElse("unknown");
    }

    private static String rollover(Device d, Instant now) {
        if (!d.rolloverPending()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        d.nextPskIdentity().ifPresent(i -> parts.add("next PSK identity '" + esc(i) + "'"));
        d.nextPublicKey().ifPresent(k -> parts.add("next public key <small>SHA-256 <code>" + sha256(k)
                + "</code></small>"));
        parts.add(d.rolloverDeadline().map(t -> "deadline " + esc(t.toString()) + " <small>("
                + DeviceCommands.until(t, now) + ")</small>").orElse("no deadline"));
        return String.join("<br/>", parts);
    }

    /** @return the forms that fit the device: start a rollover, or finish or cancel the one under way */
    private static String actions(Device d) {
        String device = hidden("device", d.deviceId());
        StringBuilder b = new StringBuilder();
        if (d.rolloverPending()) {
            b.append(form(PROMOTE, device + "<button type='submit'>Promote now</button>"));
            b.append(form(CANCEL, device + "<button type='submit'>Cancel rotation</button>"));
            return b.toString();
        }
        if (d.pskIdentity().isPresent()) {
            b.append(form(ROTATE, device + "Deadline " + deadlineInput()
                    + " <button type='submit'>Rotate PSK</button>"));
        }
        if (d.publicKey().isPresent()) {
            b.append("<details><summary>Set next public key</summary>").append(form(ROTATE_RPK, device
                    + "<textarea name='publicKey' rows='5' cols='66' spellcheck='false' placeholder='"
                    + PublicKeyText.BEGIN + " ... (PEM) or base64 of the DER SubjectPublicKeyInfo'></textarea><br/>"
                    + "Deadline " + deadlineInput() + " <button type='submit'>Set next public key</button>"))
                    .append("</details>");
        }
        return b.length() == 0 ? "-" : b.toString();
    }

    private static String form(String action, String content) {
        return "<form method='post' accept-charset='UTF-8' class='" + action + "'>" + hidden("action", action)
                + content + "</form>";
    }

    private static String hidden(String name, String value) {
        return "<input type='hidden' name='" + name + "' value='" + esc(value) + "'/>";
    }

    private static String deadlineInput() {
        return "<input name='deadline' size='24' placeholder='" + DEADLINE_HINT + "'/>";
    }

    // ---------------------------------------------------------------- the actions (POST)

    /** What a POST did: an HTTP status and the page's body, HTML already escaped. */
    private record Outcome(int status, String html) {
        static Outcome done(String message) {
            return new Outcome(HttpServletResponse.SC_OK, "<p id='result'>" + esc(message) + "</p>");
        }

        static Outcome error(int status, String message) {
            return new Outcome(status, "<p class='ui-state-error' id='error'>Error: " + esc(message)
                    + "</p><p>Nothing was changed.</p>");
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getCharacterEncoding() == null) {
            req.setCharacterEncoding("UTF-8");
        }
        Outcome outcome;
        try {
            outcome = act(req.getParameter("action"), req.getParameter("device"), req);
        } catch (IllegalArgumentException e) {
            outcome = Outcome.error(HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
        } catch (IllegalStateException e) {
            outcome = Outcome.error(HttpServletResponse.SC_CONFLICT, e.getMessage());
        } catch (UncheckedIOException e) {
            outcome = Outcome.error(HttpServletResponse.SC_INTERNAL_SERVER_ERROR, e.getMessage());
        }
        resp.setStatus(outcome.status());
        resp.setContentType("text/html;charset=UTF-8");
        // The answer to "Rotate PSK" holds the key: no cache may keep it.
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("Pragma", "no-cache");
        PrintWriter out = resp.getWriter();
        out.println("<!DOCTYPE html><html><head><meta charset='utf-8'/><title>Device keys</title>"
                + styles(req) + "</head><body><div id='content'><h2>Device keys</h2>");
        out.println(outcome.html());
        out.println("<p><a href='" + esc(pageUri(req)) + "'>Back to Device keys</a></p></div></body></html>");
        out.flush();
    }

    /**
     * @throws IllegalArgumentException for bad input, with a message for the operator
     * @throws IllegalStateException if the registry is read-only
     * @throws UncheckedIOException if the registry cannot be saved
     */
    private Outcome act(String action, String id, HttpServletRequest req) {
        if (action == null || !List.of(ROTATE, ROTATE_RPK, PROMOTE, CANCEL).contains(action)) {
            throw new IllegalArgumentException("unknown action '" + Validation.sanitize(action) + "'");
        }
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("no device given");
        }
        return switch (action) {
            case ROTATE -> rotate(id, deadline(req));
            case ROTATE_RPK -> rotateRpk(id, req.getParameter("publicKey"), deadline(req));
            case PROMOTE -> promote(id);
            default -> cancel(id);
        };
    }

    /** Like {@code m2mgw:rotate}, through the same {@link DeviceRegistryComponent#rotatePsk}. */
    private Outcome rotate(String id, Instant deadline) {
        try (RotatedPsk rotated = registry.rotatePsk(id, deadline)) {
            return new Outcome(HttpServletResponse.SC_OK, "<p id='result'>Device '" + esc(id)
                    + "': PSK rollover started.</p>"
                    + "<table class='nicetable'><tr><th>Next PSK identity</th><td><code id='next-identity'>"
                    + esc(rotated.identity()) + "</code></td></tr><tr><th>Next key (hex)</th><td>"
                    + "<code id='next-key'>" + rotated.keyHex() + "</code></td></tr></table>"
                    + "<p class='ui-state-highlight' id='shown-once'><strong>The key is shown only this once.</strong> "
                    + "It is not shown again, neither here nor in the shell, and it is never logged; the registry "
                    + "keeps it encrypted. Provision the identity and key on the device now, over a secure channel, "
                    + "then leave this page.</p>"
                    + "<p>" + esc(DeviceCommands.followUp(rotated.device())) + "</p>");
        }
    }

    /** Like {@code m2mgw:rotate-rpk}, with the key pasted as text (never a file name). */
    private Outcome rotateRpk(String id, String keyText, Instant deadline) {
        Device d = device(id);
        if (d.publicKey().isEmpty()) {
            throw new IllegalArgumentException("device '" + id + "' has no raw public key"
                    + (d.pskIdentity().isPresent() ? "; for a pre-shared key use \"Rotate PSK\"" : ""));
        }
        byte[] der = PublicKeyText.fromText(keyText);
        Device after = registry.startRollover(id, null, null, der, deadline);
        return Outcome.done("Device '" + id + "': next raw public key SHA-256 "
                + sha256(after.nextPublicKey().orElseThrow()) + " registered. " + DeviceCommands.followUp(after));
    }

    /** Like {@code m2mgw:promote}. */
    private Outcome promote(String id) {
        Device before = device(id);
        if (!before.rolloverPending()) {
            return Outcome.done("Device '" + id + "' has no key rollover under way; nothing was changed.");
        }
        Device after = registry.forcePromotion(id, RegistryAdministration.Promotion.FORCED_CONSOLE).orElseThrow(
                () -> new IllegalArgumentException("no device '" + Validation.sanitize(id) + "'"));
        if (after.rolloverPending()) {
            throw new IllegalStateException("device '" + id + "' was not promoted");
        }
        return Outcome.done("Device '" + id + "': next " + Credentials.describeNext(before) + " is now current; "
                + Credentials.describeRetired(before) + " is retired.");
    }

    /** Like {@code m2mgw:cancel-rotation}. */
    private Outcome cancel(String id) {
        Device before = device(id);
        return registry.cancelRollover(id)
                ? Outcome.done("Device '" + id + "': key rollover cancelled, next " + Credentials.describeNext(before)
                        + " dropped; the current credential stays.")
                : Outcome.done("Device '" + id + "' has no key rollover under way; nothing was changed.");
    }

    private Device device(String id) {
        Optional<Device> found = registry.device(id);
        return found.orElseThrow(() -> new IllegalArgumentException("no device '" + Validation.sanitize(id) + "'"));
    }

    /** @return the request's deadline, or null when none was typed */
    private static Instant deadline(HttpServletRequest req) {
        String text = req.getParameter("deadline");
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Validation.instant(text, "deadline");
        } catch (Validation.InvalidEntryException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** @return the web console's style sheets, when the console says where it is */
    private static String styles(HttpServletRequest req) {
        if (!(req.getAttribute("felix.webconsole.appRoot") instanceof String root)) {
            return "";
        }
        return "<link href='" + esc(root + "/res/lib/reset-min.css") + "' rel='stylesheet' type='text/css'/>"
                + "<link href='" + esc(root + "/res/ui/webconsole.css") + "' rel='stylesheet' type='text/css'/>";
    }

    /** @return this page's address, to go back to */
    private static String pageUri(HttpServletRequest req) {
        return req.getAttribute("felix.webconsole.pluginRoot") instanceof String root ? root : req.getRequestURI();
    }

    private static String sha256(byte[] key) {
        return HexFormat.of().formatHex(Credentials.digest(key));
    }

    private static String esc(String s) {
        return Text.html(s);
    }
}
