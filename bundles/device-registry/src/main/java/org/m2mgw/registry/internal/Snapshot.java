package org.m2mgw.registry.internal;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.EdhocCredential;

/**
 * One immutable state of the registry with its lookup indexes (by id, by PSK identity, by Base64
 * of the public key, by normalised certificate subject and issuer). During a key rollover a
 * device is found by its next PSK identity and next public key too. The component keeps the
 * current one in a volatile field and replaces it on every change (copy on write), so lookups
 * never lock or block. Changes are prepared in a {@link Draft}.
 *
 * <p>Certificates: devices of different issuers may share a subject; a device registered without
 * issuer (bound to its subject only) owns its subject under every issuer, so it shares it with no
 * other device. A certificate therefore fits at most one device.
 *
 * <p>EDHOC credentials (since 2.2): a CWT Claims Set is found by its kid, a certificate by its
 * SHA-256 hash, whole or a prefix of at least {@value #MIN_EDHOC_HASH_BYTES} bytes (an EDHOC
 * {@code x5t} with SHA-256/64). Each kid and each certificate belongs to one device at most.
 */
final class Snapshot {
    static final Snapshot EMPTY = new Draft(null).build();
    /** The shortest certificate hash prefix an EDHOC lookup takes: SHA-256/64. */
    static final int MIN_EDHOC_HASH_BYTES = 8;

    /**
     * A device, its PSK (null when it has none), the PSK of its next identity during a rollover
     * (null otherwise), and the fingerprints of the credentials its rollovers retired
     * ({@link Credentials#fingerprints}, oldest first; so that a stale import file cannot bring
     * one back). Secrets are copied in.
     */
    record Entry(Device device, byte[] secret, byte[] nextSecret, List<String> retired) {
        Entry {
            secret = secret == null ? null : secret.clone();
            nextSecret = nextSecret == null ? null : nextSecret.clone();
            retired = retired == null ? List.of() : List.copyOf(retired);
        }

        Entry(Device device, byte[] secret) {
            this(device, secret, null, List.of());
        }

        String id() {
            return device.deviceId();
        }

        /** @return this entry with another device and the same secrets and retired credentials */
        Entry with(Device other) {
            return new Entry(other, secret, nextSecret, retired);
        }

        /** @return the secret of {@code identity}: the next one for the next identity */
        byte[] secretOf(String identity) {
            return device.nextPskIdentity().map(identity::equals).orElse(false) ? nextSecret : secret;
        }

        /** @return whether the device, the secrets and the retired credentials are all equal */
        boolean sameAs(Entry other) {
            return other != null && device.equals(other.device) && Arrays.equals(secret, other.secret)
                    && Arrays.equals(nextSecret, other.nextSecret) && retired.equals(other.retired);
        }
    }

    private final Map<String, Entry> byId;
    private final Map<String, Entry> byPsk;
    private final Map<String, Entry> byKey;
    /** By normalised subject, then by normalised issuer (the empty string for none); inner maps immutable. */
    private final Map<String, Map<String, Entry>> bySubject;
    /** By the hex of the kid of an EDHOC CCS credential. */
    private final Map<String, Entry> byEdhocKid;
    /**
     * EDHOC certificates by SHA-256: by the hash's first {@value #MIN_EDHOC_HASH_BYTES} bytes, each
     * bucket (immutable, nearly always of one) with the whole hashes, so that a prefix lookup is one
     * map access.
     */
    private final Map<Long, List<CertificateHash>> byEdhocCertificate;
    private final List<Device> devices;
    private final List<X509Certificate> trustAnchors;

    private Snapshot(Draft d) {
        this.byId = Collections.unmodifiableMap(new TreeMap<>(d.byId));
        this.byPsk = Map.copyOf(d.byPsk);
        this.byKey = Map.copyOf(d.byKey);
        this.bySubject = Map.copyOf(d.bySubject);
        this.byEdhocKid = Map.copyOf(d.byEdhocKid);
        this.byEdhocCertificate = Map.copyOf(d.byEdhocCertificate);
        List<Device> list = new ArrayList<>(byId.size());
        byId.values().forEach(e -> list.add(e.device()));
        this.devices = Collections.unmodifiableList(list);
        this.trustAnchors = List.copyOf(d.trustAnchors);
    }

    /** The SHA-256 hash of an EDHOC certificate and its device. */
    private record CertificateHash(byte[] sha256, Entry entry) {
        boolean startsWith(byte[] prefix) {
            return Arrays.equals(sha256, 0, prefix.length, prefix, 0, prefix.length);
        }
    }

    /** The issuer key of a device registered without issuer. */
    static final String NO_ISSUER = "";

    static String keyName(byte[] spki) {
        return Base64.getEncoder().encodeToString(spki);
    }

    Optional<Entry> entry(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
    }

    Optional<Device> device(String id) {
        return entry(id).map(Entry::device);
    }

    /** @return the entry whose current or next PSK identity this is */
    Entry entryByPskIdentity(String identity) {
        return identity == null ? null : byPsk.get(identity);
    }

    /** @return the entry whose current or next public key this is */
    Entry entryByPublicKey(byte[] spki) {
        return spki == null ? null : byKey.get(keyName(spki));
    }

    Optional<Device> byPskIdentity(String identity) {
        return Optional.ofNullable(entryByPskIdentity(identity)).map(Entry::device);
    }

    Optional<Device> byPublicKey(byte[] spki) {
        return Optional.ofNullable(entryByPublicKey(spki)).map(Entry::device);
    }

    /** @return the device with this subject, if exactly one device has it */
    Optional<Device> bySubject(String normalisedSubject) {
        Map<String, Entry> issuers = normalisedSubject == null ? null : bySubject.get(normalisedSubject);
        return issuers == null || issuers.size() != 1 ? Optional.empty()
                : Optional.of(issuers.values().iterator().next().device());
    }

    /**
     * @return the device registered with this subject and issuer, or else with this subject and no
     *         issuer
     */
    Optional<Device> byCertificate(String normalisedIssuer, String normalisedSubject) {
        Map<String, Entry> issuers = normalisedSubject == null ? null : bySubject.get(normalisedSubject);
        if (issuers == null || normalisedIssuer == null) {
            return Optional.empty();
        }
        Entry e = issuers.get(normalisedIssuer);
        return Optional.ofNullable(e == null ? issuers.get(NO_ISSUER) : e).map(Entry::device);
    }

    /** @return the device whose EDHOC CCS credential has this kid */
    Optional<Device> byEdhocKid(byte[] kid) {
        return kid == null ? Optional.empty()
                : Optional.ofNullable(byEdhocKid.get(HexFormat.of().formatHex(kid))).map(Entry::device);
    }

    /**
     * @param sha256 a certificate's SHA-256 hash, whole or its first {@value #MIN_EDHOC_HASH_BYTES}
     *     bytes or more
     * @return the device whose EDHOC certificate's hash starts with these bytes, if exactly one does
     */
    Optional<Device> byEdhocCertificateHash(byte[] sha256) {
        if (sha256 == null || sha256.length < MIN_EDHOC_HASH_BYTES || sha256.length > Validation.SHA256_BYTES) {
            return Optional.empty();
        }
        List<CertificateHash> bucket = byEdhocCertificate.get(prefixKey(sha256));
        Entry found = null;
        for (CertificateHash c : bucket == null ? List.<CertificateHash>of() : bucket) {
            if (c.startsWith(sha256)) {
                if (found != null) {
                    return Optional.empty();
                }
                found = c.entry();
            }
        }
        return Optional.ofNullable(found).map(Entry::device);
    }

    private static long prefixKey(byte[] sha256) {
        long k = 0;
        for (int i = 0; i < MIN_EDHOC_HASH_BYTES; i++) {
            k = k << 8 | (sha256[i] & 0xff);
        }
        return k;
    }

    /** @return the hex of a CCS credential's kid, or null for another kind */
    private static String kidName(EdhocCredential c) {
        return c.kind() == EdhocCredential.Kind.CCS ? HexFormat.of().formatHex(c.kid().orElseThrow()) : null;
    }

    /** @return the SHA-256 of an X.509 credential's certificate, or null for another kind */
    private static byte[] certificateHash(EdhocCredential c) {
        return c.kind() == EdhocCredential.Kind.X509 ? Credentials.digest(c.credential()) : null;
    }

    /** @return a copy of the PSK of a current or next identity, only if its device is enabled */
    Optional<byte[]> pskSecret(String identity) {
        Entry e = entryByPskIdentity(identity);
        byte[] secret = e == null || !e.device().enabled() ? null : e.secretOf(identity);
        return secret == null ? Optional.empty() : Optional.of(secret.clone());
    }

    /** @return all devices, sorted by id, unmodifiable */
    List<Device> devices() {
        return devices;
    }

    /** @return all entries (with secrets), sorted by id */
    Collection<Entry> entries() {
        return byId.values();
    }

    List<X509Certificate> trustAnchors() {
        return trustAnchors;
    }

    /** @return a draft that starts from this snapshot */
    Draft draft() {
        return new Draft(this);
    }

    /** A mutable copy of a snapshot, for preparing a change. Not thread-safe. */
    static final class Draft {
        private final Map<String, Entry> byId = new HashMap<>();
        private final Map<String, Entry> byPsk = new HashMap<>();
        private final Map<String, Entry> byKey = new HashMap<>();
        private final Map<String, Map<String, Entry>> bySubject = new HashMap<>();
        private final Map<String, Entry> byEdhocKid = new HashMap<>();
        private final Map<Long, List<CertificateHash>> byEdhocCertificate = new HashMap<>();
        private List<X509Certificate> trustAnchors = List.of();

        Draft(Snapshot base) {
            if (base != null) {
                byId.putAll(base.byId);
                byPsk.putAll(base.byPsk);
                byKey.putAll(base.byKey);
                bySubject.putAll(base.bySubject);
                byEdhocKid.putAll(base.byEdhocKid);
                byEdhocCertificate.putAll(base.byEdhocCertificate);
                trustAnchors = base.trustAnchors;
            }
        }

        Optional<Entry> entry(String id) {
            return Optional.ofNullable(byId.get(id));
        }

        /**
         * @param d a device about to be added or replaced
         * @return why it cannot be: one of its credentials belongs to another device id
         */
        Optional<String> conflict(Device d) {
            String id = d.deviceId();
            Optional<String> taken = pskConflict(id, d.pskIdentity(), "psk.identity")
                    .or(() -> pskConflict(id, d.nextPskIdentity(), "next.pskIdentity"))
                    .or(() -> keyConflict(id, d.publicKey(), "rpk"))
                    .or(() -> keyConflict(id, d.nextPublicKey(), "next.publicKey"))
                    .or(() -> d.edhocCredential().flatMap(c -> edhocConflict(id, c)));
            if (taken.isPresent()) {
                return taken;
            }
            Optional<String> subject = d.certificateSubject();
            if (subject.isPresent()) {
                String issuer = d.certificateIssuer().orElse(NO_ISSUER);
                for (Entry other : bySubject.getOrDefault(subject.get(), Map.of()).values()) {
                    String otherIssuer = other.device().certificateIssuer().orElse(NO_ISSUER);
                    boolean clash = issuer.equals(otherIssuer) || issuer.equals(NO_ISSUER)
                            || otherIssuer.equals(NO_ISSUER);
                    if (!clash || other.id().equals(id)) {
                        continue;
                    }
                    String what = "x509.subject '" + Validation.sanitize(subject.get()) + "'";
                    if (issuer.equals(otherIssuer)) {
                        return Optional.of(what + (issuer.equals(NO_ISSUER) ? "" : " from issuer '"
                                + Validation.sanitize(issuer) + "'") + " already belongs to device '" + other.id() + "'");
                    }
                    return Optional.of(what + " already belongs to device '" + other.id() + "'"
                            + (issuer.equals(NO_ISSUER) ? " (issuer '" + Validation.sanitize(otherIssuer)
                                    + "'): without \"issuer\" this entry would take its certificates too"
                                    : ", which has no \"issuer\" and so takes certificates of every issuer"));
                }
            }
            return Optional.empty();
        }

        private Optional<String> pskConflict(String id, Optional<String> identity, String field) {
            Entry other = identity.map(byPsk::get).orElse(null);
            if (other == null || other.id().equals(id)) {
                return Optional.empty();
            }
            return Optional.of(field + " '" + Validation.sanitize(identity.get()) + "' already belongs to device '"
                    + other.id() + "'" + (other.device().pskIdentity().equals(identity) ? ""
                            : " (as its next PSK identity)"));
        }

        private Optional<String> keyConflict(String id, Optional<byte[]> key, String field) {
            Entry other = key.map(k -> byKey.get(keyName(k))).orElse(null);
            if (other == null || other.id().equals(id)) {
                return Optional.empty();
            }
            boolean current = other.device().publicKey().map(k -> Arrays.equals(k, key.get())).orElse(false);
            return Optional.of(field + " already belongs to device '" + other.id() + "'"
                    + (current ? "" : " (as its next public key)"));
        }

        private Optional<String> edhocConflict(String id, EdhocCredential c) {
            String kid = kidName(c);
            if (kid != null) {
                Entry other = byEdhocKid.get(kid);
                return other == null || other.id().equals(id) ? Optional.empty()
                        : Optional.of("edhoc.kid '" + kid + "' already belongs to device '" + other.id() + "'");
            }
            byte[] hash = certificateHash(c);
            for (CertificateHash other : byEdhocCertificate.getOrDefault(prefixKey(hash), List.of())) {
                if (Arrays.equals(other.sha256(), hash) && !other.entry().id().equals(id)) {
                    return Optional.of("edhoc.certificate (SHA-256 " + HexFormat.of().formatHex(hash)
                            + ") already belongs to device '" + other.entry().id() + "'");
                }
            }
            return Optional.empty();
        }

        /** Adds or replaces; the caller has checked {@link #conflict}. */
        void put(Entry e) {
            remove(e.id());
            byId.put(e.id(), e);
            Device d = e.device();
            d.pskIdentity().ifPresent(i -> byPsk.put(i, e));
            d.nextPskIdentity().ifPresent(i -> byPsk.put(i, e));
            d.publicKey().ifPresent(k -> byKey.put(keyName(k), e));
            d.nextPublicKey().ifPresent(k -> byKey.put(keyName(k), e));
            d.certificateSubject().ifPresent(s -> {
                Map<String, Entry> issuers = new HashMap<>(bySubject.getOrDefault(s, Map.of()));
                issuers.put(d.certificateIssuer().orElse(NO_ISSUER), e);
                bySubject.put(s, frozen(issuers));
            });
            d.edhocCredential().ifPresent(c -> {
                String kid = kidName(c);
                if (kid != null) {
                    byEdhocKid.put(kid, e);
                } else {
                    byte[] hash = certificateHash(c);
                    List<CertificateHash> bucket = new ArrayList<>(byEdhocCertificate.getOrDefault(prefixKey(hash),
                            List.of()));
                    bucket.add(new CertificateHash(hash, e));
                    byEdhocCertificate.put(prefixKey(hash), List.copyOf(bucket));
                }
            });
        }

        Optional<Entry> remove(String id) {
            Entry old = byId.remove(id);
            if (old != null) {
                Device d = old.device();
                d.pskIdentity().ifPresent(i -> byPsk.remove(i, old));
                d.nextPskIdentity().ifPresent(i -> byPsk.remove(i, old));
                d.publicKey().ifPresent(k -> byKey.remove(keyName(k), old));
                d.nextPublicKey().ifPresent(k -> byKey.remove(keyName(k), old));
                d.certificateSubject().ifPresent(s -> {
                    Map<String, Entry> issuers = new HashMap<>(bySubject.getOrDefault(s, Map.of()));
                    issuers.remove(d.certificateIssuer().orElse(NO_ISSUER), old);
                    if (issuers.isEmpty()) {
                        bySubject.remove(s);
                    } else {
                        bySubject.put(s, frozen(issuers));
                    }
                });
                d.edhocCredential().ifPresent(c -> {
                    String kid = kidName(c);
                    if (kid != null) {
                        byEdhocKid.remove(kid, old);
                    } else {
                        long key = prefixKey(certificateHash(c));
                        List<CertificateHash> bucket = byEdhocCertificate.getOrDefault(key, List.of()).stream()
                                .filter(h -> h.entry() != old).toList();
                        if (bucket.isEmpty()) {
                            byEdhocCertificate.remove(key);
                        } else {
                            byEdhocCertificate.put(key, bucket);
                        }
                    }
                });
            }
            return Optional.ofNullable(old);
        }

        /** Sorted by issuer, so that conflicts are reported the same way every time; small when single. */
        private static Map<String, Entry> frozen(Map<String, Entry> issuers) {
            if (issuers.size() == 1) {
                Map.Entry<String, Entry> only = issuers.entrySet().iterator().next();
                return Map.of(only.getKey(), only.getValue());
            }
            return Collections.unmodifiableMap(new TreeMap<>(issuers));
        }

        List<X509Certificate> trustAnchors() {
            return trustAnchors;
        }

        void trustAnchors(List<X509Certificate> anchors) {
            trustAnchors = List.copyOf(anchors);
        }

        Snapshot build() {
            return new Snapshot(this);
        }
    }
}
