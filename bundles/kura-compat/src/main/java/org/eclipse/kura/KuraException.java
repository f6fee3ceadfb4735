package org.eclipse.kura;

import java.util.Arrays;

/**
 * Eclipse Kura's checked exception, as far as the gateway's bundles use it: a {@link KuraErrorCode}
 * and arguments that describe the error. On Kura, Kura's class is used.
 */
public class KuraException extends Exception {
    private static final long serialVersionUID = 1L;

    private final KuraErrorCode code;
    private final Object[] arguments;

    /**
     * @param code what kind of error
     * @param arguments details, shown in the message
     */
    public KuraException(KuraErrorCode code, Object... arguments) {
        this.code = code;
        this.arguments = arguments == null ? new Object[0] : arguments.clone();
    }

    /**
     * @param code what kind of error
     * @param cause the underlying error
     * @param arguments details, shown in the message
     */
    public KuraException(KuraErrorCode code, Throwable cause, Object... arguments) {
        super(cause);
        this.code = code;
        this.arguments = arguments == null ? new Object[0] : arguments.clone();
    }

    /** @return the error code */
    public KuraErrorCode getCode() {
        return code;
    }

    @Override
    public String getMessage() {
        return code + (arguments.length == 0 ? "" : ": " + String.join(" ", Arrays.stream(arguments)
                .map(String::valueOf).toList()));
    }
}
