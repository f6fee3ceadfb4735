package org.m2mgw.update.internal;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.m2mgw.api.trust.SigningTrust;
import org.m2mgw.api.trust.Verification;
import org.osgi.framework.Version;

/**
 * Decides whether a downloaded package may be installed, before Deployment Admin sees it: its
 * detached signature must verify against the trust store for purpose {@code package} (by default
 * ES256 and ML-DSA-65 both), it must be the package and version the request named, and its version
 * must be higher than the highest version ever committed and no bundle in it older than the one
 * installed, unless a signed rollback permission names exactly this package and version.
 */
final class Verifier {
    private final Supplier<SigningTrust> trust;

    Verifier(Supplier<SigningTrust> trust) {
        this.trust = trust;
    }

    /**
     * @param installedVersion the installed version of a bundle, by symbolic name
     * @return the verified manifest and the signers
     */
    Verified verify(PackageFile file, String expectedName, String expectedVersion, byte[] rollbackPermission,
            PackageState state, Function<String, Optional<Version>> installedVersion) throws PackageException {
        SigningTrust t = trust.get();
        if (t == null) {
            throw new PackageException(PackageException.Kind.SIGNATURE,
                    "no trust store of signing keys is running (crypto-policy bundle): cannot verify, refused");
        }
        if (file.signature() == null || file.signature().length == 0) {
            throw new PackageException(PackageException.Kind.SIGNATURE, "package is not signed (no signature document)");
        }
        Verification v = t.verify(SigningTrust.PURPOSE_PACKAGE, file.sha256(), file.signature());
        if (!v.valid()) {
            throw new PackageException(PackageException.Kind.SIGNATURE, "signature refused: " + v.reason());
        }
        DpManifest m = DpManifest.read(file.path());
        if (expectedName != null && !expectedName.isBlank() && !expectedName.equals(m.name())) {
            throw new PackageException(PackageException.Kind.MANIFEST,
                    "package is '" + m.name() + "', the request named '" + expectedName + "'");
        }
        if (expectedVersion != null && !expectedVersion.isBlank()
                && !Version.parseVersion(expectedVersion).equals(m.version())) {
            throw new PackageException(PackageException.Kind.MANIFEST,
                    "package version is " + m.version() + ", the request named " + expectedVersion);
        }
        String downgrade = downgrade(m, state, installedVersion);
        boolean permitted = false;
        if (downgrade != null) {
            try {
                permit(m.name(), m.version().toString(), rollbackPermission);
            } catch (PackageException e) {
                throw new PackageException(PackageException.Kind.DOWNGRADE, downgrade + "; " + e.getMessage());
            }
            permitted = true;
        }
        return new Verified(m, v.keyIds(), permitted);
    }

    /** Checks a signed rollback permission for a package and version; throws DOWNGRADE if it does not verify. */
    void permit(String name, String version, byte[] permission) throws PackageException {
        if (permission == null || permission.length == 0) {
            throw new PackageException(PackageException.Kind.DOWNGRADE, "a signed rollback permission for " + name
                    + " " + version + " is required (dp.rollback.permission)");
        }
        SigningTrust t = trust.get();
        if (t == null) {
            throw new PackageException(PackageException.Kind.DOWNGRADE,
                    "no trust store of signing keys is running: cannot verify the rollback permission");
        }
        Verification p = t.verify(SigningTrust.PURPOSE_ROLLBACK,
                sha256(SigningTrust.rollbackPermission(name, version)), permission);
        if (!p.valid()) {
            throw new PackageException(PackageException.Kind.DOWNGRADE, "the rollback permission is refused: "
                    + p.reason());
        }
    }

    /** @return why the package is a downgrade, or null */
    static String downgrade(DpManifest m, PackageState state, Function<String, Optional<Version>> installed)
            throws PackageException {
        Optional<Version> floor;
        try {
            floor = state.floor(m.name());
        } catch (IOException e) {
            throw new PackageException(PackageException.Kind.DOWNGRADE,
                    "cannot read the version floor: " + e.getMessage(), e);
        }
        if (floor.isPresent() && m.version().compareTo(floor.get()) <= 0) {
            return "version " + m.version() + " is not higher than " + floor.get() + ", the highest installed";
        }
        for (DpManifest.BundleEntry b : m.bundles()) {
            Optional<Version> have = installed.apply(b.symbolicName());
            if (have.isPresent() && b.version().compareTo(have.get()) < 0) {
                return "bundle " + b.symbolicName() + " " + b.version() + " is older than the installed "
                        + have.get();
            }
        }
        return null;
    }

    static byte[] sha256(byte[] content) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(content);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A package file with its hash and detached signature document. */
    record PackageFile(java.nio.file.Path path, byte[] sha256, byte[] signature) {
    }

    /** A package that may be installed. */
    record Verified(DpManifest manifest, java.util.List<String> signers, boolean rollbackPermitted) {
    }
}
