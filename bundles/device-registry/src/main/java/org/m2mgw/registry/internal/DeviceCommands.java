package org.m2mgw.registry.internal;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.Collection;
import java.util.HexFormat;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;
import org.m2mgw.api.device.Device;
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
 * deviceenable ID / devicedisable ID              let a device connect or not
 * deviceremove ID                                 remove a device
 * deviceimport FILE                               import (add or update) the devices of a JSON file
 * </pre>
 *
 * A key typed on the command line may stay in the terminal's scrollback; prefer an import file
 * (mode 0600) for real keys.
 */
@Component(service = DeviceCommands.class, property = {
    "osgi.command.scope=m2mgw",
    "osgi.command.function=devices",
    "osgi.command.function=deviceshow",
    "osgi.command.function=deviceadd",
    "osgi.command.function=deviceaddcert",
    "osgi.command.function=devicedisable",
    "osgi.command.function=deviceenable",
    "osgi.command.function=deviceremove",
    "osgi.command.function=deviceimport"
})
public class DeviceCommands {
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
            int width = Math.max(2, devices.stream().mapToInt(d -> d.deviceId().length()).max().orElse(2));
            String format = "%-" + width + "s  %-8s  %-28s  %s%n";
            out.append(String.format(format, "ID", "ENABLED", "CREDENTIALS", "RESOURCES"));
            for (Device d : devices) {
                String creds = DeviceRegistryComponent.credentialTypes(d).stream()
                        .map(Enum::name).collect(Collectors.joining(","))
                        + (d.boundToSubjectOnly() ? "(subject-only)" : "");
                String resources = d.resources().isEmpty() ? "(none)" : String.join(" ", d.resources());
                out.append(String.format(format, d.deviceId(), d.enabled() ? "yes" : "no", creds, resources));
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
        return out.toString();
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
}
