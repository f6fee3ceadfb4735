package org.m2mgw.api.message;

import java.util.Objects;
import org.m2mgw.api.device.CredentialType;

/**
 * What protected a message on its way from the device to the gateway: the secure session's
 * protocol, cipher suite and credential type. It lets the cloud side and the crypto policy see
 * which suites are really in use. It never holds key material.
 *
 * @since 0.1
 */
public final class SecuritySummary {
    private final String protocol;
    private final String cipherSuite;
    private final CredentialType credentialType;
    private final boolean connectionId;

    /**
     * @param protocol the secure protocol, for example {@code DTLSv1.2} or {@code OSCORE}
     * @param cipherSuite the negotiated suite, for example {@code TLS_PSK_WITH_AES_128_CCM_8}
     * @param credentialType how the device authenticated
     * @param connectionId whether the session uses a connection id (RFC 9146)
     * @since 2.0
     */
    public SecuritySummary(String protocol, String cipherSuite, CredentialType credentialType,
            boolean connectionId) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.cipherSuite = Objects.requireNonNull(cipherSuite, "cipherSuite");
        this.credentialType = Objects.requireNonNull(credentialType, "credentialType");
        this.connectionId = connectionId;
    }

    /** @return the secure protocol, e.g. {@code DTLSv1.2} */
    public String protocol() {
        return protocol;
    }

    /** @return the negotiated cipher suite name */
    public String cipherSuite() {
        return cipherSuite;
    }

    /** @return how the device authenticated */
    public CredentialType credentialType() {
        return credentialType;
    }

    /** @return whether the session uses a connection id */
    public boolean connectionId() {
        return connectionId;
    }

    @Override
    public String toString() {
        return protocol + "/" + cipherSuite + "/" + credentialType + (connectionId ? "/cid" : "");
    }
}
