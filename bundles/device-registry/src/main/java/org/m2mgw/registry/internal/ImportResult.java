package org.m2mgw.registry.internal;

import java.util.List;

/**
 * What an import did.
 *
 * @param added devices that were new
 * @param updated devices that existed and changed
 * @param unchanged devices that were already exactly as in the file
 * @param rejected why entries were rejected; each reason names the device (or the entry's
 *     position) and the field, never a secret
 * @param trustAnchors the number of trust anchors set from the file, or -1 when the file has none
 *     and the registry's were left alone
 * @param warnings what is weak about entries that were imported (an X.509 device bound to its
 *     subject only); each names the device
 */
record ImportResult(int added, int updated, int unchanged, List<String> rejected, int trustAnchors,
        List<String> warnings) {

    ImportResult {
        rejected = List.copyOf(rejected);
        warnings = List.copyOf(warnings);
    }

    /** @return the number of rejected entries */
    int rejectedCount() {
        return rejected.size();
    }

    /** @return one line: the counts */
    String summary() {
        return added + " added, " + updated + " updated, " + unchanged + " unchanged, "
                + rejected.size() + " rejected"
                + (trustAnchors >= 0 ? ", " + trustAnchors + " trust anchor(s)" : "");
    }
}
