package org.m2mgw.api.crypto;

/**
 * How much a single AEAD key may be used before it must be replaced: the number of records it
 * may protect (confidentiality limit) and the number of records that may fail authentication
 * under it (integrity limit, the forgery attempts an attacker gets). Both follow the usage-limit
 * analysis behind RFC 8446 section 5.5 and RFC 9147 section 4.5.3.
 *
 * @param confidentialityRecords records one key may protect
 * @param integrityFailures records that may fail authentication under one key
 * @param source where the numbers come from, for operators
 * @since 1.0
 */
public record AeadLimits(long confidentialityRecords, long integrityFailures, String source) {

    /**
     * @throws IllegalArgumentException if a limit is not positive
     */
    public AeadLimits {
        if (confidentialityRecords <= 0 || integrityFailures <= 0) {
            throw new IllegalArgumentException("AEAD limits must be positive");
        }
        source = source == null ? "" : source;
    }

    /**
     * @param records the new confidentiality limit
     * @param failures the new integrity limit
     * @return these limits with other numbers, marked as set by the operator
     */
    public AeadLimits withOverride(long records, long failures) {
        return new AeadLimits(records, failures, "operator policy");
    }
}
