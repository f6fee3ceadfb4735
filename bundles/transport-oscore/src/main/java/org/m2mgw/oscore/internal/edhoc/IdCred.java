package org.m2mgw.oscore.internal.edhoc;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborReader;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * A credential identifier ID_CRED_I or ID_CRED_R (RFC 9528 section 3.5.3): a map of COSE header
 * parameters. Understood are 'kid' (label 4, a CCS named by key id), 'x5t' (label 34, a certificate
 * named by its hash, RFC 9360: [alg, hash] with SHA-256/64 (-15) or SHA-256 (-16)) and 'x5chain'
 * (label 33, certificates by value); other parameters are kept in the encoding for a resolver to
 * look at. The map bytes as received are what enters MACs and signatures. In PLAINTEXT_2 and _3 a
 * map holding only a kid is sent as the bare kid, as an integer or byte string by the rules of
 * section 3.3.2 (section 3.5.3.2). Immutable.
 */
public final class IdCred {
    /** COSE header parameter 'kid'. */
    public static final int KID = 4;
    /** COSE header parameter 'x5chain'. */
    public static final int X5CHAIN = 33;
    /** COSE header parameter 'x5t'. */
    public static final int X5T = 34;
    /** COSE algorithm SHA-256/64 (SHA-256 truncated to 8 bytes). */
    public static final int SHA_256_64 = -15;
    /** COSE algorithm SHA-256. */
    public static final int SHA_256 = -16;

    private final byte[] map;
    private final byte[] kid;
    private final Integer x5tAlg;
    private final byte[] x5tHash;
    private final List<byte[]> x5chain;
    private final boolean onlyKid;

    private IdCred(byte[] map, byte[] kid, Integer x5tAlg, byte[] x5tHash, List<byte[]> x5chain, boolean onlyKid) {
        this.map = map;
        this.kid = kid;
        this.x5tAlg = x5tAlg;
        this.x5tHash = x5tHash;
        this.x5chain = x5chain;
        this.onlyKid = onlyKid;
    }

    /** @return {'kid': kid} */
    public static IdCred kid(byte[] kid) {
        byte[] k = kid.clone();
        return new IdCred(new CborWriter().map(1).integer(KID).bytes(k).toByteArray(), k, null, null, List.of(), true);
    }

    /**
     * @param alg {@link #SHA_256_64} or {@link #SHA_256}
     * @param certificate the DER certificate to name
     * @return {'x5t': [alg, hash of the certificate]}
     */
    public static IdCred x5t(int alg, byte[] certificate) {
        byte[] h = sha256(certificate);
        if (alg == SHA_256_64) {
            h = Arrays.copyOf(h, 8);
        } else if (alg != SHA_256) {
            throw new IllegalArgumentException("x5t with SHA-256/64 (-15) or SHA-256 (-16) only, not " + alg);
        }
        byte[] m = new CborWriter().map(1).integer(X5T).array(2).integer(alg).bytes(h).toByteArray();
        return new IdCred(m, null, alg, h, List.of(), false);
    }

    /** @return {'x5chain': certificate}, the certificate by value */
    public static IdCred x5chain(byte[] certificate) {
        byte[] c = certificate.clone();
        byte[] m = new CborWriter().map(1).integer(X5CHAIN).bytes(c).toByteArray();
        return new IdCred(m, null, null, null, List.of(c), false);
    }

    /**
     * @param map the CBOR map, deterministically encoded
     * @return the identifier
     * @throws CborException if it is not a map of integer labels, or a known parameter is malformed
     */
    public static IdCred parse(byte[] map) throws CborException {
        CborReader r = new CborReader(map);
        IdCred c = read(r, map);
        r.expectEnd();
        return c;
    }

    private static IdCred read(CborReader r, byte[] all) throws CborException {
        int start = r.position();
        int n = r.readMap();
        byte[] kid = null;
        Integer alg = null;
        byte[] hash = null;
        List<byte[]> chain = new ArrayList<>();
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long label = r.readInt();
            if (seen.contains(label)) {
                throw new CborException("ID_CRED has label " + label + " twice");
            }
            seen.add(label);
            if (label == KID) {
                kid = r.readBytes();
            } else if (label == X5T) {
                if (r.readArray() != 2) {
                    throw new CborException("x5t is [alg, hash]");
                }
                alg = r.readSmallInt();
                hash = r.readBytes();
            } else if (label == X5CHAIN) {
                if (r.peek() == CborReader.Type.ARRAY) {
                    int m = r.readArray();
                    for (int j = 0; j < m; j++) {
                        chain.add(r.readBytes());
                    }
                    if (m < 2) {
                        throw new CborException("an x5chain of one certificate is a byte string (RFC 9360)");
                    }
                } else {
                    chain.add(r.readBytes());
                }
            } else {
                r.skip();
            }
        }
        byte[] encoded = Arrays.copyOfRange(all, start, r.position());
        return new IdCred(encoded, kid, alg, hash, List.copyOf(chain), n == 1 && kid != null);
    }

    /** Reads ID_CRED_x as PLAINTEXT_2/3 carry it: a map, or a bare kid as integer or byte string. */
    static IdCred readPlaintext(CborReader r) throws CborException {
        CborReader.Type t = r.peek();
        if (t == CborReader.Type.MAP) {
            byte[] raw = r.readRaw();
            return parse(raw);
        }
        return kid(ConnectionId.readCompact(r));
    }

    /** @return the form PLAINTEXT_2/3 carry: the bare kid if the map holds only a kid, else the map */
    byte[] plaintextForm() {
        return onlyKid ? ConnectionId.encodeCompact(kid) : map.clone();
    }

    /** @return a copy of the map's encoding (what MACs and signatures cover) */
    public byte[] encoded() {
        return map.clone();
    }

    byte[] encodedRef() {
        return map;
    }

    /** @return the kid, if the map has one */
    public Optional<byte[]> kid() {
        return Optional.ofNullable(kid).map(byte[]::clone);
    }

    /** @return the x5t hash algorithm, if the map has an x5t */
    public OptionalInt x5tAlgorithm() {
        return x5tAlg == null ? OptionalInt.empty() : OptionalInt.of(x5tAlg);
    }

    /** @return the x5t hash, if the map has an x5t */
    public Optional<byte[]> x5tHash() {
        return Optional.ofNullable(x5tHash).map(byte[]::clone);
    }

    /** @return the certificates of an x5chain, end-entity first; empty if none */
    public List<byte[]> x5chain() {
        return x5chain.stream().map(byte[]::clone).toList();
    }

    /**
     * @return whether this x5t names the certificate (its hash matches with the algorithm named); false
     *     for an identifier without x5t or with another hash algorithm
     */
    public boolean x5tMatches(byte[] certificate) {
        if (x5tAlg == null) {
            return false;
        }
        byte[] h = sha256(certificate);
        if (x5tAlg == SHA_256_64) {
            h = Arrays.copyOf(h, 8);
        } else if (x5tAlg != SHA_256) {
            return false;
        }
        return MessageDigest.isEqual(h, x5tHash);
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdCred c && Arrays.equals(map, c.map);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(map);
    }

    @Override
    public String toString() {
        return "ID_CRED(" + HexFormat.of().formatHex(map) + ")";
    }
}
