package org.m2mgw.oscore.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.device.EdhocCredential;
import org.m2mgw.oscore.internal.edhoc.CredentialResolver;
import org.m2mgw.oscore.internal.edhoc.IdCred;
import org.m2mgw.oscore.internal.edhoc.PeerCredential;

/**
 * A device's EDHOC credential from the registry, by the {@code ID_CRED_I} its message_3 carries: a
 * kid finds a CWT Claims Set credential, an x5t (or an x5chain) a certificate. Only enabled,
 * unquarantined devices are found. Why a lookup failed is kept for the caller's report
 * ({@link #takeRefusal}).
 */
final class RegistryResolver implements CredentialResolver {
    private final DeviceRegistry registry;
    private final DeviceAccessControl access;
    private final ThreadLocal<String> refusal = new ThreadLocal<>();

    RegistryResolver(DeviceRegistry registry, DeviceAccessControl access) {
        this.registry = registry;
        this.access = access;
    }

    @Override
    public Optional<PeerCredential> resolve(IdCred id) {
        refusal.remove();
        Optional<byte[]> kid = id.kid();
        if (kid.isPresent()) {
            return usable(registry.byEdhocKid(kid.get()), EdhocCredential.Kind.CCS, "kid")
                    .map(d -> PeerCredential.ccs(d.edhocCredential().get().credential(), d.deviceId()));
        }
        Optional<byte[]> hash = id.x5tHash();
        if (hash.isPresent()) {
            return usable(registry.byEdhocCertificateHash(hash.get()), EdhocCredential.Kind.X509, "x5t")
                    .filter(d -> id.x5tMatches(d.edhocCredential().get().credential()))
                    .map(d -> PeerCredential.x509(d.edhocCredential().get().credential(), d.deviceId()));
        }
        List<byte[]> chain = id.x5chain();
        if (!chain.isEmpty()) {
            byte[] leaf = chain.get(0);
            return usable(registry.byEdhocCertificateHash(sha256(leaf)), EdhocCredential.Kind.X509, "x5chain")
                    .filter(d -> Arrays.equals(d.edhocCredential().get().credential(), leaf))
                    .map(d -> PeerCredential.x509(leaf, d.deviceId()));
        }
        refusal.set("ID_CRED_I names its credential neither by kid, x5t nor x5chain");
        return Optional.empty();
    }

    private Optional<Device> usable(Optional<Device> found, EdhocCredential.Kind kind, String by) {
        if (found.isEmpty() || found.get().edhocCredential().map(c -> c.kind() != kind).orElse(true)) {
            refusal.set("no device has this EDHOC credential (" + by + ")");
            return Optional.empty();
        }
        Device d = found.get();
        if (!d.enabled()) {
            refusal.set("device " + d.deviceId() + " is disabled");
            return Optional.empty();
        }
        if (access.isQuarantined(d.deviceId())) {
            refusal.set("device " + d.deviceId() + " is quarantined");
            return Optional.empty();
        }
        return found;
    }

    /** @return why the last lookup on this thread found nothing, once */
    String takeRefusal() {
        String r = refusal.get();
        refusal.remove();
        return r;
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
