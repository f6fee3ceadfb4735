/**
 * Restrictions on devices and source addresses that detectors and operators put in place:
 * quarantine, throttling and address blocks, enforced by the transports.
 *
 * @since 0.1
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.m2mgw.api.access;
