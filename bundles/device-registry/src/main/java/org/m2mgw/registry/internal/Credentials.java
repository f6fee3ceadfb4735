package org.m2mgw.registry.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.EdhocCredential;
import org.m2mgw.registry.internal.Snapshot.Entry;

/**
 * What the registry needs to know about a device's credentials as a whole: whether two entries
 * hold the same current credential (then its creation date carries over), and fingerprints of
 * credentials that a key rollover retired.
 *
 * <p>A fingerprint is the SHA-256 of a tag, the PSK identity and key, or of a tag and the public
 * key. It is kept in the encrypted store only, so that an import file that still names a retired
 * credential cannot bring it back; it never appears in a log or the shell.
 */
final class Credentials {
    /** A device remembers this many retired credentials; older ones are forgotten. */
    static final int MAX_RETIRED = 8;

    private Credentials() {
    }

    /**
     * @return whether both entries have the same current credential: PSK identity and key, public
     *         key, certificate binding (subject, issuer, hashes) and EDHOC credential
     */
    static boolean sameCurrent(Entry a, Entry b) {
        Device x = a.device();
        Device y = b.device();
        return x.pskIdentity().equals(y.pskIdentity()) && Arrays.equals(a.secret(), b.secret())
                && Arrays.equals(x.publicKey().orElse(null), y.publicKey().orElse(null))
                && x.certificateSubject().equals(y.certificateSubject())
                && x.certificateIssuer().equals(y.certificateIssuer())
                && Arrays.equals(x.certificateSha256().orElse(null), y.certificateSha256().orElse(null))
                && Arrays.equals(x.certificateSpkiSha256().orElse(null), y.certificateSpkiSha256().orElse(null))
                && x.edhocCredential().equals(y.edhocCredential());
    }

    /** @return whether {@code e} has a next credential and it is {@code current}'s current one */
    static boolean nextIsCurrentOf(Entry e, Entry current) {
        Device n = e.device();
        Device c = current.device();
        boolean psk = n.nextPskIdentity().isPresent() && n.nextPskIdentity().equals(c.pskIdentity())
                && Arrays.equals(e.nextSecret(), current.secret());
        boolean rpk = n.nextPublicKey().isPresent()
                && Arrays.equals(n.nextPublicKey().get(), c.publicKey().orElse(null));
        return psk || rpk;
    }

    /** @return the fingerprints of the entry's current PSK and public key (those it has) */
    static List<String> fingerprints(Entry e) {
        List<String> out = new ArrayList<>(2);
        e.device().pskIdentity().ifPresent(i -> {
            if (e.secret() != null) {
                out.add(psk(i, e.secret()));
            }
        });
        e.device().publicKey().ifPresent(k -> out.add(rpk(k)));
        return out;
    }

    /** @return whether one of the entry's current credentials is among {@code retired} */
    static boolean anyRetired(Entry e, List<String> retired) {
        return !retired.isEmpty() && fingerprints(e).stream().anyMatch(retired::contains);
    }

    /**
     * @return {@code retired} with {@code more} added at the end, at most {@link #MAX_RETIRED},
     *         the oldest dropped
     */
    static List<String> retire(List<String> retired, List<String> more) {
        List<String> out = new ArrayList<>(retired);
        for (String f : more) {
            out.remove(f);
            out.add(f);
        }
        return List.copyOf(out.subList(Math.max(0, out.size() - MAX_RETIRED), out.size()));
    }

    static String psk(String identity, byte[] secret) {
        MessageDigest md = sha256();
        md.update("m2mgw-psk\0".getBytes(StandardCharsets.US_ASCII));
        md.update(identity.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(secret);
        return HexFormat.of().formatHex(md.digest());
    }

    static String rpk(byte[] spki) {
        MessageDigest md = sha256();
        md.update("m2mgw-rpk\0".getBytes(StandardCharsets.US_ASCII));
        md.update(spki);
        return HexFormat.of().formatHex(md.digest());
    }

    /** @return whether a string is a fingerprint as {@link #psk} and {@link #rpk} make them */
    static boolean isFingerprint(String s) {
        return s != null && s.length() == 64 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    /** @return the public description of a device's next credential, for logs and the shell; never a secret */
    static String describeNext(Device d) {
        List<String> parts = new ArrayList<>();
        d.nextPskIdentity().ifPresent(i -> parts.add("PSK identity '" + i + "'"));
        d.nextPublicKey().ifPresent(k -> parts.add("raw public key SHA-256 " + HexFormat.of().formatHex(digest(k))));
        return String.join(" and ", parts);
    }

    /** @return the public description of the current credentials a promotion of {@code d} retires */
    static String describeRetired(Device d) {
        List<String> parts = new ArrayList<>();
        if (d.nextPskIdentity().isPresent()) {
            d.pskIdentity().ifPresent(i -> parts.add("PSK identity '" + i + "'"));
        }
        if (d.nextPublicKey().isPresent()) {
            d.publicKey().ifPresent(k -> parts.add("raw public key SHA-256 " + HexFormat.of().formatHex(digest(k))));
        }
        return String.join(" and ", parts);
    }

    /**
     * @return the public description of an EDHOC credential, for logs and the shell: its kind and
     *         kid, or the certificate's subject; never the CCS itself
     */
    static String describeEdhoc(EdhocCredential c) {
        return c.kind() == EdhocCredential.Kind.CCS
                ? "EDHOC CCS kid " + HexFormat.of().formatHex(c.kid().orElseThrow())
                : "EDHOC X.509 subject '" + edhocSubject(c) + "'";
    }

    /** @return the subject (RFC 2253) of an X.509 EDHOC credential, sanitised; "?" if it does not parse */
    static String edhocSubject(EdhocCredential c) {
        X509Certificate cert = Validation.certificate(c.credential());
        return cert == null ? "?"
                : org.m2mgw.support.Text.printable(cert.getSubjectX500Principal().getName(X500Principal.RFC2253), 256);
    }

    static byte[] digest(byte[] data) {
        return sha256().digest(Objects.requireNonNull(data));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
