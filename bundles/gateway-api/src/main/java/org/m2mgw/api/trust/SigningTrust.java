package org.m2mgw.api.trust;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Verifies detached signatures against the gateway's trust store of signing keys.
 *
 * <p>A signature document is JSON: {@code {"format": "m2mgw-signature-1", "purpose": "...",
 * "sha256": "<hex of the signed content's SHA-256>", "signatures": [{"key": "<key id>", "alg":
 * "ES256" | "ML-DSA-65", "value": "<base64>"}, ...]}}. Each signature is over the UTF-8 bytes of
 * {@code "m2mgw-signature-1\n" + purpose + "\n" + sha256hex}: binding the purpose means a signed
 * package can never pass as a signed policy. ES256 signatures are ECDSA P-256 with SHA-256 (DER);
 * ML-DSA-65 signatures are FIPS 204 with an empty context.
 *
 * <p>A document is valid when it names the content's hash and purpose, and carries at least one
 * valid ES256 and one valid ML-DSA-65 signature by active keys of the store.
 *
 * @since 1.0
 */
@ProviderType
public interface SigningTrust {
    /** The signature document format. */
    String FORMAT = "m2mgw-signature-1";
    /** ECDSA P-256 with SHA-256. */
    String ES256 = "ES256";
    /** ML-DSA-65 (FIPS 204). */
    String ML_DSA_65 = "ML-DSA-65";
    /** Purpose of signed crypto policies. */
    String PURPOSE_POLICY = "policy";
    /** Purpose of signed changes of the trust store itself (keys added or retired). */
    String PURPOSE_TRUST = "trust";
    /** Purpose of signed update packages. */
    String PURPOSE_PACKAGE = "package";
    /**
     * Purpose of a signed permission to install a lower version of a package than the highest one
     * installed before. The signed content is {@link #rollbackPermission(String, String)}.
     *
     * @since 1.1
     */
    String PURPOSE_ROLLBACK = "rollback";

    /**
     * @param packageName the deployment package's symbolic name
     * @param version the exact version that may be installed again
     * @return the content a rollback permission signs (UTF-8 of {@code "m2mgw-rollback-1\n" +
     *         name + "\n" + version + "\n"})
     * @since 1.1
     */
    static byte[] rollbackPermission(String packageName, String version) {
        return ("m2mgw-rollback-1\n" + packageName + "\n" + version + "\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * @param purpose what the content is ({@link #PURPOSE_POLICY} and so on)
     * @param sha256 the SHA-256 of the content (32 bytes)
     * @param signatureDocument the detached signature document (JSON, UTF-8)
     * @return whether it is signed as required, with the reason
     */
    Verification verify(String purpose, byte[] sha256, byte[] signatureDocument);

    /** @return every key of the store, active and retired */
    List<SigningKey> keys();
}
