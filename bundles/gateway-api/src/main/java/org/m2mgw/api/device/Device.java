package org.m2mgw.api.device;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A field device as the gateway knows it: its id, whether it may connect, which resources it
 * may use, free-form metadata, and the public part of its credentials. Secrets (pre-shared keys)
 * are never part of this object; see {@link DeviceRegistry#pskSecret(String)}.
 *
 * <p>Resource rules are paths without a leading slash. A rule that ends in {@code /*} allows the
 * path itself and everything below it ({@code telemetry/*} allows {@code telemetry} and
 * {@code telemetry/temp}); {@code *} allows every resource.
 *
 * @since 0.1
 */
public final class Device {
    private final String deviceId;
    private final boolean enabled;
    private final Set<String> resources;
    private final Map<String, String> metadata;
    private final String pskIdentity;
    private final byte[] publicKey;
    private final String certificateSubject;
    private final String certificateIssuer;
    private final byte[] certificateSha256;
    private final byte[] certificateSpkiSha256;
    private final Instant keyCreated;
    private final String nextPskIdentity;
    private final byte[] nextPublicKey;
    private final Instant rolloverDeadline;
    private final EdhocCredential edhocCredential;

    private Device(Builder b) {
        this.deviceId = requireText(b.deviceId, "deviceId");
        this.enabled = b.enabled;
        this.resources = Collections.unmodifiableSet(new LinkedHashSet<>(b.resources));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
        this.pskIdentity = b.pskIdentity;
        this.publicKey = b.publicKey == null ? null : b.publicKey.clone();
        this.certificateSubject = b.certificateSubject;
        this.certificateIssuer = b.certificateIssuer;
        this.certificateSha256 = b.certificateSha256 == null ? null : b.certificateSha256.clone();
        this.certificateSpkiSha256 = b.certificateSpkiSha256 == null ? null : b.certificateSpkiSha256.clone();
        this.keyCreated = b.keyCreated;
        this.nextPskIdentity = b.nextPskIdentity;
        this.nextPublicKey = b.nextPublicKey == null ? null : b.nextPublicKey.clone();
        this.rolloverDeadline = b.rolloverDeadline;
        this.edhocCredential = b.edhocCredential;
        if (nextPskIdentity != null && (pskIdentity == null || nextPskIdentity.equals(pskIdentity))) {
            throw new IllegalArgumentException("device " + deviceId
                    + ": a next PSK identity needs a current one and must differ from it");
        }
        if (nextPublicKey != null && (publicKey == null || Arrays.equals(nextPublicKey, publicKey))) {
            throw new IllegalArgumentException("device " + deviceId
                    + ": a next public key needs a current one and must differ from it");
        }
        if (rolloverDeadline != null && nextPskIdentity == null && nextPublicKey == null) {
            throw new IllegalArgumentException("device " + deviceId + ": a rollover deadline needs a next credential");
        }
        if (pskIdentity == null && publicKey == null && certificateSubject == null && edhocCredential == null) {
            throw new IllegalArgumentException("device " + deviceId + " has no credential");
        }
        if (certificateSubject == null
                && (certificateIssuer != null || certificateSha256 != null || certificateSpkiSha256 != null)) {
            throw new IllegalArgumentException("device " + deviceId
                    + " has a certificate issuer or hash but no certificate subject");
        }
    }

    /**
     * @param deviceId the device id
     * @return a builder
     */
    public static Builder builder(String deviceId) {
        Builder b = new Builder();
        b.deviceId = deviceId;
        return b;
    }

    /** @return a builder initialised from this device */
    public Builder toBuilder() {
        Builder b = builder(deviceId).enabled(enabled).metadata(metadata);
        b.resources.addAll(resources);
        b.pskIdentity = pskIdentity;
        b.publicKey = publicKey;
        b.certificateSubject = certificateSubject;
        b.certificateIssuer = certificateIssuer;
        b.certificateSha256 = certificateSha256;
        b.certificateSpkiSha256 = certificateSpkiSha256;
        b.keyCreated = keyCreated;
        b.nextPskIdentity = nextPskIdentity;
        b.nextPublicKey = nextPublicKey;
        b.rolloverDeadline = rolloverDeadline;
        b.edhocCredential = edhocCredential;
        return b;
    }

    /** @return the gateway-wide device id */
    public String deviceId() {
        return deviceId;
    }

    /** @return whether the device may open sessions */
    public boolean enabled() {
        return enabled;
    }

    /** @return the resource rules, unmodifiable */
    public Set<String> resources() {
        return resources;
    }

    /** @return free-form metadata, unmodifiable */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** @return the PSK identity, when the device uses a pre-shared key */
    public Optional<String> pskIdentity() {
        return Optional.ofNullable(pskIdentity);
    }

    /** @return a copy of the raw public key (DER SubjectPublicKeyInfo), when the device uses one */
    public Optional<byte[]> publicKey() {
        return Optional.ofNullable(publicKey).map(byte[]::clone);
    }

    /**
     * @return the certificate subject (RFC 4514 DN), when the device uses X.509. A certificate
     *         with this subject is the device's only if it also matches
     *         {@link #certificateIssuer()} and the hashes, where they are set.
     */
    public Optional<String> certificateSubject() {
        return Optional.ofNullable(certificateSubject);
    }

    /**
     * The issuer DN (RFC 4514) the device's certificate must carry: the subject of the CA that
     * signed it. Without it, a certificate with the device's subject from any trusted CA is the
     * device's (bound to its subject only), which registries accept for entries made before 2.0
     * but report.
     *
     * @return the certificate issuer, when the device uses X.509 and it is set
     * @since 2.0
     */
    public Optional<String> certificateIssuer() {
        return Optional.ofNullable(certificateIssuer);
    }

    /**
     * @return a copy of the SHA-256 hash (32 bytes) of the device certificate's DER encoding, when
     *         set: only that very certificate is the device's
     * @since 2.0
     */
    public Optional<byte[]> certificateSha256() {
        return Optional.ofNullable(certificateSha256).map(byte[]::clone);
    }

    /**
     * @return a copy of the SHA-256 hash (32 bytes) of the device certificate's DER
     *         SubjectPublicKeyInfo, when set: only certificates for that key are the device's (it
     *         survives a renewal that keeps the key)
     * @since 2.0
     */
    public Optional<byte[]> certificateSpkiSha256() {
        return Optional.ofNullable(certificateSpkiSha256).map(byte[]::clone);
    }

    /**
     * @return when the current credential (PSK, public key or certificate binding) was registered,
     *         if known; entries made before 2.1 have no date
     * @since 2.1
     */
    public Optional<Instant> keyCreated() {
        return Optional.ofNullable(keyCreated);
    }

    /**
     * During a key rollover, the PSK identity of the next key. The device may authenticate with
     * either; its first handshake with the next one makes it current and retires the old one.
     *
     * @return the next PSK identity, if a PSK rollover is under way
     * @since 2.1
     */
    public Optional<String> nextPskIdentity() {
        return Optional.ofNullable(nextPskIdentity);
    }

    /**
     * @return a copy of the next raw public key (DER SubjectPublicKeyInfo), if an RPK rollover is
     *         under way; the device may use either key until the next one is first used
     * @since 2.1
     */
    public Optional<byte[]> nextPublicKey() {
        return Optional.ofNullable(nextPublicKey).map(byte[]::clone);
    }

    /**
     * @return the time after which the next credential replaces the current one even if the device
     *         never used it, if set
     * @since 2.1
     */
    public Optional<Instant> rolloverDeadline() {
        return Optional.ofNullable(rolloverDeadline);
    }

    /**
     * @return the credential the device authenticates with in EDHOC (the OSCORE transport), if it
     *         has one
     * @since 2.2
     */
    public Optional<EdhocCredential> edhocCredential() {
        return Optional.ofNullable(edhocCredential);
    }

    /**
     * @return whether a key rollover is under way (a next PSK or public key is registered)
     * @since 2.1
     */
    public boolean rolloverPending() {
        return nextPskIdentity != null || nextPublicKey != null;
    }

    /**
     * @return whether this is an X.509 device bound to its certificate subject alone: no issuer and
     *         no hash, so any trusted CA can issue a certificate that is taken for it
     * @since 2.0
     */
    public boolean boundToSubjectOnly() {
        return certificateSubject != null && certificateIssuer == null && certificateSha256 == null
                && certificateSpkiSha256 == null;
    }

    /**
     * @param resource a resource path, with or without a leading slash
     * @return whether the resource rules allow it
     */
    public boolean mayUse(String resource) {
        String path = resource.startsWith("/") ? resource.substring(1) : resource;
        for (String rule : resources) {
            if (rule.equals("*") || rule.equals(path)) {
                return true;
            }
            if (rule.endsWith("/*")) {
                String prefix = rule.substring(0, rule.length() - 2);
                if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device d && deviceId.equals(d.deviceId) && enabled == d.enabled
                && resources.equals(d.resources) && metadata.equals(d.metadata)
                && Objects.equals(pskIdentity, d.pskIdentity) && Arrays.equals(publicKey, d.publicKey)
                && Objects.equals(certificateSubject, d.certificateSubject)
                && Objects.equals(certificateIssuer, d.certificateIssuer)
                && Arrays.equals(certificateSha256, d.certificateSha256)
                && Arrays.equals(certificateSpkiSha256, d.certificateSpkiSha256)
                && Objects.equals(keyCreated, d.keyCreated) && Objects.equals(nextPskIdentity, d.nextPskIdentity)
                && Arrays.equals(nextPublicKey, d.nextPublicKey) && Objects.equals(rolloverDeadline, d.rolloverDeadline)
                && Objects.equals(edhocCredential, d.edhocCredential);
    }

    @Override
    public int hashCode() {
        return deviceId.hashCode();
    }

    @Override
    public String toString() {
        return "Device[" + deviceId + (enabled ? "" : ", disabled")
                + (pskIdentity != null ? ", psk=" + pskIdentity : "")
                + (publicKey != null ? ", rpk" : "")
                + (certificateSubject != null ? ", x509=" + certificateSubject : "")
                + (certificateIssuer != null ? ", issuer=" + certificateIssuer : "")
                + (certificateSha256 != null || certificateSpkiSha256 != null ? ", pinned" : "")
                + (edhocCredential != null ? ", " + edhocCredential : "")
                + (rolloverPending() ? ", rollover" : "") + "]";
    }

    /**
     * Builds {@link Device} instances.
     *
     * @since 0.1
     */
    public static final class Builder {
        private String deviceId;
        private boolean enabled = true;
        private final Set<String> resources = new LinkedHashSet<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private String pskIdentity;
        private byte[] publicKey;
        private String certificateSubject;
        private String certificateIssuer;
        private byte[] certificateSha256;
        private byte[] certificateSpkiSha256;
        private Instant keyCreated;
        private String nextPskIdentity;
        private byte[] nextPublicKey;
        private Instant rolloverDeadline;
        private EdhocCredential edhocCredential;

        private Builder() {
        }

        /**
         * @param v the device's EDHOC credential, or null
         * @return this
         * @since 2.2
         */
        public Builder edhocCredential(EdhocCredential v) {
            edhocCredential = v;
            return this;
        }

        /** @param v whether the device may connect @return this */
        public Builder enabled(boolean v) {
            enabled = v;
            return this;
        }

        /** @param rule a resource rule, see {@link Device} @return this */
        public Builder allow(String rule) {
            resources.add(rule.startsWith("/") ? rule.substring(1) : rule);
            return this;
        }

        /** @param v metadata entries to add @return this */
        public Builder metadata(Map<String, String> v) {
            metadata.putAll(v);
            return this;
        }

        /** @param v the PSK identity @return this */
        public Builder pskIdentity(String v) {
            pskIdentity = v;
            return this;
        }

        /** @param v the raw public key, DER SubjectPublicKeyInfo @return this */
        public Builder publicKey(byte[] v) {
            publicKey = v == null ? null : v.clone();
            return this;
        }

        /** @param v the certificate subject DN @return this */
        public Builder certificateSubject(String v) {
            certificateSubject = v;
            return this;
        }

        /**
         * @param v the DN of the CA that issues the device's certificate, or null
         * @return this
         * @since 2.0
         */
        public Builder certificateIssuer(String v) {
            certificateIssuer = v;
            return this;
        }

        /**
         * @param v the SHA-256 hash of the device certificate (DER), or null; copied
         * @return this
         * @since 2.0
         */
        public Builder certificateSha256(byte[] v) {
            certificateSha256 = v == null ? null : v.clone();
            return this;
        }

        /**
         * @param v the SHA-256 hash of the device certificate's SubjectPublicKeyInfo (DER), or
         *     null; copied
         * @return this
         * @since 2.0
         */
        public Builder certificateSpkiSha256(byte[] v) {
            certificateSpkiSha256 = v == null ? null : v.clone();
            return this;
        }

        /**
         * @param v when the current credential was registered, or null if unknown
         * @return this
         * @since 2.1
         */
        public Builder keyCreated(Instant v) {
            keyCreated = v;
            return this;
        }

        /**
         * @param v the PSK identity of the next key during a rollover, or null
         * @return this
         * @since 2.1
         */
        public Builder nextPskIdentity(String v) {
            nextPskIdentity = v;
            return this;
        }

        /**
         * @param v the next raw public key (DER SubjectPublicKeyInfo) during a rollover, or null; copied
         * @return this
         * @since 2.1
         */
        public Builder nextPublicKey(byte[] v) {
            nextPublicKey = v == null ? null : v.clone();
            return this;
        }

        /**
         * @param v when the next credential replaces the current one even if unused, or null
         * @return this
         * @since 2.1
         */
        public Builder rolloverDeadline(Instant v) {
            rolloverDeadline = v;
            return this;
        }

        /**
         * @return the device
         * @throws IllegalArgumentException if the id is empty, no credential is set, a
         *     certificate issuer or hash is set without a certificate subject, or a next credential
         *     has no current one of its kind (or equals it)
         */
        public Device build() {
            return new Device(this);
        }
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }
}
