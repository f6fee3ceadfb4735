package org.m2mgw.api.device;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The credential a device authenticates with in EDHOC (RFC 9528 section 3.5.2), as registered: the
 * exact bytes the device uses as its {@code CRED_I}, and how its messages name them
 * ({@code ID_CRED_I}).
 * <ul>
 * <li>{@link Kind#CCS}: a CWT Claims Set holding a COSE_Key (RFC 8392), named by a {@code kid}
 * (COSE header parameter 4);</li>
 * <li>{@link Kind#X509}: a DER certificate, named by its hash ({@code x5t}, COSE header parameter
 * 34, RFC 9360).</li>
 * </ul>
 * The registry checks the shape (sizes, a CBOR map for a CCS, a parsable certificate); the EDHOC
 * transport checks that the key in it fits the cipher suite at each handshake.
 *
 * @since 2.2
 */
public final class EdhocCredential {

    /** How the credential is named in EDHOC messages. */
    public enum Kind {
        /** A CWT Claims Set, named by its kid. */
        CCS,
        /** An X.509 certificate (DER), named by its SHA-256 hash (x5t). */
        X509
    }

    /** Longest kid accepted (EDHOC kids are usually one byte). */
    public static final int MAX_KID_BYTES = 32;
    /** Largest credential accepted. */
    public static final int MAX_CREDENTIAL_BYTES = 4096;

    private final Kind kind;
    private final byte[] kid;
    private final byte[] credential;

    private EdhocCredential(Kind kind, byte[] kid, byte[] credential) {
        this.kind = kind;
        this.kid = kid == null ? null : kid.clone();
        this.credential = credential.clone();
        if (credential.length == 0 || credential.length > MAX_CREDENTIAL_BYTES) {
            throw new IllegalArgumentException("an EDHOC credential has 1 to " + MAX_CREDENTIAL_BYTES + " bytes, not "
                    + credential.length);
        }
    }

    /**
     * @param kid the kid the device names its CCS by, 1 to {@value #MAX_KID_BYTES} bytes
     * @param ccs the CWT Claims Set, as the device encodes it (its bytes enter the MAC)
     * @return the credential
     * @throws IllegalArgumentException if a size is out of range or the CCS is not a CBOR map
     */
    public static EdhocCredential ccs(byte[] kid, byte[] ccs) {
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(ccs, "ccs");
        if (kid.length == 0 || kid.length > MAX_KID_BYTES) {
            throw new IllegalArgumentException("an EDHOC kid has 1 to " + MAX_KID_BYTES + " bytes, not " + kid.length);
        }
        if (ccs.length > 0 && (ccs[0] & 0xe0) != 0xa0) {
            throw new IllegalArgumentException("a CWT Claims Set is a CBOR map; this one starts with 0x"
                    + HexFormat.of().toHexDigits(ccs[0]));
        }
        return new EdhocCredential(Kind.CCS, kid, ccs);
    }

    /**
     * @param der the device's certificate, DER
     * @return the credential (the registry checks that it parses)
     */
    public static EdhocCredential x509(byte[] der) {
        Objects.requireNonNull(der, "der");
        return new EdhocCredential(Kind.X509, null, der);
    }

    /** @return how the credential is named */
    public Kind kind() {
        return kind;
    }

    /** @return a copy of the kid, for a {@link Kind#CCS} credential */
    public Optional<byte[]> kid() {
        return Optional.ofNullable(kid).map(byte[]::clone);
    }

    /** @return a copy of the credential bytes: the CCS or the DER certificate */
    public byte[] credential() {
        return credential.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EdhocCredential c && kind == c.kind && Arrays.equals(kid, c.kid)
                && Arrays.equals(credential, c.credential);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(credential);
    }

    @Override
    public String toString() {
        return kind == Kind.CCS ? "edhoc-ccs(kid=" + HexFormat.of().formatHex(kid) + ")" : "edhoc-x509";
    }
}
