/**
 * Facts about the running gateway: its id and its data directory.
 *
 * @since 0.1
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package org.m2mgw.api.runtime;
