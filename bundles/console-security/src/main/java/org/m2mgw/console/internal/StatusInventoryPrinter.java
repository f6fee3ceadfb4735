package org.m2mgw.console.internal;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.felix.inventory.Format;
import org.apache.felix.inventory.InventoryPrinter;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.support.status.StatusText;
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
        if (format == Format.JSON) {
            out.print(StatusText.json(providers));
        } else {
            out.print(StatusText.text(new StringBuilder(), providers));
        }
    }
}
