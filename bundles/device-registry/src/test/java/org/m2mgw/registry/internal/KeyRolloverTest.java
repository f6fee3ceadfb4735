package org.m2mgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.device.Device;

/**
 * Key rollovers in the registry: lookups by the next credential, promotion (on first use, forced,
 * after the deadline), what is persisted, uniqueness of next credentials, and key creation dates.
 */
class KeyRolloverTest extends RegistryTestSupport {
    static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
    static final byte[] NEXT = "next-secret-0003".getBytes(StandardCharsets.US_ASCII);
    static final byte[] NEXT_2 = "next-secret-0004".getBytes(StandardCharsets.US_ASCII);

    static Device sensor(String id) {
        return Device.builder(id).pskIdentity(id).allow("telemetry/*").build();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void givenANextPskIdentity_thenTheDeviceIsFoundByBoth_andEachIdentityGivesItsOwnKey() {
        DeviceRegistryComponent registry = start(new MutableClock(T0));
        registry.put(sensor("s1"), SECRET_1);

        Device after = registry.startRollover("s1", "s1-k1", NEXT, null, null);

        assertThat(after.nextPskIdentity()).hasValue("s1-k1");
        assertThat(after.rolloverPending()).isTrue();
        assertThat(registry.byPskIdentity("s1")).map(Device::deviceId).hasValue("s1");
        assertThat(registry.byPskIdentity("s1-k1")).map(Device::deviceId).hasValue("s1");
        assertThat(registry.pskSecret("s1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        assertThat(registry.pskSecret("s1-k1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(NEXT));
        registry.setEnabled("s1", false);
        assertThat(registry.pskSecret("s1-k1")).isEmpty();
        assertThat(registry.pskSecret("s1")).isEmpty();
        registry.setEnabled("s1", true);
        assertThat(registry.pskSecret("s1-k1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(NEXT));
    }

    @Test
    void givenANextPublicKey_thenTheDeviceIsFoundByBothKeys_untilThePromotionRetiresTheOldOne() throws Exception {
        DeviceRegistryComponent registry = start(new MutableClock(T0));
        byte[] current = p256PublicKey();
        byte[] next = ed25519PublicKey();
        registry.put(Device.builder("m1").publicKey(current).allow("events").build(), null);

        registry.startRollover("m1", null, null, next, null);

        assertThat(registry.byPublicKey(current)).map(Device::deviceId).hasValue("m1");
        assertThat(registry.byPublicKey(next)).map(Device::deviceId).hasValue("m1");

        Device promoted = registry.promoteNextCredential("m1").orElseThrow();

        assertThat(promoted.publicKey()).hasValueSatisfying(k -> assertThat(k).isEqualTo(next));
        assertThat(promoted.nextPublicKey()).isEmpty();
        assertThat(registry.byPublicKey(current)).isEmpty();
        assertThat(registry.byPublicKey(next)).hasValue(promoted);
    }

    @Test
    void givenAPromotion_thenTheOldIdentityIsRefused_listenersAreTold_andItIsKeptAcrossARestart() {
        MutableClock clock = new MutableClock(T0);
        DeviceRegistryComponent registry = start(clock);
        registry.put(sensor("s1"), SECRET_1);
        registry.startRollover("s1", "s1-k1", NEXT, null, null);
        RecordingListener listener = new RecordingListener();
        registry.addListener(listener);
        clock.advance(Duration.ofDays(3));

        Device promoted = registry.promoteNextCredential("s1").orElseThrow();

        assertThat(promoted.pskIdentity()).hasValue("s1-k1");
        assertThat(promoted.nextPskIdentity()).isEmpty();
        assertThat(promoted.rolloverPending()).isFalse();
        assertThat(promoted.keyCreated()).hasValue(T0.plus(Duration.ofDays(3)));
        assertThat(promoted.resources()).containsExactly("telemetry/*");
        assertThat(registry.byPskIdentity("s1")).isEmpty();
        assertThat(registry.pskSecret("s1")).isEmpty();
        assertThat(registry.pskSecret("s1-k1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(NEXT));
        assertThat(listener.events).singleElement().satisfies(e -> {
            assertThat(e.before()).hasValueSatisfying(d -> {
                assertThat(d.pskIdentity()).hasValue("s1");
                assertThat(d.nextPskIdentity()).hasValue("s1-k1");
            });
            assertThat(e.after()).hasValue(promoted);
        });

        assertThat(registry.promoteNextCredential("s1")).as("nothing under way: a no-op").hasValue(promoted);
        assertThat(registry.promoteNextCredential("unknown")).isEmpty();
        assertThat(registry.promoteNextCredential(null)).isEmpty();
        assertThat(listener.events).hasSize(1);

        registry.deactivate();
        DeviceRegistryComponent again = start(clock);

        assertThat(again.device("s1")).hasValue(promoted);
        assertThat(again.pskSecret("s1-k1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(NEXT));
        assertThat(again.pskSecret("s1")).isEmpty();
        assertThat(again.byPskIdentity("s1")).isEmpty();
    }

    @Test
    void givenARolloverUnderWay_whenRestarted_thenTheNextKeyIsReadBackFromTheEncryptedStore_andNeverInClear()
            throws Exception {
        MutableClock clock = new MutableClock(T0);
        DeviceRegistryComponent registry = start(clock);
        registry.put(sensor("s1"), SECRET_1);
        Device pending = registry.startRollover("s1", "s1-k1", NEXT, null, T0.plus(Duration.ofDays(30)));
        registry.deactivate();

        DeviceRegistryComponent again = start(clock);

        assertThat(again.device("s1")).hasValue(pending);
        assertThat(pending.keyCreated()).hasValue(T0);
        assertThat(pending.rolloverDeadline()).hasValue(T0.plus(Duration.ofDays(30)));
        assertThat(again.pskSecret("s1-k1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(NEXT));
        assertThat(again.pskSecret("s1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(SECRET_1));
        byte[] stored = Files.readAllBytes(registryDir().resolve(RegistryStore.STORE_FILE));
        String asText = new String(stored, StandardCharsets.ISO_8859_1);
        assertThat(asText).doesNotContain(new String(NEXT, StandardCharsets.ISO_8859_1))
                .doesNotContain(Base64.getEncoder().encodeToString(NEXT)).doesNotContain(HexFormat.of().formatHex(NEXT))
                .doesNotContain("s1-k1");
        // inside the encryption, the next key is kept like the current one
        RegistryStore store = new RegistryStore(registryDir(), new SecureRandom());
        String plain = new String(store.load(), StandardCharsets.UTF_8);
        assertThat(plain).contains("\"psk\":{\"identity\":\"s1\",\"key\":\"base64:" + b64(SECRET_1) + "\"}")
                .contains("\"next\":{\"pskIdentity\":\"s1-k1\",\"psk\":\"base64:" + b64(NEXT) + "\"}")
                .contains("\"keyCreated\":\"" + T0 + "\"")
                .contains("\"rolloverDeadline\":\"" + T0.plus(Duration.ofDays(30)) + "\"");
    }

    @Test
    void givenAPassedDeadline_thenTheOldKeyIsRefusedAtOnce_theNextOneIsPromotedSoon_andLoggedOnceWithoutSecrets()
            throws Exception {
        MutableClock clock = new MutableClock(T0);
        DeviceRegistryComponent registry = start(clock);
        registry.put(sensor("s1"), SECRET_1);
        registry.startRollover("s1", "s1-k1", NEXT, null, T0.plus(Duration.ofDays(1)));
        RecordingListener listener = new RecordingListener();
        registry.addListener(listener);

        clock.advance(Duration.ofHours(23));
        assertThat(registry.pskSecret("s1")).as("before the deadline").isPresent();
        assertThat(registry.byPskIdentity("s1")).isPresent();
        assertThat(listener.events).isEmpty();

        clock.advance(Duration.ofHours(1));
        String log = RegistryStoreTest.captureStderr(() -> {
            assertThat(registry.pskSecret("s1")).isEmpty();
            assertThat(registry.byPskIdentity("s1")).isEmpty();
            assertThat(registry.pskSecret("s1-k1")).hasValueSatisfying(k -> assertThat(k).isEqualTo(NEXT));
            assertThat(registry.byPskIdentity("s1-k1")).isPresent();
            try {
                await("the promotion after the deadline",
                        () -> registry.device("s1").flatMap(Device::pskIdentity).equals(Optional.of("s1-k1")));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertThat(registry.promoteDueRollovers()).isZero();
        });

        Device after = registry.device("s1").orElseThrow();
        assertThat(after.rolloverPending()).isFalse();
        assertThat(after.rolloverDeadline()).isEmpty();
        assertThat(after.keyCreated()).hasValue(T0.plus(Duration.ofDays(1)));
        assertThat(listener.events).singleElement().satisfies(e -> assertThat(e.after()).hasValue(after));
        assertThat(log.lines().filter(l -> l.contains("key rollover done"))).singleElement().satisfies(l -> assertThat(l)
                .contains("INFO").contains("Device 's1'").contains("PSK identity 's1-k1'")
                .contains("PSK identity 's1'").contains("deadline passed"));
        assertThat(log).doesNotContain(HexFormat.of().formatHex(NEXT)).doesNotContain(b64(NEXT))
                .doesNotContain(new String(NEXT, StandardCharsets.US_ASCII))
                .doesNotContain(HexFormat.of().formatHex(SECRET_1)).doesNotContain(new String(SECRET_1, StandardCharsets.US_ASCII));
        registry.deactivate();
        assertThat(start(clock).device("s1")).as("persisted").hasValue(after);
    }

    @Test
    void givenAPassedDeadlineAndNoLookups_thenThePeriodicSweepPromotes() throws Exception {
        MutableClock clock = new MutableClock(T0);
        DeviceRegistryComponent registry = start(clock, Duration.ofMillis(50));
        byte[] current = p256PublicKey();
        byte[] next = p256PublicKey();
        registry.put(Device.builder("m1").publicKey(current).build(), null);
        registry.startRollover("m1", null, null, next, T0.plus(Duration.ofMinutes(5)));
        Thread.sleep(200);
        assertThat(registry.device("m1").orElseThrow().rolloverPending()).as("not yet due").isTrue();

        clock.advance(Duration.ofMinutes(6));

        await("the sweep", () -> !registry.device("m1").orElseThrow().rolloverPending());
        assertThat(registry.device("m1").orElseThrow().publicKey()).hasValueSatisfying(k -> assertThat(k).isEqualTo(next));
    }

    @Test
    void givenSeveralDevicesPastTheirDeadline_whenSwept_thenOnlyTheyArePromoted() {
        MutableClock clock = new MutableClock(T0);
        DeviceRegistryComponent registry = start(clock);
        for (String id : new String[] {"a", "b", "c", "d"}) {
            registry.put(sensor(id), SECRET_1);
        }
        registry.startRollover("a", "a-k1", NEXT, null, T0.plus(Duration.ofHours(1)));
        registry.startRollover("b", "b-k1", NEXT, null, T0.plus(Duration.ofHours(2)));
        registry.startRollover("c", "c-k1", NEXT, null, T0.plus(Duration.ofHours(5)));
        registry.startRollover("d", "d-k1", NEXT, null, null);
        clock.advance(Duration.ofHours(3));

        assertThat(registry.promoteDueRollovers()).isEqualTo(2);

        assertThat(registry.device("a").orElseThrow().pskIdentity()).hasValue("a-k1");
        assertThat(registry.device("b").orElseThrow().pskIdentity()).hasValue("b-k1");
        assertThat(registry.device("c").orElseThrow().pskIdentity()).hasValue("c");
        assertThat(registry.device("d").orElseThrow().pskIdentity()).hasValue("d");
        assertThat(registry.promoteDueRollovers()).isZero();
    }

    @Test
    void givenACancelledRollover_thenTheNextIdentityIsGone_andTheCurrentOneStays() {
        DeviceRegistryComponent registry = start(new MutableClock(T0));
        registry.put(sensor("s1"), SECRET_1);
        registry.startRollover("s1", "s1-k1", NEXT, null, T0.plus(Duration.ofDays(1)));
        RecordingListener listener = new RecordingListener();
        registry.addListener(listener);

        assertThat(registry.cancelRollover("s1")).isTrue();

        assertThat(registry.byPskIdentity("s1-k1")).isEmpty();
        assertThat(registry.pskSecret("s1-k1")).isEmpty();
        assertThat(registry.pskSecret("s1")).isPresent();
        assertThat(registry.device("s1").orElseThrow().rolloverDeadline()).isEmpty();
        assertThat(listener.events).hasSize(1);
        assertThat(registry.cancelRollover("s1")).isFalse();
        assertThatThrownBy(() -> registry.cancelRollover("nope")).hasMessage("no device 'nope'");
        // and the identity is free again for another device
        registry.put(sensor("other").toBuilder().pskIdentity("s1-k1").build(), SECRET_2);
    }

    @Test
    void givenNextCredentials_thenTheyCollideWithNoOtherDevicesCurrentOrNextCredential() throws Exception {
        DeviceRegistryComponent registry = start(new MutableClock(T0));
        registry.put(sensor("a"), SECRET_1);
        registry.put(sensor("b"), SECRET_2);
        registry.startRollover("a", "a-k1", NEXT, null, null);

        assertThatThrownBy(() -> registry.startRollover("b", "a", NEXT_2, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device 'b': next.pskIdentity 'a' already belongs to device 'a'");
        assertThatThrownBy(() -> registry.startRollover("b", "a-k1", NEXT_2, null, null))
                .hasMessage("device 'b': next.pskIdentity 'a-k1' already belongs to device 'a' (as its next PSK identity)");
        assertThatThrownBy(() -> registry.put(sensor("c").toBuilder().pskIdentity("a-k1").build(), SECRET_2))
                .hasMessage("device 'c': psk.identity 'a-k1' already belongs to device 'a' (as its next PSK identity)");
        assertThatThrownBy(() -> registry.put(sensor("b").toBuilder().nextPskIdentity("a").build(), SECRET_2, NEXT_2))
                .hasMessage("device 'b': next.pskIdentity 'a' already belongs to device 'a'");
        assertThatThrownBy(() -> registry.startRollover("b", "b", NEXT_2, null, null))
                .hasMessage("device 'b': next.pskIdentity must differ from psk.identity");
        assertThatThrownBy(() -> registry.startRollover("b", "b-k1", SECRET_2, null, null))
                .hasMessage("device 'b': next.psk must differ from the current key");
        assertThatThrownBy(() -> registry.startRollover("b", "b-k1", new byte[4], null, null))
                .hasMessage("device 'b': next.psk must be 16 to 64 bytes, got 4");
        assertThatThrownBy(() -> registry.startRollover("a", "a-k2", NEXT_2, null, null))
                .hasMessage("device 'a' already has a key rollover under way (next PSK identity 'a-k1'): promote or "
                        + "cancel it first");
        assertThatThrownBy(() -> registry.startRollover("b", "b-k1", NEXT_2, null, T0.minusSeconds(1)))
                .hasMessage("device 'b': the rollover deadline 2026-06-01T09:59:59Z is not in the future");
        assertThatThrownBy(() -> registry.startRollover("nope", "x", NEXT_2, null, null)).hasMessage("no device 'nope'");
        assertThatThrownBy(() -> registry.startRollover("b", null, null, p256PublicKey(), null))
                .hasMessage("device 'b': next.publicKey needs a current raw public key (\"rpk\")");

        byte[] k1 = p256PublicKey();
        byte[] k2 = p256PublicKey();
        registry.put(Device.builder("m1").publicKey(k1).build(), null);
        registry.put(Device.builder("m2").publicKey(k2).build(), null);
        registry.startRollover("m1", null, null, p256PublicKey(), null);
        byte[] m1Next = registry.device("m1").orElseThrow().nextPublicKey().orElseThrow();
        assertThatThrownBy(() -> registry.startRollover("m2", null, null, k1, null))
                .hasMessage("device 'm2': next.publicKey already belongs to device 'm1'");
        assertThatThrownBy(() -> registry.startRollover("m2", null, null, m1Next, null))
                .hasMessage("device 'm2': next.publicKey already belongs to device 'm1' (as its next public key)");
        assertThatThrownBy(() -> registry.put(Device.builder("m3").publicKey(m1Next).build(), null))
                .hasMessage("device 'm3': rpk already belongs to device 'm1' (as its next public key)");
        assertThatThrownBy(() -> registry.startRollover("m2", null, null, k2, null))
                .hasMessage("device 'm2': next.publicKey must differ from rpk");
        assertThatThrownBy(() -> registry.startRollover("m2", null, null, p384PublicKey(), null))
                .hasMessageStartingWith("device 'm2': next.publicKey is an EC key on another curve");
        assertThat(registry.device("b").orElseThrow().rolloverPending()).isFalse();
        assertThat(registry.device("m2").orElseThrow().rolloverPending()).isFalse();
    }

    @Test
    void givenCredentialChanges_thenKeyCreatedIsStampedOnlyWhenTheCredentialIsNew() throws Exception {
        MutableClock clock = new MutableClock(T0);
        DeviceRegistryComponent registry = start(clock);

        assertThat(registry.put(sensor("s1"), SECRET_1).keyCreated()).hasValue(T0);
        clock.advance(Duration.ofHours(1));
        assertThat(registry.put(sensor("s1").toBuilder().allow("events").build(), SECRET_1).keyCreated())
                .as("same key, other resources").hasValue(T0);
        registry.setEnabled("s1", false);
        registry.startRollover("s1", "s1-k1", NEXT, null, null);
        registry.cancelRollover("s1");
        assertThat(registry.device("s1").orElseThrow().keyCreated()).hasValue(T0);
        clock.advance(Duration.ofHours(1));
        assertThat(registry.put(sensor("s1"), SECRET_2).keyCreated()).as("new secret").hasValue(T0.plusSeconds(7200));
        clock.advance(Duration.ofHours(1));
        assertThat(registry.put(sensor("s1").toBuilder().pskIdentity("s1-other").build(), SECRET_2).keyCreated())
                .as("new identity").hasValue(T0.plusSeconds(3 * 3600));
        assertThat(registry.put(sensor("s2").toBuilder().keyCreated(Instant.EPOCH).build(), SECRET_2).keyCreated())
                .as("only an import file may give the date").hasValue(T0.plusSeconds(3 * 3600));

        byte[] key = p256PublicKey();
        registry.put(Device.builder("m1").publicKey(key).build(), null);
        clock.advance(Duration.ofHours(1));
        assertThat(registry.put(Device.builder("m1").publicKey(p256PublicKey()).build(), null).keyCreated())
                .hasValue(T0.plusSeconds(4 * 3600));

        Device x = Device.builder("x1").certificateSubject("CN=x1").certificateIssuer(X509BindingTest.ISSUER_A).build();
        registry.put(x, null);
        clock.advance(Duration.ofHours(1));
        assertThat(registry.put(x, null).keyCreated()).hasValue(T0.plusSeconds(4 * 3600));
        assertThat(registry.put(x.toBuilder().certificateSha256(X509BindingTest.HASH).build(), null).keyCreated())
                .as("new certificate binding").hasValue(T0.plusSeconds(5 * 3600));
    }
}
