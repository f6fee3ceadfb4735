package org.m2mgw.cloud.internal;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates for mutual TLS tests, made with Bouncy Castle's bcpkix (EC P-256). */
final class TestTls {
    final KeyPair caKeys;
    final X509Certificate ca;

    TestTls(String name) throws Exception {
        caKeys = keys();
        ca = cert(new X500Principal("CN=" + name), caKeys, new X500Principal("CN=" + name), caKeys.getPrivate(),
                true, null, null);
    }

    static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /**
     * An RSA key for a Bouncy Castle JSSE server that offers only post-quantum groups: with no
     * ECDSA curve among its groups, BCJSSE does not use an EC key.
     */
    static KeyPair rsaKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    X509Certificate server(KeyPair keys) throws Exception {
        return cert(new X500Principal("CN=127.0.0.1"), keys, ca.getSubjectX500Principal(), caKeys.getPrivate(),
                false, KeyPurposeId.id_kp_serverAuth, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.dNSName, "localhost")}));
    }

    /** A server certificate for another host only, for hostname verification tests. */
    X509Certificate serverFor(String dnsName, KeyPair keys) throws Exception {
        return cert(new X500Principal("CN=" + dnsName), keys, ca.getSubjectX500Principal(), caKeys.getPrivate(),
                false, KeyPurposeId.id_kp_serverAuth, new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
    }

    X509Certificate client(String cn, KeyPair keys) throws Exception {
        return cert(new X500Principal("CN=" + cn), keys, ca.getSubjectX500Principal(), caKeys.getPrivate(),
                false, KeyPurposeId.id_kp_clientAuth, null);
    }

    private static X509Certificate cert(X500Principal subject, KeyPair keys, X500Principal issuer, PrivateKey signer,
            boolean isCa, KeyPurposeId purpose, GeneralNames san) throws Exception {
        long now = System.currentTimeMillis();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(System.nanoTime()),
                new Date(now - 60_000), new Date(now + 86_400_000L), subject, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(isCa ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        if (purpose != null) {
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        }
        if (san != null) {
            b.addExtension(Extension.subjectAlternativeName, false, san);
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    static void pem(Path file, String type, byte[] der) throws Exception {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
    }

    static void pkcs12(Path file, String password, PrivateKey key, Certificate... chain) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        if (key != null) {
            ks.setKeyEntry("key", key, password.toCharArray(), chain);
        } else {
            ks.setCertificateEntry("ca", chain[0]);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password.toCharArray());
        }
    }
}
