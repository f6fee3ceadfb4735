package org.m2mgw.oscore.internal.oscore;

import java.util.concurrent.atomic.AtomicLong;
import org.m2mgw.api.crypto.AeadLimits;

/**
 * How much a security context's keys have been used, so that the transport can enforce the AEAD
 * usage limits (the confidentiality and integrity limits of {@link AeadLimits}, the analysis behind
 * RFC 8613 section 12.1 and its key-usage-limits follow-up): messages protected with the Sender Key
 * and failed decryptions under the Recipient Key. Thread-safe.
 */
public final class AeadUsage {
    private final AeadLimits limits;
    private final AtomicLong protectedMessages = new AtomicLong();
    private final AtomicLong failedDecryptions = new AtomicLong();

    AeadUsage(AeadLimits limits) {
        this.limits = limits;
    }

    void recordProtected() {
        protectedMessages.incrementAndGet();
    }

    void recordFailedDecryption() {
        failedDecryptions.incrementAndGet();
    }

    /** @return the AEAD's limits, as its provider gives them */
    public AeadLimits limits() {
        return limits;
    }

    /** @return messages protected with the Sender Key since the context was created or restored */
    public long protectedMessages() {
        return protectedMessages.get();
    }

    /** @return messages that failed to decrypt under the Recipient Key */
    public long failedDecryptions() {
        return failedDecryptions.get();
    }

    /**
     * @param limits the limits to check (the provider's, or an operator's override)
     * @return whether either count has reached its limit, so the context must be replaced
     */
    public boolean exceeds(AeadLimits limits) {
        return protectedMessages.get() >= limits.confidentialityRecords()
                || failedDecryptions.get() >= limits.integrityFailures();
    }

    /** @return whether either count has reached the AEAD's own limits */
    public boolean exceeded() {
        return exceeds(limits);
    }

    @Override
    public String toString() {
        return "AeadUsage[protected=" + protectedMessages + ", failed=" + failedDecryptions + "]";
    }
}
