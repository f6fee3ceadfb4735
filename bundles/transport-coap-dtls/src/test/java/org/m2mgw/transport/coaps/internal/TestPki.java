package org.m2mgw.transport.coaps.internal;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA and device certificates (EC P-256), made with Bouncy Castle's bcpkix. */
final class TestPki {
    final KeyPair caKeys;
    final X509Certificate ca;

    TestPki(String caName) throws Exception {
        caKeys = keyPair();
        ca = sign(new X500Principal(caName), caKeys, new X500Principal(caName), caKeys.getPrivate(), true);
    }

    private TestPki(KeyPair caKeys, X509Certificate ca) {
        this.caKeys = caKeys;
        this.ca = ca;
    }

    /** @return an intermediate CA named {@code name}, signed by this CA */
    TestPki intermediate(String name) throws Exception {
        KeyPair keys = keyPair();
        return new TestPki(keys, sign(new X500Principal(name), keys, ca.getSubjectX500Principal(),
                caKeys.getPrivate(), true));
    }

    /** @return the CA certificate in RFC 2253 form, as a device's "issuer" names it */
    String name() {
        return ca.getSubjectX500Principal().getName(X500Principal.RFC2253);
    }

    static KeyPair keyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** @return a device certificate for {@code subject}, signed by this CA */
    X509Certificate issue(String subject, KeyPair device) throws Exception {
        return sign(new X500Principal(subject), device, ca.getSubjectX500Principal(), caKeys.getPrivate(), false);
    }

    private static X509Certificate sign(X500Principal subject, KeyPair keys, X500Principal issuer,
            PrivateKey issuerKey, boolean isCa) throws Exception {
        long now = System.currentTimeMillis();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now),
                new Date(now - 60_000), new Date(now + 86_400_000L), subject, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (isCa) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }
}
