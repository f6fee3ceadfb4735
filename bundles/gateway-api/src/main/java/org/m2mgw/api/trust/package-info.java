/**
 * The gateway's trust store of signing keys: who may sign what the gateway accepts from afar
 * (crypto policies, key rotations of the store itself, and update packages). Every signature is
 * made twice, with ECDSA P-256 and with ML-DSA-65 (FIPS 204), so that a document stays authentic
 * when either algorithm falls.
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.m2mgw.api.trust;
