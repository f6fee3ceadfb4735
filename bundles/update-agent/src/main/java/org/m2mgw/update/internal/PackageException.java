package org.m2mgw.update.internal;

/** Why an update was refused or failed, with a reason an operator can act on. */
final class PackageException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What kind of refusal, counted by kind in the status. */
    enum Kind {
        /** signature missing, wrong, or by an unknown or retired key */
        SIGNATURE,
        /** not higher than the installed or the highest ever installed version */
        DOWNGRADE,
        /** not a deployment package, or not the one the request named */
        MANIFEST,
        /** download failed (hash, size, cut, stall, HTTP status) */
        DOWNLOAD,
        /** Deployment Admin refused or failed */
        INSTALL,
        /** installed, but not healthy in time */
        HEALTH,
        /** another update is running */
        BUSY,
        /** no such package */
        NOT_FOUND,
        /** a request without what it needs */
        REQUEST
    }

    private final Kind kind;

    PackageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    PackageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }
}
