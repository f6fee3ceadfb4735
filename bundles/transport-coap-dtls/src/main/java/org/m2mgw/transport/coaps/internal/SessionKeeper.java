package org.m2mgw.transport.coaps.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.security.Principal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.scandium.dtls.Connection;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener's sessions across stops and starts (architecture invariant 2): saves them with the
 * credential digests they were made under, and on restore keeps only those whose device still
 * exists, is enabled and not quarantined, and still has the same credential.
 */
final class SessionKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(SessionKeeper.class);

    private final String name;
    private final Supplier<Path> directory;
    private final DeviceRegistry registry;
    private final DeviceAccessControl access;
    private final AtomicLong restored = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    SessionKeeper(String name, Supplier<Path> directory, DeviceRegistry registry, DeviceAccessControl access) {
        this.name = name;
        this.directory = directory;
        this.registry = registry;
        this.access = access;
    }

    private SessionState state() {
        try {
            return SessionState.in(directory.get(), name);
        } catch (IOException | RuntimeException e) {
            LOG.warn("CoAPS listener {}: session state unavailable ({}); sessions will not survive a restart",
                    name, e.toString());
            return null;
        }
    }

    /** Restores the saved sessions into a server that is built but not started. */
    void restore(CoapServer server, GatewayDtlsConnector dtls, RegistryCredentials credentials) {
        SessionState state = state();
        if (state == null) {
            return;
        }
        try {
            long t0 = System.nanoTime();
            Map<String, String> bound = state.bindings().load();
            int n = state.restore(server);
            if (n > 0) {
                long t1 = System.nanoTime();
                int gone = dropUnbound(dtls, credentials, state.bindings(), bound);
                long t2 = System.nanoTime();
                restored.addAndGet(n - gone);
                dropped.addAndGet(gone);
                LOG.info("CoAPS listener {} restored {} device sessions in {} ms (reading {} ms, credential checks {} "
                        + "ms){}", name, n - gone, (t2 - t0) / 1_000_000, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
                        gone == 0 ? "" : "; dropped " + gone + " whose device was removed, disabled, quarantined or "
                                + "given new credentials while the listener was stopped");
            }
        } catch (IOException e) {
            LOG.warn("CoAPS listener {}: {}; devices will handshake again", name, e.getMessage());
        }
    }

    /**
     * Removes restored connections whose device is gone, disabled or quarantined, or whose
     * credential changed since they were saved (or that were saved without a binding).
     *
     * @return how many were removed
     */
    private int dropUnbound(GatewayDtlsConnector dtls, RegistryCredentials credentials, SessionBindings bindings,
            Map<String, String> bound) {
        List<Connection> drop = new ArrayList<>();
        for (Connection c : dtls.connections()) {
            Principal p = c.getEstablishedPeerIdentity();
            if (p == null) {
                continue;
            }
            Optional<Device> d = credentials.deviceOf(p);
            String saved = bound.get(ConnectionLimits.key(p));
            boolean keep = d.isPresent() && d.get().enabled() && !access.isQuarantined(d.get().deviceId())
                    && saved != null && saved.equals(bindings.digest(registry, credentials, p).orElse(null));
            if (!keep) {
                drop.add(c);
            }
        }
        drop.forEach(dtls::remove);
        return drop.size();
    }

    /** Saves the sessions of a stopped server, with the digests of their credentials. */
    void save(CoapServer server, GatewayDtlsConnector dtls, long maxQuietSeconds) {
        SessionState state = state();
        if (state == null) {
            return;
        }
        try {
            RegistryCredentials credentials = new RegistryCredentials(registry, access);
            Map<String, String> digests = new HashMap<>();
            for (Connection c : dtls.connections()) {
                Principal p = c.getEstablishedPeerIdentity();
                if (p != null) {
                    state.bindings().digest(registry, credentials, p)
                            .ifPresent(dg -> digests.put(ConnectionLimits.key(p), dg));
                }
            }
            state.bindings().save(digests);
        } catch (IOException | RuntimeException e) {
            LOG.warn("CoAPS listener {} could not save its session bindings: {}; saved sessions will not be "
                    + "restored", name, e.toString());
        }
        try {
            state.save(server, maxQuietSeconds);
            LOG.info("CoAPS listener {} saved its device sessions to {}", name, state.file());
        } catch (IOException | RuntimeException e) {
            LOG.warn("CoAPS listener {} could not save its device sessions: {}", name, e.toString());
        }
    }

    long restored() {
        return restored.get();
    }

    long dropped() {
        return dropped.get();
    }
}
