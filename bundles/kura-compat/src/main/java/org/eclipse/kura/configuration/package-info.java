/**
 * The subset of the Eclipse Kura configuration API that gateway bundles use, for the standalone
 * distro. The package version matches the one Eclipse Kura exports.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.eclipse.kura.configuration;
