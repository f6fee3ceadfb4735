package org.m2mgw.transport.coaps.internal;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.security.auth.x500.X500Principal;
import org.eclipse.californium.elements.auth.AdditionalInfo;
import org.eclipse.californium.elements.auth.ExtensiblePrincipal;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.scandium.auth.ApplicationLevelInfoSupplier;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.auth.X509CertPath;
import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertLevel;
import org.eclipse.californium.scandium.dtls.CertificateMessage;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.CertificateVerificationResult;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.support.Text;

/**
 * Answers Scandium's credential questions from the device registry: PSK secrets, and whether a
 * device's raw public key or certificate is registered and enabled. Unknown and disabled devices
 * are refused the same way, so a scanner learns nothing about which identities exist.
 */
final class RegistryCredentials implements AdvancedPskStore, NewAdvancedCertificateVerifier, ApplicationLevelInfoSupplier {

    /** The key of the device id in a principal's application-level info. */
    static final String DEVICE_ID = "m2mgw.device.id";

    /** A PSK identity refused on this thread, and whether it was for a quarantine. */
    record Refusal(String identity, boolean quarantined) {
    }

    /**
     * The PSK identity most recently refused on this thread, for the alert handler's report.
     * Scandium tells the PSK store the identity but not the peer, and the alert handler the peer
     * but not the identity; both run on the same handshake thread, one right after the other.
     */
    private static final ThreadLocal<Refusal> LAST_REFUSAL = new ThreadLocal<>();

    private final DeviceRegistry registry;
    private final DeviceAccessControl access;

    RegistryCredentials(DeviceRegistry registry, DeviceAccessControl access) {
        this.registry = registry;
        this.access = access;
    }

    private boolean quarantined(Optional<Device> device) {
        return device.isPresent() && access.isQuarantined(device.get().deviceId());
    }

    // --- PSK ---

    @Override
    public boolean hasEcdhePskSupported() {
        return true;
    }

    @Override
    public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverName,
            PskPublicInformation identity, String hmacAlgorithm, SecretKey otherSecret, byte[] seed,
            boolean useExtendedMasterSecret) {
        String name = identity.getPublicInfoAsString();
        Optional<byte[]> secret = quarantined(registry.byPskIdentity(name)) ? Optional.empty()
                : registry.pskSecret(name);
        if (secret.isEmpty()) {
            LAST_REFUSAL.set(new Refusal(Text.printable(name), quarantined(registry.byPskIdentity(name))));
            return new PskSecretResult(cid, identity, null);
        }
        byte[] key = secret.get();
        try {
            return new PskSecretResult(cid, identity, SecretUtil.create(key, "PSK"));
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** @return the PSK identity refused last on this thread, or null; cleared by the call */
    static Refusal takeLastRefusal() {
        Refusal r = LAST_REFUSAL.get();
        LAST_REFUSAL.remove();
        return r;
    }

    /**
     * Called by Scandium once per completed handshake: the device id is attached to the peer's
     * principal, so requests and records find their device without asking the registry again.
     */
    @Override
    public AdditionalInfo getInfo(Principal principal, Object customArgument) {
        Optional<Device> d = lookup(principal);
        return d.isEmpty() ? AdditionalInfo.empty() : AdditionalInfo.from(Map.of(DEVICE_ID, d.get().deviceId()));
    }

    /**
     * @return the device id attached at the handshake, or (for sessions restored from a saved
     *         state, which carry no attachment) the registry's answer; null if none
     */
    String deviceIdOf(Principal principal) {
        if (principal == null) {
            return null;
        }
        if (principal instanceof ExtensiblePrincipal<?> ext && ext.getExtendedInfo() != null) {
            String id = ext.getExtendedInfo().get(DEVICE_ID, String.class);
            if (id != null) {
                return id;
            }
        }
        return lookup(principal).map(Device::deviceId).orElse(null);
    }

    @Override
    public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
        return null; // server only
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // Answers are synchronous.
    }

    // --- raw public keys and certificates ---

    @Override
    public List<CertificateType> getSupportedCertificateTypes() {
        return registry.trustAnchors().isEmpty() ? List.of(CertificateType.RAW_PUBLIC_KEY)
                : List.of(CertificateType.RAW_PUBLIC_KEY, CertificateType.X_509);
    }

    @Override
    public CertificateVerificationResult verifyCertificate(ConnectionId cid, ServerNames serverName,
            InetSocketAddress remotePeer, boolean clientUsage, boolean verifySubject,
            boolean truncateCertificatePath, CertificateMessage message) {
        CertPath chain = message.getCertificateChain();
        if (chain == null) {
            PublicKey key = message.getPublicKey();
            Optional<Device> device = key == null ? Optional.empty()
                    : registry.byPublicKey(key.getEncoded()).filter(Device::enabled);
            if (quarantined(device)) {
                return refuse(cid, "device is quarantined");
            }
            if (device.isEmpty()) {
                return refuse(cid, "raw public key is not registered or its device is disabled");
            }
            return new CertificateVerificationResult(cid, key, null);
        }
        List<X509Certificate> anchors = registry.trustAnchors();
        if (anchors.isEmpty()) {
            return refuse(cid, "no trust anchors are configured for device certificates");
        }
        CertificateVerificationResult chainResult = StaticNewAdvancedCertificateVerifier.builder()
                .setTrustedCertificates(anchors.toArray(new Certificate[0])).build()
                .verifyCertificate(cid, serverName, remotePeer, clientUsage, false,
                        truncateCertificatePath, message);
        if (chainResult.getException() != null) {
            return chainResult;
        }
        List<? extends Certificate> certs = chain.getCertificates();
        X509Certificate leaf = (X509Certificate) certs.get(0);
        String subject = leaf.getSubjectX500Principal().getName(X500Principal.RFC2253);
        if (quarantined(registry.byCertificateSubject(subject))) {
            return refuse(cid, "device is quarantined");
        }
        if (registry.byCertificateSubject(subject).filter(Device::enabled).isEmpty()) {
            return refuse(cid, "certificate subject is not registered or its device is disabled");
        }
        return chainResult;
    }

    private static CertificateVerificationResult refuse(ConnectionId cid, String reason) {
        return new CertificateVerificationResult(cid, new HandshakeException(reason,
                new AlertMessage(AlertLevel.FATAL, AlertDescription.ACCESS_DENIED)), null);
    }

    @Override
    public List<X500Principal> getAcceptedIssuers() {
        return registry.trustAnchors().stream().map(X509Certificate::getSubjectX500Principal).toList();
    }

    // --- who is this peer? ---

    /** Maps an authenticated DTLS principal to its registered device. */
    Optional<Device> deviceOf(Principal principal) {
        String id = deviceIdOf(principal);
        return id == null ? Optional.empty() : registry.device(id).filter(d -> belongsTo(principal, d));
    }

    private Optional<Device> lookup(Principal principal) {
        if (principal instanceof PreSharedKeyIdentity psk) {
            return registry.byPskIdentity(psk.getIdentity());
        }
        if (principal instanceof RawPublicKeyIdentity rpk) {
            return registry.byPublicKey(rpk.getSubjectInfo());
        }
        if (principal instanceof X509CertPath x509) {
            return registry.byCertificateSubject(
                    x509.getTarget().getSubjectX500Principal().getName(X500Principal.RFC2253));
        }
        return Optional.empty();
    }

    static CredentialType credentialType(Principal principal) {
        if (principal instanceof RawPublicKeyIdentity) {
            return CredentialType.RAW_PUBLIC_KEY;
        }
        if (principal instanceof X509CertPath) {
            return CredentialType.X509;
        }
        return CredentialType.PSK;
    }

    /** @return whether the principal is one of this device's credentials */
    static boolean belongsTo(Principal principal, Device device) {
        if (principal instanceof PreSharedKeyIdentity psk) {
            return device.pskIdentity().map(psk.getIdentity()::equals).orElse(false);
        }
        if (principal instanceof RawPublicKeyIdentity rpk) {
            return device.publicKey().map(k -> Arrays.equals(k, rpk.getSubjectInfo())).orElse(false);
        }
        if (principal instanceof X509CertPath x509) {
            String subject = x509.getTarget().getSubjectX500Principal().getName(X500Principal.RFC2253);
            return device.certificateSubject().map(subject::equals).orElse(false);
        }
        return false;
    }
}
