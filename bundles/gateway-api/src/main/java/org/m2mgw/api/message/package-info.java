/**
 * Messages from field devices, and the service that takes them over durably.
 *
 * @since 0.1
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package org.m2mgw.api.message;
