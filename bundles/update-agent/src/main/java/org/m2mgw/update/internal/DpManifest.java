package org.m2mgw.update.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import org.osgi.framework.Version;

/**
 * The manifest of a deployment package (OSGi Compendium 114.3): its name, version and bundles.
 * Read only after the package's signature verified.
 *
 * @param name {@code DeploymentPackage-SymbolicName}
 * @param version {@code DeploymentPackage-Version}
 * @param bundles the bundles it carries
 */
record DpManifest(String name, Version version, List<BundleEntry> bundles) {

    /** One bundle of a package. */
    record BundleEntry(String path, String symbolicName, Version version) {
    }

    static DpManifest read(Path dp) throws PackageException {
        try (InputStream in = Files.newInputStream(dp); JarInputStream jar = new JarInputStream(in, false)) {
            Manifest mf = jar.getManifest();
            if (mf == null) {
                throw new PackageException(PackageException.Kind.MANIFEST,
                        "not a deployment package: no manifest as its first entry");
            }
            Attributes main = mf.getMainAttributes();
            String name = main.getValue("DeploymentPackage-SymbolicName");
            String version = main.getValue("DeploymentPackage-Version");
            if (name == null || name.isBlank() || version == null) {
                throw new PackageException(PackageException.Kind.MANIFEST,
                        "not a deployment package: DeploymentPackage-SymbolicName or -Version missing");
            }
            if (main.getValue("DeploymentPackage-FixPack") != null) {
                throw new PackageException(PackageException.Kind.MANIFEST,
                        "fix packages are not accepted: send the whole package");
            }
            List<BundleEntry> bundles = new ArrayList<>();
            for (Map.Entry<String, Attributes> e : mf.getEntries().entrySet()) {
                String bsn = e.getValue().getValue("Bundle-SymbolicName");
                if (bsn != null) {
                    String bv = e.getValue().getValue("Bundle-Version");
                    bundles.add(new BundleEntry(e.getKey(), bsn.split(";")[0].trim(),
                            bv == null ? Version.emptyVersion : Version.parseVersion(bv.trim())));
                }
            }
            return new DpManifest(name.trim(), Version.parseVersion(version.trim()), List.copyOf(bundles));
        } catch (IOException | IllegalArgumentException e) {
            throw new PackageException(PackageException.Kind.MANIFEST,
                    "not a readable deployment package: " + e.getMessage(), e);
        }
    }
}
