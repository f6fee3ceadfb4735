/**
 * The live secure sessions of devices, as each transport sees them: for the operator's console
 * and REST API.
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.m2mgw.api.session;
