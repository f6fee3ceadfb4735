/**
 * Security and traffic facts observed by transports: the input of anomaly detection.
 *
 * @since 0.1
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package org.m2mgw.api.traffic;
