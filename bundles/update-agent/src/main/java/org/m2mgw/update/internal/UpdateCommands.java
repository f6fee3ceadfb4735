package org.m2mgw.update.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Shell commands: installed packages, the update history, local installs and uninstalls. */
@Component(service = UpdateCommands.class, property = {"osgi.command.scope=m2mgw",
    "osgi.command.function=packages", "osgi.command.function=updates",
    "osgi.command.function=updateinstall", "osgi.command.function=updateuninstall"})
public class UpdateCommands {
    @Reference
    private UpdateAgent agent;

    /** Lists installed packages with their committed version, version floor and bundles. */
    public String packages() throws IOException {
        UpdateEngine e = engine();
        StringBuilder b = new StringBuilder();
        List<Installer.InstalledPackage> installed = e.installer().packages();
        Map<String, PackageState.Committed> committed = e.state().allCommitted();
        if (installed.isEmpty()) {
            b.append("no package installed by the update agent: the distro's own bundles run\n");
        }
        List<Journal.Entry> journal = e.journal().entries();
        for (Installer.InstalledPackage p : installed) {
            String signers = journal.stream().filter(x -> x.step() == Journal.Step.VERIFIED
                    && x.pkg().equals(p.name()) && x.version().equals(p.version())).reduce((a, z) -> z)
                    .map(Journal.Entry::detail).orElse("signers unknown");
            b.append(p.name()).append(' ').append(p.version())
                    .append(committed.containsKey(p.name()) ? " committed" : " (not committed)")
                    .append(", floor ").append(e.state().floor(p.name()).map(Object::toString).orElse("-"))
                    .append(", ").append(signers).append('\n');
            for (String[] bundle : p.bundles()) {
                b.append("  ").append(bundle[0]).append(' ').append(bundle[1]).append(' ').append(bundle[2]).append('\n');
            }
        }
        return b.toString();
    }

    /** The update history from the journal, newest last. */
    public String updates() throws IOException {
        StringBuilder b = new StringBuilder();
        for (Journal.Entry x : engine().journal().entries()) {
            b.append(x.time()).append("  job ").append(x.job()).append("  ").append(x.pkg()).append(' ')
                    .append(x.version()).append("  ").append(x.step())
                    .append(x.detail().isEmpty() ? "" : "  " + x.detail()).append('\n');
        }
        return b.length() == 0 ? "no updates yet\n" : b.toString();
    }

    /** Installs a package file with its signature document (default FILE.sig). */
    public String updateinstall(String file) throws Exception {
        return install(Path.of(file), Path.of(file + ".sig"), null);
    }

    /** Installs a package file with its signature document and, for a downgrade, a rollback permission. */
    public String updateinstall(String file, String signature, String rollbackPermission) throws Exception {
        return install(Path.of(file), Path.of(signature),
                rollbackPermission.isBlank() ? null : Path.of(rollbackPermission));
    }

    private String install(Path file, Path sig, Path rollback) throws Exception {
        UpdateEngine e = engine();
        if (!Files.isRegularFile(file)) {
            return "no such file: " + file;
        }
        byte[] signature = Files.isRegularFile(sig) ? Files.readAllBytes(sig) : null;
        byte[] permission = rollback == null ? null : Files.readAllBytes(rollback);
        AtomicReference<String> out = new AtomicReference<>();
        Future<?> f = agent.submit(() -> {
            try {
                Job job = e.newJob(-1, null, null, null);
                DpManifest m = e.install(job, file, signature, permission, Progress.NONE);
                out.set("installed and committed " + m.name() + " " + m.version() + " (job " + job.seq() + ")");
            } catch (PackageException x) {
                out.set("refused: " + x.getMessage());
            } catch (IOException x) {
                out.set("failed: " + x.getMessage());
            }
        });
        return await(f, out);
    }

    /** Uninstalls a package; the distro's own bundles run again. */
    public String updateuninstall(String name) throws Exception {
        UpdateEngine e = engine();
        AtomicReference<String> out = new AtomicReference<>();
        Future<?> f = agent.submit(() -> {
            try {
                Job job = e.newJob(-1, null, name, e.installer().installedVersion(name).orElse(""));
                e.uninstall(job, Progress.NONE);
                out.set("uninstalled " + name + "; the distro's bundles run again");
            } catch (PackageException | IOException x) {
                out.set("refused: " + x.getMessage());
            }
        });
        return await(f, out);
    }

    private static String await(Future<?> f, AtomicReference<String> out) throws InterruptedException {
        try {
            f.get();
        } catch (ExecutionException x) {
            return "failed: " + x.getCause();
        }
        return out.get();
    }

    private UpdateEngine engine() {
        UpdateEngine e = agent.engine();
        if (e == null) {
            throw new IllegalStateException("the update agent did not start: " + agent.statusLine());
        }
        return e;
    }
}
