package org.m2mgw.oscore.internal.edhoc;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborReader;

/**
 * Reads the public key of a CWT Claims Set (RFC 8392): the COSE_Key (RFC 9052 section 7) in its
 * 'cnf' claim (8), under 'COSE_Key' (1). OKP keys with crv X25519 (4) or Ed25519 (6), and EC2 keys
 * with crv P-256 (1) with y as a byte string or a sign bit.
 */
final class Ccs {
    private static final int CNF = 8;
    private static final int COSE_KEY = 1;

    private Ccs() {
    }

    static PublicKey publicKey(byte[] ccs) throws CborException, GeneralSecurityException {
        CborReader r = new CborReader(ccs);
        PublicKey key = null;
        int n = r.readMap();
        for (int i = 0; i < n; i++) {
            long label = r.readInt();
            if (label == CNF && key == null) {
                int m = r.readMap();
                for (int j = 0; j < m; j++) {
                    long l = r.readInt();
                    if (l == COSE_KEY && key == null) {
                        key = coseKey(r);
                    } else {
                        r.skip();
                    }
                }
            } else {
                r.skip();
            }
        }
        r.expectEnd();
        if (key == null) {
            throw new CborException("the CCS has no cnf / COSE_Key");
        }
        return key;
    }

    private static PublicKey coseKey(CborReader r) throws CborException, GeneralSecurityException {
        long kty = 0;
        long crv = 0;
        byte[] x = null;
        byte[] y = null;
        Boolean ySign = null;
        int n = r.readMap();
        for (int i = 0; i < n; i++) {
            long label = r.readInt();
            if (label == 1) {
                kty = r.readInt();
            } else if (label == -1) {
                crv = r.readInt();
            } else if (label == -2) {
                x = r.readBytes();
            } else if (label == -3) {
                if (r.peek() == CborReader.Type.BYTES) {
                    y = r.readBytes();
                } else {
                    ySign = r.readBool();
                }
            } else {
                r.skip();
            }
        }
        if (x == null) {
            throw new CborException("the COSE_Key has no x");
        }
        if (kty == 1 && crv == 4) {
            return EdhocKeys.decode(KeyType.X25519, x);
        }
        if (kty == 1 && crv == 6) {
            return EdhocKeys.decode(KeyType.ED25519, x);
        }
        if (kty == 2 && crv == 1) {
            if (y != null) {
                return EdhocKeys.p256(x, y);
            }
            if (ySign == null) {
                throw new CborException("the EC2 COSE_Key has no y");
            }
            // the sign bit is the low bit of y (RFC 9053 section 7.1.1)
            ECPublicKey even = (ECPublicKey) EdhocKeys.p256Compressed(x);
            BigInteger y0 = even.getW().getAffineY();
            BigInteger p = ((ECFieldFp) even.getParams().getCurve().getField()).getP();
            return EdhocKeys.p256(x, EdhocKeys.fixed(ySign ? p.subtract(y0) : y0, 32));
        }
        throw new CborException("COSE_Key kty " + kty + " crv " + crv + " is not X25519, Ed25519 or P-256");
    }
}
