package org.m2mgw.support.status;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.support.Json;

/** The one rendering of {@link StatusProvider}s, as text (shell, console) and as JSON (console). */
public final class StatusText {
    private StatusText() {
    }

    /** @return the providers sorted by name, as the shell and the console list them */
    public static List<StatusProvider> sorted(Collection<StatusProvider> providers) {
        return providers.stream().sorted(Comparator.comparing(StatusProvider::statusName)).toList();
    }

    /** Appends one block per provider: {@code name: status line}, then one line per counter. */
    public static StringBuilder text(StringBuilder out, Collection<StatusProvider> providers) {
        for (StatusProvider p : sorted(providers)) {
            out.append(p.statusName()).append(": ").append(p.statusLine()).append('\n');
            p.counters().forEach((k, v) -> out.append(String.format("  %-60s %d%n", k, v)));
        }
        return out;
    }

    /** @return {@code {"<name>":{"status":"...","counters":{"<counter>":n,...}},...}} */
    public static String json(Collection<StatusProvider> providers) {
        StringBuilder b = new StringBuilder("{");
        boolean first = true;
        for (StatusProvider p : sorted(providers)) {
            b.append(first ? "" : ",");
            Json.appendQuoted(b, p.statusName()).append(":{\"status\":");
            Json.appendQuoted(b, p.statusLine()).append(",\"counters\":{");
            boolean firstCounter = true;
            for (var e : p.counters().entrySet()) {
                b.append(firstCounter ? "" : ",");
                Json.appendQuoted(b, e.getKey()).append(':').append(e.getValue());
                firstCounter = false;
            }
            b.append("}}");
            first = false;
        }
        return b.append('}').toString();
    }
}
