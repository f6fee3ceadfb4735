package org.m2mgw.registry.internal;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.EdhocCredential;

/**
 * The rules every device entry must meet, wherever it comes from (import file, shell, stored
 * registry). Each check throws {@link InvalidEntryException} whose reason names the field but
 * never contains key material.
 */
final class Validation {
    static final int MIN_PSK_BYTES = 16;
    static final int MAX_PSK_BYTES = 64;
    static final int MAX_PSK_IDENTITY_BYTES = 128;
    static final int MAX_METADATA_ENTRIES = 64;
    static final int MAX_METADATA_KEY = 64;
    static final int MAX_METADATA_VALUE = 1024;
    static final int MAX_RESOURCES = 256;
    static final int SHA256_BYTES = 32;

    /** Device ids end up in cloud topics: no '/', '+', '#' or spaces. */
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final ECParameterSpec P256 = p256();
    private static final String PEM_BEGIN = "-----BEGIN CERTIFICATE-----";
    private static final String PEM_END = "-----END CERTIFICATE-----";

    private Validation() {
    }

    /** A device entry that breaks a rule; the reason names the field, never a secret. */
    static final class InvalidEntryException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidEntryException(String reason) {
            super(reason, null, false, false);
        }
    }

    static String deviceId(String id) throws InvalidEntryException {
        if (id == null || id.isEmpty()) {
            throw new InvalidEntryException("id is missing");
        }
        if (!DEVICE_ID.matcher(id).matches()) {
            throw new InvalidEntryException("id '" + sanitize(id)
                    + "' is invalid: use 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return id;
    }

    static String pskIdentity(String identity) throws InvalidEntryException {
        return pskIdentity(identity, "psk.identity");
    }

    /** @param field the field's name for the message, e.g. {@code next.pskIdentity} */
    static String pskIdentity(String identity, String field) throws InvalidEntryException {
        if (identity == null || identity.isEmpty()) {
            throw new InvalidEntryException(field + " must not be empty");
        }
        if (identity.getBytes(StandardCharsets.UTF_8).length > MAX_PSK_IDENTITY_BYTES) {
            throw new InvalidEntryException(field + " is longer than " + MAX_PSK_IDENTITY_BYTES
                    + " bytes");
        }
        if (!identity.equals(identity.strip()) || identity.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidEntryException(field + " must not contain control characters or "
                    + "leading/trailing spaces");
        }
        return identity;
    }

    /**
     * @param text {@code hex:...} or {@code base64:...}
     * @return the decoded key, 16 to 64 bytes
     */
    static byte[] pskKey(String text) throws InvalidEntryException {
        return pskKey(text, "psk.key");
    }

    /** @param field the field's name for the message, e.g. {@code next.psk} */
    static byte[] pskKey(String text, String field) throws InvalidEntryException {
        if (text == null || text.isEmpty()) {
            throw new InvalidEntryException(field + " is missing");
        }
        byte[] key;
        if (text.startsWith("hex:")) {
            try {
                key = HexFormat.of().parseHex(text.substring(4));
            } catch (IllegalArgumentException e) {
                throw new InvalidEntryException(field + " is not valid hex");
            }
        } else if (text.startsWith("base64:")) {
            try {
                key = Base64.getDecoder().decode(text.substring(7));
            } catch (IllegalArgumentException e) {
                throw new InvalidEntryException(field + " is not valid base64");
            }
        } else {
            throw new InvalidEntryException(field + " must start with 'hex:' or 'base64:'");
        }
        pskKeyLength(key, field);
        return key;
    }

    static void pskKeyLength(byte[] key) throws InvalidEntryException {
        pskKeyLength(key, "psk.key");
    }

    static void pskKeyLength(byte[] key, String field) throws InvalidEntryException {
        if (key.length < MIN_PSK_BYTES || key.length > MAX_PSK_BYTES) {
            throw new InvalidEntryException(field + " must be " + MIN_PSK_BYTES + " to "
                    + MAX_PSK_BYTES + " bytes, got " + key.length);
        }
    }

    /**
     * @param spki DER SubjectPublicKeyInfo
     * @return the key's canonical encoding (as the JDK encodes it), P-256 or Ed25519
     */
    static byte[] publicKey(byte[] spki) throws InvalidEntryException {
        return publicKey(spki, "rpk");
    }

    /** @param field the field's name for the message, e.g. {@code next.publicKey} */
    static byte[] publicKey(byte[] spki, String field) throws InvalidEntryException {
        if (spki == null || spki.length == 0) {
            throw new InvalidEntryException(field + " is empty");
        }
        PublicKey key = parse("EC", spki);
        if (key instanceof ECPublicKey ec && isP256(ec.getParams())) {
            return key.getEncoded();
        }
        if (key != null) {
            throw new InvalidEntryException(field + " is an EC key on another curve: only P-256 "
                    + "(secp256r1) and Ed25519 are accepted");
        }
        key = parse("Ed25519", spki);
        if (key != null) {
            return key.getEncoded();
        }
        throw new InvalidEntryException(field + " is not a P-256 or Ed25519 public key "
                + "(DER SubjectPublicKeyInfo)");
    }

    /**
     * @param text an ISO-8601 instant ({@code 2026-12-31T23:00:00Z}) or date-time with offset
     *     ({@code 2027-01-01T00:00:00+01:00})
     * @param field the field's name for the message
     */
    static Instant instant(String text, String field) throws InvalidEntryException {
        if (text == null || text.isBlank()) {
            throw new InvalidEntryException(field + " must not be empty");
        }
        try {
            return Instant.parse(text.strip());
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text.strip()).toInstant();
            } catch (DateTimeParseException e2) {
                throw new InvalidEntryException(field + " '" + sanitize(text)
                        + "' is not an ISO-8601 instant (e.g. 2026-12-31T23:00:00Z)");
            }
        }
    }

    private static PublicKey parse(String algorithm, byte[] spki) {
        try {
            return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    private static boolean isP256(ECParameterSpec p) {
        return P256 != null && p.getCurve().equals(P256.getCurve())
                && p.getGenerator().equals(P256.getGenerator()) && p.getOrder().equals(P256.getOrder())
                && p.getCofactor() == P256.getCofactor();
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            return params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /** @return the subject in RFC 2253 form, the key of certificate lookups */
    static String subject(String subject) throws InvalidEntryException {
        if (subject == null || subject.isBlank()) {
            throw new InvalidEntryException("x509.subject must not be empty");
        }
        try {
            return normaliseSubject(subject);
        } catch (IllegalArgumentException e) {
            throw new InvalidEntryException("x509.subject is not a valid distinguished name");
        }
    }

    /** @return the issuer in RFC 2253 form, as certificate lookups compare it */
    static String issuer(String issuer) throws InvalidEntryException {
        if (issuer == null || issuer.isBlank()) {
            throw new InvalidEntryException("x509.issuer must not be empty");
        }
        try {
            return normaliseSubject(issuer);
        } catch (IllegalArgumentException e) {
            throw new InvalidEntryException("x509.issuer is not a valid distinguished name");
        }
    }

    /** @throws IllegalArgumentException if it is not a distinguished name */
    static String normaliseSubject(String subject) {
        return new X500Principal(subject).getName(X500Principal.RFC2253);
    }

    /**
     * @param text {@code hex:...}, {@code base64:...}, or hex digits, optionally separated by
     *     ':' as {@code openssl x509 -fingerprint -sha256} prints them
     * @param field the field's name for the message, e.g. {@code x509.sha256}
     * @return the 32-byte hash
     */
    static byte[] sha256(String text, String field) throws InvalidEntryException {
        if (text == null || text.isBlank()) {
            throw new InvalidEntryException(field + " must not be empty");
        }
        byte[] hash;
        if (text.startsWith("base64:")) {
            try {
                hash = Base64.getDecoder().decode(text.substring(7));
            } catch (IllegalArgumentException e) {
                throw new InvalidEntryException(field + " is not valid base64");
            }
        } else {
            String hex = (text.startsWith("hex:") ? text.substring(4) : text).replace(":", "");
            try {
                hash = HexFormat.of().parseHex(hex);
            } catch (IllegalArgumentException e) {
                throw new InvalidEntryException(field + " is not valid hex (or 'base64:...')");
            }
        }
        return sha256Length(hash, field);
    }

    static byte[] sha256Length(byte[] hash, String field) throws InvalidEntryException {
        if (hash.length != SHA256_BYTES) {
            throw new InvalidEntryException(field + " must be a SHA-256 hash of " + SHA256_BYTES + " bytes, got "
                    + hash.length);
        }
        return hash;
    }

    /**
     * @param rule e.g. {@code telemetry/*}, {@code events}, {@code *}; a leading '/' is allowed
     * @return the rule without a leading '/'
     */
    static String resourceRule(String rule, int index) throws InvalidEntryException {
        String r = rule == null ? "" : rule.startsWith("/") ? rule.substring(1) : rule;
        if (r.equals("*")) {
            return r;
        }
        String path = r.endsWith("/*") ? r.substring(0, r.length() - 2) : r;
        // the same alphabet the transports check every request's resource name against
        if (!org.m2mgw.api.device.ResourceNames.isValid(path)) {
            throw new InvalidEntryException("resources[" + index + "] '" + sanitize(rule)
                    + "' is not a resource rule: use path segments of letters, digits, '.', '_', "
                    + "'~' or '-', optionally ending in '/*', or '*' alone");
        }
        return r;
    }

    static void metadata(Map<String, String> metadata) throws InvalidEntryException {
        if (metadata.size() > MAX_METADATA_ENTRIES) {
            throw new InvalidEntryException("metadata has more than " + MAX_METADATA_ENTRIES + " entries");
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String k = e.getKey();
            if (k.isBlank() || k.length() > MAX_METADATA_KEY || k.chars().anyMatch(Character::isISOControl)) {
                throw new InvalidEntryException("metadata key '" + sanitize(k) + "' must be 1 to "
                        + MAX_METADATA_KEY + " printable characters");
            }
            if (e.getValue() == null || e.getValue().length() > MAX_METADATA_VALUE) {
                throw new InvalidEntryException("metadata." + k + " must be a string of at most "
                        + MAX_METADATA_VALUE + " characters");
            }
        }
    }

    /**
     * Checks a complete device and returns it in canonical form (normalised subject and issuer,
     * canonical public key encoding).
     *
     * @param secret the PSK, required exactly when the device has a PSK identity
     */
    static Device canonical(Device d, byte[] secret) throws InvalidEntryException {
        return canonical(d, secret, null);
    }

    /**
     * Checks a complete device, its next credential included, and returns it in canonical form
     * (normalised subject and issuer, canonical public key encodings).
     *
     * @param secret the PSK, required exactly when the device has a PSK identity
     * @param nextSecret the next PSK, required exactly when the device has a next PSK identity
     */
    static Device canonical(Device d, byte[] secret, byte[] nextSecret) throws InvalidEntryException {
        deviceId(d.deviceId());
        Device.Builder b = Device.builder(d.deviceId()).enabled(d.enabled()).metadata(d.metadata())
                .keyCreated(d.keyCreated().orElse(null));
        if (d.resources().size() > MAX_RESOURCES) {
            throw new InvalidEntryException("more than " + MAX_RESOURCES + " resources");
        }
        int i = 0;
        for (String rule : d.resources()) {
            b.allow(resourceRule(rule, i++));
        }
        metadata(d.metadata());
        if (d.pskIdentity().isPresent()) {
            b.pskIdentity(pskIdentity(d.pskIdentity().get()));
            if (secret == null) {
                throw new InvalidEntryException("psk.key is missing");
            }
            pskKeyLength(secret);
        } else if (secret != null) {
            throw new InvalidEntryException("psk.identity is missing (a key was given)");
        }
        byte[] currentKey = null;
        if (d.publicKey().isPresent()) {
            currentKey = publicKey(d.publicKey().get());
            b.publicKey(currentKey);
        }
        if (d.certificateSubject().isPresent()) {
            b.certificateSubject(subject(d.certificateSubject().get()));
            if (d.certificateIssuer().isPresent()) {
                b.certificateIssuer(issuer(d.certificateIssuer().get()));
            }
            if (d.certificateSha256().isPresent()) {
                b.certificateSha256(sha256Length(d.certificateSha256().get(), "x509.sha256"));
            }
            if (d.certificateSpkiSha256().isPresent()) {
                b.certificateSpkiSha256(sha256Length(d.certificateSpkiSha256().get(), "x509.spkiSha256"));
            }
        }
        if (d.edhocCredential().isPresent()) {
            b.edhocCredential(edhoc(d.edhocCredential().get()));
        }
        next(b, d.pskIdentity().orElse(null), secret, d.nextPskIdentity().orElse(null), nextSecret,
                currentKey, d.nextPublicKey().orElse(null), d.rolloverDeadline().orElse(null));
        return b.build();
    }

    // ---------------------------------------------------------------- EDHOC credentials (since 2.2)

    /**
     * Checks an EDHOC credential made elsewhere (the shell): the sizes and the CBOR map of a CCS
     * are checked by {@link EdhocCredential} itself, a certificate must parse here.
     *
     * @return the credential, unchanged: its bytes enter the EDHOC MAC, so they are never re-encoded
     */
    static EdhocCredential edhoc(EdhocCredential c) throws InvalidEntryException {
        if (c.kind() == EdhocCredential.Kind.CCS) {
            edhocKidLength(c.kid().orElseThrow());
            edhocCcs(c.credential());
        } else {
            edhocCertificate(c.credential());
        }
        return c;
    }

    /**
     * @param text the kid as hex digits (optionally {@code hex:...})
     * @return the kid, 1 to {@value EdhocCredential#MAX_KID_BYTES} bytes
     */
    static byte[] edhocKid(String text) throws InvalidEntryException {
        return edhocKidLength(hex(text, "edhoc.kid"));
    }

    private static byte[] edhocKidLength(byte[] kid) throws InvalidEntryException {
        if (kid.length == 0 || kid.length > EdhocCredential.MAX_KID_BYTES) {
            throw new InvalidEntryException("edhoc.kid must be 1 to " + EdhocCredential.MAX_KID_BYTES
                    + " bytes, got " + kid.length);
        }
        return kid;
    }

    /**
     * @param text the CWT Claims Set as hex digits (optionally {@code hex:...}), exactly as the device encodes it
     * @return its bytes, a CBOR map of at most {@value EdhocCredential#MAX_CREDENTIAL_BYTES} bytes
     */
    static byte[] edhocCcs(String text) throws InvalidEntryException {
        return edhocCcs(hex(text, "edhoc.ccs"));
    }

    static byte[] edhocCcs(byte[] ccs) throws InvalidEntryException {
        if (ccs.length == 0 || ccs.length > EdhocCredential.MAX_CREDENTIAL_BYTES) {
            throw new InvalidEntryException("edhoc.ccs must be 1 to " + EdhocCredential.MAX_CREDENTIAL_BYTES
                    + " bytes, got " + ccs.length);
        }
        // major type 5: a CBOR map (0xa0 to 0xbf); the first byte is a header, never key material
        if ((ccs[0] & 0xe0) != 0xa0) {
            throw new InvalidEntryException("edhoc.ccs must be a CBOR map (a CWT Claims Set), but it starts "
                    + "with 0x" + HexFormat.of().toHexDigits(ccs[0]));
        }
        return ccs;
    }

    /**
     * @param text the device certificate: the Base64 of its DER encoding, or a PEM block
     *     ({@code -----BEGIN CERTIFICATE-----})
     * @return the DER bytes as given, checked to be one X.509 certificate of at most
     *     {@value EdhocCredential#MAX_CREDENTIAL_BYTES} bytes
     */
    static byte[] edhocCertificate(String text) throws InvalidEntryException {
        if (text == null || text.isBlank()) {
            throw new InvalidEntryException("edhoc.certificate must not be empty");
        }
        String b64 = text;
        int begin = text.indexOf(PEM_BEGIN);
        if (begin >= 0) {
            int end = text.indexOf(PEM_END, begin);
            if (end < 0) {
                throw new InvalidEntryException("edhoc.certificate has no " + PEM_END + " line");
            }
            b64 = text.substring(begin + PEM_BEGIN.length(), end);
        } else if (text.contains("-----BEGIN")) {
            throw new InvalidEntryException("edhoc.certificate is a PEM block of another kind than " + PEM_BEGIN);
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(b64.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new InvalidEntryException("edhoc.certificate is not valid base64");
        }
        return edhocCertificate(der);
    }

    static byte[] edhocCertificate(byte[] der) throws InvalidEntryException {
        if (der.length == 0 || der.length > EdhocCredential.MAX_CREDENTIAL_BYTES) {
            throw new InvalidEntryException("edhoc.certificate must be 1 to " + EdhocCredential.MAX_CREDENTIAL_BYTES
                    + " bytes (DER), got " + der.length);
        }
        X509Certificate cert = certificate(der);
        try {
            if (cert == null || !java.util.Arrays.equals(cert.getEncoded(), der)) {
                throw new InvalidEntryException(cert == null ? "edhoc.certificate is not a valid X.509 certificate"
                        : "edhoc.certificate has data after the certificate");
            }
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new InvalidEntryException("edhoc.certificate is not a valid X.509 certificate");
        }
        return der;
    }

    /** @return the certificate of these DER bytes, or null if they are none */
    static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            return null;
        }
    }

    private static byte[] hex(String text, String field) throws InvalidEntryException {
        if (text == null || text.isBlank()) {
            throw new InvalidEntryException(field + " must not be empty");
        }
        try {
            return HexFormat.of().parseHex(text.startsWith("hex:") ? text.substring(4) : text);
        } catch (IllegalArgumentException e) {
            throw new InvalidEntryException(field + " is not valid hex");
        }
    }

    /**
     * Checks a next credential against the current one and sets it on {@code b}: a next PSK
     * identity needs a current one, differs from it and comes with its key; a next public key
     * needs a current one and differs from it; a deadline needs a next credential.
     *
     * @param currentSecret the current PSK, or null
     * @param currentKey the current public key, canonical, or null
     * @param nextKey the next public key (DER SubjectPublicKeyInfo), or null; made canonical
     */
    static void next(Device.Builder b, String currentIdentity, byte[] currentSecret, String nextIdentity,
            byte[] nextSecret, byte[] currentKey, byte[] nextKey, Instant deadline) throws InvalidEntryException {
        if (nextIdentity != null) {
            pskIdentity(nextIdentity, "next.pskIdentity");
            if (currentIdentity == null) {
                throw new InvalidEntryException("next.pskIdentity needs a current PSK (\"psk\")");
            }
            if (nextIdentity.equals(currentIdentity)) {
                throw new InvalidEntryException("next.pskIdentity must differ from psk.identity");
            }
            if (nextSecret == null) {
                throw new InvalidEntryException("next.psk is missing");
            }
            pskKeyLength(nextSecret, "next.psk");
            if (currentSecret != null && java.security.MessageDigest.isEqual(currentSecret, nextSecret)) {
                throw new InvalidEntryException("next.psk must differ from the current key");
            }
            b.nextPskIdentity(nextIdentity);
        } else if (nextSecret != null) {
            throw new InvalidEntryException("next.pskIdentity is missing (a next key was given)");
        }
        if (nextKey != null) {
            byte[] canonical = publicKey(nextKey, "next.publicKey");
            if (currentKey == null) {
                throw new InvalidEntryException("next.publicKey needs a current raw public key (\"rpk\")");
            }
            if (java.util.Arrays.equals(canonical, currentKey)) {
                throw new InvalidEntryException("next.publicKey must differ from rpk");
            }
            b.nextPublicKey(canonical);
        }
        if (deadline != null && nextIdentity == null && nextKey == null) {
            throw new InvalidEntryException("rolloverDeadline needs a next credential (\"next\")");
        }
        b.rolloverDeadline(deadline);
    }

    /** @return the value cut to 64 characters with control characters replaced, safe for a log line */
    static String sanitize(String s) {
        return s == null ? "null" : org.m2mgw.support.Text.printable(s, 64);
    }
}
