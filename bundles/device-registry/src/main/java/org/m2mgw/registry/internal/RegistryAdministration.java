package org.m2mgw.registry.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.EdhocCredential;
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
 *
 * <p>Key rollovers: a device may have a next credential (PSK identity and key, or public key) next
 * to its current one. Lookups find it by either. {@link #promote} makes the next one current and
 * retires the old one, remembering its fingerprint so that a stale import file cannot bring it
 * back; after a rollover deadline the credential lookups refuse the old credential at once and
 * ask for {@link #promoteDue()} to run soon. Every change of a current credential stamps
 * "keyCreated" with the time, unless an import file gives it.
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
    private final Clock clock;
    /** Devices bound to their certificate subject only that were reported; guarded by lock. */
    private final Set<String> reportedSubjectOnly = new HashSet<>();
    /** Devices whose import entry names a retired credential, reported; guarded by lock. */
    private final Set<String> reportedBehind = new HashSet<>();
    /** The last failure of a deadline sweep, logged once; guarded by lock. */
    private String lastSweepFailure;
    /** Asked to run {@link #promoteDue()} soon, off the caller's thread. */
    private volatile Runnable overdueHook = () -> { };

    /** Why a next credential became current, for the log. */
    enum Promotion {
        /** The device authenticated with it. */
        FIRST_USE("the device authenticated with it"),
        /** From the shell. */
        FORCED("forced from the shell"),
        /** From the web console. */
        FORCED_CONSOLE("forced from the web console"),
        /** Its rollover deadline passed. */
        DEADLINE("its rollover deadline passed, although the device had not used it");

        private final String why;

        Promotion(String why) {
            this.why = why;
        }
    }

    private volatile Snapshot snapshot = Snapshot.EMPTY;
    /** Why the registry is read-only, or null when it is writable. */
    private volatile String readOnlyReason;

    private record Change(Optional<Device> before, Optional<Device> after) {
    }

    /**
     * @param json the JSON form, or null if it is unavailable (then call {@link #goReadOnly})
     * @param store the store, or null if there is none (likewise)
     */
    RegistryAdministration(RegistryJson json, RegistryStore store, RegistryListeners listeners, Clock clock) {
        this.json = json;
        this.store = store;
        this.listeners = listeners;
        this.clock = clock;
    }

    /** @param hook called (on a lookup's thread, so it must not block) when a rollover deadline has passed */
    void onOverdue(Runnable hook) {
        overdueHook = hook;
    }

    Instant now() {
        return clock.instant();
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
                Parsed parsed = json.parse(new String(plain, StandardCharsets.UTF_8), store.storeFile().toString(),
                        true);
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

    /** See {@link DeviceRegistryComponent#put(Device, byte[], byte[])}. */
    Device put(Device device, byte[] pskSecret, byte[] nextSecret) {
        Objects.requireNonNull(device, "device");
        synchronized (lock) {
            checkWritable();
            Device d;
            try {
                d = Validation.canonical(device, pskSecret, nextSecret);
            } catch (InvalidEntryException e) {
                throw new IllegalArgumentException("device '" + Validation.sanitize(device.deviceId())
                        + "': " + e.getMessage());
            }
            Draft draft = snapshot.draft();
            Optional<String> conflict = draft.conflict(d);
            if (conflict.isPresent()) {
                throw new IllegalArgumentException("device '" + d.deviceId() + "': " + conflict.get());
            }
            Optional<Entry> before = draft.entry(d.deviceId());
            Entry entry = stamped(before, new Entry(d, pskSecret, nextSecret,
                    before.map(Entry::retired).orElse(List.of())));
            d = entry.device();
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
            draft.put(before.with(after));
            commit(draft.build());
            LOG.info("Device '{}' {}", id, enabled ? "enabled" : "disabled");
            listeners.deviceChanged(Optional.of(before.device()), Optional.of(after));
            return true;
        }
    }

    /**
     * Changes the fields of a device that are not credentials; its credentials and keys stay.
     *
     * @param enabled the new state, or null to keep it
     * @param resources the new resource rules, or null to keep them
     * @param metadata the new metadata, or null to keep it
     * @return the device after the change
     * @throws IllegalArgumentException if there is no such device or a field is invalid
     * @throws IllegalStateException if the registry is read-only
     */
    Device updateFields(String id, Boolean enabled, java.util.Collection<String> resources,
            java.util.Map<String, String> metadata) {
        synchronized (lock) {
            checkWritable();
            Draft draft = snapshot.draft();
            Entry before = draft.entry(id).orElseThrow(
                    () -> new IllegalArgumentException("no device '" + Validation.sanitize(id) + "'"));
            Device old = before.device();
            Device withRules = rebuild(old, enabled == null ? old.enabled() : enabled,
                    metadata == null ? old.metadata() : metadata, resources == null ? old.resources() : resources);
            Device after;
            try {
                after = Validation.canonical(withRules, before.secret(), before.nextSecret());
            } catch (InvalidEntryException e) {
                throw new IllegalArgumentException("device '" + id + "': " + e.getMessage());
            }
            if (after.equals(old)) {
                return old;
            }
            draft.put(before.with(after));
            commit(draft.build());
            LOG.info("Device '{}' updated ({})", id, describe(after));
            listeners.deviceChanged(Optional.of(old), Optional.of(after));
            return after;
        }
    }

    /** @return {@code d}'s credentials with these other fields, exactly these resource rules among them */
    private static Device rebuild(Device d, boolean enabled, java.util.Map<String, String> metadata,
            java.util.Collection<String> resources) {
        Device.Builder b = Device.builder(d.deviceId()).enabled(enabled).metadata(metadata)
                .pskIdentity(d.pskIdentity().orElse(null)).publicKey(d.publicKey().orElse(null))
                .certificateSubject(d.certificateSubject().orElse(null))
                .certificateIssuer(d.certificateIssuer().orElse(null))
                .certificateSha256(d.certificateSha256().orElse(null))
                .certificateSpkiSha256(d.certificateSpkiSha256().orElse(null))
                .edhocCredential(d.edhocCredential().orElse(null))
                .keyCreated(d.keyCreated().orElse(null))
                .nextPskIdentity(d.nextPskIdentity().orElse(null))
                .nextPublicKey(d.nextPublicKey().orElse(null))
                .rolloverDeadline(d.rolloverDeadline().orElse(null));
        resources.forEach(b::allow);
        return b.build();
    }

    /** See {@link DeviceRegistryComponent#setEdhocCredential(String, EdhocCredential)}. */
    boolean setEdhocCredential(String id, EdhocCredential credential) {
        synchronized (lock) {
            checkWritable();
            Draft draft = snapshot.draft();
            Entry before = draft.entry(id).orElseThrow(
                    () -> new IllegalArgumentException("no device '" + Validation.sanitize(id) + "'"));
            Device d = before.device();
            if (d.edhocCredential().equals(Optional.ofNullable(credential))) {
                return false;
            }
            if (credential == null && d.pskIdentity().isEmpty() && d.publicKey().isEmpty()
                    && d.certificateSubject().isEmpty()) {
                throw new IllegalArgumentException("device '" + id + "': the EDHOC credential is its only "
                        + "credential; remove the device instead");
            }
            try {
                if (credential != null) {
                    Validation.edhoc(credential);
                }
            } catch (InvalidEntryException e) {
                throw new IllegalArgumentException("device '" + id + "': " + e.getMessage());
            }
            Entry entry = stamped(Optional.of(before), before.with(d.toBuilder().edhocCredential(credential).build()));
            Device after = entry.device();
            Optional<String> conflict = draft.conflict(after);
            if (conflict.isPresent()) {
                throw new IllegalArgumentException("device '" + id + "': " + conflict.get());
            }
            draft.put(entry);
            commit(draft.build());
            LOG.info("Device '{}': EDHOC credential {}", id, credential == null ? "removed ("
                    + Credentials.describeEdhoc(d.edhocCredential().orElseThrow()) + ")"
                    : "set (" + Credentials.describeEdhoc(credential) + ")");
            listeners.deviceChanged(Optional.of(d), Optional.of(after));
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
            return importParsed(parsed, file.toString());
        }
    }

    /**
     * Imports a text in the import file's format, as {@link #importFile(Path)} does a file.
     *
     * @param text the JSON text
     * @param source what to call it in messages and the log
     */
    ImportResult importText(String text, String source) throws InvalidFileException {
        synchronized (lock) {
            checkWritable();
            if (text.length() > MAX_IMPORT_BYTES) {
                throw new InvalidFileException(source + " is larger than " + MAX_IMPORT_BYTES / 1024 / 1024 + " MiB");
            }
            return importParsed(json.parse(text, source), source);
        }
    }

    /** The common part of the imports; called with the lock held. */
    private ImportResult importParsed(Parsed parsed, String file) {
        {
            Draft draft = snapshot.draft();
            List<String> rejected = new ArrayList<>(parsed.rejected());
            List<String> warnings = new ArrayList<>();
            List<Change> changes = new ArrayList<>();
            int added = 0;
            int updated = 0;
            int unchanged = 0;
            Instant now = clock.instant();
            for (Candidate c : parsed.devices()) {
                Entry entry = c.entry();
                Optional<Entry> before = draft.entry(entry.id());
                if (!c.enabledGiven() && before.isPresent()) {
                    boolean enabled = before.get().device().enabled();
                    entry = entry.with(entry.device().toBuilder().enabled(enabled).build());
                }
                entry = merged(before, c, entry, warnings);
                Optional<String> conflict = draft.conflict(entry.device());
                if (conflict.isPresent()) {
                    rejected.add("device '" + entry.id() + "': " + conflict.get());
                    continue;
                }
                if (entry.device().boundToSubjectOnly()) {
                    warnings.add(subjectOnlyWarning(entry.device()));
                }
                Optional<Instant> deadline = entry.device().rolloverDeadline();
                if (deadline.isPresent() && !now.isBefore(deadline.get())
                        && !deadline.equals(before.flatMap(b -> b.device().rolloverDeadline()))) {
                    warnings.add("device '" + entry.id() + "': rolloverDeadline " + deadline.get()
                            + " has passed, so its next credential becomes current at once");
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
            Instant afterImport = clock.instant();
            if (changes.stream().anyMatch(ch -> ch.after().map(d -> overdue(d, afterImport)).orElse(false))) {
                try {
                    promoteDue();
                } catch (UncheckedIOException e) {
                    // logged by promoteDue; the import itself is saved, and the sweep tries again
                }
            }
            return result;
        }
    }

    /**
     * How an import entry for a device that may exist already is taken in:
     * <ul>
     * <li>if the registry is ahead of the file (the file's next credential is already current, or
     * its current one was retired by a rollover), the registry keeps its credentials and the file's
     * other fields are taken; a warning says so, and the log says it once per device;
     * <li>if the current credential is the same, it keeps its "keyCreated" (unless the file gives
     * one), and a rollover under way stays when the file has no "next";
     * <li>otherwise the credential is new: "keyCreated" is now, unless the file gives it.
     * </ul>
     * Retired credentials carry over in every case.
     */
    private Entry merged(Optional<Entry> existing, Candidate c, Entry entry, List<String> warnings) {
        Instant now = clock.instant();
        if (existing.isEmpty()) {
            return c.keyCreatedGiven() ? entry : entry.with(entry.device().toBuilder().keyCreated(now).build());
        }
        Entry before = existing.get();
        String id = entry.id();
        if (Credentials.nextIsCurrentOf(entry, before) || Credentials.anyRetired(entry, before.retired())) {
            String warning = "device '" + id + "': the file names a credential that a key rollover retired; "
                    + "the registry keeps the current one (" + describeCredentials(before.device())
                    + "): update the file's entry";
            warnings.add(warning);
            if (reportedBehind.add(id)) {
                LOG.warn("{}", warning);
            }
            return new Entry(credentialsOf(before.device(), entry.device()), before.secret(), before.nextSecret(),
                    before.retired());
        }
        reportedBehind.remove(id);
        if (Credentials.sameCurrent(before, entry)) {
            Device.Builder b = entry.device().toBuilder();
            if (!c.keyCreatedGiven()) {
                b.keyCreated(before.device().keyCreated().orElse(null));
            }
            byte[] nextSecret = entry.nextSecret();
            if (!c.nextGiven() && before.device().rolloverPending()) {
                Device old = before.device();
                b.nextPskIdentity(old.nextPskIdentity().orElse(null)).nextPublicKey(old.nextPublicKey().orElse(null))
                        .rolloverDeadline(old.rolloverDeadline().orElse(null));
                nextSecret = before.nextSecret();
            }
            return new Entry(b.build(), entry.secret(), nextSecret, before.retired());
        }
        Device d = c.keyCreatedGiven() ? entry.device() : entry.device().toBuilder().keyCreated(now).build();
        return new Entry(d, entry.secret(), entry.nextSecret(), before.retired());
    }

    /** @return the device with the id, state, resources and metadata of {@code fields} and the credentials of {@code credentials} */
    private static Device credentialsOf(Device credentials, Device fields) {
        Device.Builder b = Device.builder(fields.deviceId()).enabled(fields.enabled()).metadata(fields.metadata())
                .pskIdentity(credentials.pskIdentity().orElse(null)).publicKey(credentials.publicKey().orElse(null))
                .certificateSubject(credentials.certificateSubject().orElse(null))
                .certificateIssuer(credentials.certificateIssuer().orElse(null))
                .certificateSha256(credentials.certificateSha256().orElse(null))
                .certificateSpkiSha256(credentials.certificateSpkiSha256().orElse(null))
                .edhocCredential(credentials.edhocCredential().orElse(null))
                .keyCreated(credentials.keyCreated().orElse(null))
                .nextPskIdentity(credentials.nextPskIdentity().orElse(null))
                .nextPublicKey(credentials.nextPublicKey().orElse(null))
                .rolloverDeadline(credentials.rolloverDeadline().orElse(null));
        fields.resources().forEach(b::allow);
        return b.build();
    }

    /**
     * @return {@code e} with "keyCreated" set: the existing device's if the current credential is
     *         the same, else now
     */
    private Entry stamped(Optional<Entry> existing, Entry e) {
        boolean same = existing.isPresent() && Credentials.sameCurrent(existing.get(), e);
        Instant created = same ? existing.get().device().keyCreated().orElse(null) : clock.instant();
        return e.with(e.device().toBuilder().keyCreated(created).build());
    }

    // ---------------------------------------------------------------- key rollovers

    /**
     * Starts a key rollover: sets the device's next credential.
     *
     * @param nextIdentity the next PSK identity, or null
     * @param nextSecret its key, exactly when {@code nextIdentity} is set; copied
     * @param nextKey the next raw public key (DER SubjectPublicKeyInfo), or null
     * @param deadline when the next credential replaces the current one even if unused, or null
     * @return the device after the change
     * @throws IllegalArgumentException if there is no such device, a rollover is already under way,
     *     the next credential is invalid or belongs to another device, or the deadline has passed
     * @throws IllegalStateException if the registry is read-only
     */
    Device startRollover(String id, String nextIdentity, byte[] nextSecret, byte[] nextKey, Instant deadline) {
        synchronized (lock) {
            checkWritable();
            Draft draft = snapshot.draft();
            Entry before = draft.entry(id).orElseThrow(
                    () -> new IllegalArgumentException("no device '" + Validation.sanitize(id) + "'"));
            Device d = before.device();
            if (d.rolloverPending()) {
                throw new IllegalArgumentException("device '" + id + "' already has a key rollover under way (next "
                        + Credentials.describeNext(d) + "): promote or cancel it first");
            }
            if (deadline != null && !deadline.isAfter(clock.instant())) {
                throw new IllegalArgumentException("device '" + id + "': the rollover deadline " + deadline
                        + " is not in the future");
            }
            Device.Builder b = d.toBuilder();
            try {
                Validation.next(b, d.pskIdentity().orElse(null), before.secret(), nextIdentity, nextSecret,
                        d.publicKey().orElse(null), nextKey, deadline);
            } catch (InvalidEntryException e) {
                throw new IllegalArgumentException("device '" + id + "': " + e.getMessage());
            }
            Device after = b.build();
            Optional<String> conflict = draft.conflict(after);
            if (conflict.isPresent()) {
                throw new IllegalArgumentException("device '" + id + "': " + conflict.get());
            }
            draft.put(new Entry(after, before.secret(), nextSecret, before.retired()));
            commit(draft.build());
            LOG.info("Device '{}': key rollover started, next {}{}", id, Credentials.describeNext(after),
                    deadline == null ? " (no deadline)" : ", deadline " + deadline);
            listeners.deviceChanged(Optional.of(d), Optional.of(after));
            return after;
        }
    }

    /**
     * Drops the next credential of a device.
     *
     * @return whether there was one
     * @throws IllegalArgumentException if there is no such device
     * @throws IllegalStateException if the registry is read-only
     */
    boolean cancelRollover(String id) {
        synchronized (lock) {
            checkWritable();
            Draft draft = snapshot.draft();
            Entry before = draft.entry(id).orElseThrow(
                    () -> new IllegalArgumentException("no device '" + Validation.sanitize(id) + "'"));
            Device d = before.device();
            if (!d.rolloverPending()) {
                return false;
            }
            Device after = d.toBuilder().nextPskIdentity(null).nextPublicKey(null).rolloverDeadline(null).build();
            draft.put(new Entry(after, before.secret(), null, before.retired()));
            commit(draft.build());
            LOG.info("Device '{}': key rollover cancelled, next {} dropped", id, Credentials.describeNext(d));
            listeners.deviceChanged(Optional.of(d), Optional.of(after));
            return true;
        }
    }

    /**
     * Makes a device's next credential current and retires the old one.
     *
     * @return the device after the change (unchanged if no rollover is under way), or empty if
     *     there is no such device
     * @throws IllegalStateException if the registry is read-only
     * @throws UncheckedIOException if the registry cannot be saved; nothing changed then
     */
    Optional<Device> promote(String id, Promotion why) {
        synchronized (lock) {
            Draft draft = snapshot.draft();
            Optional<Entry> found = id == null ? Optional.empty() : draft.entry(id);
            if (found.isEmpty() || !found.get().device().rolloverPending()) {
                return found.map(Entry::device);
            }
            checkWritable();
            Entry before = found.get();
            Entry after = promoted(before, clock.instant());
            draft.put(after);
            commit(draft.build());
            logPromotion(before.device(), why);
            listeners.deviceChanged(Optional.of(before.device()), Optional.of(after.device()));
            return Optional.of(after.device());
        }
    }

    /**
     * Promotes the next credential of every device whose rollover deadline has passed, in one save.
     * A failure to save is logged once (until it changes) and tried again at the next sweep.
     *
     * @return how many devices were promoted
     */
    int promoteDue() {
        synchronized (lock) {
            if (readOnlyReason != null) {
                return 0;
            }
            List<Entry> due = snapshot.entries().stream().filter(e -> overdue(e.device(), clock.instant())).toList();
            if (due.isEmpty()) {
                return 0;
            }
            Instant now = clock.instant();
            Draft draft = snapshot.draft();
            List<Change> changes = new ArrayList<>();
            for (Entry before : due) {
                Entry after = promoted(before, now);
                draft.put(after);
                changes.add(new Change(Optional.of(before.device()), Optional.of(after.device())));
            }
            try {
                commit(draft.build());
                lastSweepFailure = null;
            } catch (UncheckedIOException e) {
                if (!e.getMessage().equals(lastSweepFailure)) {
                    lastSweepFailure = e.getMessage();
                    LOG.error("{} device(s) are past their rollover deadline but could not be promoted: {}. "
                            + "Their old credentials are refused meanwhile; tried again at the next check.",
                            due.size(), e.getMessage());
                }
                throw e;
            }
            for (Change c : changes) {
                logPromotion(c.before().orElseThrow(), Promotion.DEADLINE);
                listeners.deviceChanged(c.before(), c.after());
            }
            return changes.size();
        }
    }

    private void logPromotion(Device before, Promotion why) {
        LOG.info("Device '{}': key rollover done, its next {} is now current and {} is retired ({}{})",
                before.deviceId(), Credentials.describeNext(before), Credentials.describeRetired(before), why.why,
                why == Promotion.DEADLINE ? " " + before.rolloverDeadline().orElseThrow() : "");
    }

    /** @return the entry after its next credential became current: new keyCreated, old credential retired */
    static Entry promoted(Entry e, Instant now) {
        Device d = e.device();
        Device.Builder b = d.toBuilder().nextPskIdentity(null).nextPublicKey(null).rolloverDeadline(null)
                .keyCreated(now);
        byte[] secret = e.secret();
        List<String> retiring = new ArrayList<>(2);
        if (d.nextPskIdentity().isPresent()) {
            if (d.pskIdentity().isPresent() && e.secret() != null) {
                retiring.add(Credentials.psk(d.pskIdentity().get(), e.secret()));
            }
            b.pskIdentity(d.nextPskIdentity().get());
            secret = e.nextSecret();
        }
        if (d.nextPublicKey().isPresent()) {
            d.publicKey().ifPresent(k -> retiring.add(Credentials.rpk(k)));
            b.publicKey(d.nextPublicKey().get());
        }
        return new Entry(b.build(), secret, null, Credentials.retire(e.retired(), retiring));
    }

    // ---------------------------------------------------------------- lookups that know of deadlines

    /**
     * @return the device that owns this current or next PSK identity; after the device's rollover
     *         deadline, its old (current) identity is no longer accepted
     */
    Optional<Device> byPskIdentity(String identity) {
        Entry e = snapshot.entryByPskIdentity(identity);
        return e == null || retiredByDeadline(e.device(), identity) ? Optional.empty() : Optional.of(e.device());
    }

    /** @return a copy of the key of a current or next PSK identity of an enabled device; see {@link #byPskIdentity} */
    Optional<byte[]> pskSecret(String identity) {
        Snapshot s = snapshot;
        Entry e = s.entryByPskIdentity(identity);
        return e == null || retiredByDeadline(e.device(), identity) ? Optional.empty() : s.pskSecret(identity);
    }

    /** @return the device that owns this current or next key; after the deadline, not by its old key */
    Optional<Device> byPublicKey(byte[] spki) {
        Entry e = snapshot.entryByPublicKey(spki);
        if (e == null) {
            return Optional.empty();
        }
        Device d = e.device();
        boolean next = d.nextPublicKey().map(k -> java.util.Arrays.equals(k, spki)).orElse(false);
        return !next && d.nextPublicKey().isPresent() && overdue(d) ? Optional.empty() : Optional.of(d);
    }

    private boolean retiredByDeadline(Device d, String identity) {
        boolean next = d.nextPskIdentity().map(identity::equals).orElse(false);
        return !next && d.nextPskIdentity().isPresent() && overdue(d);
    }

    /** @return whether the device's rollover deadline has passed; if so, asks for a sweep */
    private boolean overdue(Device d) {
        if (d.rolloverDeadline().isEmpty() || !overdue(d, clock.instant())) {
            return false;
        }
        overdueHook.run();
        return true;
    }

    private static boolean overdue(Device d, Instant now) {
        return d.rolloverDeadline().map(t -> !now.isBefore(t)).orElse(false);
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

    /** @return the public description of a device's credentials and state, for logs; never a secret */
    private static String describe(Device d) {
        List<String> parts = new ArrayList<>();
        parts.add(describeCredentials(d));
        if (d.rolloverPending()) {
            parts.add("rollover to " + Credentials.describeNext(d)
                    + d.rolloverDeadline().map(t -> " by " + t).orElse(""));
        }
        return String.join(", ", parts) + (d.enabled() ? "" : ", disabled");
    }

    /** @return the public description of a device's current credentials; never a secret */
    static String describeCredentials(Device d) {
        List<String> parts = new ArrayList<>();
        d.pskIdentity().ifPresent(i -> parts.add("PSK identity '" + i + "'"));
        d.publicKey().ifPresent(k -> parts.add("raw public key"));
        d.certificateSubject().ifPresent(s -> parts.add("X.509 subject '" + s + "'"
                + d.certificateIssuer().map(i -> " from issuer '" + i + "'").orElse("")
                + (d.certificateSha256().isPresent() || d.certificateSpkiSha256().isPresent() ? ", pinned" : "")));
        d.edhocCredential().ifPresent(c -> parts.add(Credentials.describeEdhoc(c)));
        return String.join(", ", parts);
    }
}
