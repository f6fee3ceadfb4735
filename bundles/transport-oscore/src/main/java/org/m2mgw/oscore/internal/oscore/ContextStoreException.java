package org.m2mgw.oscore.internal.oscore;

import java.io.IOException;
import java.nio.file.Path;

/** A stored security context that cannot be read back: unreadable, corrupt, or inconsistent. */
public final class ContextStoreException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The file it is about, or {@code null}. */
    private final transient Path file;

    /**
     * @param file the context file
     * @param reason what is wrong with it (never its content)
     */
    public ContextStoreException(Path file, String reason) {
        super("OSCORE context file " + file + " refused: " + reason);
        this.file = file;
    }

    /** @return the context file */
    public Path file() {
        return file;
    }
}
