package org.m2mgw.update.internal.download;

import java.io.IOException;
import java.util.Objects;

/**
 * Why a download failed, with a message an operator can act on and a {@link Reason} the agent can
 * report and decide on: only a {@linkplain #resumable() resumable} failure keeps the partial file,
 * so that the next attempt continues where this one stopped.
 */
public final class DownloadException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** not an http or https URI, or a redirect to one that is not (or from https to http) */
        UNSUPPORTED_URI,
        /** the server answered with a status other than 200 or a matching 206 */
        HTTP_STATUS,
        /** the package is larger than the limit */
        TOO_LARGE,
        /** no byte arrived within the stall timeout (or no connection within it) */
        STALLED,
        /** the whole download took longer than its overall timeout */
        TIMED_OUT,
        /** the package does not have the expected hash */
        HASH_MISMATCH,
        /** cancelled by the caller, or its thread was interrupted */
        CANCELLED,
        /** a connection, TLS or file error, including a connection closed before the end */
        IO
    }

    private final Reason reason;

    DownloadException(Reason reason, String message) {
        this(reason, message, null);
    }

    DownloadException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    /** True if the partial file was kept and a download with resume continues from it. */
    public boolean resumable() {
        return reason == Reason.STALLED || reason == Reason.IO || reason == Reason.TIMED_OUT;
    }
}
