package org.m2mgw.console.internal;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.felix.inventory.Format;
import org.apache.felix.inventory.InventoryPrinter;
import org.m2mgw.api.runtime.StatusProvider;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The web console page Status &gt; "m2mgw gateway": the state and counters of every
 * {@link StatusProvider} (listeners, cloud connections, the broker). Refresh the page to update.
 */
@Component(service = InventoryPrinter.class, property = {
    InventoryPrinter.NAME + "=m2mgw",
    InventoryPrinter.TITLE + "=m2mgw gateway",
    InventoryPrinter.FORMAT + "=TEXT",
    InventoryPrinter.FORMAT + "=JSON"})
public class StatusInventoryPrinter implements InventoryPrinter {
    private final List<StatusProvider> providers = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addProvider(StatusProvider p) {
        providers.add(p);
    }

    void removeProvider(StatusProvider p) {
        providers.remove(p);
    }

    @Override
    public void print(PrintWriter out, Format format, boolean isZip) {
        List<StatusProvider> sorted = providers.stream()
                .sorted(Comparator.comparing(StatusProvider::statusName)).toList();
        if (format == Format.JSON) {
            out.print('{');
            boolean first = true;
            for (StatusProvider p : sorted) {
                out.print((first ? "" : ",") + quote(p.statusName()) + ":{\"status\":" + quote(p.statusLine())
                        + ",\"counters\":{");
                boolean firstCounter = true;
                for (var e : p.counters().entrySet()) {
                    out.print((firstCounter ? "" : ",") + quote(e.getKey()) + ":" + e.getValue());
                    firstCounter = false;
                }
                out.print("}}");
                first = false;
            }
            out.print('}');
            return;
        }
        for (StatusProvider p : sorted) {
            out.println(p.statusName() + ": " + p.statusLine());
            p.counters().forEach((k, v) -> out.printf("  %-60s %d%n", k, v));
        }
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
