package org.m2mgw.transport.coaps.internal;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.message.Acceptance;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.DeviceMessageConsumer;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.api.traffic.TrafficEvent;
import org.m2mgw.api.traffic.TrafficEventListener;

/** Fakes for the services a listener needs, so that it runs without a framework. */
final class TestSupport {

    private TestSupport() {
    }

    /** An in-memory registry. */
    static final class Registry implements DeviceRegistry {
        final Map<String, Device> devices = new ConcurrentHashMap<>();
        /** Keys by PSK identity, current and next. */
        final Map<String, byte[]> secrets = new ConcurrentHashMap<>();
        final List<X509Certificate> anchors = new CopyOnWriteArrayList<>();
        /** The ids of the devices promoteNextCredential promoted, in order. */
        final List<String> promoted = new CopyOnWriteArrayList<>();

        Registry x509(String id, String subject, String... rules) {
            Device.Builder b = Device.builder(id).certificateSubject(subject);
            for (String r : rules) {
                b.allow(r);
            }
            devices.put(id, b.build());
            return this;
        }

        /** An X.509 device bound to its issuer and subject, and to hashes if {@code extra} sets them. */
        Registry x509From(String id, String subject, String issuer,
                java.util.function.UnaryOperator<Device.Builder> extra, String... rules) {
            Device.Builder b = Device.builder(id).certificateSubject(subject).certificateIssuer(issuer);
            for (String r : rules) {
                b.allow(r);
            }
            devices.put(id, extra.apply(b).build());
            return this;
        }

        Registry psk(String id, String identity, byte[] key, String... rules) {
            Device.Builder b = Device.builder(id).pskIdentity(identity);
            for (String r : rules) {
                b.allow(r);
            }
            devices.put(id, b.build());
            secrets.put(identity, key.clone());
            return this;
        }

        Registry rpk(String id, byte[] spki, String... rules) {
            Device.Builder b = Device.builder(id).publicKey(spki);
            for (String r : rules) {
                b.allow(r);
            }
            devices.put(id, b.build());
            return this;
        }

        void setEnabled(String id, boolean enabled) {
            devices.computeIfPresent(id, (k, d) -> d.toBuilder().enabled(enabled).build());
        }

        /** Gives a PSK device a next identity and key, as during a key rollover. */
        Registry nextPsk(String id, String nextIdentity, byte[] key) {
            devices.computeIfPresent(id, (k, d) -> d.toBuilder().nextPskIdentity(nextIdentity).build());
            secrets.put(nextIdentity, key.clone());
            return this;
        }

        /** Gives a raw public key device a next key, as during a key rollover. */
        Registry nextRpk(String id, byte[] spki) {
            devices.computeIfPresent(id, (k, d) -> d.toBuilder().nextPublicKey(spki).build());
            return this;
        }

        @Override
        public Optional<Device> device(String deviceId) {
            return Optional.ofNullable(devices.get(deviceId));
        }

        @Override
        public Optional<Device> byPskIdentity(String pskIdentity) {
            return devices.values().stream()
                    .filter(d -> d.pskIdentity().map(pskIdentity::equals).orElse(false)
                            || d.nextPskIdentity().map(pskIdentity::equals).orElse(false)).findFirst();
        }

        @Override
        public Optional<Device> byPublicKey(byte[] spki) {
            return devices.values().stream()
                    .filter(d -> d.publicKey().map(k -> Arrays.equals(k, spki)).orElse(false)
                            || d.nextPublicKey().map(k -> Arrays.equals(k, spki)).orElse(false)).findFirst();
        }

        @Override
        public Optional<Device> byCertificateSubject(String subject) {
            return devices.values().stream()
                    .filter(d -> d.certificateSubject().map(subject::equals).orElse(false)).findFirst();
        }

        @Override
        public Optional<Device> byCertificate(String issuer, String subject) {
            Optional<Device> exact = devices.values().stream()
                    .filter(d -> d.certificateSubject().map(subject::equals).orElse(false)
                            && d.certificateIssuer().map(issuer::equals).orElse(false)).findFirst();
            return exact.or(() -> devices.values().stream()
                    .filter(d -> d.certificateSubject().map(subject::equals).orElse(false)
                            && d.certificateIssuer().isEmpty()).findFirst());
        }

        @Override
        public Optional<byte[]> pskSecret(String pskIdentity) {
            return byPskIdentity(pskIdentity).filter(Device::enabled)
                    .map(d -> secrets.get(pskIdentity)).map(byte[]::clone);
        }

        /** Like the registry: the next credential becomes current, the old one is forgotten. */
        @Override
        public Optional<Device> promoteNextCredential(String deviceId) {
            Device after = devices.computeIfPresent(deviceId, (k, d) -> {
                if (!d.rolloverPending()) {
                    return d;
                }
                Device.Builder b = d.toBuilder().nextPskIdentity(null).nextPublicKey(null).rolloverDeadline(null)
                        .keyCreated(java.time.Instant.now());
                d.nextPskIdentity().ifPresent(next -> {
                    b.pskIdentity(next);
                    d.pskIdentity().ifPresent(secrets::remove);
                });
                d.nextPublicKey().ifPresent(b::publicKey);
                promoted.add(deviceId);
                return b.build();
            });
            return Optional.ofNullable(after);
        }

        @Override
        public Collection<Device> devices() {
            return List.copyOf(devices.values());
        }

        @Override
        public List<X509Certificate> trustAnchors() {
            return List.copyOf(anchors);
        }
    }

    static GatewayRuntime runtime(Path dir) {
        return org.m2mgw.support.testing.TestRuntime.on(dir, "test-gw");
    }

    /** A consumer whose answer the test chooses; it records every message. */
    static final class Consumer implements DeviceMessageConsumer {
        final List<DeviceMessage> accepted = new CopyOnWriteArrayList<>();
        volatile Function<DeviceMessage, CompletionStage<Acceptance>> answer =
                m -> CompletableFuture.completedFuture(Acceptance.accepted());

        @Override
        public CompletionStage<Acceptance> accept(DeviceMessage message) {
            CompletionStage<Acceptance> a = answer.apply(message);
            return a.thenApply(x -> {
                if (x.isAccepted()) {
                    accepted.add(message);
                }
                return x;
            });
        }
    }

    /** Collects traffic events. */
    static final class Events implements TrafficEventListener {
        final List<TrafficEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(TrafficEvent event) {
            events.add(event);
        }

        long count(org.m2mgw.api.traffic.TrafficEventType type) {
            return events.stream().filter(e -> e.type() == type).count();
        }

        List<TrafficEvent> of(org.m2mgw.api.traffic.TrafficEventType type) {
            List<TrafficEvent> out = new ArrayList<>();
            for (TrafficEvent e : events) {
                if (e.type() == type) {
                    out.add(e);
                }
            }
            return out;
        }
    }

    /**
     * A configuration annotation instance: the defaults of {@code type}, overridden by
     * {@code values} (keyed by method name).
     */
    @SuppressWarnings("unchecked")
    static <T> T config(Class<T> type, Map<String, Object> values) {
        return org.m2mgw.support.testing.TestRuntime.config(type, values);
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
