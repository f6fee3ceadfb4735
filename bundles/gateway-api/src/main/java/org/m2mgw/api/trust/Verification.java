package org.m2mgw.api.trust;

import java.util.List;

/**
 * The outcome of checking a detached signature document.
 *
 * @param valid whether the document is signed as the trust store requires
 * @param reason why not (or "signed by ..." when valid), for operators and logs
 * @param keyIds the ids of the keys whose signatures verified
 * @since 1.0
 */
public record Verification(boolean valid, String reason, List<String> keyIds) {

    /**
     * @throws NullPointerException if a field is null
     */
    public Verification {
        keyIds = List.copyOf(keyIds);
        java.util.Objects.requireNonNull(reason, "reason");
    }

    /**
     * @param reason why the document is refused
     * @return a refusal
     */
    public static Verification refused(String reason) {
        return new Verification(false, reason, List.of());
    }
}
