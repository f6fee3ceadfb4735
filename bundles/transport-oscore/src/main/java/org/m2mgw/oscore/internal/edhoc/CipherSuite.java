package org.m2mgw.oscore.internal.edhoc;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.m2mgw.api.crypto.CoseAead;

/**
 * An EDHOC cipher suite (RFC 9528 section 3.6): the EDHOC AEAD, hash and MAC length, the
 * Diffie-Hellman curve, the signature algorithm, and the application AEAD and hash that OSCORE
 * gets. Plain data: a suite that is not predefined here (a private-use one, say) is made with
 * {@link #define}, and works as long as its AEADs are available as {@link CoseAead} services and its
 * curve, signature and hash are among {@link KeyType}, {@link SignatureAlgorithm} and
 * {@link HashAlgorithm}.
 */
public final class CipherSuite {

    /** Suite 0: AES-CCM-16-64-128, SHA-256, 8, X25519, EdDSA, AES-CCM-16-64-128, SHA-256. */
    public static final CipherSuite SUITE_0 = define(0, CoseAead.AES_CCM_16_64_128, HashAlgorithm.SHA_256, 8,
            KeyType.X25519, SignatureAlgorithm.EDDSA, CoseAead.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    /** Suite 1: AES-CCM-16-128-128, SHA-256, 16, X25519, EdDSA, AES-CCM-16-64-128, SHA-256. */
    public static final CipherSuite SUITE_1 = define(1, CoseAead.AES_CCM_16_128_128, HashAlgorithm.SHA_256, 16,
            KeyType.X25519, SignatureAlgorithm.EDDSA, CoseAead.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    /** Suite 2: AES-CCM-16-64-128, SHA-256, 8, P-256, ES256, AES-CCM-16-64-128, SHA-256. */
    public static final CipherSuite SUITE_2 = define(2, CoseAead.AES_CCM_16_64_128, HashAlgorithm.SHA_256, 8,
            KeyType.P256, SignatureAlgorithm.ES256, CoseAead.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    /** Suite 3: AES-CCM-16-128-128, SHA-256, 16, P-256, ES256, AES-CCM-16-64-128, SHA-256. */
    public static final CipherSuite SUITE_3 = define(3, CoseAead.AES_CCM_16_128_128, HashAlgorithm.SHA_256, 16,
            KeyType.P256, SignatureAlgorithm.ES256, CoseAead.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    /** Suite 4: ChaCha20/Poly1305, SHA-256, 16, X25519, EdDSA, ChaCha20/Poly1305, SHA-256. */
    public static final CipherSuite SUITE_4 = define(4, CoseAead.CHACHA20_POLY1305, HashAlgorithm.SHA_256, 16,
            KeyType.X25519, SignatureAlgorithm.EDDSA, CoseAead.CHACHA20_POLY1305, HashAlgorithm.SHA_256);
    /** Suite 5: ChaCha20/Poly1305, SHA-256, 16, P-256, ES256, ChaCha20/Poly1305, SHA-256. */
    public static final CipherSuite SUITE_5 = define(5, CoseAead.CHACHA20_POLY1305, HashAlgorithm.SHA_256, 16,
            KeyType.P256, SignatureAlgorithm.ES256, CoseAead.CHACHA20_POLY1305, HashAlgorithm.SHA_256);
    /** Suite 6: A128GCM, SHA-256, 16, X25519, ES256, A128GCM, SHA-256. */
    public static final CipherSuite SUITE_6 = define(6, CoseAead.A128GCM, HashAlgorithm.SHA_256, 16,
            KeyType.X25519, SignatureAlgorithm.ES256, CoseAead.A128GCM, HashAlgorithm.SHA_256);

    private static final Map<Integer, CipherSuite> REGISTERED = List.of(SUITE_0, SUITE_1, SUITE_2, SUITE_3, SUITE_4,
            SUITE_5, SUITE_6).stream().collect(Collectors.toUnmodifiableMap(CipherSuite::id, Function.identity()));

    private final int id;
    private final int edhocAead;
    private final HashAlgorithm hash;
    private final int macLength;
    private final KeyType dhCurve;
    private final SignatureAlgorithm signature;
    private final int appAead;
    private final HashAlgorithm appHash;

    private CipherSuite(int id, int edhocAead, HashAlgorithm hash, int macLength, KeyType dhCurve,
            SignatureAlgorithm signature, int appAead, HashAlgorithm appHash) {
        this.id = id;
        this.edhocAead = edhocAead;
        this.hash = Objects.requireNonNull(hash, "hash");
        this.macLength = macLength;
        this.dhCurve = Objects.requireNonNull(dhCurve, "dhCurve");
        this.signature = Objects.requireNonNull(signature, "signature");
        this.appAead = appAead;
        this.appHash = Objects.requireNonNull(appHash, "appHash");
        if (dhCurve == KeyType.ED25519) {
            throw new IllegalArgumentException("Ed25519 is not a Diffie-Hellman curve");
        }
        if (macLength < 8 || macLength > hash.length()) {
            throw new IllegalArgumentException("MAC length " + macLength + " is out of range 8.." + hash.length());
        }
    }

    /**
     * Defines a cipher suite from the columns of the IANA "EDHOC Cipher Suites" registry.
     *
     * @return the suite
     * @throws IllegalArgumentException if the MAC length exceeds the hash or the curve cannot do DH
     */
    public static CipherSuite define(int id, int edhocAead, HashAlgorithm hash, int macLength, KeyType dhCurve,
            SignatureAlgorithm signature, int appAead, HashAlgorithm appHash) {
        return new CipherSuite(id, edhocAead, hash, macLength, dhCurve, signature, appAead, appHash);
    }

    /** @return the predefined suite with this number (0 to 6 of RFC 9528 section 10.2) */
    public static Optional<CipherSuite> registered(int id) {
        return Optional.ofNullable(REGISTERED.get(id));
    }

    /** @return the suite's number */
    public int id() {
        return id;
    }

    /** @return the COSE identifier of the EDHOC AEAD (for message_3 and message_4) */
    public int edhocAead() {
        return edhocAead;
    }

    /** @return the EDHOC hash algorithm */
    public HashAlgorithm hash() {
        return hash;
    }

    /** @return the MAC length in bytes, used with static Diffie-Hellman authentication */
    public int macLength() {
        return macLength;
    }

    /** @return the curve of the ephemeral and static Diffie-Hellman keys */
    public KeyType dhCurve() {
        return dhCurve;
    }

    /** @return the signature algorithm */
    public SignatureAlgorithm signature() {
        return signature;
    }

    /** @return the COSE identifier of the application AEAD (OSCORE's) */
    public int appAead() {
        return appAead;
    }

    /** @return the application hash algorithm (OSCORE's HKDF) */
    public HashAlgorithm appHash() {
        return appHash;
    }

    /** @return the kind of authentication key a party that authenticates this way must have */
    KeyType authKeyType(boolean signs) {
        return signs ? signature.keyType() : dhCurve;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CipherSuite s && id == s.id && edhocAead == s.edhocAead && hash.equals(s.hash)
                && macLength == s.macLength && dhCurve == s.dhCurve && signature == s.signature
                && appAead == s.appAead && appHash.equals(s.appHash);
    }

    @Override
    public int hashCode() {
        return id;
    }

    @Override
    public String toString() {
        return "EDHOC suite " + id;
    }
}
