package org.m2mgw.api.device;

import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Looks up field devices and their credentials. Transports call it during handshakes, so every
 * lookup is fast and never blocks on I/O.
 *
 * <p>Changes are announced to {@link DeviceRegistryListener} services; a transport ends the live
 * sessions of a device that is disabled or removed, and the X.509 sessions that the trust anchors
 * no longer cover.
 *
 * @since 0.1
 */
@ProviderType
public interface DeviceRegistry {

    /**
     * @param deviceId a device id
     * @return the device, enabled or not
     */
    Optional<Device> device(String deviceId);

    /**
     * @param pskIdentity a PSK identity as sent by a device
     * @return the device that owns it, as its current or (during a rollover, since 2.1) its next
     *         identity, enabled or not
     */
    Optional<Device> byPskIdentity(String pskIdentity);

    /**
     * @param subjectPublicKeyInfo a raw public key, DER SubjectPublicKeyInfo
     * @return the device that owns it, as its current or (during a rollover, since 2.1) its next
     *         key, enabled or not
     */
    Optional<Device> byPublicKey(byte[] subjectPublicKeyInfo);

    /**
     * Looks a device up by subject alone, whatever issuer it is registered with. To tell whose
     * certificate a peer presented, use {@link #byCertificate(String, String)} and check the
     * device's hashes: a subject alone does not identify a device.
     *
     * @param subject a certificate subject DN (RFC 4514)
     * @return the device registered with that subject, enabled or not; empty if there is none, or
     *         if devices of several issuers share the subject
     */
    Optional<Device> byCertificateSubject(String subject);

    /**
     * The device a certificate with this issuer and subject may belong to: the device registered
     * with this subject and issuer, or else the device registered with this subject and no issuer
     * (bound to its subject only). At most one device fits. The caller still checks the device's
     * {@link Device#certificateSha256() certificate} and {@link Device#certificateSpkiSha256() key}
     * hashes, where set, against the certificate itself.
     *
     * @param issuer the certificate's issuer DN (RFC 4514)
     * @param subject the certificate's subject DN (RFC 4514)
     * @return the device, enabled or not; empty if none fits or an argument is not a DN
     * @since 2.0
     */
    Optional<Device> byCertificate(String issuer, String subject);

    /**
     * Returns the pre-shared key of an <em>enabled</em> device. The caller must not keep, log or
     * display it.
     *
     * @param pskIdentity the PSK identity, current or (during a rollover, since 2.1) next
     * @return a copy of the key, or empty if the identity is unknown or its device disabled
     */
    Optional<byte[]> pskSecret(String pskIdentity);

    /**
     * Ends a key rollover: the device authenticated with its next credential, which becomes the
     * current one; the old one is retired and no longer accepted. Listeners are told as for any
     * change. Does nothing if the device has no rollover under way.
     *
     * @param deviceId the device that used its next credential
     * @return the device after the change, or empty if it is unknown
     * @since 2.1
     */
    Optional<Device> promoteNextCredential(String deviceId);

    /**
     * @param kid the kid of an EDHOC {@code ID_CRED_I} (a CWT Claims Set credential)
     * @return the device whose {@link EdhocCredential} has that kid, enabled or not; registries
     *         before 2.2 know no EDHOC credentials
     * @since 2.2
     */
    default Optional<Device> byEdhocKid(byte[] kid) {
        return Optional.empty();
    }

    /**
     * @param sha256 the SHA-256 hash of a certificate, whole (32 bytes, COSE alg -16) or truncated to
     *     its first 8 bytes or more (SHA-256/64, COSE alg -15), as an EDHOC {@code x5t} carries it
     * @return the device whose X.509 {@link EdhocCredential} has a hash that starts with these
     *         bytes, if exactly one does, enabled or not
     * @since 2.2
     */
    default Optional<Device> byEdhocCertificateHash(byte[] sha256) {
        return Optional.empty();
    }

    /** @return a snapshot of all devices */
    Collection<Device> devices();

    /**
     * @return the trust anchors for device certificates; possibly empty. When they change,
     *         {@link DeviceRegistryListener#trustAnchorsChanged(List)} is called.
     */
    List<X509Certificate> trustAnchors();
}
