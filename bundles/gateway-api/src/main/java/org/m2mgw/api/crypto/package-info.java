/**
 * Crypto agility over a device's lifetime: descriptors of the algorithms and suites transports
 * negotiate, the {@link org.m2mgw.api.crypto.CryptoPolicy policy} that says which of them a
 * device may still use and until when, and the {@link org.m2mgw.api.crypto.CryptoInventory
 * inventory} that records, per device, what it actually uses and how old its key is. Provider
 * bundles register {@link org.m2mgw.api.crypto.CoseAead} services (since 1.1) for the AEADs that
 * OSCORE and EDHOC negotiate by COSE identifier.
 *
 * <p>Transports keep key material in their own classes and ask the policy by suite id; no
 * provider object crosses this API.
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.m2mgw.api.crypto;
