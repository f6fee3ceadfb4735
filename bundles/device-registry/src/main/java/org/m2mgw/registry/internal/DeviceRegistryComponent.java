package org.m2mgw.registry.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.device.DeviceRegistryListener;
import org.m2mgw.api.device.EdhocCredential;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.registry.internal.RegistryJson.InvalidFileException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DeviceRegistry}: field devices and their credentials, kept encrypted in the data
 * directory ({@link RegistryStore}), filled from an import file ({@code registry.import.file},
 * watched by {@link ImportFileWatcher}), from the shell ({@link DeviceCommands}) and from the web
 * console ({@link DeviceKeysPlugin}: key rollovers).
 *
 * <p>Lookups read an immutable {@link Snapshot} and never block. Changes are made by
 * {@link RegistryAdministration}: serialised by a lock, each one is validated, written to disk,
 * published as the new snapshot and then announced to every {@link DeviceRegistryListener} with
 * the device before and after (and, when an import changes them, with the new trust anchors).
 * Listeners are called in order, while further changes wait: they must return quickly.
 *
 * <p>If the key file or the store cannot be read or decrypted, the registry logs one error naming
 * the file and the reason, starts empty and read-only, and never overwrites the unreadable file.
 *
 * <p>Key rollovers: lookups find a device by its current or next credential. A transport calls
 * {@link #promoteNextCredential(String)} on the first handshake with the next one. Once a
 * rollover deadline has passed, lookups refuse the old credential at once and a sweep on the
 * registry's thread promotes the next one; the same sweep runs every {@value #SWEEP_SECONDS} s.
 */
@Component(name = DeviceRegistryComponent.PID, immediate = true,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = "service.pid=" + DeviceRegistryComponent.PID,
        service = {DeviceRegistry.class, ConfigurableComponent.class, DeviceRegistryComponent.class})
@Designate(ocd = RegistryConfig.class)
public class DeviceRegistryComponent implements DeviceRegistry, ConfigurableComponent {
    static final String PID = "org.m2mgw.registry";
    /** The sub-directory of the data directory that holds the key and the store. */
    static final String DATA_DIR = "registry";
    /** How often rollover deadlines are checked. */
    static final long SWEEP_SECONDS = 60;
    /** The size of a key that {@link #rotatePsk} makes. */
    static final int ROTATED_KEY_BYTES = 32;
    /** After a failed sweep (the store could not be saved), lookups do not ask for another one sooner. */
    private static final long SWEEP_RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistryComponent.class);

    private final RegistryListeners listeners = new RegistryListeners();
    private final RegistryAdministration admin;
    private final ImportFileWatcher watcher;
    /** The registry's one thread: import file checks and rollover sweeps. */
    private final ScheduledExecutorService executor;
    private final AtomicBoolean sweepQueued = new AtomicBoolean();
    /** Makes the keys of PSK rollovers started by {@link #rotatePsk}. */
    private final SecureRandom random = new SecureRandom();
    private volatile long noSweepBefore = System.nanoTime();

    /** Activation by DS. */
    @Activate
    public DeviceRegistryComponent(@Reference(name = "runtime") GatewayRuntime runtime, RegistryConfig config) {
        this(runtime, RegistrySettings.from(config));
    }

    /** For tests: no OSGi framework needed. Call {@link #deactivate()} when done. */
    DeviceRegistryComponent(GatewayRuntime runtime, RegistrySettings settings) {
        this(runtime, settings, Clock.systemUTC(), Duration.ofSeconds(SWEEP_SECONDS));
    }

    /**
     * For tests: with a clock of the test's and another interval between rollover sweeps.
     * Call {@link #deactivate()} when done.
     */
    DeviceRegistryComponent(GatewayRuntime runtime, RegistrySettings settings, Clock clock, Duration sweepInterval) {
        RegistryJson j = null;
        Path dir = null;
        String unavailable = null;
        try {
            j = new RegistryJson();
            dir = runtime.dataDirectory(DATA_DIR);
        } catch (UncheckedIOException e) {
            unavailable = "the data directory '" + DATA_DIR + "' cannot be created: " + e.getCause();
        } catch (IllegalArgumentException | IllegalStateException e) {
            unavailable = e.getMessage();
        }
        RegistryStore store = dir == null ? null : new RegistryStore(dir, new SecureRandom());
        admin = new RegistryAdministration(j, store, listeners, clock);
        if (unavailable != null) {
            admin.goReadOnly(unavailable);
        }
        if (store != null) {
            admin.load();
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "m2mgw-registry");
            t.setDaemon(true);
            return t;
        });
        admin.onOverdue(this::sweepSoon);
        watcher = new ImportFileWatcher(admin, executor);
        watcher.apply(settings);
        // The first sweep waits a little, so that the listeners bound after activation are told.
        long interval = Math.max(1, sweepInterval.toMillis());
        executor.scheduleWithFixedDelay(this::sweep, Math.min(interval, 5_000), interval, TimeUnit.MILLISECONDS);
    }

    @Modified
    void modified(RegistryConfig config) {
        watcher.apply(RegistrySettings.from(config));
    }

    @Deactivate
    void deactivate() {
        watcher.stop();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Promotes the next credentials whose deadline passed; never throws (it runs on the executor). */
    private void sweep() {
        try {
            admin.promoteDue();
        } catch (RuntimeException e) {
            // A failed save is logged once by promoteDue; anything else is a bug, and must not end the sweeps.
            noSweepBefore = System.nanoTime() + SWEEP_RETRY_NANOS;
            if (!(e instanceof UncheckedIOException)) {
                LOG.error("Rollover deadline sweep failed", e);
            }
        }
    }

    /** Asks for a sweep on the executor, at most one queued at a time; called on lookup threads. */
    private void sweepSoon() {
        if (System.nanoTime() - noSweepBefore < 0 || !sweepQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> {
                sweepQueued.set(false);
                sweep();
            });
        } catch (RejectedExecutionException stopped) {
            sweepQueued.set(false);
        }
    }

    /**
     * Promotes at once the next credentials whose rollover deadline passed (the periodic sweep).
     *
     * @return how many devices were promoted
     * @throws UncheckedIOException if the registry cannot be saved
     */
    int promoteDueRollovers() {
        return admin.promoteDue();
    }

    /**
     * Imports {@code registry.import.file} if it changed since the last import (or always, if
     * {@code force}). Problems are logged once each, not at every check.
     */
    void checkImportFile(boolean force) {
        watcher.check(force);
    }

    // ---------------------------------------------------------------- DeviceRegistry (lookups)

    @Override
    public Optional<Device> device(String deviceId) {
        return admin.snapshot().device(deviceId);
    }

    @Override
    public Optional<Device> byPskIdentity(String pskIdentity) {
        return admin.byPskIdentity(pskIdentity);
    }

    @Override
    public Optional<Device> byPublicKey(byte[] subjectPublicKeyInfo) {
        return admin.byPublicKey(subjectPublicKeyInfo);
    }

    @Override
    public Optional<Device> byCertificateSubject(String subject) {
        if (subject == null) {
            return Optional.empty();
        }
        try {
            return admin.snapshot().bySubject(Validation.normaliseSubject(subject));
        } catch (IllegalArgumentException notADistinguishedName) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Device> byCertificate(String issuer, String subject) {
        if (issuer == null || subject == null) {
            return Optional.empty();
        }
        try {
            return admin.snapshot().byCertificate(Validation.normaliseSubject(issuer),
                    Validation.normaliseSubject(subject));
        } catch (IllegalArgumentException notADistinguishedName) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Device> byEdhocKid(byte[] kid) {
        return admin.snapshot().byEdhocKid(kid);
    }

    @Override
    public Optional<Device> byEdhocCertificateHash(byte[] sha256) {
        return admin.snapshot().byEdhocCertificateHash(sha256);
    }

    @Override
    public Optional<byte[]> pskSecret(String pskIdentity) {
        return admin.pskSecret(pskIdentity);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Writes the store (one fsync) before it returns. If the store cannot be written, the
     * device stays as it was (both credentials accepted), the error is logged, and the next
     * handshake with the next credential tries again.
     */
    @Override
    public Optional<Device> promoteNextCredential(String deviceId) {
        try {
            return admin.promote(deviceId, RegistryAdministration.Promotion.FIRST_USE);
        } catch (IllegalStateException | UncheckedIOException e) {
            LOG.error("Device '{}': its next credential was used but cannot be made current: {}",
                    Validation.sanitize(deviceId), e.getMessage());
            return admin.snapshot().device(deviceId);
        }
    }

    @Override
    public Collection<Device> devices() {
        return admin.snapshot().devices();
    }

    @Override
    public List<X509Certificate> trustAnchors() {
        return admin.snapshot().trustAnchors();
    }

    // ---------------------------------------------------------------- administration

    /** @return why the registry is read-only, or empty when changes are possible */
    Optional<String> readOnlyReason() {
        return admin.readOnlyReason();
    }

    /**
     * Adds a device or replaces the device with the same id. Its "keyCreated" is the registry's:
     * kept when the current credential (PSK identity and key, public key, certificate binding,
     * EDHOC credential) is the same as before, else now; the device's own value is ignored.
     *
     * @param device the device
     * @param pskSecret its pre-shared key, required exactly when it has a PSK identity; copied
     * @return the device as stored (normalised subject and issuer, canonical public key)
     * @throws IllegalArgumentException if the device is invalid or a credential belongs to
     *     another device; the message names the device and the field
     * @throws IllegalStateException if the registry is read-only
     * @throws UncheckedIOException if the registry cannot be saved; nothing changed then
     */
    Device put(Device device, byte[] pskSecret) {
        return admin.put(device, pskSecret, null);
    }

    /**
     * Like {@link #put(Device, byte[])}, for a device with a next credential.
     *
     * @param nextSecret the key of its next PSK identity, required exactly when it has one; copied
     */
    Device put(Device device, byte[] pskSecret, byte[] nextSecret) {
        return admin.put(device, pskSecret, nextSecret);
    }

    /**
     * Starts a key rollover: registers the device's next PSK identity and key, or next public key.
     *
     * @param deadline when the next credential replaces the current one even if unused, or null
     * @return the device after the change
     * @throws IllegalArgumentException if there is no such device, one rollover is under way
     *     already, the next credential is invalid or taken, or the deadline is not in the future;
     *     the message names the device and the field
     * @throws IllegalStateException if the registry is read-only
     * @throws UncheckedIOException if the registry cannot be saved; nothing changed then
     */
    Device startRollover(String id, String nextPskIdentity, byte[] nextSecret, byte[] nextPublicKey,
            Instant deadline) {
        return admin.startRollover(id, nextPskIdentity, nextSecret, nextPublicKey, deadline);
    }

    /**
     * Starts a PSK rollover with a new key made here: a random {@value #ROTATED_KEY_BYTES}-byte key
     * and the identity {@code <deviceId>-k<n>} (n one more than the current identity's, or 1, and
     * the first number no device uses), registered as the device's next PSK. The shell's
     * {@code rotate} and the web console's "Rotate PSK" both come here.
     *
     * @param id the device id
     * @param deadline when the next PSK replaces the current one even if unused, or null
     * @return the device after the change and the new key, which the caller shows once and then
     *     wipes by closing it; the registry never shows the key again
     * @throws IllegalArgumentException if there is no such device, it has no PSK, one rollover is
     *     under way already or the deadline is not in the future
     * @throws IllegalStateException if the registry is read-only
     * @throws UncheckedIOException if the registry cannot be saved; nothing changed then
     */
    RotatedPsk rotatePsk(String id, Instant deadline) {
        Device d = device(id).orElseThrow(
                () -> new IllegalArgumentException("no device '" + Validation.sanitize(id) + "'"));
        if (d.pskIdentity().isEmpty()) {
            throw new IllegalArgumentException("device '" + id + "' has no pre-shared key");
        }
        byte[] key = new byte[ROTATED_KEY_BYTES];
        try {
            random.nextBytes(key);
            Device after = startRollover(id, nextPskIdentity(d), key, null, deadline);
            return new RotatedPsk(after, key);
        } catch (RuntimeException e) {
            Arrays.fill(key, (byte) 0);
            throw e;
        }
    }

    /** @return {@code <deviceId>-k<n>}, n one more than the current identity's, not used by any device */
    private String nextPskIdentity(Device d) {
        String base = d.deviceId() + "-k";
        String current = d.pskIdentity().orElse("");
        long n = 1;
        if (current.startsWith(base) && current.length() > base.length() && current.length() - base.length() < 10
                && current.substring(base.length()).chars().allMatch(Character::isDigit)) {
            n = Long.parseLong(current.substring(base.length())) + 1;
        }
        while (byPskIdentity(base + n).isPresent() || (base + n).equals(current)) {
            n++;
        }
        return base + n;
    }

    /**
     * Makes the device's next credential current at once (as its first use would).
     *
     * @return the device after the change, unchanged if it has no rollover under way; empty if
     *     there is no such device
     * @throws IllegalStateException if the registry is read-only
     * @throws UncheckedIOException if the registry cannot be saved; nothing changed then
     */
    Optional<Device> forcePromotion(String id) {
        return forcePromotion(id, RegistryAdministration.Promotion.FORCED);
    }

    /** Like {@link #forcePromotion(String)}; {@code why} says where the operator asked, for the log. */
    Optional<Device> forcePromotion(String id, RegistryAdministration.Promotion why) {
        return admin.promote(id, why);
    }

    /**
     * Drops the device's next credential.
     *
     * @return whether it had one
     * @throws IllegalArgumentException if there is no such device
     * @throws IllegalStateException if the registry is read-only
     */
    boolean cancelRollover(String id) {
        return admin.cancelRollover(id);
    }

    /** @return the registry's clock's time: what key ages and deadlines are measured against */
    Instant now() {
        return admin.now();
    }

    /**
     * @return whether the device changed (false if it already was in that state)
     * @throws IllegalArgumentException if there is no such device
     * @throws IllegalStateException if the registry is read-only
     */
    boolean setEnabled(String id, boolean enabled) {
        return admin.setEnabled(id, enabled);
    }

    /**
     * Sets or clears the device's EDHOC credential; its other fields stay. Its "keyCreated" is now,
     * as for any change of a current credential.
     *
     * @param credential the new credential, or null to clear it
     * @return whether the device changed (false if it already had that credential)
     * @throws IllegalArgumentException if there is no such device, the credential is invalid or
     *     belongs to another device, or clearing it would leave the device without any credential
     * @throws IllegalStateException if the registry is read-only
     * @throws UncheckedIOException if the registry cannot be saved; nothing changed then
     */
    boolean setEdhocCredential(String id, EdhocCredential credential) {
        return admin.setEdhocCredential(id, credential);
    }

    /**
     * @return the removed device, or empty if there was none
     * @throws IllegalStateException if the registry is read-only
     */
    Optional<Device> remove(String id) {
        return admin.remove(id);
    }

    /**
     * Adds or updates the devices listed in a JSON file; devices not in it are left alone. When
     * the file has "trustAnchors", they replace the registry's (and listeners are told, after the
     * changes of devices). An entry without "enabled" keeps the current state of an existing
     * device (new devices are enabled), so that a device disabled in the shell stays disabled
     * when the file is imported again. Invalid entries are rejected (and logged) one by one; the
     * others are imported.
     *
     * @throws IOException if the file cannot be read
     * @throws InvalidFileException if it is not JSON or not in the registry format
     * @throws IllegalStateException if the registry is read-only
     * @throws UncheckedIOException if the registry cannot be saved; nothing changed then
     */
    ImportResult importFile(Path file) throws IOException, InvalidFileException {
        return admin.importFile(file);
    }

    /**
     * Imports a text in the import file's format, as {@link #importFile(Path)} does a file (the
     * REST API's import).
     *
     * @param source what to call it in messages and the log
     */
    ImportResult importText(String text, String source) throws InvalidFileException {
        return admin.importText(text, source);
    }

    /**
     * Changes a device's fields other than its credentials; see
     * {@link org.m2mgw.api.device.DeviceAdministration#update}.
     *
     * @throws IllegalArgumentException if there is no such device or a field is invalid
     * @throws IllegalStateException if the registry is read-only
     * @throws UncheckedIOException if the registry cannot be saved; nothing changed then
     */
    Device updateFields(String id, Boolean enabled, java.util.Collection<String> resources,
            java.util.Map<String, String> metadata) {
        return admin.updateFields(id, enabled, resources, metadata);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeListener")
    void addListener(DeviceRegistryListener listener) {
        listeners.add(listener);
    }

    void removeListener(DeviceRegistryListener listener) {
        listeners.remove(listener);
    }

    /**
     * @return the device's credential types. A device whose only credential is an EDHOC one counts
     *         as {@link CredentialType#RAW_PUBLIC_KEY} for a CWT Claims Set (it holds a raw key) and
     *         as {@link CredentialType#X509} for a certificate; beside other credentials, an EDHOC
     *         credential adds no type.
     */
    static Set<CredentialType> credentialTypes(Device d) {
        Set<CredentialType> types = EnumSet.noneOf(CredentialType.class);
        d.pskIdentity().ifPresent(i -> types.add(CredentialType.PSK));
        d.publicKey().ifPresent(k -> types.add(CredentialType.RAW_PUBLIC_KEY));
        d.certificateSubject().ifPresent(s -> types.add(CredentialType.X509));
        if (types.isEmpty()) {
            d.edhocCredential().ifPresent(c -> types.add(c.kind() == EdhocCredential.Kind.CCS
                    ? CredentialType.RAW_PUBLIC_KEY : CredentialType.X509));
        }
        return types;
    }
}
