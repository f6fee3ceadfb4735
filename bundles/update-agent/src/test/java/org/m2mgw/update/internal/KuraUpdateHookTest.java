package org.m2mgw.update.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.eclipse.kura.KuraErrorCode;
import org.eclipse.kura.KuraException;
import org.eclipse.kura.deployment.hook.RequestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook Kura's DEPLOY-V2 handler calls: it aborts Kura's request for an unsigned or downgraded
 * package (before Kura installs it) and rolls an unhealthy one back after Kura installed it. Kura
 * itself is played by the test: it "installs" through the same recording installer.
 */
class KuraUpdateHookTest {
    @TempDir
    Path dir;
    private UpdateEngineTest.FakeInstaller installer;
    private KuraUpdateHook hook;
    private UpdateEngine engine;

    @BeforeEach
    void setUp() throws IOException {
        installer = new UpdateEngineTest.FakeInstaller();
        Path root = dir.resolve("updates");
        engine = new UpdateEngine(new Journal(root.resolve("journal.log")),
                new PackageState(root.resolve("state.properties"), dir.resolve("floor")), new KeptPackages(root),
                new Verifier(UpdateEngineTest.FakeTrust::new), installer, () -> 1000);
        UpdateConfig defaults = (UpdateConfig) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {UpdateConfig.class}, (p, m, a) -> m.getDefaultValue());
        UpdateAgent agent = new UpdateAgent() {
            @Override
            UpdateEngine engine() {
                return engine;
            }

            @Override
            UpdateConfig config() {
                return defaults;
            }

            @Override
            Path root() {
                return root;
            }
        };
        hook = new KuraUpdateHook(agent);
    }

    @Test
    void givenUnsignedPackage_whenKuraDownloadedIt_thenTheRequestIsAbortedBeforeInstall() throws Exception {
        Path dp = dp("feature", "1.0.0");
        Map<String, Object> props = props("feature", "1.0.0");
        assertThatThrownBy(() -> hook.postDownload(new RequestContext(dp.toString(), "m2mgw"), props))
                .isInstanceOf(KuraException.class).hasMessageContaining("not signed")
                .extracting(e -> ((KuraException) e).getCode()).isEqualTo(KuraErrorCode.SECURITY_EXCEPTION);
        props.put("dp.signature", "ok:package:" + "00".repeat(32));
        assertThatThrownBy(() -> hook.postDownload(new RequestContext(dp.toString(), "m2mgw"), props))
                .hasMessageContaining("signature refused");
        assertThat(installer.calls).isEmpty();
    }

    @Test
    void givenSignedPackages_whenKuraInstallsThem_thenHealthyCommitsAndUnhealthyRollsBack() throws Exception {
        kuraInstalls("feature", "1.0.0");
        assertThat(engine.state().committed("feature").orElseThrow().version().toString()).isEqualTo("1.0.0");

        installer.sick = "bundle b is not active";
        assertThatThrownBy(() -> kuraInstalls("feature", "2.0.0")).isInstanceOf(KuraException.class)
                .hasMessageContaining("rolled back to 1.0.0");
        assertThat(installer.installed).containsEntry("feature", "1.0.0");

        Path old = dp("feature", "0.9.0");
        Map<String, Object> props = props("feature", "0.9.0");
        props.put("dp.signature", sig(old));
        assertThatThrownBy(() -> hook.postDownload(new RequestContext(old.toString(), "m2mgw"), props))
                .hasMessageContaining("not higher than 1.0.0");
    }

    private void kuraInstalls(String name, String version) throws Exception {
        Path dp = dp(name, version);
        Map<String, Object> props = props(name, version);
        props.put("dp.signature", sig(dp));
        RequestContext ctx = new RequestContext(dp.toString(), "m2mgw");
        hook.postDownload(ctx, props);
        installer.install(dp, DpManifest.read(dp));
        hook.postInstall(ctx, props);
    }

    private static Map<String, Object> props(String name, String version) {
        Map<String, Object> m = new HashMap<>();
        m.put("dp.name", name);
        m.put("dp.version", version);
        m.put("job.id", 7L);
        return m;
    }

    private static String sig(Path p) throws IOException {
        return "ok:package:" + HexFormat.of().formatHex(UpdateEngine.sha256(p));
    }

    private Path dp(String name, String version) throws IOException {
        return UpdateEngineTest.packageFile(dir, name, version);
    }
}
