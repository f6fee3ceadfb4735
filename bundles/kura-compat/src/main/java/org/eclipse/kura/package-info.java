/**
 * The part of Eclipse Kura's base API that gateway bundles use ({@code KuraException} and its
 * error codes), for the standalone distro. Imported with {@code [1.0,2)}, which Kura's own package
 * satisfies.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.eclipse.kura;
