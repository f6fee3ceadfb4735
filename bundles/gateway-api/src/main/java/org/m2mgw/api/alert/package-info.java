/**
 * Alerts raised about devices or source addresses.
 *
 * @since 0.1
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.m2mgw.api.alert;
