package org.m2mgw.oscore.internal.edhoc;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * The other party's authentication credential, as a {@link CredentialResolver} finds it: CRED_x
 * exactly as it enters the MACs (RFC 9528 section 3.5.2: a CCS as its map bytes, a certificate as a
 * CBOR byte string), the public key to authenticate with (a signature key, or a static Diffie-Hellman
 * key; its type must fit the selected suite and method or the peer is refused), and an opaque subject
 * (the device id) handed back with the completed session. Immutable.
 */
public final class PeerCredential {
    private final byte[] cred;
    private final PublicKey key;
    private final KeyType keyType;
    private final String subject;
    private final byte[] certificate;

    private PeerCredential(byte[] cred, PublicKey key, String subject, byte[] certificate) {
        this.cred = cred;
        this.key = Objects.requireNonNull(key, "key");
        this.keyType = EdhocKeys.typeOf(key);
        this.subject = Objects.requireNonNull(subject, "subject");
        this.certificate = certificate;
        if (keyType == null) {
            throw new IllegalArgumentException("EDHOC cannot use a " + key.getAlgorithm() + " key");
        }
    }

    /**
     * @param ccs the CWT Claims Set, as the peer encodes it
     * @param subject what the caller gets back (the device id)
     * @return the credential, with the key of its COSE_Key
     * @throws IllegalArgumentException if the CCS holds no usable key
     */
    public static PeerCredential ccs(byte[] ccs, String subject) {
        try {
            return new PeerCredential(ccs.clone(), Ccs.publicKey(ccs), subject, null);
        } catch (CborException | GeneralSecurityException e) {
            throw new IllegalArgumentException("not a usable CCS: " + e.getMessage(), e);
        }
    }

    /**
     * Does not validate the certificate: that is the caller's, against its trust anchors.
     *
     * @param der the certificate, DER
     * @param subject what the caller gets back (the device id)
     * @return the credential, with the certificate's public key; CRED_x is the DER as a byte string
     * @throws IllegalArgumentException if it does not parse or its key is of no EDHOC type
     */
    public static PeerCredential x509(byte[] der, String subject) {
        try {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            return new PeerCredential(CborWriter.encodeBytes(der), c.getPublicKey(), subject, der.clone());
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a certificate: " + e.getMessage(), e);
        }
    }

    /**
     * @param cred CRED_x as it enters the MACs (one CBOR item)
     * @param key the public key
     * @param subject what the caller gets back
     * @return the credential
     */
    public static PeerCredential of(byte[] cred, PublicKey key, String subject) {
        return new PeerCredential(cred.clone(), key, subject, null);
    }

    /** @return a copy of CRED_x as it enters the MACs */
    public byte[] cred() {
        return cred.clone();
    }

    byte[] credRef() {
        return cred;
    }

    /** @return the authentication public key */
    public PublicKey key() {
        return key;
    }

    /** @return the type of the key */
    public KeyType keyType() {
        return keyType;
    }

    /** @return the subject given by the resolver */
    public String subject() {
        return subject;
    }

    /** @return a copy of the DER certificate, for a credential made by {@link #x509} */
    public Optional<byte[]> certificate() {
        return Optional.ofNullable(certificate).map(byte[]::clone);
    }

    @Override
    public String toString() {
        return "PeerCredential(" + subject + ", " + keyType + ")";
    }
}
