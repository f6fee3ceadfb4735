package org.m2mgw.oscore.internal.edhoc;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The settings the initiator's and the responder's {@code Config} take alike: where the ephemeral
 * keys come from (random by default), the critical EAD items understood, and the trace hook of the
 * tests. Immutable; each role's builder fills a {@link Builder}.
 */
final class RoleConfig {
    final EphemeralKeySource ephemeralKeys;
    final Set<Integer> criticalEad;
    final BiConsumer<String, byte[]> trace;

    private RoleConfig(Builder b) {
        ephemeralKeys = b.ephemeralKeys != null ? b.ephemeralKeys : EphemeralKeySource.random(new SecureRandom());
        criticalEad = b.criticalEad;
        trace = b.trace;
    }

    /** Passes a copy of an intermediate value to the trace hook, by its RFC 9529 name. */
    void trace(String name, byte[] value) {
        Protocol.trace(trace, name, value);
    }

    /** Collects the settings; {@link #build()} may be called more than once. */
    static final class Builder {
        private EphemeralKeySource ephemeralKeys;
        private Set<Integer> criticalEad = Set.of();
        private BiConsumer<String, byte[]> trace = Protocol.NO_TRACE;

        /** @param v the ephemeral key pairs; {@code null} for random ones */
        void ephemeralKeys(EphemeralKeySource v) {
            ephemeralKeys = v;
        }

        /** @param v labels of the critical EAD items understood */
        void criticalEad(Set<Integer> v) {
            criticalEad = Set.copyOf(v);
        }

        /** @param v receives each intermediate value by its RFC 9529 name (secrets included) */
        void trace(BiConsumer<String, byte[]> v) {
            trace = Objects.requireNonNull(v);
        }

        RoleConfig build() {
            return new RoleConfig(this);
        }
    }
}
