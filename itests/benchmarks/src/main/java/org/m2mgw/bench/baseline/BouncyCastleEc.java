package org.m2mgw.bench.baseline;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * For the bare baseline: a JCE provider, placed first, that offers only Bouncy Castle's
 * elliptic-curve key pairs, ECDH and ECDSA, as the gateway's crypto-bc bundle does for Scandium's
 * threads; AES, SHA-2 and HMAC stay with the JDK on both sides.
 */
final class BouncyCastleEc extends Provider {
    private static final long serialVersionUID = 1L;
    private static final List<String[]> SERVICES = List.of(new String[] {"KeyPairGenerator", "EC"},
            new String[] {"KeyAgreement", "ECDH"}, new String[] {"Signature", "SHA256withECDSA"},
            new String[] {"Signature", "SHA384withECDSA"}, new String[] {"Signature", "SHA512withECDSA"});

    private BouncyCastleEc(Provider bc) {
        super("BC-EC", bc.getVersionStr(), "Bouncy Castle EC key pairs, ECDH and ECDSA only");
        for (String[] s : SERVICES) {
            Service target = bc.getService(s[0], s[1]);
            putService(new Service(this, s[0], s[1], target.getClassName(), null, null) {
                @Override
                public Object newInstance(Object parameter) throws NoSuchAlgorithmException {
                    return target.newInstance(parameter);
                }
            });
        }
    }

    static Provider provider() {
        return new BouncyCastleEc(new BouncyCastleProvider());
    }
}
