package org.m2mgw.oscore.internal.cbor;

/** Input that is not the CBOR expected: malformed, not deterministic, or of another type. */
public final class CborException extends Exception {
    private static final long serialVersionUID = 1L;

    public CborException(String message) {
        super(message);
    }
}
