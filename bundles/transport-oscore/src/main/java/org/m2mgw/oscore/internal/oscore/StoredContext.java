package org.m2mgw.oscore.internal.oscore;

/**
 * What a {@link ContextStore} keeps of a security context (RFC 8613 Appendix B.1): its input
 * parameters, the Sender Sequence Number to continue from after a restart (a high-water mark at or
 * above every number used), and the replay window if it was saved on an orderly shutdown.
 * {@link #toString()} never shows the Master Secret.
 *
 * @param parameters the input parameters
 * @param sequenceNumber the Sender Sequence Number to continue from
 * @param replayWindow the saved replay window, or {@code null} (the context then needs Echo)
 */
public record StoredContext(OscoreParameters parameters, long sequenceNumber, ReplayWindow.State replayWindow) {

    /** @throws IllegalArgumentException if the sequence number is out of range */
    public StoredContext {
        if (parameters == null) {
            throw new IllegalArgumentException("parameters missing");
        }
        if (sequenceNumber < 0 || sequenceNumber > OscoreContext.MAX_SSN + 1) {
            throw new IllegalArgumentException("sequence number out of range: " + sequenceNumber);
        }
        if (replayWindow != null && replayWindow.size() != parameters.replayWindowSize()) {
            throw new IllegalArgumentException("replay window size does not match the parameters");
        }
    }

    /** @return whether the replay window was saved (no Echo needed after restoring) */
    public boolean hasReplayWindow() {
        return replayWindow != null;
    }
}
