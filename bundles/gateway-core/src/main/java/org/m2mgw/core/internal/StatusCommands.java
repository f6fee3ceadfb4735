package org.m2mgw.core.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.support.status.StatusText;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo shell command {@code m2mgw:status}: every {@link StatusProvider}, with its counters. */
@Component(service = StatusCommands.class,
        property = {"osgi.command.scope=m2mgw", "osgi.command.function=status"})
public class StatusCommands {
    private final List<StatusProvider> providers = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile GatewayRuntime runtime;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addProvider(StatusProvider p) {
        providers.add(p);
    }

    void removeProvider(StatusProvider p) {
        providers.remove(p);
    }

    /** @return the gateway's identity, then one block per status provider */
    public String status() {
        return render(runtime, providers);
    }

    static String render(GatewayRuntime runtime, List<StatusProvider> providers) {
        StringBuilder out = new StringBuilder();
        if (runtime == null) {
            out.append("gateway: not running (see the log for m2mgw.data.dir)\n");
        } else {
            out.append("gateway ").append(runtime.gatewayId()).append(", data ")
                    .append(runtime.dataDirectory()).append('\n');
        }
        return StatusText.text(out, providers).toString();
    }
}
