package org.m2mgw.oscore.internal.edhoc;

import java.util.Optional;

/** The EDHOC authentication methods (RFC 9528 section 3.2): how each side authenticates. */
public enum EdhocMethod {
    /** Method 0: both sign. */
    SIGN_SIGN(0, true, true),
    /** Method 1: the initiator signs, the responder uses a static Diffie-Hellman key. */
    SIGN_STATIC(1, true, false),
    /** Method 2: the initiator uses a static Diffie-Hellman key, the responder signs. */
    STATIC_SIGN(2, false, true),
    /** Method 3: both use static Diffie-Hellman keys. */
    STATIC_STATIC(3, false, false);

    private final int value;
    private final boolean initiatorSigns;
    private final boolean responderSigns;

    EdhocMethod(int value, boolean initiatorSigns, boolean responderSigns) {
        this.value = value;
        this.initiatorSigns = initiatorSigns;
        this.responderSigns = responderSigns;
    }

    /** @return the method number sent in message_1 */
    public int value() {
        return value;
    }

    /** @return whether the initiator authenticates with a signature (else with static DH) */
    public boolean initiatorSigns() {
        return initiatorSigns;
    }

    /** @return whether the responder authenticates with a signature (else with static DH) */
    public boolean responderSigns() {
        return responderSigns;
    }

    /** @return the method with this number */
    public static Optional<EdhocMethod> of(long value) {
        for (EdhocMethod m : values()) {
            if (m.value == value) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
