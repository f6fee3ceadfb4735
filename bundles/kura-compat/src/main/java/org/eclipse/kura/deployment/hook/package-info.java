/**
 * Eclipse Kura's DEPLOY-V2 hook API, for the standalone distro and tests; the package version
 * matches the one Eclipse Kura exports.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.eclipse.kura.deployment.hook;
