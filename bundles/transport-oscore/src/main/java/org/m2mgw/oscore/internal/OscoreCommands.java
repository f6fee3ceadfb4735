package org.m2mgw.oscore.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo shell commands: {@code m2mgw:oscore} (state and counters of every OSCORE listener) and
 * {@code m2mgw:oscoreidentity} (the gateway's EDHOC credentials: kid and CWT Claims Set of each key,
 * for provisioning devices). Public keys only, never a secret.
 */
@Component(service = OscoreCommands.class, property = {"osgi.command.scope=m2mgw",
    "osgi.command.function=oscore", "osgi.command.function=oscoreidentity"})
public class OscoreCommands {
    private final List<OscoreListener> listeners = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(OscoreListener l) {
        listeners.add(l);
    }

    void removeListener(OscoreListener l) {
        listeners.remove(l);
    }

    /** @return one block per listener: name, status, then counters */
    public String oscore() {
        if (listeners.isEmpty()) {
            return "no OSCORE listener is configured (factory PID " + OscoreListener.FACTORY_PID + ")";
        }
        StringBuilder out = new StringBuilder();
        for (OscoreListener l : listeners) {
            out.append(l.statusName()).append(": ").append(l.statusLine()).append('\n');
            Map<String, Long> counters = l.counters();
            counters.forEach((k, v) -> out.append(String.format("  %-60s %d%n", k, v)));
        }
        return out.toString();
    }

    /** @return the gateway's EDHOC credentials, one line each: use, kid, CCS (hex) */
    public String oscoreidentity() {
        if (listeners.isEmpty()) {
            return "no OSCORE listener is configured (factory PID " + OscoreListener.FACTORY_PID + ")";
        }
        StringBuilder out = new StringBuilder();
        for (GatewayIdentity.Key k : listeners.get(0).identity()) {
            out.append(k.describe()).append('\n');
        }
        return out.toString();
    }
}
