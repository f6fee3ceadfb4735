package org.m2mgw.api.device;

import java.util.List;
import java.util.Objects;

/**
 * What an import of devices did.
 *
 * @since 2.3
 */
public final class ImportSummary {

    /**
     * An entry that was refused.
     *
     * @param deviceId the device id of the entry, or {@code null} when the entry has none that is valid
     * @param reason why, naming the field; never a secret
     */
    public record Refusal(String deviceId, String reason) {
        /** Checks the reason. */
        public Refusal {
            Objects.requireNonNull(reason, "reason");
        }
    }

    private final int added;
    private final int updated;
    private final int unchanged;
    private final List<Refusal> refused;
    private final List<String> warnings;

    /**
     * @param added devices that were new
     * @param updated devices that existed and changed
     * @param unchanged devices that were exactly as in the text already
     * @param refused the entries that were refused
     * @param warnings what is weak about entries that were taken
     */
    public ImportSummary(int added, int updated, int unchanged, List<Refusal> refused, List<String> warnings) {
        this.added = added;
        this.updated = updated;
        this.unchanged = unchanged;
        this.refused = List.copyOf(refused);
        this.warnings = List.copyOf(warnings);
    }

    /** @return devices that were new */
    public int added() {
        return added;
    }

    /** @return devices that existed and changed */
    public int updated() {
        return updated;
    }

    /** @return devices that were already as in the text */
    public int unchanged() {
        return unchanged;
    }

    /** @return the refused entries, in text order */
    public List<Refusal> refused() {
        return refused;
    }

    /** @return warnings about entries that were taken */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public String toString() {
        return added + " added, " + updated + " updated, " + unchanged + " unchanged, " + refused.size() + " refused";
    }
}
