package org.m2mgw.transport.coaps.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo shell command {@code m2mgw:coaps}: the state and counters of every CoAPS listener
 * (handshakes, failures by reason, requests, rejections by reason). No secrets are shown.
 */
@Component(service = CoapsCommands.class,
        property = {"osgi.command.scope=m2mgw", "osgi.command.function=coaps"})
public class CoapsCommands {
    private final List<CoapsListener> listeners = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(CoapsListener l) {
        listeners.add(l);
    }

    void removeListener(CoapsListener l) {
        listeners.remove(l);
    }

    /** @return one block per listener: name, status, then counters */
    public String coaps() {
        if (listeners.isEmpty()) {
            return "no CoAPS listener is configured (factory PID " + CoapsListener.FACTORY_PID + ")";
        }
        StringBuilder out = new StringBuilder();
        for (CoapsListener l : listeners) {
            out.append(l.name()).append(": ").append(l.status()).append('\n');
            Map<String, Long> counters = l.counters();
            if (counters.isEmpty()) {
                out.append("  (no traffic yet)\n");
            }
            counters.forEach((k, v) -> out.append(String.format("  %-60s %d%n", k, v)));
        }
        return out.toString();
    }
}
