package org.m2mgw.oscore.internal.edhoc;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Chooses the responder's connection identifier C_R, which becomes its OSCORE Recipient ID (RFC 9528
 * section 3.3 and appendix A.1). The transport implements it to keep C_R unique among its OSCORE
 * contexts too; tests inject a fixed value.
 */
@FunctionalInterface
public interface ConnectionIdAllocator {

    /**
     * @param taken identifiers that must not be returned: the initiator's C_I and the C_Rs of
     *     pending handshakes (the responder refuses a taken one)
     * @return a new C_R
     */
    ConnectionId allocate(Predicate<ConnectionId> taken);

    /**
     * @param random the randomness
     * @param inUse identifiers taken elsewhere (by OSCORE contexts, say)
     * @return an allocator of random identifiers, one byte (as an integer) while free ones are easily
     *     found, then two bytes and longer
     */
    static ConnectionIdAllocator random(SecureRandom random, Predicate<ConnectionId> inUse) {
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(inUse, "inUse");
        return taken -> {
            for (int length = 1; length <= 8; length++) {
                for (int attempt = 0; attempt < 32; attempt++) {
                    ConnectionId id;
                    if (length == 1) {
                        id = ConnectionId.ofInt(random.nextInt(48) - 24);
                    } else {
                        byte[] b = new byte[length];
                        random.nextBytes(b);
                        id = ConnectionId.of(b);
                    }
                    if (!taken.test(id) && !inUse.test(id)) {
                        return id;
                    }
                }
            }
            throw new IllegalStateException("no free connection identifier found");
        };
    }
}
