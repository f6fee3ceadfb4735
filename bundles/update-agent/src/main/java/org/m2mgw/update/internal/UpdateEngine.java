package org.m2mgw.update.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.m2mgw.update.internal.Journal.Step;
import org.osgi.framework.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The update pipeline, one job at a time: verify (signature, name, version floor) before anything
 * is installed, keep a copy, install through the {@link Installer}, wait for the gateway to be
 * healthy, then commit; an unhealthy package is rolled back to the kept previous version (or to the
 * distro's own bundles). Every step is journalled and fsynced before it takes effect, so that
 * {@link #recover} can finish or undo whatever a restart interrupted.
 */
final class UpdateEngine {
    private static final Logger LOG = LoggerFactory.getLogger(UpdateEngine.class);

    private final Journal journal;
    private final PackageState state;
    private final KeptPackages kept;
    private final Verifier verifier;
    private final Installer installer;
    private final java.util.function.LongSupplier healthTimeoutMs;
    private final AtomicLong nextJob;
    private final LongAdder committed = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder rolledBack = new LongAdder();
    private volatile String current = "idle";

    UpdateEngine(Journal journal, PackageState state, KeptPackages kept, Verifier verifier, Installer installer,
            java.util.function.LongSupplier healthTimeoutMs) throws IOException {
        this.journal = journal;
        this.state = state;
        this.kept = kept;
        this.verifier = verifier;
        this.installer = installer;
        this.healthTimeoutMs = healthTimeoutMs;
        this.nextJob = new AtomicLong(journal.lastJob() + 1);
    }

    /** @return a new job, journalled as REQUESTED */
    Job newJob(long cloudJobId, String requester, String name, String version) throws IOException {
        Job j = new Job(nextJob.getAndIncrement(), cloudJobId, requester, name == null ? "" : name,
                version == null ? "" : version);
        journal.write(j.seq(), j.name(), j.version(), Step.REQUESTED, j.origin());
        return j;
    }

    /** Records that a download finished or failed. */
    void downloaded(Job job, Path file, String detail) throws IOException {
        journal.write(job.seq(), job.name(), job.version(), Step.DOWNLOADED, detail + " " + file.getFileName());
    }

    /** Ends a job whose package is installed already (a repeated request): not a refusal. */
    void alreadyDone(Job job) {
        try {
            journal.write(job.seq(), job.name(), job.version(), Step.FAILED, "ALREADY DONE: installed");
        } catch (IOException io) {
            LOG.error("Update journal: cannot record job {}: {}", job.seq(), io.getMessage());
        }
        LOG.info("Update job {}: {} {} is installed already", job.seq(), job.name(), job.version());
    }

    /** Ends a job that failed before installing anything. */
    void failed(Job job, PackageException e) {
        refused.increment();
        try {
            journal.write(job.seq(), job.name(), job.version(), Step.FAILED, e.kind() + ": " + e.getMessage());
        } catch (IOException io) {
            LOG.error("Update journal: cannot record job {}: {}", job.seq(), io.getMessage());
        }
        LOG.warn("Update job {} ({} {}) refused: {}", job.seq(), job.name(), job.version(), e.getMessage());
    }

    /**
     * Verifies and installs a package file; returns when it is committed or rolled back.
     *
     * @return the committed manifest
     * @throws PackageException when refused, or when it failed and was rolled back (the reason says so)
     */
    synchronized DpManifest install(Job job, Path file, byte[] signature, byte[] rollbackPermission, Progress p)
            throws PackageException {
        current = "job " + job.seq() + ": verifying";
        try {
            Verified v = verifyAndKeep(job, file, signature, rollbackPermission, p);
            if (v.alreadyDone()) {
                return v.manifest();
            }
            try {
                return installVerified(v.job(), v.manifest(), v.copy(), v.sha256(), p);
            } catch (IOException e) {
                // The journal or the state file cannot be written: stop here, the restart recovers.
                LOG.error("Update job {}: {}", job.seq(), e.toString());
                p.install(job, 100, Progress.FAILED, "I/O: " + e.getMessage());
                throw new PackageException(PackageException.Kind.INSTALL, "I/O: " + e.getMessage(), e);
            }
        } finally {
            current = "idle";
        }
    }

    /** A verified package, kept; {@code alreadyDone}: it is installed at this version already. */
    record Verified(Job job, DpManifest manifest, Path copy, String sha256, boolean alreadyDone) {
    }

    private Verified verifyAndKeep(Job job, Path file, byte[] signature, byte[] rollbackPermission, Progress p)
            throws PackageException {
        try {
            byte[] sha = sha256(file);
            Verifier.Verified v = verifier.verify(new Verifier.PackageFile(file, sha, signature), job.name(),
                    job.version(), rollbackPermission, state, installer::bundleVersion);
            DpManifest m = v.manifest();
            job = job.named(m.name(), m.version().toString());
            String version = m.version().toString();
            if (installer.installedVersion(m.name()).filter(version::equals).isPresent()) {
                alreadyDone(job);
                p.install(job, 100, Progress.ALREADY_DONE, null);
                return new Verified(job, m, file, "", true);
            }
            journal.write(job.seq(), m.name(), version, Step.VERIFIED, "signed by "
                    + String.join(",", v.signers()) + (v.rollbackPermitted() ? "; rollback permitted" : ""));
            Path copy = kept.keep(m.name(), m.version(), file, signature);
            return new Verified(job, m, copy, HexFormat.of().formatHex(sha), false);
        } catch (PackageException | IOException e) {
            Job ended = job;
            throw ended(ended, e, reason -> p.install(ended, 100, Progress.FAILED, reason));
        }
    }

    /** Journals and notifies the end of a job that failed; @return the failure as a PackageException */
    private PackageException ended(Job job, Exception e, java.util.function.Consumer<String> notify) {
        PackageException pe = e instanceof PackageException x ? x
                : new PackageException(PackageException.Kind.INSTALL, "I/O: " + e.getMessage(), e);
        failed(job, pe);
        notify.accept(pe.getMessage());
        return pe;
    }

    /** A package someone else installs (Kura's DEPLOY-V2 handler), checked and health-checked by us. */
    record External(Verified verified, Optional<PackageState.Committed> previous, Optional<String> installedBefore,
            Health.Baseline before) {
    }

    /**
     * Verifies a package that another handler will install, and records what runs now, for
     * {@link #installedByOthers}.
     *
     * @return null when the package is installed already
     */
    synchronized External beforeOthersInstall(Job job, Path file, byte[] signature, byte[] rollbackPermission)
            throws PackageException {
        Verified v = verifyAndKeep(job, file, signature, rollbackPermission, Progress.NONE);
        if (v.alreadyDone()) {
            return null;
        }
        Optional<PackageState.Committed> previous = state.committed(v.manifest().name());
        try {
            journal.write(v.job().seq(), v.manifest().name(), v.manifest().version().toString(), Step.INSTALLING,
                    "by another handler, from " + previous.map(c -> c.version().toString()).orElse("the installed"));
        } catch (IOException e) {
            throw new PackageException(PackageException.Kind.INSTALL, "I/O: " + e.getMessage(), e);
        }
        return new External(v, previous, installer.installedVersion(v.manifest().name()), installer.baseline());
    }

    /** After another handler installed a package: health check, then commit or roll back. */
    synchronized DpManifest installedByOthers(External x) throws PackageException {
        Verified v = x.verified();
        try {
            journal.write(v.job().seq(), v.manifest().name(), v.manifest().version().toString(), Step.INSTALLED, "");
            // A version installed before without our checks has no kept copy: it cannot be put back.
            boolean canRollBack = x.previous().isPresent() || x.installedBefore().isEmpty();
            return checkAndCommit(v.job(), v.manifest(), x.previous(), v.sha256(), x.before(), Progress.NONE,
                    canRollBack);
        } catch (IOException e) {
            throw new PackageException(PackageException.Kind.INSTALL, "I/O: " + e.getMessage(), e);
        }
    }

    private DpManifest installVerified(Job job, DpManifest m, Path copy, String sha, Progress p)
            throws PackageException, IOException {
        Optional<PackageState.Committed> previous = state.committed(m.name());
        String from = previous.map(c -> c.version().toString()).orElse("distro");
        Health.Baseline before = installer.baseline();
        journal.write(job.seq(), m.name(), m.version().toString(), Step.INSTALLING, "from " + from);
        current = "job " + job.seq() + ": installing " + m.name() + " " + m.version();
        LOG.info("Update job {}: installing {} {} (now {})", job.seq(), m.name(), m.version(), from);
        p.install(job, 10, Progress.IN_PROGRESS, null);
        try {
            installer.install(copy, m);
        } catch (PackageException e) {
            // Deployment Admin undid its part and the distro's bundles are back: nothing changed.
            refused.increment();
            journal.write(job.seq(), m.name(), m.version().toString(), Step.FAILED, e.getMessage());
            LOG.warn("Update job {}: {} {} not installed: {}", job.seq(), m.name(), m.version(), e.getMessage());
            p.install(job, 100, Progress.FAILED, e.getMessage());
            throw e;
        }
        journal.write(job.seq(), m.name(), m.version().toString(), Step.INSTALLED, "");
        p.install(job, 50, Progress.IN_PROGRESS, null);
        return checkAndCommit(job, m, previous, sha, before, p, true);
    }

    private DpManifest checkAndCommit(Job job, DpManifest m, Optional<PackageState.Committed> previous, String sha,
            Health.Baseline before, Progress p, boolean canRollBack) throws PackageException, IOException {
        current = "job " + job.seq() + ": health check of " + m.name() + " " + m.version();
        Optional<String> sick;
        try {
            sick = installer.unhealthy(m, before, healthTimeoutMs.getAsLong());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sick = Optional.of("the health check was interrupted");
        }
        if (sick.isPresent() && !canRollBack) {
            String reason = "unhealthy: " + sick.get() + "; left installed: the version before it was not installed "
                    + "through these checks, so no copy of it is kept";
            journal.write(job.seq(), m.name(), m.version().toString(), Step.FAILED, reason);
            LOG.error("Update job {}: {} {} {}", job.seq(), m.name(), m.version(), reason);
            throw new PackageException(PackageException.Kind.HEALTH, reason);
        }
        if (sick.isPresent()) {
            String back = rollBack(m.name(), previous);
            String reason = "unhealthy: " + sick.get() + "; rolled back to " + back;
            rolledBack.increment();
            journal.write(job.seq(), m.name(), m.version().toString(), Step.ROLLED_BACK, reason);
            LOG.error("Update job {}: {} {} {}", job.seq(), m.name(), m.version(), reason);
            p.install(job, 100, Progress.FAILED, reason);
            throw new PackageException(PackageException.Kind.HEALTH, reason);
        }
        journal.write(job.seq(), m.name(), m.version().toString(), Step.HEALTHY, "");
        state.commit(m.name(), m.version(), sha);
        journal.write(job.seq(), m.name(), m.version().toString(), Step.COMMITTED,
                "from " + previous.map(c -> c.version().toString()).orElse("distro"));
        committed.increment();
        kept.prune(m.name(), previous.isPresent() ? Set.of(m.version(), previous.get().version()) : Set.of(m.version()));
        LOG.info("Update job {}: {} {} installed, healthy and committed", job.seq(), m.name(), m.version());
        p.install(job, 100, Progress.COMPLETED, null);
        return m;
    }

    /** Goes back to the previous committed version, or to the distro's bundles; @return which */
    private String rollBack(String name, Optional<PackageState.Committed> previous) {
        try {
            if (previous.isPresent()) {
                Optional<Path> copy = kept.kept(name, previous.get().version());
                if (copy.isPresent()) {
                    installer.install(copy.get(), DpManifest.read(copy.get()));
                    return previous.get().version().toString();
                }
                LOG.error("Update: no kept copy of {} {}; going back to the distro's bundles", name,
                        previous.get().version());
            }
            if (installer.installedVersion(name).isPresent()) {
                installer.uninstall(name);
            }
            state.uncommit(name);
            return "the distro's bundles";
        } catch (PackageException | IOException e) {
            LOG.error("Update: rollback of {} failed: {}", name, e.getMessage());
            return "nothing: the rollback failed (" + e.getMessage() + ")";
        }
    }

    /**
     * A remote uninstall brings the distro's own, older bundles back: it needs a signed rollback
     * permission for the package and the version {@code distro}.
     */
    void permitUninstall(String name, byte[] permission) throws PackageException {
        verifier.permit(name, "distro", permission);
    }

    /** Uninstalls a package the agent installed; the distro's bundles come back. */
    synchronized void uninstall(Job job, Progress p) throws PackageException {
        try {
            p.uninstall(job, 10, Progress.IN_PROGRESS, null);
            if (installer.installedVersion(job.name()).isEmpty()) {
                throw new PackageException(PackageException.Kind.NOT_FOUND, "no package '" + job.name() + "' is installed");
            }
            installer.uninstall(job.name());
            state.uncommit(job.name());
            journal.write(job.seq(), job.name(), job.version(), Step.UNINSTALLED, "");
            p.uninstall(job, 100, Progress.COMPLETED, null);
        } catch (PackageException | IOException e) {
            throw ended(job, e, reason -> p.uninstall(job, 100, Progress.FAILED, reason));
        }
    }

    /**
     * At start: re-applies each committed package the framework does not run (the distro rebuilds
     * its framework storage at every start), then ends each job a restart interrupted: a package
     * that is installed at the job's version is health-checked and committed or rolled back; any
     * other interrupted job ends on the version that was committed before it.
     */
    synchronized void recover() throws IOException {
        for (PackageState.Committed c : state.allCommitted().values()) {
            if (installer.installedVersion(c.name()).filter(v -> v.equals(c.version().toString())).isPresent()) {
                continue;
            }
            Optional<Path> copy = kept.kept(c.name(), c.version());
            try {
                if (copy.isEmpty()) {
                    throw new PackageException(PackageException.Kind.INSTALL, "the kept copy is missing");
                }
                if (!HexFormat.of().formatHex(sha256(copy.get())).equals(c.sha256())) {
                    throw new PackageException(PackageException.Kind.SIGNATURE,
                            "the kept copy does not match the committed SHA-256");
                }
                installer.install(copy.get(), DpManifest.read(copy.get()));
                LOG.info("Update: {} {} runs again (committed before the restart)", c.name(), c.version());
            } catch (PackageException e) {
                LOG.error("Update: committed package {} {} cannot be applied at start: {}; the distro's bundles run",
                        c.name(), c.version(), e.getMessage());
            }
        }
        for (List<Journal.Entry> steps : journal.unfinished()) {
            Journal.Entry last = steps.get(steps.size() - 1);
            Job job = Job.of(steps.get(0)).named(last.pkg(), last.version());
            boolean began = last.step().ordinal() >= Step.INSTALLING.ordinal();
            boolean running = !last.pkg().isEmpty()
                    && installer.installedVersion(last.pkg()).filter(v -> v.equals(last.version())).isPresent();
            if (began && running && state.committed(last.pkg()).map(c -> !c.version().toString()
                    .equals(last.version())).orElse(true)) {
                // The agent restarted, the framework did not: finish the health check.
                LOG.info("Update job {}: resuming the health check of {} {} after a restart of the agent",
                        job.seq(), last.pkg(), last.version());
                try {
                    Path copy = kept.kept(last.pkg(), Version.parseVersion(last.version())).orElseThrow();
                    DpManifest m = DpManifest.read(copy);
                    Optional<PackageState.Committed> previous = state.committed(m.name());
                    checkAndCommit(job, m, previous, HexFormat.of().formatHex(sha256(copy)),
                            Health.Baseline.none(), Progress.NONE, true);
                } catch (PackageException | RuntimeException e) {
                    LOG.warn("Update job {}: {}", job.seq(), e.getMessage());
                }
                continue;
            }
            String now = state.committed(last.pkg()).map(c -> c.version().toString()).orElse("the distro's bundles");
            if (began) {
                rolledBack.increment();
                journal.write(job.seq(), last.pkg(), last.version(), Step.ROLLED_BACK,
                        "interrupted by a restart while " + last.step().name().toLowerCase() + "; running " + now);
            } else {
                journal.write(job.seq(), last.pkg(), last.version(), Step.FAILED,
                        "interrupted by a restart after " + last.step().name().toLowerCase()
                                + "; nothing was installed; running " + now);
            }
            LOG.warn("Update job {} ({} {}) was interrupted by a restart at {}; running {}", job.seq(), last.pkg(),
                    last.version(), last.step(), now);
        }
    }

    /** @return jobs that ended without their outcome reaching the cloud, with their last line */
    List<List<Journal.Entry>> unreported() throws IOException {
        return journal.unreported();
    }

    void reported(long seq, String pkg, String version) throws IOException {
        journal.write(seq, pkg, version, Step.REPORTED, "");
    }

    Journal journal() {
        return journal;
    }

    PackageState state() {
        return state;
    }

    Installer installer() {
        return installer;
    }

    String current() {
        return current;
    }

    long[] counts() {
        return new long[] {committed.sum(), refused.sum(), rolledBack.sum()};
    }

    static byte[] sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[65536];
                for (int n; (n = in.read(buf)) > 0;) {
                    md.update(buf, 0, n);
                }
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
