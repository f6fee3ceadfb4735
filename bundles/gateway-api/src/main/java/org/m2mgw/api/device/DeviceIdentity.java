package org.m2mgw.api.device;

import java.util.Objects;

/**
 * The authenticated identity of a field device: the gateway's device id, plus how the device
 * proved it. Instances are immutable and never hold key material.
 *
 * @since 0.1
 */
public final class DeviceIdentity {
    private final String deviceId;
    private final CredentialType credentialType;
    private final String credentialName;

    /**
     * @param deviceId the gateway-wide device id, never empty
     * @param credentialType how the device authenticated
     * @param credentialName the public name of the credential: the PSK identity, the public key
     *     fingerprint, or the certificate subject; never a secret
     */
    public DeviceIdentity(String deviceId, CredentialType credentialType, String credentialName) {
        this.deviceId = requireText(deviceId, "deviceId");
        this.credentialType = Objects.requireNonNull(credentialType, "credentialType");
        this.credentialName = Objects.requireNonNull(credentialName, "credentialName");
    }

    static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }

    /** @return the gateway-wide device id */
    public String deviceId() {
        return deviceId;
    }

    /** @return how the device authenticated */
    public CredentialType credentialType() {
        return credentialType;
    }

    /** @return the public name of the credential (PSK identity, key fingerprint, subject) */
    public String credentialName() {
        return credentialName;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceIdentity other
                && deviceId.equals(other.deviceId)
                && credentialType == other.credentialType
                && credentialName.equals(other.credentialName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, credentialType, credentialName);
    }

    @Override
    public String toString() {
        return deviceId + " (" + credentialType + " " + credentialName + ")";
    }
}
