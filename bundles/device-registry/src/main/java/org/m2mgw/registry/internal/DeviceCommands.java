package org.m2mgw.registry.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.EdhocCredential;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell commands of the device registry (scope {@code m2mgw}). They never show a secret.
 *
 * <pre>
 * devices                                         list devices (id, enabled, credentials, resources)
 * deviceshow ID                                   one device's public fields (X.509 subject, issuer, hashes)
 * deviceadd ID PSK-IDENTITY KEY [RULE...]         add a PSK device; KEY is hex, hex:..., or base64:...
 * deviceaddcert ID PEM-FILE [RULE...]             add an X.509 device bound to this certificate's
 *                                                 subject, issuer and SHA-256 hash
 * deviceaddedhoc ID ccs KID CCS [RULE...]         add a device whose only credential is an EDHOC CWT
 *                                                 Claims Set; KID and CCS hex (CCS may be a file)
 * deviceaddedhoc ID x509 CERT-FILE [RULE...]      add a device whose only credential is an EDHOC
 *                                                 certificate (PEM or DER)
 * deviceedhoc ID ccs KID CCS | x509 CERT-FILE     set a device's EDHOC credential, its others stay
 * deviceedhoc ID clear                            remove a device's EDHOC credential
 * deviceenable ID / devicedisable ID              let a device connect or not
 * deviceremove ID                                 remove a device
 * deviceimport FILE                               import (add or update) the devices of a JSON file
 * rotate ID [--deadline INSTANT]                  start a PSK rollover: a new random key and identity,
 *                                                 shown once
 * rotate-rpk ID KEY [--deadline INSTANT]          start a raw public key rollover; KEY is base64 or a
 *                                                 PEM/DER public key file
 * promote ID                                      make the next credential current now
 * cancel-rotation ID                              drop the next credential
 * </pre>
 *
 * A key typed on the command line, or printed by {@code rotate}, may stay in the terminal's
 * scrollback; prefer an import file (mode 0600) for real keys.
 *
 * <p>Gogo calls the public method named like the command; a name with a dash cannot be a Java
 * method, so for {@code rotate-rpk} and {@code cancel-rotation} it calls {@link #_main}, with the
 * command's name first.
 */
@Component(service = DeviceCommands.class, property = {
    "osgi.command.scope=m2mgw",
    "osgi.command.function=devices",
    "osgi.command.function=deviceshow",
    "osgi.command.function=deviceadd",
    "osgi.command.function=deviceaddcert",
    "osgi.command.function=deviceaddedhoc",
    "osgi.command.function=deviceedhoc",
    "osgi.command.function=devicedisable",
    "osgi.command.function=deviceenable",
    "osgi.command.function=deviceremove",
    "osgi.command.function=deviceimport",
    "osgi.command.function=rotate",
    "osgi.command.function=rotate-rpk",
    "osgi.command.function=promote",
    "osgi.command.function=cancel-rotation"
})
public class DeviceCommands {
    private static final String ADD_EDHOC_USAGE = "usage: deviceaddedhoc <deviceId> ccs <kid hex> <CCS hex | CBOR "
            + "file> [resource...]  or  deviceaddedhoc <deviceId> x509 <PEM or DER certificate file> [resource...]";
    private static final String EDHOC_USAGE = "usage: deviceedhoc <deviceId> ccs <kid hex> <CCS hex | CBOR file>  or  "
            + "deviceedhoc <deviceId> x509 <PEM or DER certificate file>  or  deviceedhoc <deviceId> clear";
    private static final String ROTATE_USAGE = "usage: rotate <deviceId> [--deadline <ISO-8601 instant>]";
    private static final String ROTATE_RPK_USAGE =
            "usage: rotate-rpk <deviceId> <base64 key | PEM or DER public key file> [--deadline <ISO-8601 instant>]";
    private final DeviceRegistryComponent registry;

    @Activate
    public DeviceCommands(@Reference(name = "registry") DeviceRegistryComponent registry) {
        this.registry = registry;
    }

    /** @return one line per device: id, enabled, credential types, resources; never a secret */
    public String devices() {
        Collection<Device> devices = registry.devices();
        StringBuilder out = new StringBuilder();
        registry.readOnlyReason().ifPresent(r -> out.append("REGISTRY IS READ-ONLY: ").append(r).append('\n'));
        if (devices.isEmpty()) {
            out.append("No devices.");
        } else {
            Instant now = registry.now();
            int width = Math.max(2, devices.stream().mapToInt(d -> d.deviceId().length()).max().orElse(2));
            int rolloverWidth = Math.max(8, devices.stream().mapToInt(d -> rollover(d).length()).max().orElse(8));
            String format = "%-" + width + "s  %-8s  %-28s  %-8s  %-" + rolloverWidth + "s  %s%n";
            out.append(String.format(format, "ID", "ENABLED", "CREDENTIALS", "KEY AGE", "ROLLOVER", "RESOURCES"));
            for (Device d : devices) {
                String creds = credentialLabels(d);
                String resources = d.resources().isEmpty() ? "(none)" : String.join(" ", d.resources());
                out.append(String.format(format, d.deviceId(), d.enabled() ? "yes" : "no", creds,
                        d.keyCreated().map(t -> age(t, now)).orElse("unknown"), rollover(d), resources));
            }
            out.append(devices.size()).append(" device(s)");
        }
        int anchors = registry.trustAnchors().size();
        if (anchors > 0) {
            out.append(", ").append(anchors).append(" trust anchor(s)");
        }
        return out.toString();
    }

    /**
     * @return the CREDENTIALS column: PSK, RAW_PUBLIC_KEY, X509 (with "(subject-only)") and
     *         EDHOC-CCS(kid ..) or EDHOC-X509, those the device has
     */
    static String credentialLabels(Device d) {
        List<String> parts = new ArrayList<>();
        d.pskIdentity().ifPresent(i -> parts.add("PSK"));
        d.publicKey().ifPresent(k -> parts.add("RAW_PUBLIC_KEY"));
        d.certificateSubject().ifPresent(s -> parts.add("X509" + (d.boundToSubjectOnly() ? "(subject-only)" : "")));
        d.edhocCredential().ifPresent(c -> parts.add(c.kind() == EdhocCredential.Kind.CCS
                ? "EDHOC-CCS(kid " + hex(c.kid().orElseThrow()) + ")" : "EDHOC-X509"));
        return String.join(",", parts);
    }

    /**
     * @param id a device id
     * @return the device's public fields, one per line; never a secret
     */
    public String deviceshow(String id) {
        Optional<Device> found = registry.device(id);
        if (found.isEmpty()) {
            return "Error: no device '" + Validation.sanitize(id) + "'";
        }
        Device d = found.get();
        StringBuilder out = new StringBuilder();
        out.append("id:              ").append(d.deviceId()).append('\n');
        out.append("enabled:         ").append(d.enabled() ? "yes" : "no").append('\n');
        out.append("resources:       ").append(d.resources().isEmpty() ? "(none)" : String.join(" ", d.resources()));
        d.metadata().forEach((k, v) -> out.append("\nmetadata.").append(k).append(": ").append(v));
        d.pskIdentity().ifPresent(i -> out.append("\npsk.identity:    ").append(i).append(" (key not shown)"));
        d.publicKey().ifPresent(k -> out.append("\nrpk:             SHA-256 ").append(hex(sha256(k))));
        d.certificateSubject().ifPresent(s -> {
            out.append("\nx509.subject:    ").append(s);
            out.append("\nx509.issuer:     ").append(d.certificateIssuer().orElse(
                    "(none: bound to subject only; add \"issuer\")"));
            d.certificateSha256().ifPresent(h -> out.append("\nx509.sha256:     ").append(hex(h)));
            d.certificateSpkiSha256().ifPresent(h -> out.append("\nx509.spkiSha256: ").append(hex(h)));
        });
        d.edhocCredential().ifPresent(c -> {
            if (c.kind() == EdhocCredential.Kind.CCS) {
                out.append("\nedhoc:           CCS (CWT Claims Set, ").append(c.credential().length)
                        .append(" bytes), kid ").append(hex(c.kid().orElseThrow()));
            } else {
                out.append("\nedhoc:           X.509, subject ").append(Credentials.edhocSubject(c))
                        .append("\nedhoc.sha256:    ").append(hex(sha256(c.credential())));
            }
        });
        Instant now = registry.now();
        out.append("\nkeyCreated:      ").append(d.keyCreated().map(t -> t + " (key age " + age(t, now) + ")")
                .orElse("unknown (registered before key creation dates were kept)"));
        if (d.rolloverPending()) {
            d.nextPskIdentity().ifPresent(i -> out.append("\nnext.pskIdentity: ").append(i).append(" (key not shown)"));
            d.nextPublicKey().ifPresent(k -> out.append("\nnext.publicKey:  SHA-256 ").append(hex(sha256(k))));
            out.append("\nrollover:        pending until the device's first handshake with the next credential")
                    .append(d.rolloverDeadline().map(t -> " or " + t + " (" + until(t, now) + ")").orElse(" (no deadline)"));
        } else {
            out.append("\nrollover:        none");
        }
        return out.toString();
    }

    /** @return the ROLLOVER column: "-", or the kinds of next credential and the deadline */
    private static String rollover(Device d) {
        if (!d.rolloverPending()) {
            return "-";
        }
        String kinds = d.nextPskIdentity().isPresent() && d.nextPublicKey().isPresent() ? "PSK,RPK"
                : d.nextPskIdentity().isPresent() ? "PSK" : "RPK";
        return kinds + d.rolloverDeadline().map(t -> " by " + t.truncatedTo(ChronoUnit.SECONDS)).orElse("");
    }

    /** @return a short age: minutes below an hour, hours below two days, else days */
    static String age(Instant since, Instant now) {
        Duration d = Duration.between(since, now);
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        if (d.toMinutes() < 60) {
            return d.toMinutes() + "m";
        }
        return d.toHours() < 48 ? d.toHours() + "h" : d.toDays() + "d";
    }

    /** @return how long until the deadline ("in 4d"), or "passed" */
    static String until(Instant deadline, Instant now) {
        return now.isBefore(deadline) ? "in " + age(now, deadline) : "passed";
    }

    /**
     * Adds an X.509 device bound to the subject, the issuer and the SHA-256 hash of its
     * certificate: only that certificate is the device's (a renewed one must be registered again,
     * or use an import file with "spkiSha256" to keep the binding across renewals with the same key).
     *
     * @param id the device id
     * @param pemFile the device's certificate, PEM; relative to the gateway's working directory
     * @param resources the resource rules, e.g. {@code telemetry/*} {@code events}
     */
    public String deviceaddcert(String id, String pemFile, String... resources) {
        try {
            if (registry.device(id).isPresent()) {
                return "Error: device '" + Validation.sanitize(id) + "' already exists; remove it "
                        + "first, or change it with an import file";
            }
            X509Certificate cert;
            Path path = Paths.get(pemFile).toAbsolutePath().normalize();
            try (InputStream in = Files.newInputStream(path)) {
                cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            } catch (IOException e) {
                return "Error: " + path + " cannot be read: " + e.getClass().getSimpleName();
            } catch (CertificateException | ClassCastException e) {
                return "Error: " + path + " is not an X.509 certificate (PEM or DER)";
            }
            Device.Builder b = Device.builder(id)
                    .certificateSubject(cert.getSubjectX500Principal().getName(X500Principal.RFC2253))
                    .certificateIssuer(cert.getIssuerX500Principal().getName(X500Principal.RFC2253))
                    .certificateSha256(sha256(cert.getEncoded()));
            for (String rule : resources == null ? new String[0] : resources) {
                b.allow(rule);
            }
            Device d = registry.put(b.build(), null);
            return "Added device '" + d.deviceId() + "' with X.509 subject '" + d.certificateSubject().orElseThrow()
                    + "' from issuer '" + d.certificateIssuer().orElseThrow() + "', certificate SHA-256 "
                    + hex(d.certificateSha256().orElseThrow())
                    + (d.resources().isEmpty() ? " and no resources" : ", resources " + String.join(" ", d.resources()));
        } catch (InvalidPathException e) {
            return "Error: '" + Validation.sanitize(pemFile) + "' is not a valid path";
        } catch (CertificateEncodingException e) {
            return "Error: the certificate cannot be encoded";
        } catch (RuntimeException e) {
            return "Error: " + e.getMessage();
        }
    }

    /**
     * Adds a device whose only credential is an EDHOC one (for OSCORE): a CWT Claims Set named by
     * its kid, or an X.509 certificate.
     *
     * @param id the device id
     * @param args {@code ccs <kid hex> <CCS hex, or a file of its CBOR bytes or hex>} or
     *     {@code x509 <PEM or DER certificate file>}, then the resource rules
     */
    public String deviceaddedhoc(String id, String... args) {
        try {
            if (registry.device(id).isPresent()) {
                return "Error: device '" + Validation.sanitize(id) + "' already exists; set its EDHOC credential "
                        + "with deviceedhoc";
            }
            String[] all = args == null ? new String[0] : args;
            EdhocArgument edhoc = edhocArgument(all);
            if (edhoc == null) {
                return ADD_EDHOC_USAGE;
            }
            Device.Builder b = Device.builder(id).edhocCredential(edhoc.credential());
            for (String rule : Arrays.copyOfRange(all, edhoc.used(), all.length)) {
                b.allow(rule);
            }
            Device d = registry.put(b.build(), null);
            return "Added device '" + d.deviceId() + "' with " + Credentials.describeEdhoc(edhoc.credential())
                    + (d.resources().isEmpty() ? " and no resources" : ", resources " + String.join(" ", d.resources()));
        } catch (Validation.InvalidEntryException e) {
            return "Error: device '" + Validation.sanitize(id) + "': " + e.getMessage();
        } catch (IOException | RuntimeException e) {
            return "Error: " + e.getMessage();
        }
    }

    /**
     * Sets or clears the EDHOC credential of a device; its other credentials and fields stay.
     *
     * @param id the device id
     * @param args {@code ccs <kid hex> <CCS hex or file>}, {@code x509 <certificate file>} or {@code clear}
     */
    public String deviceedhoc(String id, String... args) {
        try {
            String[] all = args == null ? new String[0] : args;
            boolean clear = all.length == 1 && all[0].equals("clear");
            EdhocArgument edhoc = clear ? null : edhocArgument(all);
            if (!clear && (edhoc == null || edhoc.used() != all.length)) {
                return EDHOC_USAGE;
            }
            Optional<Device> before = registry.device(id);
            if (before.isEmpty()) {
                return "Error: no device '" + Validation.sanitize(id) + "'";
            }
            if (clear) {
                return registry.setEdhocCredential(id, null)
                        ? "Device '" + id + "': EDHOC credential removed ("
                                + Credentials.describeEdhoc(before.get().edhocCredential().orElseThrow()) + ")"
                        : "Device '" + id + "' has no EDHOC credential";
            }
            return registry.setEdhocCredential(id, edhoc.credential())
                    ? "Device '" + id + "': EDHOC credential set (" + Credentials.describeEdhoc(edhoc.credential()) + ")"
                    : "Device '" + id + "' already has this EDHOC credential";
        } catch (Validation.InvalidEntryException e) {
            return "Error: device '" + Validation.sanitize(id) + "': " + e.getMessage();
        } catch (IOException | RuntimeException e) {
            return "Error: " + e.getMessage();
        }
    }

    /** An EDHOC credential from the command line, and how many arguments it took. */
    private record EdhocArgument(EdhocCredential credential, int used) {
    }

    /**
     * @param args {@code ccs <kid> <ccs> ...} or {@code x509 <file> ...}
     * @return the credential, checked; null if the arguments have neither form
     * @throws IOException (with a message for the operator) if a file cannot be read or is no certificate
     */
    private static EdhocArgument edhocArgument(String[] args) throws Validation.InvalidEntryException, IOException {
        if (args.length >= 3 && args[0].equals("ccs")) {
            byte[] kid = Validation.edhocKid(args[1]);
            return new EdhocArgument(EdhocCredential.ccs(kid, Validation.edhocCcs(ccsArgument(args[2]))), 3);
        }
        if (args.length >= 2 && args[0].equals("x509")) {
            Path path;
            try {
                path = Paths.get(args[1]).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                throw new IOException("'" + Validation.sanitize(args[1]) + "' is not a valid path");
            }
            byte[] der;
            try (InputStream in = Files.newInputStream(path)) {
                // PEM or DER; the DER as it is in the file, which is what the device sends
                der = CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded();
            } catch (IOException e) {
                throw new IOException(path + " cannot be read: " + e.getClass().getSimpleName());
            } catch (CertificateException e) {
                throw new IOException(path + " is not an X.509 certificate (PEM or DER)");
            }
            return new EdhocArgument(EdhocCredential.x509(Validation.edhocCertificate(der)), 2);
        }
        return null;
    }

    /**
     * @param arg the CCS in hex, or a file that holds its CBOR bytes (or their hex)
     * @return its bytes, not yet checked
     */
    private static byte[] ccsArgument(String arg) throws Validation.InvalidEntryException, IOException {
        Path path = null;
        try {
            path = Paths.get(arg).toAbsolutePath().normalize();
        } catch (InvalidPathException notAPath) {
            // hex then
        }
        if (path == null || !Files.isRegularFile(path)) {
            return Validation.edhocCcs(arg);
        }
        if (Files.size(path) > 2L * EdhocCredential.MAX_CREDENTIAL_BYTES + 2) {
            throw new IOException(path + " is larger than an EDHOC credential may be");
        }
        byte[] content = Files.readAllBytes(path);
        // a CBOR map starts with 0xa0 to 0xbf, which is no hex digit
        if (content.length > 0 && (content[0] & 0xe0) == 0xa0) {
            return content;
        }
        return Validation.edhocCcs(new String(content, StandardCharsets.US_ASCII).strip());
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /**
     * Adds a device with a pre-shared key.
     *
     * @param id the device id
     * @param pskIdentity its PSK identity
     * @param key the key: hex digits, {@code hex:...} or {@code base64:...}, 16 to 64 bytes
     * @param resources the resource rules, e.g. {@code telemetry/*} {@code events}
     */
    public String deviceadd(String id, String pskIdentity, String key, String... resources) {
        byte[] secret = null;
        try {
            if (registry.device(id).isPresent()) {
                return "Error: device '" + Validation.sanitize(id) + "' already exists; remove it "
                        + "first, or change it with an import file";
            }
            String prefixed = key.startsWith("hex:") || key.startsWith("base64:") ? key : "hex:" + key;
            secret = Validation.pskKey(prefixed);
            Device.Builder b = Device.builder(id).pskIdentity(pskIdentity);
            for (String rule : resources == null ? new String[0] : resources) {
                b.allow(rule);
            }
            Device d = registry.put(b.build(), secret);
            return "Added device '" + d.deviceId() + "' with PSK identity '" + pskIdentity + "'"
                    + (d.resources().isEmpty() ? " and no resources" : ", resources " + String.join(" ", d.resources()));
        } catch (Validation.InvalidEntryException e) {
            return "Error: device '" + Validation.sanitize(id) + "': " + e.getMessage();
        } catch (RuntimeException e) {
            return "Error: " + e.getMessage();
        } finally {
            if (secret != null) {
                Arrays.fill(secret, (byte) 0);
            }
        }
    }

    /** Lets a device connect again. */
    public String deviceenable(String id) {
        return setEnabled(id, true);
    }

    /** Stops a device from connecting; transports end its sessions. */
    public String devicedisable(String id) {
        return setEnabled(id, false);
    }

    private String setEnabled(String id, boolean enabled) {
        try {
            boolean changed = registry.setEnabled(id, enabled);
            String state = enabled ? "enabled" : "disabled";
            return changed ? "Device '" + id + "' " + state : "Device '" + id + "' was already " + state;
        } catch (RuntimeException e) {
            return "Error: " + e.getMessage();
        }
    }

    /** Removes a device. */
    public String deviceremove(String id) {
        try {
            Optional<Device> removed = registry.remove(id);
            return removed.isPresent() ? "Removed device '" + id + "'"
                    : "Error: no device '" + Validation.sanitize(id) + "'";
        } catch (RuntimeException e) {
            return "Error: " + e.getMessage();
        }
    }

    /**
     * Imports a JSON file of devices (the format of {@code registry.import.file}).
     *
     * @param file the file; relative to the gateway's working directory
     */
    public String deviceimport(String file) {
        Path path;
        try {
            path = Paths.get(file).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return "Error: '" + Validation.sanitize(file) + "' is not a valid path";
        }
        try {
            ImportResult r = registry.importFile(path);
            StringBuilder out = new StringBuilder("Imported ").append(path).append(": ").append(r.summary());
            r.rejected().forEach(reason -> out.append("\n  rejected ").append(reason));
            r.warnings().forEach(warning -> out.append("\n  warning ").append(warning));
            return out.toString();
        } catch (java.nio.file.NoSuchFileException e) {
            return "Error: " + path + " does not exist";
        } catch (java.io.IOException e) {
            return "Error: " + path + " cannot be read: " + e.getClass().getSimpleName();
        } catch (RegistryJson.InvalidFileException | RuntimeException e) {
            return "Error: " + e.getMessage();
        }
    }

    // ---------------------------------------------------------------- key rollover

    /**
     * Starts a PSK rollover: makes a random key and a new identity ({@code <deviceId>-k<n>}),
     * registers them as the device's next credential and prints both once, for the operator to
     * provision on the device. The web console's "Rotate PSK" does the same, through
     * {@link DeviceRegistryComponent#rotatePsk}.
     *
     * @param args the device id, optionally {@code --deadline <ISO-8601 instant>}
     */
    public String rotate(String... args) {
        Args a = Args.parse(args, 1);
        if (a.problem != null) {
            return a.problem.isEmpty() ? ROTATE_USAGE : "Error: " + a.problem;
        }
        String id = a.positional.get(0);
        try {
            Optional<Device> found = registry.device(id);
            if (found.isEmpty()) {
                return "Error: no device '" + Validation.sanitize(id) + "'";
            }
            Device d = found.get();
            if (d.pskIdentity().isEmpty()) {
                return "Error: device '" + id + "' has no pre-shared key; rotate makes a next PSK "
                        + "(for a raw public key use rotate-rpk)";
            }
            if (d.rolloverPending()) {
                return "Error: device '" + id + "' already has a key rollover under way (next "
                        + Credentials.describeNext(d) + "): promote or cancel-rotation it first";
            }
            try (RotatedPsk rotated = registry.rotatePsk(id, a.deadline)) {
                return "Device '" + id + "': next PSK identity '" + rotated.identity() + "'\n"
                        + "key (hex): " + rotated.keyHex() + "\n"
                        + "The key is shown only this once: provision the identity and key on the device now. "
                        + followUp(rotated.device());
            }
        } catch (RuntimeException e) {
            return "Error: " + e.getMessage();
        }
    }

    /**
     * {@code promote}: makes the device's next credential current at once, as its first use would.
     *
     * @param id a device id
     */
    public String promote(String id) {
        try {
            Optional<Device> before = registry.device(id);
            if (before.isEmpty()) {
                return "Error: no device '" + Validation.sanitize(id) + "'";
            }
            if (!before.get().rolloverPending()) {
                return "Device '" + id + "' has no key rollover under way";
            }
            Device after = registry.forcePromotion(id).orElseThrow();
            if (after.rolloverPending()) {
                return "Error: device '" + id + "' was not promoted";
            }
            return "Device '" + id + "': next " + Credentials.describeNext(before.get()) + " is now current; "
                    + Credentials.describeRetired(before.get()) + " is retired";
        } catch (RuntimeException e) {
            return "Error: " + e.getMessage();
        }
    }

    /**
     * {@code rotate-rpk} and {@code cancel-rotation}: Gogo calls this method for a command no
     * method is named after, with the command's name first.
     *
     * @param command the command's name, as typed (Gogo lower-cases it)
     * @param args its arguments
     */
    public String _main(String command, String... args) {
        String c = command.substring(command.indexOf(':') + 1);
        String[] rest = args == null ? new String[0] : args;
        return switch (c) {
            case "rotate-rpk" -> rotateRpk(rest);
            case "cancel-rotation" -> rest.length == 1 ? cancelRotation(rest[0]) : "usage: cancel-rotation <deviceId>";
            default -> "usage: rotate, rotate-rpk, promote, cancel-rotation";
        };
    }

    /**
     * Starts a raw public key rollover: registers the device's next public key.
     *
     * @param args the device id, the key (base64 of DER SubjectPublicKeyInfo, or the path of a
     *     PEM or DER public key file) and optionally {@code --deadline <ISO-8601 instant>}
     */
    String rotateRpk(String... args) {
        Args a = Args.parse(args, 2);
        if (a.problem != null) {
            return a.problem.isEmpty() ? ROTATE_RPK_USAGE : "Error: " + a.problem;
        }
        String id = a.positional.get(0);
        try {
            Optional<Device> found = registry.device(id);
            if (found.isEmpty()) {
                return "Error: no device '" + Validation.sanitize(id) + "'";
            }
            if (found.get().publicKey().isEmpty()) {
                return "Error: device '" + id + "' has no raw public key; rotate-rpk makes a next one "
                        + "(for a pre-shared key use rotate)";
            }
            byte[] der;
            try {
                der = publicKeyArgument(a.positional.get(1));
            } catch (IOException e) {
                return "Error: " + e.getMessage();
            }
            Device after = registry.startRollover(id, null, null, der, a.deadline);
            return "Device '" + id + "': next raw public key SHA-256 " + hex(sha256(after.nextPublicKey().orElseThrow()))
                    + " registered. " + followUp(after);
        } catch (RuntimeException e) {
            return "Error: " + e.getMessage();
        }
    }

    /** Drops the device's next credential. */
    String cancelRotation(String id) {
        try {
            Optional<Device> before = registry.device(id);
            if (before.isEmpty()) {
                return "Error: no device '" + Validation.sanitize(id) + "'";
            }
            return registry.cancelRollover(id)
                    ? "Device '" + id + "': key rollover cancelled, next " + Credentials.describeNext(before.get())
                            + " dropped"
                    : "Device '" + id + "' has no key rollover under way";
        } catch (RuntimeException e) {
            return "Error: " + e.getMessage();
        }
    }

    /** @return what happens next in a rollover just started, for the operator */
    static String followUp(Device after) {
        return "Both credentials are accepted until the device's first handshake with the new one, which "
                + "retires the old one" + after.rolloverDeadline().map(t -> "; at " + t
                        + " the new one replaces the old one even if unused").orElse("") + ".";
    }

    /**
     * @param arg a file (PEM "PUBLIC KEY", DER, or base64 text) or base64 text, optionally with a
     *     "base64:" prefix
     * @return the DER SubjectPublicKeyInfo, not yet checked
     * @throws IOException (with a message for the operator) if it is neither
     */
    private static byte[] publicKeyArgument(String arg) throws IOException {
        Path path = null;
        try {
            path = Paths.get(arg).toAbsolutePath().normalize();
        } catch (InvalidPathException notAPath) {
            // base64 then
        }
        if (path != null && Files.isRegularFile(path)) {
            byte[] content = Files.readAllBytes(path);
            String text = new String(content, StandardCharsets.US_ASCII);
            String body;
            try {
                body = PublicKeyText.pemBody(text, path.toString());
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage());
            }
            if (body == null && content.length > 0 && content[0] == 0x30) {
                return content;
            }
            return base64(body != null ? body : text, path + " holds no PEM, DER or base64 public key");
        }
        String text = arg.startsWith("base64:") ? arg.substring(7) : arg;
        return base64(text, "'" + Validation.sanitize(text) + "' is neither a public key file nor base64");
    }

    private static byte[] base64(String text, String problem) throws IOException {
        byte[] decoded = PublicKeyText.base64(text);
        if (decoded == null) {
            throw new IOException(problem);
        }
        return decoded;
    }

    /** Arguments: positional ones and {@code --deadline}. */
    private static final class Args {
        final List<String> positional = new ArrayList<>();
        Instant deadline;
        /** Null when fine, empty for "print the usage", else the error. */
        String problem;

        static Args parse(String[] args, int positionals) {
            Args a = new Args();
            String[] all = args == null ? new String[0] : args;
            for (int i = 0; i < all.length; i++) {
                String arg = all[i];
                String value = null;
                if (arg.equals("--deadline")) {
                    if (i + 1 >= all.length) {
                        a.problem = "--deadline needs an ISO-8601 instant, e.g. 2026-12-31T23:00:00Z";
                        return a;
                    }
                    value = all[++i];
                } else if (arg.startsWith("--deadline=")) {
                    value = arg.substring("--deadline=".length());
                } else if (arg.startsWith("--")) {
                    a.problem = "unknown option '" + Validation.sanitize(arg) + "'";
                    return a;
                } else {
                    a.positional.add(arg);
                    continue;
                }
                try {
                    a.deadline = Validation.instant(value, "--deadline");
                } catch (Validation.InvalidEntryException e) {
                    a.problem = e.getMessage();
                    return a;
                }
            }
            if (a.positional.size() != positionals) {
                a.problem = "";
            }
            return a;
        }
    }
}
