package org.m2mgw.crypto.bc.internal;

import java.security.GeneralSecurityException;
import java.util.List;
import java.util.function.Supplier;
import javax.crypto.AEADBadTagException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.AsconAEAD128;
import org.bouncycastle.crypto.modes.AEADCipher;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.m2mgw.api.crypto.AeadLimits;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.api.crypto.Suites;

/**
 * The COSE AEADs of this bundle's Bouncy Castle, through its lightweight API (no JCE lookup, so the
 * implementation is always this bundle revision's). A fresh cipher object per message keeps them
 * thread-safe.
 */
public final class BcCoseAead implements CoseAead {

    /**
     * Ascon-AEAD128: NIST SP 800-232 limits the data processed under one key to 2^54 bytes; at 1 KiB
     * per message that is 2^44 messages. Its 128-bit tag gets the same forgery allowance as other
     * 128-bit-tag AEADs in RFC 9147 4.5.3 (2^36).
     */
    static final AeadLimits ASCON_LIMITS = new AeadLimits(1L << 44, 1L << 36,
            "NIST SP 800-232 (2^54 bytes per key, as 2^44 messages of 1 KiB); 2^36 failures as RFC 9147 4.5.3");

    private final int algorithm;
    private final String name;
    private final int keyLength;
    private final int nonceLength;
    private final int tagLength;
    private final AeadLimits limits;
    private final Supplier<AEADCipher> cipher;

    private BcCoseAead(int algorithm, String name, int keyLength, int nonceLength, int tagLength, AeadLimits limits,
            Supplier<AEADCipher> cipher) {
        this.algorithm = algorithm;
        this.name = name;
        this.keyLength = keyLength;
        this.nonceLength = nonceLength;
        this.tagLength = tagLength;
        this.limits = limits;
        this.cipher = cipher;
    }

    /**
     * @return every AEAD this bundle offers, in the order it registers them (public for other modules'
     *     unit tests; the package is not exported)
     */
    public static List<BcCoseAead> all() {
        return List.of(
                new BcCoseAead(AES_CCM_16_64_128, "AES-CCM-16-64-128", 16, 13, 8, Suites.CCM_8,
                        () -> CCMBlockCipher.newInstance(AESEngine.newInstance())),
                new BcCoseAead(AES_CCM_16_128_128, "AES-CCM-16-128-128", 16, 13, 16, Suites.CCM,
                        () -> CCMBlockCipher.newInstance(AESEngine.newInstance())),
                new BcCoseAead(A128GCM, "A128GCM", 16, 12, 16, Suites.GCM,
                        () -> GCMBlockCipher.newInstance(AESEngine.newInstance())),
                new BcCoseAead(CHACHA20_POLY1305, "ChaCha20/Poly1305", 32, 12, 16, Suites.CHACHA20_POLY1305,
                        ChaCha20Poly1305::new),
                new BcCoseAead(ASCON_AEAD128_PRIVATE, "Ascon-AEAD128", 16, 16, 16, ASCON_LIMITS,
                        AsconAEAD128::new));
    }

    @Override
    public int algorithm() {
        return algorithm;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int keyLength() {
        return keyLength;
    }

    @Override
    public int nonceLength() {
        return nonceLength;
    }

    @Override
    public int tagLength() {
        return tagLength;
    }

    @Override
    public AeadLimits limits() {
        return limits;
    }

    @Override
    public Keyed key(byte[] key) {
        if (key == null || key.length != keyLength) {
            throw new IllegalArgumentException(name + " needs a " + keyLength + "-byte key, not "
                    + (key == null ? "none" : key.length + " bytes"));
        }
        KeyParameter k = new KeyParameter(key);
        return new Keyed() {
            @Override
            public byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext) throws GeneralSecurityException {
                AEADCipher c = init(true, k, nonce, aad);
                byte[] out = new byte[c.getOutputSize(plaintext.length)];
                int n = c.processBytes(plaintext, 0, plaintext.length, out, 0);
                try {
                    n += c.doFinal(out, n);
                } catch (InvalidCipherTextException e) {
                    throw new GeneralSecurityException(name + " failed to seal", e);
                }
                return n == out.length ? out : java.util.Arrays.copyOf(out, n);
            }

            @Override
            public byte[] open(byte[] nonce, byte[] aad, byte[] ciphertext) throws GeneralSecurityException {
                if (ciphertext.length < tagLength) {
                    throw new AEADBadTagException(name + ": " + ciphertext.length + " bytes are shorter than a tag");
                }
                AEADCipher c = init(false, k, nonce, aad);
                byte[] out = new byte[c.getOutputSize(ciphertext.length)];
                int n = c.processBytes(ciphertext, 0, ciphertext.length, out, 0);
                try {
                    n += c.doFinal(out, n);
                } catch (InvalidCipherTextException e) {
                    throw new AEADBadTagException(name + ": the tag does not match");
                }
                return n == out.length ? out : java.util.Arrays.copyOf(out, n);
            }
        };
    }

    private AEADCipher init(boolean seal, KeyParameter key, byte[] nonce, byte[] aad) {
        if (nonce == null || nonce.length != nonceLength) {
            throw new IllegalArgumentException(name + " needs a " + nonceLength + "-byte nonce, not "
                    + (nonce == null ? "none" : nonce.length + " bytes"));
        }
        AEADCipher c = cipher.get();
        c.init(seal, new AEADParameters(key, tagLength * 8, nonce, aad == null ? new byte[0] : aad));
        return c;
    }

    @Override
    public String toString() {
        return name + " (COSE " + algorithm + ")";
    }
}
