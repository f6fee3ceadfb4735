package org.m2mgw.registry.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.device.DeviceRegistryListener;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.registry.internal.RegistryJson.Candidate;
import org.m2mgw.registry.internal.RegistryJson.InvalidFileException;
import org.m2mgw.registry.internal.RegistryJson.Parsed;
import org.m2mgw.registry.internal.RegistryStore.StoreException;
import org.m2mgw.registry.internal.Snapshot.Draft;
import org.m2mgw.registry.internal.Snapshot.Entry;
import org.m2mgw.registry.internal.Validation.InvalidEntryException;
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
 * directory ({@link RegistryStore}), filled from an import file ({@code registry.import.file})
 * and from the shell ({@link DeviceCommands}).
 *
 * <p>Lookups read an immutable {@link Snapshot} from a volatile field and never block. Changes
 * are serialised by a lock: each one is validated, written to disk, published as the new snapshot
 * and then announced to every {@link DeviceRegistryListener} with the device before and after.
 * Listeners are called in order, while further changes wait: they must return quickly.
 *
 * <p>If the key file or the store cannot be read or decrypted, the registry logs one error naming
 * the file and the reason, starts empty and read-only, and never overwrites the unreadable file.
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
    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistryComponent.class);
    private static final long MAX_IMPORT_BYTES = 64L * 1024 * 1024;

    private final Object lock = new Object();
    private final RegistryJson json;
    private final RegistryStore store;
    private final List<DeviceRegistryListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<DeviceRegistryListener> failedListeners =
            Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    private final ScheduledExecutorService executor;

    private volatile Snapshot snapshot = Snapshot.EMPTY;
    /** Why the registry is read-only, or null when it is writable. */
    private volatile String readOnlyReason;

    // Guarded by lock.
    private RegistrySettings settings;
    private ScheduledFuture<?> watch;
    private FileSignature lastSignature;
    private String lastWatchProblem;

    private record FileSignature(FileTime modified, long size) {
    }

    private record Change(Optional<Device> before, Optional<Device> after) {
    }

    /** Activation by DS. */
    @Activate
    public DeviceRegistryComponent(@Reference(name = "runtime") GatewayRuntime runtime, RegistryConfig config) {
        this(runtime, RegistrySettings.from(config));
    }

    /** For tests: no OSGi framework needed. Call {@link #deactivate()} when done. */
    DeviceRegistryComponent(GatewayRuntime runtime, RegistrySettings settings) {
        RegistryJson j = null;
        Path dir = null;
        try {
            j = new RegistryJson();
            dir = runtime.dataDirectory(DATA_DIR);
        } catch (UncheckedIOException e) {
            goReadOnly("the data directory '" + DATA_DIR + "' cannot be created: " + e.getCause());
        } catch (IllegalArgumentException | IllegalStateException e) {
            goReadOnly(e.getMessage());
        }
        json = j;
        store = dir == null ? null : new RegistryStore(dir, new SecureRandom());
        if (store != null) {
            load();
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "m2mgw-registry-import");
            t.setDaemon(true);
            return t;
        });
        apply(settings);
    }

    private void load() {
        byte[] plain = null;
        try {
            plain = store.load();
            if (plain == null) {
                LOG.info("Device registry is empty (no {} yet)", store.storeFile());
                return;
            }
            Parsed parsed = json.parse(new String(plain, StandardCharsets.UTF_8),
                    store.storeFile().toString());
            Draft draft = Snapshot.EMPTY.draft();
            for (Candidate c : parsed.devices()) {
                Optional<String> conflict = draft.conflict(c.entry().device());
                if (conflict.isPresent()) {
                    LOG.error("Stored device '{}' dropped: {}", c.entry().id(), conflict.get());
                } else {
                    draft.put(c.entry());
                }
            }
            parsed.rejected().forEach(r -> LOG.error("Stored device entry dropped: {}", r));
            if (parsed.trustAnchors() != null) {
                draft.trustAnchors(parsed.trustAnchors());
            }
            snapshot = draft.build();
            LOG.info("Device registry loaded: {} device(s), {} trust anchor(s) from {}",
                    snapshot.devices().size(), snapshot.trustAnchors().size(), store.storeFile());
        } catch (StoreException | InvalidFileException e) {
            goReadOnly(e.getMessage());
        } finally {
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }

    private void goReadOnly(String reason) {
        readOnlyReason = reason;
        LOG.error("Device registry cannot load its devices: {}. It starts EMPTY and READ-ONLY: no "
                + "device can connect and no change is saved, so the file is left as it is. Restore "
                + "the file (or its key) and restart the component.", reason);
    }

    @Modified
    void modified(RegistryConfig config) {
        apply(RegistrySettings.from(config));
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            if (watch != null) {
                watch.cancel(false);
                watch = null;
            }
        }
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

    private void apply(RegistrySettings s) {
        s.problems().forEach(p -> LOG.error("Invalid configuration of {}: {}", PID, p));
        synchronized (lock) {
            settings = s;
            lastSignature = null;
            lastWatchProblem = null;
            if (watch != null) {
                watch.cancel(false);
                watch = null;
            }
            checkImportFile(true);
            if (s.importFile() != null && readOnlyReason == null && !executor.isShutdown()) {
                watch = executor.scheduleWithFixedDelay(() -> checkImportFile(false),
                        s.intervalSeconds(), s.intervalSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Imports {@code registry.import.file} if it changed since the last import (or always, if
     * {@code force}). Problems are logged once each, not at every check.
     */
    void checkImportFile(boolean force) {
        synchronized (lock) {
            Path file = settings == null ? null : settings.importFile();
            if (file == null) {
                return;
            }
            if (readOnlyReason != null) {
                // The one error about the unreadable store already says that nothing can change.
                LOG.debug("{} {} not imported: the registry is read-only", RegistrySettings.KEY_FILE, file);
                return;
            }
            try {
                FileSignature sig;
                try {
                    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                    sig = new FileSignature(a.lastModifiedTime(), a.size());
                } catch (NoSuchFileException e) {
                    lastSignature = null;
                    watchProblem(RegistrySettings.KEY_FILE + " " + file + " does not exist: no devices "
                            + "are imported from it. It is checked again every "
                            + settings.intervalSeconds() + " s.", true);
                    return;
                }
                if (!force && sig.equals(lastSignature)) {
                    return;
                }
                lastSignature = sig;
                importFile(file);
                lastWatchProblem = null;
            } catch (IOException e) {
                // Retried at every check (permissions may be fixed without touching the file).
                lastSignature = null;
                watchProblem(RegistrySettings.KEY_FILE + " " + file + " cannot be read ("
                        + e.getClass().getSimpleName() + "); it is tried again every "
                        + settings.intervalSeconds() + " s.", false);
            } catch (InvalidFileException e) {
                lastWatchProblem = null;
                LOG.error("{} {} was not imported: {}. It is read again when it changes.",
                        RegistrySettings.KEY_FILE, file, e.getMessage());
            } catch (RuntimeException e) {
                // A failed save (disk full?) or a bug: retried at every check, logged once, and
                // never allowed to end the periodic check.
                lastSignature = null;
                watchProblem(RegistrySettings.KEY_FILE + " " + file + " was not imported: "
                        + e.getMessage(), false);
            }
        }
    }

    /** Logs a problem of the import file once, until a different problem or a success. */
    private void watchProblem(String message, boolean warn) {
        if (message.equals(lastWatchProblem)) {
            return;
        }
        lastWatchProblem = message;
        if (warn) {
            LOG.warn("{}", message);
        } else {
            LOG.error("{}", message);
        }
    }

    // ---------------------------------------------------------------- DeviceRegistry (lookups)

    @Override
    public Optional<Device> device(String deviceId) {
        return snapshot.device(deviceId);
    }

    @Override
    public Optional<Device> byPskIdentity(String pskIdentity) {
        return snapshot.byPskIdentity(pskIdentity);
    }

    @Override
    public Optional<Device> byPublicKey(byte[] subjectPublicKeyInfo) {
        return snapshot.byPublicKey(subjectPublicKeyInfo);
    }

    @Override
    public Optional<Device> byCertificateSubject(String subject) {
        if (subject == null) {
            return Optional.empty();
        }
        try {
            return snapshot.bySubject(Validation.normaliseSubject(subject));
        } catch (IllegalArgumentException notADistinguishedName) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<byte[]> pskSecret(String pskIdentity) {
        return snapshot.pskSecret(pskIdentity);
    }

    @Override
    public Collection<Device> devices() {
        return snapshot.devices();
    }

    @Override
    public List<X509Certificate> trustAnchors() {
        return snapshot.trustAnchors();
    }

    // ---------------------------------------------------------------- administration

    /** @return why the registry is read-only, or empty when changes are possible */
    Optional<String> readOnlyReason() {
        return Optional.ofNullable(readOnlyReason);
    }

    /**
     * Adds a device or replaces the device with the same id.
     *
     * @param device the device
     * @param pskSecret its pre-shared key, required exactly when it has a PSK identity; copied
     * @return the device as stored (normalised subject, canonical public key)
     * @throws IllegalArgumentException if the device is invalid or a credential belongs to
     *     another device; the message names the device and the field
     * @throws IllegalStateException if the registry is read-only
     * @throws UncheckedIOException if the registry cannot be saved; nothing changed then
     */
    Device put(Device device, byte[] pskSecret) {
        Objects.requireNonNull(device, "device");
        synchronized (lock) {
            checkWritable();
            Device d;
            try {
                d = Validation.canonical(device, pskSecret);
            } catch (InvalidEntryException e) {
                throw new IllegalArgumentException("device '" + Validation.sanitize(device.deviceId())
                        + "': " + e.getMessage());
            }
            Draft draft = snapshot.draft();
            Optional<String> conflict = draft.conflict(d);
            if (conflict.isPresent()) {
                throw new IllegalArgumentException("device '" + d.deviceId() + "': " + conflict.get());
            }
            Entry entry = new Entry(d, pskSecret);
            Optional<Entry> before = draft.entry(d.deviceId());
            if (before.isPresent() && before.get().sameAs(entry)) {
                return d;
            }
            draft.put(entry);
            commit(draft.build());
            LOG.info("Device '{}' {} ({})", d.deviceId(), before.isPresent() ? "updated" : "added",
                    describe(d));
            notifyListeners(before.map(Entry::device), Optional.of(d));
            return d;
        }
    }

    /**
     * @return whether the device changed (false if it already was in that state)
     * @throws IllegalArgumentException if there is no such device
     * @throws IllegalStateException if the registry is read-only
     */
    boolean setEnabled(String id, boolean enabled) {
        synchronized (lock) {
            checkWritable();
            Draft draft = snapshot.draft();
            Entry before = draft.entry(id).orElseThrow(
                    () -> new IllegalArgumentException("no device '" + Validation.sanitize(id) + "'"));
            if (before.device().enabled() == enabled) {
                return false;
            }
            Device after = before.device().toBuilder().enabled(enabled).build();
            draft.put(new Entry(after, before.secret()));
            commit(draft.build());
            LOG.info("Device '{}' {}", id, enabled ? "enabled" : "disabled");
            notifyListeners(Optional.of(before.device()), Optional.of(after));
            return true;
        }
    }

    /**
     * @return the removed device, or empty if there was none
     * @throws IllegalStateException if the registry is read-only
     */
    Optional<Device> remove(String id) {
        synchronized (lock) {
            checkWritable();
            Draft draft = snapshot.draft();
            Optional<Entry> before = draft.remove(id);
            if (before.isEmpty()) {
                return Optional.empty();
            }
            commit(draft.build());
            LOG.info("Device '{}' removed", id);
            notifyListeners(before.map(Entry::device), Optional.empty());
            return before.map(Entry::device);
        }
    }

    /**
     * Adds or updates the devices listed in a JSON file; devices not in it are left alone. When
     * the file has "trustAnchors", they replace the registry's. An entry without "enabled" keeps
     * the current state of an existing device (new devices are enabled), so that a device
     * disabled in the shell stays disabled when the file is imported again. Invalid entries are
     * rejected (and logged) one by one; the others are imported.
     *
     * @throws IOException if the file cannot be read
     * @throws InvalidFileException if it is not JSON or not in the registry format
     * @throws IllegalStateException if the registry is read-only
     * @throws UncheckedIOException if the registry cannot be saved; nothing changed then
     */
    ImportResult importFile(Path file) throws IOException, InvalidFileException {
        synchronized (lock) {
            checkWritable();
            if (Files.size(file) > MAX_IMPORT_BYTES) {
                throw new InvalidFileException(file + " is larger than " + MAX_IMPORT_BYTES / 1024 / 1024
                        + " MiB");
            }
            Parsed parsed = json.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
            warnIfReadableByOthers(file, parsed);
            Draft draft = snapshot.draft();
            List<String> rejected = new ArrayList<>(parsed.rejected());
            List<Change> changes = new ArrayList<>();
            int added = 0;
            int updated = 0;
            int unchanged = 0;
            for (Candidate c : parsed.devices()) {
                Entry entry = c.entry();
                Optional<Entry> before = draft.entry(entry.id());
                if (!c.enabledGiven() && before.isPresent()) {
                    boolean enabled = before.get().device().enabled();
                    entry = new Entry(entry.device().toBuilder().enabled(enabled).build(), entry.secret());
                }
                Optional<String> conflict = draft.conflict(entry.device());
                if (conflict.isPresent()) {
                    rejected.add("device '" + entry.id() + "': " + conflict.get());
                    continue;
                }
                if (before.isPresent() && before.get().sameAs(entry)) {
                    unchanged++;
                    continue;
                }
                draft.put(entry);
                if (before.isPresent()) {
                    updated++;
                } else {
                    added++;
                }
                changes.add(new Change(before.map(Entry::device), Optional.of(entry.device())));
            }
            boolean anchorsChanged = false;
            if (parsed.trustAnchors() != null && !parsed.trustAnchors().equals(draft.trustAnchors())) {
                draft.trustAnchors(parsed.trustAnchors());
                anchorsChanged = true;
            }
            if (!changes.isEmpty() || anchorsChanged) {
                commit(draft.build());
            }
            ImportResult result = new ImportResult(added, updated, unchanged, rejected,
                    parsed.trustAnchors() == null ? -1 : parsed.trustAnchors().size());
            for (String reason : rejected) {
                LOG.warn("Import of {}: rejected {}", file, reason);
            }
            if (!changes.isEmpty() || anchorsChanged || !rejected.isEmpty()) {
                LOG.info("Imported {}: {}", file, result.summary());
            } else {
                LOG.debug("Imported {}: {}", file, result.summary());
            }
            for (Change change : changes) {
                notifyListeners(change.before(), change.after());
            }
            return result;
        }
    }

    /** An import file holds keys in clear: say so when other users can read it. */
    private static void warnIfReadableByOthers(Path file, Parsed parsed) {
        if (parsed.devices().stream().noneMatch(c -> c.entry().secret() != null)) {
            return;
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                LOG.warn("{} holds pre-shared keys and other users can read it ({}): make it readable "
                        + "by the gateway's user only (chmod 600)", file, PosixFilePermissions.toString(perms));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to check.
        }
    }

    private void checkWritable() {
        String reason = readOnlyReason;
        if (reason != null) {
            throw new IllegalStateException("the device registry is read-only because " + reason
                    + "; restore the file and restart the component");
        }
    }

    /** Saves, then publishes. On a failed save nothing changes. */
    private void commit(Snapshot next) {
        byte[] plain = json.write(next).getBytes(StandardCharsets.UTF_8);
        try {
            store.save(plain);
        } catch (IOException e) {
            throw new UncheckedIOException("the device registry cannot be saved to "
                    + store.storeFile() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
        snapshot = next;
    }

    private void notifyListeners(Optional<Device> before, Optional<Device> after) {
        for (DeviceRegistryListener l : listeners) {
            try {
                l.deviceChanged(before, after);
            } catch (RuntimeException e) {
                if (failedListeners.add(l)) {
                    LOG.warn("Device registry listener {} failed on a change of device '{}': {} "
                            + "(further failures of this listener are not logged)", l.getClass().getName(),
                            after.or(() -> before).map(Device::deviceId).orElse("?"), e.toString());
                }
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeListener")
    void addListener(DeviceRegistryListener listener) {
        listeners.add(listener);
    }

    void removeListener(DeviceRegistryListener listener) {
        listeners.remove(listener);
        failedListeners.remove(listener);
    }

    /** @return the device's credential types */
    static Set<CredentialType> credentialTypes(Device d) {
        Set<CredentialType> types = EnumSet.noneOf(CredentialType.class);
        d.pskIdentity().ifPresent(i -> types.add(CredentialType.PSK));
        d.publicKey().ifPresent(k -> types.add(CredentialType.RAW_PUBLIC_KEY));
        d.certificateSubject().ifPresent(s -> types.add(CredentialType.X509));
        return types;
    }

    /** @return the public description of a device's credentials, for logs; never a secret */
    private static String describe(Device d) {
        List<String> parts = new ArrayList<>();
        d.pskIdentity().ifPresent(i -> parts.add("PSK identity '" + i + "'"));
        d.publicKey().ifPresent(k -> parts.add("raw public key"));
        d.certificateSubject().ifPresent(s -> parts.add("X.509 subject '" + s + "'"));
        return String.join(", ", parts) + (d.enabled() ? "" : ", disabled");
    }
}
