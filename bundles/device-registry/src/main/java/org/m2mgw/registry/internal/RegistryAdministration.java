package org.m2mgw.registry.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.m2mgw.api.device.Device;
import org.m2mgw.registry.internal.RegistryJson.Candidate;
import org.m2mgw.registry.internal.RegistryJson.InvalidFileException;
import org.m2mgw.registry.internal.RegistryJson.Parsed;
import org.m2mgw.registry.internal.RegistryStore.StoreException;
import org.m2mgw.registry.internal.Snapshot.Draft;
import org.m2mgw.registry.internal.Snapshot.Entry;
import org.m2mgw.registry.internal.Validation.InvalidEntryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's state and every change to it: loading the store at start, adding, updating,
 * enabling, disabling and removing devices, and importing files. Lookups read the current
 * {@link Snapshot} from a volatile field and never block. Changes are serialised by {@link #lock()}:
 * each one is validated, written to disk, published as the new snapshot and then announced to
 * the {@link RegistryListeners} while further changes wait.
 *
 * <p>If the key file or the store cannot be read or decrypted, the registry logs one error naming
 * the file and the reason, starts empty and read-only, and never overwrites the unreadable file.
 */
final class RegistryAdministration {
    /** The registry's one logger name, as before its classes were split. */
    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistryComponent.class);
    private static final long MAX_IMPORT_BYTES = 64L * 1024 * 1024;
    private static final int SUBJECT_ONLY_LOGGED_ONE_BY_ONE = 10;

    private final Object lock = new Object();
    private final RegistryJson json;
    private final RegistryStore store;
    private final RegistryListeners listeners;
    /** Devices bound to their certificate subject only that were reported; guarded by lock. */
    private final Set<String> reportedSubjectOnly = new HashSet<>();

    private volatile Snapshot snapshot = Snapshot.EMPTY;
    /** Why the registry is read-only, or null when it is writable. */
    private volatile String readOnlyReason;

    private record Change(Optional<Device> before, Optional<Device> after) {
    }

    /**
     * @param json the JSON form, or null if it is unavailable (then call {@link #goReadOnly})
     * @param store the store, or null if there is none (likewise)
     */
    RegistryAdministration(RegistryJson json, RegistryStore store, RegistryListeners listeners) {
        this.json = json;
        this.store = store;
        this.listeners = listeners;
    }

    /** The lock that serialises changes. */
    Object lock() {
        return lock;
    }

    /** @return the current state; never blocks */
    Snapshot snapshot() {
        return snapshot;
    }

    /** Loads the store; on failure the registry goes read-only. */
    void load() {
        byte[] plain = null;
        synchronized (lock) {
            try {
                plain = store.load();
                if (plain == null) {
                    LOG.info("Device registry is empty (no {} yet)", store.storeFile());
                    return;
                }
                Parsed parsed = json.parse(new String(plain, StandardCharsets.UTF_8), store.storeFile().toString());
                Draft draft = Snapshot.EMPTY.draft();
                List<Device> loaded = new ArrayList<>();
                for (Candidate c : parsed.devices()) {
                    Optional<String> conflict = draft.conflict(c.entry().device());
                    if (conflict.isPresent()) {
                        LOG.error("Stored device '{}' dropped: {}", c.entry().id(), conflict.get());
                    } else {
                        draft.put(c.entry());
                        loaded.add(c.entry().device());
                    }
                }
                reportBoundToSubjectOnly(loaded);
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
    }

    void goReadOnly(String reason) {
        readOnlyReason = reason;
        LOG.error("Device registry cannot load its devices: {}. It starts EMPTY and READ-ONLY: no "
                + "device can connect and no change is saved, so the file is left as it is. Restore "
                + "the file (or its key) and restart the component.", reason);
    }

    /** @return why the registry is read-only, or empty when changes are possible */
    Optional<String> readOnlyReason() {
        return Optional.ofNullable(readOnlyReason);
    }

    /** See {@link DeviceRegistryComponent#put(Device, byte[])}. */
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
            reportBoundToSubjectOnly(List.of(d));
            listeners.deviceChanged(before.map(Entry::device), Optional.of(d));
            return d;
        }
    }

    /** See {@link DeviceRegistryComponent#setEnabled(String, boolean)}. */
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
            listeners.deviceChanged(Optional.of(before.device()), Optional.of(after));
            return true;
        }
    }

    /** See {@link DeviceRegistryComponent#remove(String)}. */
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
            listeners.deviceChanged(before.map(Entry::device), Optional.empty());
            return before.map(Entry::device);
        }
    }

    /** See {@link DeviceRegistryComponent#importFile(Path)}. */
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
            List<String> warnings = new ArrayList<>();
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
                if (entry.device().boundToSubjectOnly()) {
                    warnings.add(subjectOnlyWarning(entry.device()));
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
                    parsed.trustAnchors() == null ? -1 : parsed.trustAnchors().size(), warnings);
            for (String reason : rejected) {
                LOG.warn("Import of {}: rejected {}", file, reason);
            }
            if (!changes.isEmpty() || anchorsChanged || !rejected.isEmpty()) {
                LOG.info("Imported {}: {}", file, result.summary());
            } else {
                LOG.debug("Imported {}: {}", file, result.summary());
            }
            reportBoundToSubjectOnly(changes.stream().flatMap(c -> c.after().stream()).toList());
            for (Change change : changes) {
                listeners.deviceChanged(change.before(), change.after());
            }
            if (anchorsChanged) {
                warnIfAnchorsShareAName(snapshot.trustAnchors());
                listeners.trustAnchorsChanged(snapshot.trustAnchors());
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

    /** Two trust anchors with one name: a device's "issuer" cannot tell their certificates apart. */
    private static void warnIfAnchorsShareAName(List<X509Certificate> anchors) {
        Set<String> names = new HashSet<>();
        for (X509Certificate a : anchors) {
            String name = a.getSubjectX500Principal().getName();
            if (!names.add(name)) {
                LOG.warn("Two trust anchors have the subject '{}': an X.509 device's \"issuer\" cannot tell their "
                        + "certificates apart; give such devices \"sha256\" or \"spkiSha256\"", Validation.sanitize(name));
            }
        }
    }

    /**
     * Logs once per device that its X.509 entry names no issuer and no hash: the first few one by
     * one, the others in one line, so that a large old registry does not flood the log.
     */
    private void reportBoundToSubjectOnly(List<Device> devices) {
        List<String> more = new ArrayList<>();
        int logged = 0;
        for (Device d : devices) {
            if (d.boundToSubjectOnly() && reportedSubjectOnly.add(d.deviceId())) {
                if (logged < SUBJECT_ONLY_LOGGED_ONE_BY_ONE) {
                    LOG.warn("{}", subjectOnlyWarning(d));
                    logged++;
                } else {
                    more.add(d.deviceId());
                }
            }
        }
        if (!more.isEmpty()) {
            LOG.warn("{} more X.509 device(s) are bound to subject only; add \"issuer\" to each: {}{}", more.size(),
                    String.join(", ", more.subList(0, Math.min(more.size(), 50))), more.size() > 50 ? ", ..." : "");
        }
    }

    private static String subjectOnlyWarning(Device d) {
        return "device '" + d.deviceId() + "': x509 is bound to subject only; add \"issuer\" (a certificate "
                + "with subject '" + Validation.sanitize(d.certificateSubject().orElse("")) + "' from ANY trusted "
                + "CA is taken for this device until then)";
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

    /** @return the public description of a device's credentials, for logs; never a secret */
    private static String describe(Device d) {
        List<String> parts = new ArrayList<>();
        d.pskIdentity().ifPresent(i -> parts.add("PSK identity '" + i + "'"));
        d.publicKey().ifPresent(k -> parts.add("raw public key"));
        d.certificateSubject().ifPresent(s -> parts.add("X.509 subject '" + s + "'"
                + d.certificateIssuer().map(i -> " from issuer '" + i + "'").orElse("")
                + (d.certificateSha256().isPresent() || d.certificateSpkiSha256().isPresent() ? ", pinned" : "")));
        return String.join(", ", parts) + (d.enabled() ? "" : ", disabled");
    }
}
