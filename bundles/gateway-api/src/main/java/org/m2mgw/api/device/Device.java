package org.m2mgw.api.device;

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

    private Device(Builder b) {
        this.deviceId = requireText(b.deviceId, "deviceId");
        this.enabled = b.enabled;
        this.resources = Collections.unmodifiableSet(new LinkedHashSet<>(b.resources));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
        this.pskIdentity = b.pskIdentity;
        this.publicKey = b.publicKey == null ? null : b.publicKey.clone();
        this.certificateSubject = b.certificateSubject;
        if (pskIdentity == null && publicKey == null && certificateSubject == null) {
            throw new IllegalArgumentException("device " + deviceId + " has no credential");
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

    /** @return the certificate subject (RFC 4514 DN), when the device uses X.509 */
    public Optional<String> certificateSubject() {
        return Optional.ofNullable(certificateSubject);
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
                && Objects.equals(certificateSubject, d.certificateSubject);
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
                + (certificateSubject != null ? ", x509=" + certificateSubject : "") + "]";
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

        private Builder() {
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
         * @return the device
         * @throws IllegalArgumentException if the id is empty or no credential is set
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
