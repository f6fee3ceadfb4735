package org.m2mgw.transport.coaps.internal;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import org.m2mgw.support.PrivateFiles;

/**
 * The gateway's own DTLS key pair (EC P-256), used as its raw public key (RFC 7250) in
 * ECDHE_ECDSA handshakes. Generated at first start; the private key file is mode 0600.
 */
final class ServerIdentity {
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private ServerIdentity() {
    }

    static KeyPair loadOrCreate(Path dir) throws IOException, GeneralSecurityException {
        Path priv = dir.resolve("server-p256.key");
        Path pub = dir.resolve("server-p256.pub");
        KeyFactory kf = KeyFactory.getInstance("EC");
        if (Files.exists(priv) && Files.exists(pub)) {
            if (POSIX) {
                Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
            }
            return new KeyPair(kf.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub))),
                    kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv))));
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        PrivateFiles.write(priv, kp.getPrivate().getEncoded());
        Files.write(pub, kp.getPublic().getEncoded());
        return kp;
    }
}
