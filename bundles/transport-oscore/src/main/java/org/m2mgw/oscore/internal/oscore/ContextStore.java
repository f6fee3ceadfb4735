package org.m2mgw.oscore.internal.oscore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Keeps security contexts across restarts (RFC 8613 Appendix B.1): parameters, the Sender Sequence
 * Number high-water mark (B.1.1) and, from an orderly shutdown, the replay window (B.1.2). A
 * context is identified by its Recipient ID and ID Context, as the server looks it up; saving
 * replaces the previous state of the same context. Implementations are thread-safe, and
 * {@link #save(StoredContext)} returns only when the state is durable.
 */
public interface ContextStore {

    /**
     * Stores a context's state durably, replacing what was stored for it.
     *
     * @param state the state
     * @throws IOException if it could not be made durable (the caller must not use sequence
     *     numbers it meant to cover)
     */
    void save(StoredContext state) throws IOException;

    /**
     * Reads every stored context. Entries that cannot be read are not dropped or reset silently:
     * they are reported in {@link Loaded#refused()} and left as they are.
     *
     * @return the contexts and the refused entries
     * @throws IOException if the store itself cannot be read
     */
    Loaded loadAll() throws IOException;

    /**
     * Forgets a context (when it is replaced or revoked).
     *
     * @param recipientId its Recipient ID
     * @param idContext its ID Context, or {@code null}
     * @throws IOException if it cannot be removed
     */
    void delete(byte[] recipientId, byte[] idContext) throws IOException;

    /**
     * The result of {@link #loadAll()}.
     *
     * @param contexts the contexts read
     * @param refused entries that were not read, with the reason (corrupt, unreadable)
     */
    record Loaded(List<StoredContext> contexts, Map<Path, String> refused) {
        /** Copies the collections. */
        public Loaded {
            contexts = List.copyOf(contexts);
            refused = Map.copyOf(refused);
        }
    }
}
