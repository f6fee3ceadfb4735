package org.m2mgw.transport.coaps.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.support.PrivateFiles;

/**
 * Binds saved sessions to the credentials they were made with. When a listener saves its
 * sessions, a keyed digest of each device's credential (its PSK, raw public key, or certificate
 * subject together with the trust anchors) is saved next to them; when it restores them, a session
 * whose device is gone, disabled, or whose credential digest changed in the meantime (a PSK
 * rotated in the import file while the gateway was down, a trust anchor withdrawn) is dropped
 * before the listener starts: the old key must not keep working.
 *
 * <p>The digests are HMAC-SHA256 under the listener's session-state key, so the file reveals
 * nothing about the secrets; it is 0600 like the sessions themselves.
 */
final class SessionBindings {
    private final Path file;
    private final byte[] key;

    SessionBindings(Path file, SecretKey key) {
        this.file = file;
        this.key = key.getEncoded();
    }

    /** @return the digest of the device's current credential, or empty if the principal has no device */
    Optional<String> digest(DeviceRegistry registry, RegistryCredentials credentials, Principal principal) {
        Optional<Device> device = credentials.deviceOf(principal);
        if (device.isEmpty()) {
            return Optional.empty();
        }
        Device d = device.get();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((d.deviceId() + "\n" + RegistryCredentials.credentialType(principal) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            d.pskIdentity().ifPresent(id -> registry.pskSecret(id).ifPresent(secret -> {
                mac.update(id.getBytes(StandardCharsets.UTF_8));
                mac.update(secret);
                java.util.Arrays.fill(secret, (byte) 0);
            }));
            d.publicKey().ifPresent(mac::update);
            if (d.certificateSubject().isPresent()) {
                mac.update(d.certificateSubject().get().getBytes(StandardCharsets.UTF_8));
                List<X509Certificate> anchors = registry.trustAnchors();
                for (X509Certificate a : anchors) {
                    mac.update(a.getEncoded());
                }
            }
            return Optional.of(HexFormat.of().formatHex(mac.doFinal()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable: " + e, e);
        }
    }

    void save(Map<String, String> digests) throws IOException {
        StringBuilder b = new StringBuilder();
        digests.forEach((k, v) -> b.append(v).append(' ').append(k.replace('\n', ' ')).append('\n'));
        PrivateFiles.write(file, b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** @return the saved digests by principal key; empty if none were saved. The file is used once. */
    Map<String, String> load() throws IOException {
        Map<String, String> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int sp = line.indexOf(' ');
                if (sp > 0) {
                    out.put(line.substring(sp + 1), line.substring(0, sp));
                }
            }
        } catch (NoSuchFileException none) {
            return out;
        } finally {
            Files.deleteIfExists(file);
        }
        return out;
    }
}
