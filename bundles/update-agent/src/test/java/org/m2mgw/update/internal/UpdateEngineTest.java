package org.m2mgw.update.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.api.trust.SigningKey;
import org.m2mgw.api.trust.SigningTrust;
import org.m2mgw.api.trust.Verification;
import org.osgi.framework.Version;

/**
 * The pipeline's decisions with a recording installer: what is refused never reaches it, an
 * unhealthy package is replaced by the kept previous one, and a restart ends interrupted jobs on
 * the committed version. Real signatures, Deployment Admin and restarts are in RemoteUpdateIT.
 */
class UpdateEngineTest {
    @TempDir
    Path dir;
    private FakeInstaller installer;
    private UpdateEngine engine;
    private PackageState state;

    @BeforeEach
    void setUp() throws IOException {
        installer = new FakeInstaller();
        engine = newEngine();
    }

    private UpdateEngine newEngine() throws IOException {
        Path root = dir.resolve("updates");
        state = new PackageState(root.resolve("state.properties"), dir.resolve("floor"));
        return new UpdateEngine(new Journal(root.resolve("journal.log")), state, new KeptPackages(root),
                new Verifier(FakeTrust::new), installer, () -> 1000);
    }

    @Test
    void givenUnsignedPackage_whenInstalled_thenRefusedBeforeTheInstaller() throws Exception {
        Path dp = dp("feature", "1.0.0");
        Job job = engine.newJob(-1, null, null, null);
        assertThatThrownBy(() -> engine.install(job, dp, null, null, Progress.NONE))
                .hasMessageContaining("not signed");
        assertThatThrownBy(() -> engine.install(engine.newJob(-1, null, null, null), dp, "ok:package:00".getBytes(),
                null, Progress.NONE)).hasMessageContaining("signature refused");
        assertThat(installer.calls).isEmpty();
        assertThat(engine.journal().entries()).extracting(Journal.Entry::step).contains(Journal.Step.FAILED)
                .doesNotContain(Journal.Step.INSTALLING);
    }

    @Test
    void givenCommittedVersion_whenLowerVersionArrives_thenRefusedUnlessASignedRollbackPermissionNamesIt()
            throws Exception {
        install("feature", "2.0.0");
        Path older = dp("feature", "1.5.0");
        assertThatThrownBy(() -> engine.install(engine.newJob(-1, null, null, null), older, sig(older), null,
                Progress.NONE)).isInstanceOf(PackageException.class).hasMessageContaining("not higher than 2.0.0");
        byte[] wrongPermission = permission("feature", "1.4.0");
        assertThatThrownBy(() -> engine.install(engine.newJob(-1, null, null, null), older, sig(older),
                wrongPermission, Progress.NONE)).hasMessageContaining("rollback permission is refused");
        engine.install(engine.newJob(-1, null, null, null), older, sig(older), permission("feature", "1.5.0"),
                Progress.NONE);
        assertThat(state.committed("feature").orElseThrow().version()).isEqualTo(Version.parseVersion("1.5.0"));
        assertThat(state.floor("feature")).contains(Version.parseVersion("2.0.0"));
    }

    @Test
    void givenRemoteUninstall_whenNoSignedPermissionForTheDistroVersion_thenRefused() throws Exception {
        assertThatThrownBy(() -> engine.permitUninstall("feature", null))
                .hasMessageContaining("a signed rollback permission for feature distro is required");
        assertThatThrownBy(() -> engine.permitUninstall("feature", permission("feature", "1.0.0")))
                .hasMessageContaining("rollback permission is refused");
        engine.permitUninstall("feature", permission("feature", "distro"));
    }

    @Test
    void givenFloorOutsideData_whenDataDirectoryIsReinstalled_thenTheFloorStillHolds() throws Exception {
        install("feature", "2.0.0");
        Path root = dir.resolve("updates");
        Files.walk(root).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        engine = newEngine();
        Path older = dp("feature", "1.0.0");
        assertThatThrownBy(() -> engine.install(engine.newJob(-1, null, null, null), older, sig(older), null,
                Progress.NONE)).hasMessageContaining("not higher than 2.0.0");
    }

    @Test
    void givenUnhealthyPackage_whenInstalled_thenThePreviousKeptVersionIsInstalledAgain() throws Exception {
        install("feature", "1.0.0");
        installer.sick = "bundle x is not resolved";
        Path v2 = dp("feature", "2.0.0");
        List<String> notes = new ArrayList<>();
        assertThatThrownBy(() -> engine.install(engine.newJob(-1, null, null, null), v2, sig(v2), null,
                recording(notes))).hasMessageContaining("rolled back to 1.0.0");
        assertThat(installer.installed).containsEntry("feature", "1.0.0");
        assertThat(installer.calls).containsSubsequence("install feature 2.0.0", "install feature 1.0.0");
        assertThat(state.committed("feature").orElseThrow().version().toString()).isEqualTo("1.0.0");
        assertThat(notes).last().asString().contains("FAILED").contains("bundle x is not resolved");
    }

    @Test
    void givenFirstPackageUnhealthy_whenRolledBack_thenTheDistroBundlesComeBack() throws Exception {
        installer.sick = "component c failed to activate";
        Path v1 = dp("feature", "1.0.0");
        assertThatThrownBy(() -> engine.install(engine.newJob(-1, null, null, null), v1, sig(v1), null,
                Progress.NONE)).hasMessageContaining("rolled back to the distro's bundles");
        assertThat(installer.calls).containsSubsequence("install feature 1.0.0", "uninstall feature");
        assertThat(state.committed("feature")).isEmpty();
    }

    @Test
    void givenRestartDuringInstall_whenRecovered_thenCommittedVersionRunsAndTheJobIsRolledBackOnce()
            throws Exception {
        install("feature", "1.0.0");
        Job job = engine.newJob(9, "cloud", "feature", "2.0.0");
        engine.journal().write(job.seq(), "feature", "2.0.0", Journal.Step.INSTALLING, "from 1.0.0");
        engine.journal().close();
        // A new process: the framework storage was rebuilt, nothing is installed.
        installer = new FakeInstaller();
        engine = newEngine();
        engine.recover();
        assertThat(installer.installed).containsEntry("feature", "1.0.0");
        List<List<Journal.Entry>> unreported = engine.unreported();
        assertThat(unreported).hasSize(1);
        Journal.Entry end = unreported.get(0).get(unreported.get(0).size() - 1);
        assertThat(end.step()).isEqualTo(Journal.Step.ROLLED_BACK);
        assertThat(end.detail()).contains("interrupted by a restart while installing").contains("running 1.0.0");
        assertThat(Job.of(unreported.get(0).get(0))).extracting(Job::requester, Job::cloudJobId).containsExactly("cloud", 9L);
        engine.reported(job.seq(), "feature", "2.0.0");
        engine.recover();
        assertThat(engine.unreported()).isEmpty();
    }

    @Test
    void givenTornLastLine_whenJournalRead_thenItIsIgnored() throws Exception {
        Job job = engine.newJob(-1, null, "f", "1");
        Files.writeString(dir.resolve("updates/journal.log"), "2026-11-30T00:00:00Z\t" + job.seq() + "\tf\t1\tINSTA",
                java.nio.file.StandardOpenOption.APPEND);
        assertThat(engine.journal().entries()).hasSize(1);
    }

    // ----------------------------------------------------------------- helpers

    private void install(String name, String version) throws Exception {
        Path p = dp(name, version);
        engine.install(engine.newJob(-1, null, null, null), p, sig(p), null, Progress.NONE);
    }

    private Path dp(String name, String version) throws IOException {
        return packageFile(dir, name, version);
    }

    /** A small deployment package with one (fake) bundle, written to {@code dir}. */
    static Path packageFile(Path dir, String name, String version) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().putValue("Manifest-Version", "1.0");
        m.getMainAttributes().putValue("DeploymentPackage-SymbolicName", name);
        m.getMainAttributes().putValue("DeploymentPackage-Version", version);
        java.util.jar.Attributes b = new java.util.jar.Attributes();
        b.putValue("Bundle-SymbolicName", "org.example." + name);
        b.putValue("Bundle-Version", "1.0.0");
        m.getEntries().put("bundle.jar", b);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.putNextEntry(new JarEntry("bundle.jar"));
            jar.write(version.getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        Path p = dir.resolve(name + "-" + version + ".dp");
        Files.write(p, out.toByteArray());
        return p;
    }

    private static byte[] sig(Path p) throws IOException {
        return ("ok:package:" + HexFormat.of().formatHex(UpdateEngine.sha256(p))).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] permission(String name, String version) {
        return ("ok:rollback:" + HexFormat.of().formatHex(Verifier.sha256(SigningTrust.rollbackPermission(name,
                version)))).getBytes(StandardCharsets.UTF_8);
    }

    private static Progress recording(List<String> notes) {
        return new Progress() {
            @Override
            public void download(Job job, long bytes, long total, int percent, String status, String error) {
            }

            @Override
            public void install(Job job, int percent, String status, String error) {
                notes.add(status + " " + error);
            }

            @Override
            public void uninstall(Job job, int percent, String status, String error) {
            }
        };
    }

    /** Accepts exactly "ok:PURPOSE:SHA256HEX". */
    static final class FakeTrust implements SigningTrust {
        @Override
        public Verification verify(String purpose, byte[] sha256, byte[] doc) {
            String expected = "ok:" + purpose + ":" + HexFormat.of().formatHex(sha256);
            return expected.equals(new String(doc, StandardCharsets.UTF_8))
                    ? new Verification(true, "signed", List.of("k1", "k2"))
                    : Verification.refused("not signed by a trusted key");
        }

        @Override
        public List<SigningKey> keys() {
            return List.of();
        }
    }

    /** Records calls; a package is installed unless told otherwise; health as set. */
    static final class FakeInstaller implements Installer {
        final List<String> calls = new ArrayList<>();
        final Map<String, String> installed = new HashMap<>();
        String sick;

        @Override
        public void install(Path dp, DpManifest m) {
            calls.add("install " + m.name() + " " + m.version());
            installed.put(m.name(), m.version().toString());
        }

        @Override
        public void uninstall(String name) {
            calls.add("uninstall " + name);
            installed.remove(name);
        }

        @Override
        public Optional<String> installedVersion(String name) {
            return Optional.ofNullable(installed.get(name));
        }

        @Override
        public Optional<Version> bundleVersion(String symbolicName) {
            return Optional.empty();
        }

        @Override
        public Health.Baseline baseline() {
            return Health.Baseline.none();
        }

        @Override
        public Optional<String> unhealthy(DpManifest m, Health.Baseline before, long timeoutMs) {
            String s = sick;
            sick = null;
            return Optional.ofNullable(s);
        }

        @Override
        public List<InstalledPackage> packages() {
            return List.of();
        }

        @Override
        public List<String[]> bundles() {
            return List.of();
        }

        @Override
        public void startStop(long bundleId, boolean start) {
        }
    }
}
