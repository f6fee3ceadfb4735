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
 * sessions of a device that is disabled or removed.
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
     * @return the device that owns it, enabled or not
     */
    Optional<Device> byPskIdentity(String pskIdentity);

    /**
     * @param subjectPublicKeyInfo a raw public key, DER SubjectPublicKeyInfo
     * @return the device that owns it, enabled or not
     */
    Optional<Device> byPublicKey(byte[] subjectPublicKeyInfo);

    /**
     * @param subject a certificate subject DN (RFC 4514)
     * @return the device registered with that subject, enabled or not
     */
    Optional<Device> byCertificateSubject(String subject);

    /**
     * Returns the pre-shared key of an <em>enabled</em> device. The caller must not keep, log or
     * display it.
     *
     * @param pskIdentity the PSK identity
     * @return a copy of the key, or empty if the identity is unknown or its device disabled
     */
    Optional<byte[]> pskSecret(String pskIdentity);

    /** @return a snapshot of all devices */
    Collection<Device> devices();

    /** @return the trust anchors for device certificates; possibly empty */
    List<X509Certificate> trustAnchors();
}
