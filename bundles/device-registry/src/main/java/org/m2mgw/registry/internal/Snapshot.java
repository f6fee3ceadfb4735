package org.m2mgw.registry.internal;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.m2mgw.api.device.Device;

/**
 * One immutable state of the registry with its lookup indexes (by id, by PSK identity, by Base64
 * of the public key, by normalised certificate subject). The component keeps the current one in
 * a volatile field and replaces it on every change (copy on write), so lookups never lock or
 * block. Changes are prepared in a {@link Draft}.
 */
final class Snapshot {
    static final Snapshot EMPTY = new Draft(null).build();

    /** A device and its PSK (null when it has none). The secret is copied in. */
    record Entry(Device device, byte[] secret) {
        Entry {
            secret = secret == null ? null : secret.clone();
        }

        String id() {
            return device.deviceId();
        }

        /** @return whether both the device and the secret are equal */
        boolean sameAs(Entry other) {
            return other != null && device.equals(other.device) && Arrays.equals(secret, other.secret);
        }
    }

    private final Map<String, Entry> byId;
    private final Map<String, Entry> byPsk;
    private final Map<String, Entry> byKey;
    private final Map<String, Entry> bySubject;
    private final List<Device> devices;
    private final List<X509Certificate> trustAnchors;

    private Snapshot(Draft d) {
        this.byId = Collections.unmodifiableMap(new TreeMap<>(d.byId));
        this.byPsk = Map.copyOf(d.byPsk);
        this.byKey = Map.copyOf(d.byKey);
        this.bySubject = Map.copyOf(d.bySubject);
        List<Device> list = new ArrayList<>(byId.size());
        byId.values().forEach(e -> list.add(e.device()));
        this.devices = Collections.unmodifiableList(list);
        this.trustAnchors = List.copyOf(d.trustAnchors);
    }

    static String keyName(byte[] spki) {
        return Base64.getEncoder().encodeToString(spki);
    }

    Optional<Entry> entry(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
    }

    Optional<Device> device(String id) {
        return entry(id).map(Entry::device);
    }

    Optional<Device> byPskIdentity(String identity) {
        return identity == null ? Optional.empty() : Optional.ofNullable(byPsk.get(identity)).map(Entry::device);
    }

    Optional<Device> byPublicKey(byte[] spki) {
        return spki == null ? Optional.empty() : Optional.ofNullable(byKey.get(keyName(spki))).map(Entry::device);
    }

    Optional<Device> bySubject(String normalisedSubject) {
        return normalisedSubject == null ? Optional.empty()
                : Optional.ofNullable(bySubject.get(normalisedSubject)).map(Entry::device);
    }

    /** @return a copy of the PSK, only if its device is enabled */
    Optional<byte[]> pskSecret(String identity) {
        Entry e = identity == null ? null : byPsk.get(identity);
        if (e == null || !e.device().enabled() || e.secret() == null) {
            return Optional.empty();
        }
        return Optional.of(e.secret().clone());
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
        private final Map<String, Entry> bySubject = new HashMap<>();
        private List<X509Certificate> trustAnchors = List.of();

        Draft(Snapshot base) {
            if (base != null) {
                byId.putAll(base.byId);
                byPsk.putAll(base.byPsk);
                byKey.putAll(base.byKey);
                bySubject.putAll(base.bySubject);
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
            Optional<String> identity = d.pskIdentity();
            if (identity.isPresent()) {
                Entry other = byPsk.get(identity.get());
                if (other != null && !other.id().equals(id)) {
                    return Optional.of("psk.identity '" + Validation.sanitize(identity.get())
                            + "' already belongs to device '" + other.id() + "'");
                }
            }
            Optional<byte[]> key = d.publicKey();
            if (key.isPresent()) {
                Entry other = byKey.get(keyName(key.get()));
                if (other != null && !other.id().equals(id)) {
                    return Optional.of("rpk already belongs to device '" + other.id() + "'");
                }
            }
            Optional<String> subject = d.certificateSubject();
            if (subject.isPresent()) {
                Entry other = bySubject.get(subject.get());
                if (other != null && !other.id().equals(id)) {
                    return Optional.of("x509.subject '" + Validation.sanitize(subject.get())
                            + "' already belongs to device '" + other.id() + "'");
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
            d.publicKey().ifPresent(k -> byKey.put(keyName(k), e));
            d.certificateSubject().ifPresent(s -> bySubject.put(s, e));
        }

        Optional<Entry> remove(String id) {
            Entry old = byId.remove(id);
            if (old != null) {
                Device d = old.device();
                d.pskIdentity().ifPresent(i -> byPsk.remove(i, old));
                d.publicKey().ifPresent(k -> byKey.remove(keyName(k), old));
                d.certificateSubject().ifPresent(s -> bySubject.remove(s, old));
            }
            return Optional.ofNullable(old);
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
