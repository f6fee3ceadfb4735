/**
 * Device identities: who a field device is and how it proves it.
 *
 * @since 0.1
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.3.0")
package org.m2mgw.api.device;
