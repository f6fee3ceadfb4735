package org.m2mgw.transport.coaps.internal;

import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.crypto.SecretKey;
import javax.security.auth.x500.X500Principal;
import org.eclipse.californium.elements.auth.AdditionalInfo;
import org.eclipse.californium.elements.auth.ExtensiblePrincipal;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.scandium.auth.ApplicationLevelInfoSupplier;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.auth.X509CertPath;
import org.eclipse.californium.elements.util.Filter;
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
 *
 * <p>A certificate is a device's when its chain ends in a trust anchor and it has the device's
 * subject and, where the device has them, its issuer and SHA-256 hashes (of the certificate, of
 * its public key): not by subject alone, which any trusted CA can issue.
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
        String id = attachedDeviceId(principal);
        return id != null ? id : lookup(principal).map(Device::deviceId).orElse(null);
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
        // Bound to issuer and subject (and hashes, where registered): a certificate with a device's
        // subject from another trusted CA is not that device's.
        Optional<Device> device = byCertificate(leaf);
        if (quarantined(device)) {
            return refuse(cid, "device is quarantined");
        }
        if (device.filter(Device::enabled).isEmpty()) {
            return refuse(cid, "certificate is not registered (subject, issuer and hash) or its device is disabled");
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
            return byCertificate(x509.getTarget());
        }
        return Optional.empty();
    }

    /** @return the device whose registered issuer, subject and hashes this certificate matches */
    private Optional<Device> byCertificate(X509Certificate cert) {
        return registry.byCertificate(cert.getIssuerX500Principal().getName(X500Principal.RFC2253),
                cert.getSubjectX500Principal().getName(X500Principal.RFC2253))
                .filter(d -> isCertificateOf(cert, d));
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

    /**
     * @return whether the principal is one of this device's credentials: its current one, or during
     *         a key rollover its next one
     */
    static boolean belongsTo(Principal principal, Device device) {
        if (principal instanceof PreSharedKeyIdentity psk) {
            return device.pskIdentity().map(psk.getIdentity()::equals).orElse(false)
                    || device.nextPskIdentity().map(psk.getIdentity()::equals).orElse(false);
        }
        if (principal instanceof RawPublicKeyIdentity rpk) {
            return device.publicKey().map(k -> Arrays.equals(k, rpk.getSubjectInfo())).orElse(false)
                    || device.nextPublicKey().map(k -> Arrays.equals(k, rpk.getSubjectInfo())).orElse(false);
        }
        if (principal instanceof X509CertPath x509) {
            return isCertificateOf(x509.getTarget(), device);
        }
        return false;
    }

    /**
     * @return whether the certificate has the device's subject, and its issuer and hashes where the
     *         device has them (the chain itself is checked against the trust anchors elsewhere)
     */
    static boolean isCertificateOf(X509Certificate cert, Device device) {
        Optional<String> subject = device.certificateSubject();
        if (subject.isEmpty() || !sameName(subject.get(), cert.getSubjectX500Principal())) {
            return false;
        }
        Optional<String> issuer = device.certificateIssuer();
        if (issuer.isPresent() && !sameName(issuer.get(), cert.getIssuerX500Principal())) {
            return false;
        }
        Optional<byte[]> certHash = device.certificateSha256();
        Optional<byte[]> keyHash = device.certificateSpkiSha256();
        try {
            return (certHash.isEmpty() || MessageDigest.isEqual(certHash.get(), sha256(cert.getEncoded())))
                    && (keyHash.isEmpty() || MessageDigest.isEqual(keyHash.get(),
                            sha256(cert.getPublicKey().getEncoded())));
        } catch (CertificateEncodingException e) {
            return false;
        }
    }

    /** Registries keep names in RFC 2253 form; compare the same way, and never throw. */
    private static boolean sameName(String registered, X500Principal name) {
        String actual = name.getName(X500Principal.RFC2253);
        if (registered.equals(actual)) {
            return true;
        }
        try {
            return new X500Principal(registered).getName(X500Principal.RFC2253).equals(actual);
        } catch (IllegalArgumentException notADistinguishedName) {
            return false;
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /**
     * @return whether the principal is an X.509 certificate path that still validates against
     *         {@code anchors} (PKIX, revocation off, as the handshake checks it); false for other
     *         principals and for no anchors
     */
    static boolean chainValidates(X509CertPath principal, List<X509Certificate> anchors) {
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : principal.getPath().getCertificates()) {
            chain.add((X509Certificate) c);
        }
        if (anchors.isEmpty() || chain.isEmpty()) {
            return false;
        }
        Set<TrustAnchor> trust = new HashSet<>();
        Set<X500Principal> anchorNames = new HashSet<>();
        for (X509Certificate a : anchors) {
            trust.add(new TrustAnchor(a, null));
            anchorNames.add(a.getSubjectX500Principal());
        }
        // Validate up to the first certificate an anchor issued; like Scandium, a peer may or may
        // not have sent its intermediates and root.
        int end = 0;
        while (end < chain.size() && !anchorNames.contains(chain.get(end).getIssuerX500Principal())) {
            end++;
        }
        if (end == chain.size()) {
            return false;
        }
        try {
            PKIXParameters params = new PKIXParameters(trust);
            params.setRevocationEnabled(false);
            CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(chain.subList(0, end + 1));
            CertPathValidator.getInstance("PKIX").validate(path, params);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * @param anchors the new trust anchors
     * @param ended called once for each device (its id, or null if unknown) whose session the
     *     filter accepts, on the connector's threads
     * @return a filter of the X.509 principals whose chain does not validate against {@code anchors}
     */
    static Filter<Principal> notCoveredBy(List<X509Certificate> anchors, Consumer<String> ended) {
        List<X509Certificate> now = List.copyOf(anchors);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        return p -> {
            if (!(p instanceof X509CertPath x509) || chainValidates(x509, now)) {
                return false;
            }
            String id = attachedDeviceId(p);
            if (seen.add(id == null ? "name:" + p.getName() : id)) {
                ended.accept(id);
            }
            return true;
        };
    }

    /** @return the device id attached to the principal at its handshake, or null */
    static String attachedDeviceId(Principal principal) {
        if (principal instanceof ExtensiblePrincipal<?> ext && ext.getExtendedInfo() != null) {
            return ext.getExtendedInfo().get(DEVICE_ID, String.class);
        }
        return null;
    }
}
