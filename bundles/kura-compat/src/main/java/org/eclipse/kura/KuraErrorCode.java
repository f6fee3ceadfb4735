package org.eclipse.kura;

/**
 * Error codes of {@link KuraException}: only those the gateway's bundles raise. Eclipse Kura's own
 * enum has these and many more; on Kura, Kura's package is used.
 */
public enum KuraErrorCode {
    /** The caller is not allowed to do this, or what it supplied is not trusted. */
    SECURITY_EXCEPTION,
    /** A parameter is missing or has a wrong value. */
    INVALID_PARAMETER,
    /** The operation cannot be carried out. */
    OPERATION_NOT_SUPPORTED
}
