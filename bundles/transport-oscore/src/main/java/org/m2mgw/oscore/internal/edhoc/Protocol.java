package org.m2mgw.oscore.internal.edhoc;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import javax.crypto.AEADBadTagException;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborReader;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * The computations both roles share (RFC 9528 sections 4 and 5): transcript hashes, key schedule,
 * MACs and signatures made and checked, COSE structures for signatures and the AEAD, the parsing of
 * what the peer sent and the checks on it.
 */
final class Protocol {
    static final int LABEL_KEYSTREAM_2 = 0;
    static final int LABEL_SALT_3E2M = 1;
    static final int LABEL_MAC_2 = 2;
    static final int LABEL_K_3 = 3;
    static final int LABEL_IV_3 = 4;
    static final int LABEL_SALT_4E3M = 5;
    static final int LABEL_MAC_3 = 6;
    static final int LABEL_PRK_OUT = 7;
    static final int LABEL_K_4 = 8;
    static final int LABEL_IV_4 = 9;

    private Protocol() {
    }

    /** TH_2 = H(G_Y, H(message_1)), both as byte strings (section 5.3.2). */
    static byte[] th2(HashAlgorithm h, byte[] gY, byte[] message1) throws GeneralSecurityException {
        return Kdf.hash(h, CborWriter.encodeBytes(gY), CborWriter.encodeBytes(Kdf.hash(h, message1)));
    }

    /** TH_3 = H(TH_2, PLAINTEXT_2, CRED_R) and TH_4 = H(TH_3, PLAINTEXT_3, CRED_I) (sections 5.3.2, 5.4.2). */
    static byte[] nextTh(HashAlgorithm h, byte[] th, byte[] plaintext, byte[] cred) throws GeneralSecurityException {
        return Kdf.hash(h, CborWriter.encodeBytes(th), plaintext, cred);
    }

    /**
     * What differs between the authentication of message_2 (by the responder, with PRK_3e2m) and of
     * message_3 (by the initiator, with PRK_4e3m): the labels and the names of the values in traces.
     */
    enum Auth {
        MESSAGE_2(LABEL_SALT_3E2M, LABEL_MAC_2, "G_RX", "SALT_3e2m", "PRK_3e2m", "_2"),
        MESSAGE_3(LABEL_SALT_4E3M, LABEL_MAC_3, "G_IY", "SALT_4e3m", "PRK_4e3m", "_3");

        private final int saltLabel;
        private final int macLabel;
        private final String staticDh;
        private final String salt;
        private final String prk;
        private final String n;

        Auth(int saltLabel, int macLabel, String staticDh, String salt, String prk, String n) {
            this.saltLabel = saltLabel;
            this.macLabel = macLabel;
            this.staticDh = staticDh;
            this.salt = salt;
            this.prk = prk;
            this.n = n;
        }

        /** @return whether the authenticating side (the responder for message_2) signs in this method */
        boolean signs(EdhocMethod m) {
            return this == MESSAGE_2 ? m.responderSigns() : m.initiatorSigns();
        }
    }

    /**
     * PRK_3e2m (or PRK_4e3m): the previous PRK when the authenticating side signs, else
     * HKDF-Extract(SALT, G_RX) (or G_IY) with SALT = EDHOC_KDF(PRK, salt label, TH, hash_length)
     * (section 4.1.1), G_RX being the DH of one side's static key and the other's ephemeral one.
     */
    static byte[] nextPrk(Auth a, CipherSuite s, EdhocMethod method, byte[] prk, byte[] th, PrivateKey own,
            PublicKey peer, BiConsumer<String, byte[]> trace) throws EdhocException, GeneralSecurityException {
        byte[] next = prk;
        if (!a.signs(method)) {
            HashAlgorithm h = s.hash();
            byte[] staticDh = dhWithPeer(s.dhCurve(), own, peer);
            trace(trace, a.staticDh, staticDh);
            byte[] salt = Kdf.kdf(h, prk, a.saltLabel, th, h.length());
            trace(trace, a.salt, salt);
            next = Kdf.extract(h, salt, staticDh);
        }
        trace(trace, a.prk, next);
        return next;
    }

    /**
     * Makes Signature_or_MAC_2 (or _3) with the own credential and returns PLAINTEXT_2 = ( C_R,
     * ID_CRED_R, Signature_or_MAC_2, ? EAD_2 ), or PLAINTEXT_3 without C_R (sections 5.3.2, 5.4.2).
     *
     * @param connectionId C_R encoded for message_2, {@code null} for message_3
     * @param ead the EAD items, encoded
     */
    static byte[] authenticate(Auth a, CipherSuite s, EdhocMethod method, byte[] prk, byte[] connectionId,
            LocalCredential own, byte[] th, byte[] ead, BiConsumer<String, byte[]> trace)
            throws GeneralSecurityException {
        IdCred idCred = own.idCred();
        Mac m = mac(a, s, method, prk, connectionId, idCred, th, own.credRef(), ead, trace);
        byte[] sigOrMac = m.toBeSigned != null ? EdhocKeys.sign(s.signature(), own.privateKey(), m.toBeSigned) : m.mac;
        trace(trace, "Signature_or_MAC" + a.n, sigOrMac);
        CborWriter w = new CborWriter();
        if (connectionId != null) {
            w.raw(connectionId);
        }
        byte[] plaintext = w.raw(idCred.plaintextForm()).bytes(sigOrMac).raw(ead).toByteArray();
        trace(trace, "PLAINTEXT" + a.n, plaintext);
        return plaintext;
    }

    /**
     * Checks the peer's Signature_or_MAC_2 (or _3) against its credential (sections 5.3.3, 5.4.3).
     *
     * @param connectionId C_R encoded for message_2, {@code null} for message_3
     * @param ead the peer's EAD items, encoded
     * @throws EdhocException MAC_FAILED if it does not verify
     */
    static void verify(Auth a, CipherSuite s, EdhocMethod method, byte[] prk, byte[] connectionId, IdCred idCred,
            PeerCredential peer, byte[] th, byte[] ead, byte[] received, BiConsumer<String, byte[]> trace)
            throws EdhocException, GeneralSecurityException {
        Mac m = mac(a, s, method, prk, connectionId, idCred, th, peer.credRef(), ead, trace);
        boolean valid = m.toBeSigned != null ? EdhocKeys.verify(s.signature(), peer.key(), m.toBeSigned, received)
                : MessageDigest.isEqual(m.mac, received);
        if (!valid) {
            throw new EdhocException(EdhocException.Reason.MAC_FAILED, "authentication failed");
        }
    }

    /**
     * MAC_2 = EDHOC_KDF(PRK_3e2m, 2, context_2, mac_length_2), MAC_3 likewise with label 6, the MAC
     * length being the hash length for a signing side, else the suite's; and for a signing side the
     * COSE_Sign1 Sig_structure that Signature_or_MAC signs (section 5.3.2): ["Signature1",
     * << ID_CRED_x >>, << TH, CRED_x, ? EAD >>, MAC].
     */
    private static Mac mac(Auth a, CipherSuite s, EdhocMethod method, byte[] prk, byte[] connectionId, IdCred idCred,
            byte[] th, byte[] cred, byte[] ead, BiConsumer<String, byte[]> trace) throws GeneralSecurityException {
        boolean signs = a.signs(method);
        // context_2 = << C_R, ID_CRED_R, TH_2, CRED_R, ? EAD_2 >>; context_3 has no C_R
        CborWriter ctx = new CborWriter();
        if (connectionId != null) {
            ctx.raw(connectionId);
        }
        byte[] context = ctx.raw(idCred.encodedRef()).bytes(th).raw(cred).raw(ead).toByteArray();
        trace(trace, "context" + a.n, context);
        byte[] mac = Kdf.kdf(s.hash(), prk, a.macLabel, context, signs ? s.hash().length() : s.macLength());
        trace(trace, "MAC" + a.n, mac);
        if (!signs) {
            return new Mac(mac, null);
        }
        byte[] externalAad = new CborWriter().bytes(th).raw(cred).raw(ead).toByteArray();
        byte[] toBeSigned = new CborWriter().array(4).text("Signature1").bytes(idCred.encodedRef())
                .bytes(externalAad).bytes(mac).toByteArray();
        trace(trace, "Message_to_be_signed" + a.n, toBeSigned);
        return new Mac(mac, toBeSigned);
    }

    /** MAC_2 or MAC_3, and the Sig_structure over it for a signing side ({@code null} else). */
    private record Mac(byte[] mac, byte[] toBeSigned) {
    }

    /** What PLAINTEXT_2 or PLAINTEXT_3 carries: C_R (in PLAINTEXT_2 only), ID_CRED_x, Signature_or_MAC_x, EAD_x. */
    record Plaintext(ConnectionId connectionId, IdCred idCred, byte[] signatureOrMac, List<EadItem> ead) {
    }

    /**
     * Reads PLAINTEXT_2 (with C_R) or PLAINTEXT_3 (without).
     *
     * @param what its name in the diagnostic
     */
    static Plaintext readPlaintext(byte[] plaintext, boolean withConnectionId, String what) throws EdhocException {
        try {
            CborReader r = new CborReader(plaintext);
            ConnectionId connectionId = withConnectionId ? ConnectionId.read(r) : null;
            return new Plaintext(connectionId, IdCred.readPlaintext(r), r.readBytes(), EadItem.readAll(r));
        } catch (CborException e) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, what + ": " + e.getMessage());
        }
    }

    /**
     * Reads message_2, message_3 or message_4: one byte string, and nothing after it.
     *
     * @param what its name in the diagnostic
     */
    static byte[] readByteString(byte[] message, String what) throws EdhocException {
        try {
            CborReader r = new CborReader(message);
            byte[] b = r.readBytes();
            r.expectEnd();
            return b;
        } catch (CborException e) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, what + ": " + e.getMessage());
        }
    }

    /**
     * The COSE_Encrypt0 of message_3 (K_3, IV_3 from PRK_3e2m) or of message_4 (K_4, IV_4 from
     * PRK_4e3m), with the Enc_structure A_3 or A_4 (sections 5.4.2, 5.5.2).
     */
    static final class Encrypt0 {
        private final CoseAead aead;
        private final byte[] key;
        private final byte[] iv;
        private final byte[] aad;

        private Encrypt0(CoseAead aead, byte[] key, byte[] iv, byte[] aad) {
            this.aead = aead;
            this.key = key;
            this.iv = iv;
            this.aad = aad;
        }

        /** @return K_3, IV_3, A_3 (PRK_3e2m, TH_3) or K_4, IV_4, A_4 (PRK_4e3m, TH_4), as {@code n} is 3 or 4 */
        static Encrypt0 of(int n, HashAlgorithm h, CoseAead aead, byte[] prk, byte[] th,
                BiConsumer<String, byte[]> trace) throws GeneralSecurityException {
            byte[] key = Kdf.kdf(h, prk, n == 3 ? LABEL_K_3 : LABEL_K_4, th, aead.keyLength());
            byte[] iv = Kdf.kdf(h, prk, n == 3 ? LABEL_IV_3 : LABEL_IV_4, th, aead.nonceLength());
            // the Enc_structure: ["Encrypt0", h'', TH]
            byte[] aad = new CborWriter().array(3).text("Encrypt0").bytes(new byte[0]).bytes(th).toByteArray();
            trace(trace, "K_" + n, key);
            trace(trace, "IV_" + n, iv);
            trace(trace, "A_" + n, aad);
            return new Encrypt0(aead, key, iv, aad);
        }

        /** @return the ciphertext */
        byte[] seal(byte[] plaintext) throws GeneralSecurityException {
            return aead.key(key).seal(iv, aad, plaintext);
        }

        /**
         * @param what the message's name in the diagnostic
         * @return the plaintext
         * @throws EdhocException DECRYPT_FAILED if it does not authenticate
         */
        byte[] open(byte[] ciphertext, String what) throws EdhocException, GeneralSecurityException {
            try {
                return aead.key(key).open(iv, aad, ciphertext);
            } catch (AEADBadTagException e) {
                throw new EdhocException(EdhocException.Reason.DECRYPT_FAILED, what + " does not decrypt");
            }
        }
    }

    /** A step of a handshake. */
    interface Work<T> {
        T run() throws EdhocException, GeneralSecurityException;
    }

    /**
     * Runs a step, an unexpected failure in it (any but an {@link EdhocException}) becoming an
     * internal error.
     *
     * @param what the step's name in the diagnostic
     */
    static <T> T guarded(String what, Work<T> work) throws EdhocException {
        try {
            return work.run();
        } catch (EdhocException e) {
            throw e;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw EdhocException.internal(what, e);
        }
    }

    /** Gives the trace hook a copy of a value, by its RFC 9529 name. */
    static void trace(BiConsumer<String, byte[]> trace, String name, byte[] value) {
        trace.accept(name, value.clone());
    }

    /** The trace hook when nobody listens. */
    static final BiConsumer<String, byte[]> NO_TRACE = (name, value) -> { };

    static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }

    /** @return the AEAD service with this COSE identifier */
    static CoseAead aead(IntFunction<CoseAead> aeads, int alg) throws EdhocException {
        CoseAead a;
        try {
            a = aeads.apply(alg);
        } catch (RuntimeException e) {
            a = null;
        }
        if (a == null || a.algorithm() != alg) {
            throw new EdhocException(EdhocException.Reason.INTERNAL, "AEAD " + alg + " is not available",
                    EdhocError.unspecified("internal error"), null, null);
        }
        return a;
    }

    /** Refuses a critical EAD item that is not understood (section 3.8). */
    static void checkEad(List<EadItem> items, Set<Integer> understood) throws EdhocException {
        for (EadItem i : items) {
            if (i.critical() && !understood.contains(i.label())) {
                throw new EdhocException(EdhocException.Reason.CRITICAL_EAD,
                        "critical EAD item " + i.label() + " is not supported");
            }
        }
    }

    /**
     * Looks the peer's credential up and checks it fits: an x5t must match the certificate, an
     * x5chain must start with it, the key must be of the kind the suite and method ask for.
     */
    static PeerCredential resolve(CredentialResolver resolver, IdCred idCred, KeyType wanted) throws EdhocException {
        Optional<PeerCredential> found;
        try {
            found = resolver.resolve(idCred);
        } catch (RuntimeException e) {
            found = Optional.empty();
        }
        if (found == null || found.isEmpty()) {
            throw new EdhocException(EdhocException.Reason.UNKNOWN_CREDENTIAL, "unknown credential");
        }
        PeerCredential c = found.get();
        if (idCred.x5tAlgorithm().isPresent()
                && (c.certificate().isEmpty() || !idCred.x5tMatches(c.certificate().get()))) {
            throw new EdhocException(EdhocException.Reason.UNKNOWN_CREDENTIAL, "x5t does not match the certificate");
        }
        List<byte[]> chain = idCred.x5chain();
        if (!chain.isEmpty() && (c.certificate().isEmpty()
                || !MessageDigest.isEqual(chain.get(0), c.certificate().get()))) {
            throw new EdhocException(EdhocException.Reason.UNKNOWN_CREDENTIAL, "x5chain is not the certificate");
        }
        if (c.keyType() != wanted) {
            throw new EdhocException(EdhocException.Reason.UNKNOWN_CREDENTIAL,
                    "credential key is " + c.keyType() + ", the suite and method need " + wanted);
        }
        return c;
    }

    /** @return the DH secret with a key the peer sent; an invalid key is the peer's fault */
    static byte[] dhWithPeer(KeyType curve, PrivateKey own, PublicKey peer) throws EdhocException {
        try {
            return EdhocKeys.dh(curve, own, peer);
        } catch (GeneralSecurityException e) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, "invalid public key");
        }
    }

    /** @return the peer's ephemeral key, decoded */
    static PublicKey decodeEphemeral(KeyType curve, byte[] encoded) throws EdhocException {
        try {
            return EdhocKeys.decode(curve, encoded);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, "invalid ephemeral public key");
        }
    }

    /** @return the OSCORE ID length limit for the application AEAD (RFC 8613 section 5.2) */
    static int maxOscoreIdLength(CoseAead appAead) {
        return appAead.nonceLength() - 6;
    }
}
