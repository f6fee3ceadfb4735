package org.m2mgw.oscore.internal.cleanroom;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A clean-room EDHOC initiator (RFC 9528), written from the RFC text and the RFC 9529 traces only, as
 * a second implementation against which the gateway's responder is checked. Deliberately minimal:
 * method 3 (static DH both sides), cipher suite 2 (AES-CCM-16-64-128, SHA-256, 8-byte MAC, P-256),
 * ID_CRED_x = {4: kid}, no EAD. Uses only the JDK: its own CBOR, HKDF (HMAC-SHA256), AES-CCM
 * (RFC 3610, on AES/ECB) and P-256 point decompression; no class of the project.
 */
public final class RfcEdhocInitiator {

    static final int METHOD = 3;
    static final int SUITE = 2;
    static final int HASH_LENGTH = 32;
    static final int MAC_LENGTH = 8;
    static final int KEY_LENGTH = 16;
    static final int IV_LENGTH = 13;
    static final int TAG_LENGTH = 8;

    // ---- inputs
    private final PrivateKey x;
    private final byte[] gX;
    private final byte[] cI;
    private final PrivateKey skI;
    private final byte[] kidI;
    private final byte[] credI;
    /** kid of the responder's ID_CRED_R -> CRED_R (the CCS bytes), or null if unknown */
    private final Function<byte[], byte[]> credentials;

    // ---- state and intermediate values (exposed for comparison with the trace)
    byte[] message1;
    byte[] gY;
    byte[] cR;
    byte[] th2;
    byte[] gXY;
    byte[] prk2e;
    byte[] plaintext2;
    byte[] idCredR;
    byte[] credR;
    byte[] gRX;
    byte[] prk3e2m;
    byte[] mac2;
    byte[] th3;
    byte[] gIY;
    byte[] prk4e3m;
    byte[] mac3;
    byte[] plaintext3;
    byte[] message3;
    byte[] th4;
    byte[] prkOut;
    byte[] prkExporter;

    /**
     * @param x the ephemeral private key
     * @param gX its public key's x-coordinate (32 bytes)
     * @param cI the connection identifier C_I (a byte string)
     * @param skI the static DH private key (P-256)
     * @param kidI the kid of ID_CRED_I = {4: kid}
     * @param credI CRED_I, the CCS as a CBOR item
     * @param credentials kid -> CRED_R (CCS bytes), null if unknown
     */
    public RfcEdhocInitiator(PrivateKey x, byte[] gX, byte[] cI, PrivateKey skI, byte[] kidI, byte[] credI,
            Function<byte[], byte[]> credentials) {
        this.x = x;
        this.gX = gX.clone();
        this.cI = cI.clone();
        this.skI = skI;
        this.kidI = kidI.clone();
        this.credI = credI.clone();
        this.credentials = credentials;
    }

    /** message_1 = (METHOD, SUITES_I, G_X, C_I); SUITES_I as an int if one suite, else an array. */
    public byte[] message1(int... suitesI) {
        Cbor w = new Cbor();
        w.integer(METHOD);
        if (suitesI.length == 1) {
            w.integer(suitesI[0]);
        } else {
            w.head(4, suitesI.length);
            for (int s : suitesI) {
                w.integer(s);
            }
        }
        w.bstr(gX);
        w.raw(connectionId(cI));
        message1 = w.bytes();
        return message1.clone();
    }

    /** Processes message_2: decrypts it, checks MAC_2 against CRED_R. */
    public void processMessage2(byte[] message2) throws GeneralSecurityException {
        Cbor.Reader r = new Cbor.Reader(message2);
        byte[] gYCiphertext2 = r.bstr();
        if (!r.atEnd()) {
            throw new GeneralSecurityException("message_2 is not a single bstr");
        }
        if (gYCiphertext2.length <= 32) {
            throw new GeneralSecurityException("message_2 too short");
        }
        gY = Arrays.copyOfRange(gYCiphertext2, 0, 32);
        byte[] ciphertext2 = Arrays.copyOfRange(gYCiphertext2, 32, gYCiphertext2.length);

        // TH_2 = H( G_Y, H(message_1) )
        th2 = sha256(new Cbor().bstr(gY).bstr(sha256(message1)).bytes());
        gXY = ecdh(x, P256.publicFromX(gY));
        prk2e = hmac(th2, gXY);
        byte[] keystream2 = kdf(prk2e, 0, th2, ciphertext2.length);
        plaintext2 = xor(ciphertext2, keystream2);

        // PLAINTEXT_2 = ( C_R, ID_CRED_R / bstr / -24..23, Signature_or_MAC_2, ? EAD_2 )
        Cbor.Reader p = new Cbor.Reader(plaintext2);
        cR = p.connectionIdOrCompactKid();
        byte[] kidR;
        int start = p.position();
        int type = p.peekMajor();
        if (type == 5) {
            throw new GeneralSecurityException("ID_CRED_R as a map: only the compact kid form is supported here");
        }
        kidR = p.connectionIdOrCompactKid();
        if (p.position() == start) {
            throw new GeneralSecurityException("no ID_CRED_R");
        }
        byte[] receivedMac2 = p.bstr();
        byte[] ead2 = Arrays.copyOfRange(plaintext2, p.position(), plaintext2.length);
        if (ead2.length != 0) {
            throw new GeneralSecurityException("EAD_2 not supported here");
        }
        idCredR = new Cbor().head(5, 1).integer(4).bstr(kidR).bytes();
        credR = credentials.apply(kidR);
        if (credR == null) {
            throw new GeneralSecurityException("unknown ID_CRED_R kid " + hex(kidR));
        }
        PublicKey pkR = P256.publicFromCcs(credR);

        // SALT_3e2m, PRK_3e2m = Extract(SALT_3e2m, G_RX)
        byte[] salt3e2m = kdf(prk2e, 1, th2, HASH_LENGTH);
        gRX = ecdh(x, pkR);
        prk3e2m = hmac(salt3e2m, gRX);
        // MAC_2 = KDF(PRK_3e2m, 2, context_2 = << C_R, ID_CRED_R, TH_2, CRED_R, ? EAD_2 >>, mac_length_2)
        byte[] context2 = concat(connectionId(cR), idCredR, new Cbor().bstr(th2).bytes(), credR, ead2);
        mac2 = kdf(prk3e2m, 2, context2, MAC_LENGTH);
        if (!MessageDigest.isEqual(mac2, receivedMac2)) {
            throw new GeneralSecurityException("MAC_2 mismatch");
        }
        // TH_3 = H(TH_2, PLAINTEXT_2, CRED_R)
        th3 = sha256(concat(new Cbor().bstr(th2).bytes(), plaintext2, credR));
    }

    /** message_3 = bstr CIPHERTEXT_3; also derives PRK_out and PRK_exporter. */
    public byte[] message3() throws GeneralSecurityException {
        byte[] salt4e3m = kdf(prk3e2m, 5, th3, HASH_LENGTH);
        gIY = ecdh(skI, P256.publicFromX(gY));
        prk4e3m = hmac(salt4e3m, gIY);
        byte[] idCredI = new Cbor().head(5, 1).integer(4).bstr(kidI).bytes();
        // MAC_3 = KDF(PRK_4e3m, 6, context_3 = << ID_CRED_I, TH_3, CRED_I, ? EAD_3 >>, mac_length_3)
        mac3 = kdf(prk4e3m, 6, concat(idCredI, new Cbor().bstr(th3).bytes(), credI), MAC_LENGTH);
        // PLAINTEXT_3 = ( ID_CRED_I compact, Signature_or_MAC_3 )
        plaintext3 = concat(connectionId(kidI), new Cbor().bstr(mac3).bytes());
        byte[] k3 = kdf(prk3e2m, 3, th3, KEY_LENGTH);
        byte[] iv3 = kdf(prk3e2m, 4, th3, IV_LENGTH);
        byte[] ciphertext3 = Ccm.seal(k3, iv3, encrypt0Aad(th3), plaintext3, TAG_LENGTH);
        message3 = new Cbor().bstr(ciphertext3).bytes();
        // TH_4 = H(TH_3, PLAINTEXT_3, CRED_I)
        th4 = sha256(concat(new Cbor().bstr(th3).bytes(), plaintext3, credI));
        prkOut = kdf(prk4e3m, 7, th4, HASH_LENGTH);
        prkExporter = kdf(prkOut, 10, new byte[0], HASH_LENGTH);
        return message3.clone();
    }

    /** Verifies message_4 (COSE_Encrypt0 with K_4, IV_4, external_aad TH_4); returns EAD_4 (raw). */
    public byte[] processMessage4(byte[] message4) throws GeneralSecurityException {
        Cbor.Reader r = new Cbor.Reader(message4);
        byte[] ciphertext4 = r.bstr();
        if (!r.atEnd()) {
            throw new GeneralSecurityException("message_4 is not a single bstr");
        }
        byte[] k4 = kdf(prk4e3m, 8, th4, KEY_LENGTH);
        byte[] iv4 = kdf(prk4e3m, 9, th4, IV_LENGTH);
        return Ccm.open(k4, iv4, encrypt0Aad(th4), ciphertext4, TAG_LENGTH);
    }

    /** EDHOC_Exporter(label, context, length) = EDHOC_KDF(PRK_exporter, label, context, length). */
    public byte[] exporter(int label, byte[] context, int length) throws GeneralSecurityException {
        return kdf(prkExporter, label, context, length);
    }

    public byte[] oscoreMasterSecret() throws GeneralSecurityException {
        return exporter(0, new byte[0], 16);
    }

    public byte[] oscoreMasterSalt() throws GeneralSecurityException {
        return exporter(1, new byte[0], 8);
    }

    /** The initiator's OSCORE Sender ID is C_R. */
    public byte[] oscoreSenderId() {
        return cR.clone();
    }

    /** The initiator's OSCORE Recipient ID is C_I. */
    public byte[] oscoreRecipientId() {
        return cI.clone();
    }

    /** EDHOC_KeyUpdate: new PRK_out = KDF(PRK_out, 11, context, hash_length); PRK_exporter anew. */
    public void keyUpdate(byte[] context) throws GeneralSecurityException {
        prkOut = kdf(prkOut, 11, context, HASH_LENGTH);
        prkExporter = kdf(prkOut, 10, new byte[0], HASH_LENGTH);
    }

    // ------------------------------------------------------------------ primitives

    /** Enc_structure = ["Encrypt0", h'' (protected), external_aad] */
    static byte[] encrypt0Aad(byte[] externalAad) {
        return new Cbor().head(4, 3).tstr("Encrypt0").bstr(new byte[0]).bstr(externalAad).bytes();
    }

    /**
     * A connection identifier (or a compact kid) on the wire: a byte string that is the one-byte
     * encoding of an integer in -24..23 is sent as that byte, any other as a CBOR bstr.
     */
    public static byte[] connectionId(byte[] id) {
        if (id.length == 1 && isOneByteInt(id[0])) {
            return id.clone();
        }
        return new Cbor().bstr(id).bytes();
    }

    static boolean isOneByteInt(byte b) {
        int v = b & 0xff;
        return v <= 0x17 || (v >= 0x20 && v <= 0x37);
    }

    /** EDHOC_KDF(PRK, label, context, length) = HKDF-Expand(PRK, (label, context, length), length). */
    static byte[] kdf(byte[] prk, int label, byte[] context, int length) throws GeneralSecurityException {
        byte[] info = new Cbor().integer(label).bstr(context).integer(length).bytes();
        return hkdfExpand(prk, info, length);
    }

    static byte[] hkdfExpand(byte[] prk, byte[] info, int length) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] t = new byte[0];
        for (int i = 1; out.size() < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            out.writeBytes(t);
        }
        return Arrays.copyOf(out.toByteArray(), length);
    }

    /** HKDF-Extract(salt, ikm) = HMAC-SHA-256(salt, ikm) */
    static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    static byte[] sha256(byte[] data) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    static byte[] ecdh(PrivateKey priv, PublicKey pub) throws GeneralSecurityException {
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(priv);
        ka.doPhase(pub, true);
        return ka.generateSecret();
    }

    static byte[] xor(byte[] a, byte[] b) {
        byte[] o = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = (byte) (a[i] ^ b[i]);
        }
        return o;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    public static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte v : b) {
            s.append(String.format("%02x", v));
        }
        return s.toString();
    }

    static byte[] unhex(String s) {
        s = s.replaceAll("\\s", "");
        byte[] o = new byte[s.length() / 2];
        for (int i = 0; i < o.length; i++) {
            o[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return o;
    }

    // ------------------------------------------------------------------ P-256

    /** P-256 keys from raw values; point decompression (p = 3 mod 4). */
    public static final class P256 {
        static final BigInteger P = new BigInteger(
                "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
        static final BigInteger B = new BigInteger(
                "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", 16);
        static final ECParameterSpec SPEC;

        static {
            try {
                AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
                ap.init(new ECGenParameterSpec("secp256r1"));
                SPEC = ap.getParameterSpec(ECParameterSpec.class);
            } catch (GeneralSecurityException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        static PrivateKey privateKey(byte[] d) throws GeneralSecurityException {
            return KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(new BigInteger(1, d), SPEC));
        }

        static PublicKey publicKey(byte[] x, byte[] y) throws GeneralSecurityException {
            return KeyFactory.getInstance("EC").generatePublic(
                    new ECPublicKeySpec(new ECPoint(new BigInteger(1, x), new BigInteger(1, y)), SPEC));
        }

        /** y with y^2 = x^3 - 3x + b (either root; ECDH only uses the x-coordinate of the result). */
        static byte[] decompressY(byte[] xBytes) throws GeneralSecurityException {
            BigInteger xv = new BigInteger(1, xBytes);
            if (xv.compareTo(P) >= 0) {
                throw new GeneralSecurityException("x not in the field");
            }
            BigInteger rhs = xv.pow(3).subtract(xv.multiply(BigInteger.valueOf(3))).add(B).mod(P);
            BigInteger y = rhs.modPow(P.add(BigInteger.ONE).shiftRight(2), P);
            if (!y.multiply(y).mod(P).equals(rhs)) {
                throw new GeneralSecurityException("x is not on P-256");
            }
            return fixed(y);
        }

        static PublicKey publicFromX(byte[] xBytes) throws GeneralSecurityException {
            return publicKey(xBytes, decompressY(xBytes));
        }

        public static byte[] x(PublicKey k) {
            return fixed(((ECPublicKey) k).getW().getAffineX());
        }

        public static byte[] fixed(BigInteger v) {
            byte[] b = v.toByteArray();
            byte[] o = new byte[32];
            int n = Math.min(b.length, 32);
            System.arraycopy(b, b.length - n, o, 32 - n, n);
            return o;
        }

        /** The EC2 key in a CCS: {8 (cnf): {1 (COSE_Key): {1: 2, -1: 1, -2: x, -3: y}}}. */
        @SuppressWarnings("unchecked")
        static PublicKey publicFromCcs(byte[] ccs) throws GeneralSecurityException {
            Cbor.Reader r = new Cbor.Reader(ccs);
            Object o = r.item();
            if (!r.atEnd() || !(o instanceof Map)) {
                throw new GeneralSecurityException("CCS is not a single map");
            }
            Object cnf = ((Map<Object, Object>) o).get(8L);
            if (!(cnf instanceof Map)) {
                throw new GeneralSecurityException("CCS without cnf");
            }
            Object key = ((Map<Object, Object>) cnf).get(1L);
            if (!(key instanceof Map)) {
                throw new GeneralSecurityException("cnf without COSE_Key");
            }
            Map<Object, Object> k = (Map<Object, Object>) key;
            if (!Long.valueOf(2).equals(k.get(1L)) || !Long.valueOf(1).equals(k.get(-1L))) {
                throw new GeneralSecurityException("not an EC2 P-256 key");
            }
            byte[] xv = (byte[]) k.get(-2L);
            Object yv = k.get(-3L);
            byte[] y = yv instanceof byte[] ? (byte[]) yv : decompressY(xv);
            return publicKey(xv, y);
        }
    }

    // ------------------------------------------------------------------ AES-CCM (RFC 3610)

    /** AES-CCM with a 13-byte nonce (L = 2) and an M-byte tag, on AES/ECB/NoPadding. */
    static final class Ccm {
        static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext, int m)
                throws GeneralSecurityException {
            Cipher aes = aes(key);
            byte[] t = cbcMac(aes, nonce, aad, plaintext, m);
            byte[] out = new byte[plaintext.length + m];
            ctr(aes, nonce, plaintext, out);
            byte[] s0 = aes.doFinal(counterBlock(nonce, 0));
            for (int i = 0; i < m; i++) {
                out[plaintext.length + i] = (byte) (t[i] ^ s0[i]);
            }
            return out;
        }

        static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext, int m)
                throws GeneralSecurityException {
            if (ciphertext.length < m) {
                throw new GeneralSecurityException("ciphertext shorter than the tag");
            }
            Cipher aes = aes(key);
            int n = ciphertext.length - m;
            byte[] plaintext = new byte[n];
            ctr(aes, nonce, Arrays.copyOf(ciphertext, n), plaintext);
            byte[] t = cbcMac(aes, nonce, aad, plaintext, m);
            byte[] s0 = aes.doFinal(counterBlock(nonce, 0));
            byte[] u = new byte[m];
            for (int i = 0; i < m; i++) {
                u[i] = (byte) (t[i] ^ s0[i]);
            }
            if (!MessageDigest.isEqual(u, Arrays.copyOfRange(ciphertext, n, ciphertext.length))) {
                throw new javax.crypto.AEADBadTagException("CCM tag mismatch");
            }
            return plaintext;
        }

        private static Cipher aes(byte[] key) throws GeneralSecurityException {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            return c;
        }

        private static int lParam(byte[] nonce) {
            return 15 - nonce.length;
        }

        private static byte[] counterBlock(byte[] nonce, int i) {
            int l = lParam(nonce);
            byte[] a = new byte[16];
            a[0] = (byte) (l - 1);
            System.arraycopy(nonce, 0, a, 1, nonce.length);
            for (int k = 0; k < l; k++) {
                a[15 - k] = (byte) (i >>> (8 * k));
            }
            return a;
        }

        private static void ctr(Cipher aes, byte[] nonce, byte[] in, byte[] out) throws GeneralSecurityException {
            for (int off = 0, i = 1; off < in.length; off += 16, i++) {
                byte[] s = aes.doFinal(counterBlock(nonce, i));
                for (int k = 0; k < 16 && off + k < in.length; k++) {
                    out[off + k] = (byte) (in[off + k] ^ s[k]);
                }
            }
        }

        private static byte[] cbcMac(Cipher aes, byte[] nonce, byte[] aad, byte[] msg, int m)
                throws GeneralSecurityException {
            int l = lParam(nonce);
            if (aad.length >= 0xff00) {
                throw new GeneralSecurityException("long AAD not supported here");
            }
            ByteArrayOutputStream blocks = new ByteArrayOutputStream();
            byte[] b0 = new byte[16];
            b0[0] = (byte) ((aad.length > 0 ? 0x40 : 0) | (((m - 2) / 2) << 3) | (l - 1));
            System.arraycopy(nonce, 0, b0, 1, nonce.length);
            for (int k = 0; k < l; k++) {
                b0[15 - k] = (byte) (msg.length >>> (8 * k));
            }
            blocks.writeBytes(b0);
            if (aad.length > 0) {
                ByteArrayOutputStream a = new ByteArrayOutputStream();
                a.write(aad.length >>> 8);
                a.write(aad.length);
                a.writeBytes(aad);
                blocks.writeBytes(pad16(a.toByteArray()));
            }
            blocks.writeBytes(pad16(msg));
            byte[] all = blocks.toByteArray();
            byte[] x = new byte[16];
            for (int off = 0; off < all.length; off += 16) {
                for (int k = 0; k < 16; k++) {
                    x[k] ^= all[off + k];
                }
                x = aes.doFinal(x);
            }
            return Arrays.copyOf(x, m);
        }

        private static byte[] pad16(byte[] b) {
            return Arrays.copyOf(b, (b.length + 15) / 16 * 16);
        }
    }

    // ------------------------------------------------------------------ CBOR (the subset needed)

    /** A minimal deterministic CBOR writer and a reader of the items EDHOC uses. */
    public static final class Cbor {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Cbor head(int major, long value) {
            int mt = major << 5;
            if (value < 24) {
                out.write(mt | (int) value);
            } else if (value < 0x100) {
                out.write(mt | 24);
                out.write((int) value);
            } else if (value < 0x10000) {
                out.write(mt | 25);
                out.write((int) (value >>> 8));
                out.write((int) value);
            } else if (value < 0x100000000L) {
                out.write(mt | 26);
                for (int s = 24; s >= 0; s -= 8) {
                    out.write((int) (value >>> s));
                }
            } else {
                out.write(mt | 27);
                for (int s = 56; s >= 0; s -= 8) {
                    out.write((int) (value >>> s));
                }
            }
            return this;
        }

        public Cbor integer(long v) {
            return v >= 0 ? head(0, v) : head(1, -1 - v);
        }

        public Cbor bstr(byte[] b) {
            head(2, b.length);
            out.writeBytes(b);
            return this;
        }

        public Cbor tstr(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            head(3, b.length);
            out.writeBytes(b);
            return this;
        }

        Cbor raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        public byte[] bytes() {
            return out.toByteArray();
        }

        public static final class Reader {
            private final byte[] in;
            private int pos;

            public Reader(byte[] in) {
                this.in = in;
            }

            int position() {
                return pos;
            }

            boolean atEnd() {
                return pos == in.length;
            }

            int peekMajor() throws GeneralSecurityException {
                need(1);
                return (in[pos] & 0xff) >>> 5;
            }

            private void need(int n) throws GeneralSecurityException {
                if (pos + n > in.length) {
                    throw new GeneralSecurityException("CBOR truncated");
                }
            }

            private long argument(int ai) throws GeneralSecurityException {
                if (ai < 24) {
                    return ai;
                }
                int n = switch (ai) {
                    case 24 -> 1;
                    case 25 -> 2;
                    case 26 -> 4;
                    case 27 -> 8;
                    default -> throw new GeneralSecurityException("indefinite or reserved CBOR length");
                };
                need(n);
                long v = 0;
                for (int i = 0; i < n; i++) {
                    v = (v << 8) | (in[pos++] & 0xff);
                }
                if (v < 0) {
                    throw new GeneralSecurityException("CBOR argument too large");
                }
                return v;
            }

            byte[] bstr() throws GeneralSecurityException {
                need(1);
                int ib = in[pos++] & 0xff;
                if (ib >>> 5 != 2) {
                    throw new GeneralSecurityException("expected a bstr at " + (pos - 1));
                }
                long len = argument(ib & 0x1f);
                if (len > in.length - pos) {
                    throw new GeneralSecurityException("CBOR bstr truncated");
                }
                byte[] b = Arrays.copyOfRange(in, pos, pos + (int) len);
                pos += (int) len;
                return b;
            }

            /** An identifier: a one-byte int -24..23 (returned as that byte) or a bstr. */
            byte[] connectionIdOrCompactKid() throws GeneralSecurityException {
                need(1);
                byte b = in[pos];
                if (isOneByteInt(b)) {
                    pos++;
                    return new byte[] {b};
                }
                byte[] id = bstr();
                if (id.length == 1 && isOneByteInt(id[0])) {
                    throw new GeneralSecurityException("identifier must have been encoded as an int");
                }
                return id;
            }

            /** A generic item: Long, byte[], String, List, Map (keys as items), Boolean, null. */
            public Object item() throws GeneralSecurityException {
                need(1);
                int ib = in[pos++] & 0xff;
                int major = ib >>> 5;
                int ai = ib & 0x1f;
                switch (major) {
                    case 0:
                        return argument(ai);
                    case 1:
                        return -1 - argument(ai);
                    case 2:
                    case 3: {
                        long len = argument(ai);
                        if (len > in.length - pos) {
                            throw new GeneralSecurityException("CBOR string truncated");
                        }
                        byte[] b = Arrays.copyOfRange(in, pos, pos + (int) len);
                        pos += (int) len;
                        return major == 2 ? b : new String(b, StandardCharsets.UTF_8);
                    }
                    case 4: {
                        long n = argument(ai);
                        List<Object> l = new ArrayList<>();
                        for (long i = 0; i < n; i++) {
                            l.add(item());
                        }
                        return l;
                    }
                    case 5: {
                        long n = argument(ai);
                        Map<Object, Object> m = new LinkedHashMap<>();
                        for (long i = 0; i < n; i++) {
                            Object k = item();
                            m.put(k, item());
                        }
                        return m;
                    }
                    case 7:
                        if (ai == 20) {
                            return Boolean.FALSE;
                        } else if (ai == 21) {
                            return Boolean.TRUE;
                        } else if (ai == 22) {
                            return null;
                        }
                        throw new GeneralSecurityException("unsupported CBOR simple/float");
                    default:
                        throw new GeneralSecurityException("unsupported CBOR tag");
                }
            }
        }
    }
}
