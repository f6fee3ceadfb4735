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
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * The computations both roles share (RFC 9528 sections 4 and 5): transcript hashes, key schedule,
 * MACs, COSE structures for signatures and the AEAD, and the checks on what the peer sent.
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
     * PRK_3e2m (or PRK_4e3m): the previous PRK when the side signs, else HKDF-Extract(SALT, G_RX)
     * with SALT = EDHOC_KDF(PRK, saltLabel, TH, hash_length) (section 4.1.1).
     */
    static byte[] nextPrk(HashAlgorithm h, byte[] prk, int saltLabel, byte[] th, byte[] staticDh,
            BiConsumer<String, byte[]> trace) throws GeneralSecurityException {
        if (staticDh == null) {
            return prk;
        }
        byte[] salt = Kdf.kdf(h, prk, saltLabel, th, h.length());
        trace.accept(saltLabel == LABEL_SALT_3E2M ? "SALT_3e2m" : "SALT_4e3m", salt);
        return Kdf.extract(h, salt, staticDh);
    }

    /** context_2 = << C_R, ID_CRED_R, TH_2, CRED_R, ? EAD_2 >>; context_3 has no C_R (sections 5.3.2, 5.4.2). */
    static byte[] macContext(byte[] connectionId, IdCred idCred, byte[] th, byte[] cred, byte[] ead) {
        CborWriter ctx = new CborWriter();
        if (connectionId != null) {
            ctx.raw(connectionId);
        }
        return ctx.raw(idCred.encodedRef()).bytes(th).raw(cred).raw(ead).toByteArray();
    }

    /**
     * MAC_2 = EDHOC_KDF(PRK_3e2m, 2, context_2, mac_length_2), MAC_3 likewise with label 6; the MAC
     * length is the hash length for a signing side, else the suite's.
     */
    static byte[] mac(CipherSuite s, boolean signs, byte[] prk, int label, byte[] context)
            throws GeneralSecurityException {
        return Kdf.kdf(s.hash(), prk, label, context, signs ? s.hash().length() : s.macLength());
    }

    /**
     * The COSE_Sign1 Sig_structure that Signature_or_MAC signs (section 5.3.2): ["Signature1",
     * << ID_CRED_x >>, << TH, CRED_x, ? EAD >>, MAC].
     */
    static byte[] toBeSigned(IdCred idCred, byte[] th, byte[] cred, byte[] ead, byte[] mac) {
        byte[] externalAad = new CborWriter().bytes(th).raw(cred).raw(ead).toByteArray();
        return new CborWriter().array(4).text("Signature1").bytes(idCred.encodedRef()).bytes(externalAad).bytes(mac)
                .toByteArray();
    }

    /** @return Signature_or_MAC: the signature over the Sig_structure for a signing side, else the MAC */
    static byte[] signatureOrMac(CipherSuite s, PrivateKey key, byte[] toBeSigned, byte[] mac)
            throws GeneralSecurityException {
        return toBeSigned != null ? EdhocKeys.sign(s.signature(), key, toBeSigned) : mac;
    }

    /** Checks Signature_or_MAC received: the signature over the Sig_structure, or the MAC. */
    static boolean verifySignatureOrMac(CipherSuite s, PublicKey key, byte[] toBeSigned, byte[] mac, byte[] received) {
        return toBeSigned != null ? EdhocKeys.verify(s.signature(), key, toBeSigned, received)
                : MessageDigest.isEqual(mac, received);
    }

    /** The COSE_Encrypt0 Enc_structure: ["Encrypt0", h'', TH] (sections 5.4.2, 5.5.2). */
    static byte[] encrypt0Aad(byte[] th) {
        return new CborWriter().array(3).text("Encrypt0").bytes(new byte[0]).bytes(th).toByteArray();
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
