package org.m2mgw.oscore.internal.edhoc;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Objects;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * This party's own authentication credential (RFC 9528 section 3.5): ID_CRED_x as sent, CRED_x as it
 * enters the MACs, and the private key (a signature key or a static Diffie-Hellman key). A party may
 * hold several, one per key type; the handshake uses one that fits the suite and method. Immutable.
 */
public final class LocalCredential {
    private final IdCred idCred;
    private final byte[] cred;
    private final PrivateKey privateKey;
    private final KeyType keyType;

    private LocalCredential(IdCred idCred, byte[] cred, PrivateKey privateKey) {
        this.idCred = Objects.requireNonNull(idCred, "idCred");
        this.cred = cred;
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.keyType = EdhocKeys.typeOf(privateKey);
        if (keyType == null) {
            throw new IllegalArgumentException("EDHOC cannot use a " + privateKey.getAlgorithm() + " key");
        }
    }

    /**
     * @param idCred how messages name it (usually {@link IdCred#kid})
     * @param ccs the CWT Claims Set with the public key
     * @param privateKey the matching private key
     * @return the credential
     * @throws IllegalArgumentException if the CCS has no key of the private key's type
     */
    public static LocalCredential ccs(IdCred idCred, byte[] ccs, PrivateKey privateKey) {
        LocalCredential c = new LocalCredential(idCred, ccs.clone(), privateKey);
        try {
            PublicKey pub = Ccs.publicKey(ccs);
            if (EdhocKeys.typeOf(pub) != c.keyType) {
                throw new IllegalArgumentException("the CCS key is " + EdhocKeys.typeOf(pub) + ", the private key "
                        + c.keyType);
            }
        } catch (CborException | GeneralSecurityException e) {
            throw new IllegalArgumentException("not a usable CCS: " + e.getMessage(), e);
        }
        return c;
    }

    /**
     * @param idCred how messages name it (usually {@link IdCred#x5t})
     * @param der the certificate, DER
     * @param privateKey the matching private key
     * @return the credential; CRED_x is the DER as a byte string
     */
    public static LocalCredential x509(IdCred idCred, byte[] der, PrivateKey privateKey) {
        try {
            PublicKey pub = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der))
                    .getPublicKey();
            LocalCredential c = new LocalCredential(idCred, CborWriter.encodeBytes(der), privateKey);
            if (EdhocKeys.typeOf(pub) != c.keyType) {
                throw new IllegalArgumentException("the certificate key is not " + c.keyType);
            }
            return c;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a certificate: " + e.getMessage(), e);
        }
    }

    /** @return the identifier */
    public IdCred idCred() {
        return idCred;
    }

    /** @return a copy of CRED_x */
    public byte[] cred() {
        return cred.clone();
    }

    byte[] credRef() {
        return cred;
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    /** @return the type of the key */
    public KeyType keyType() {
        return keyType;
    }

    @Override
    public String toString() {
        return "LocalCredential(" + idCred + ", " + keyType + ")";
    }
}
