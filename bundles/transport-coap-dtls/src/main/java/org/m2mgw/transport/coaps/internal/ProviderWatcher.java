package org.m2mgw.transport.coaps.internal;

import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.m2mgw.api.crypto.CryptoProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a listener's connector on the JCE providers installed now (architecture invariant 2:
 * crypto bundles come and go, sessions stay).
 *
 * <p>Scandium creates its crypto objects ({@code Cipher}, {@code Signature}, {@code KeyAgreement},
 * ...) once per thread and keeps them in thread locals. A provider that arrives is therefore not
 * used by threads that exist already, and one that leaves stays reachable from them, with its
 * bundle's class loader, for as long as they live. When a {@link CryptoProvider} service arrives,
 * changes or leaves, this class waits a moment (a bundle update is a leave and an arrival), and
 * then, off the framework's thread, has the listener stop and start its connector (which saves and
 * restores the sessions), so that the connector's threads are new. It does so only if the JVM's
 * provider list is not the one the connector's threads were made with.
 *
 * <p>It holds no provider object: only names, versions and identity hashes, so that it never keeps
 * an old provider's bundle from being collected itself.
 */
final class ProviderWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderWatcher.class);

    /** How long to wait for more changes before restarting: an update's leave and arrival are one. */
    static final long DEBOUNCE_MS = 500;

    private final Consumer<String> restart;
    private final long debounceMs;
    /** By service id: "name version" of each CryptoProvider service bound. */
    private final Map<Long, String> bound = new ConcurrentSkipListMap<>();
    private final ScheduledThreadPoolExecutor executor;
    private final List<String> reasons = new ArrayList<>();
    private ScheduledFuture<?> pending;
    /** The provider list when the connector's threads were last made. */
    private volatile String madeWith;
    private volatile String inUse;
    private final AtomicLong restarts = new AtomicLong();

    /**
     * @param restart stops and starts the connector with its running settings, keeping its sessions;
     *        called with the reason, on this class's own thread
     */
    ProviderWatcher(Consumer<String> restart) {
        this(restart, DEBOUNCE_MS);
    }

    ProviderWatcher(Consumer<String> restart, long debounceMs) {
        this.restart = restart;
        this.debounceMs = debounceMs;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "m2mgw-coaps-crypto-providers");
            t.setDaemon(true);
            // no bundle's class loader through the context class loader of a lingering thread
            t.setContextClassLoader(null);
            return t;
        });
        executor.setKeepAliveTime(5, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setRemoveOnCancelPolicy(true);
        this.madeWith = providerList();
        this.inUse = describe();
    }

    void added(CryptoProvider provider, Map<String, Object> properties) {
        String d = describe(provider);
        bound.put(serviceId(properties), d);
        schedule("crypto provider " + d + " arrived");
    }

    void modified(CryptoProvider provider, Map<String, Object> properties) {
        String d = describe(provider);
        bound.put(serviceId(properties), d);
        schedule("crypto provider " + d + " changed");
    }

    void removed(CryptoProvider provider, Map<String, Object> properties) {
        String d = bound.remove(serviceId(properties));
        schedule("crypto provider " + (d == null ? describe(provider) : d) + " left");
    }

    private synchronized void schedule(String reason) {
        reasons.add(reason);
        if (pending != null) {
            pending.cancel(false);
        }
        pending = executor.schedule(this::settle, debounceMs, TimeUnit.MILLISECONDS);
    }

    private void settle() {
        String why;
        synchronized (this) {
            why = String.join("; ", reasons);
            reasons.clear();
            pending = null;
        }
        String now = providerList();
        String providers = describe();
        if (now.equals(madeWith)) {
            // The connector's threads were made with these providers already (a provider bundle
            // that started before the listener, or a change that left the list as it was).
            inUse = providers;
            return;
        }
        try {
            restart.accept(why + "; JCE providers now " + names());
            restarts.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.warn("CoAPS listener restart for a crypto provider change failed: {}", e.toString());
        } finally {
            madeWith = now;
            inUse = providers;
        }
    }

    /** @return the crypto providers the connector's threads use: "BC 1.87", or "JDK" when none is installed */
    String inUse() {
        return inUse;
    }

    /** @return restarts made for provider changes */
    long restarts() {
        return restarts.get();
    }

    private String describe() {
        return bound.isEmpty() ? "JDK" : String.join(", ", bound.values());
    }

    private static String describe(CryptoProvider p) {
        return p.name() + " " + p.version();
    }

    private static Long serviceId(Map<String, Object> properties) {
        Object id = properties.get("service.id");
        return id instanceof Long l ? l : Long.valueOf(-1);
    }

    /** The JVM's providers in order, by name and identity, without holding any of them. */
    private static String providerList() {
        StringBuilder s = new StringBuilder();
        for (Provider p : Security.getProviders()) {
            s.append(p.getName()).append('@').append(Integer.toHexString(System.identityHashCode(p))).append(' ');
        }
        return s.toString();
    }

    private static String names() {
        List<String> out = new ArrayList<>();
        for (Provider p : Security.getProviders()) {
            out.add(p.getName());
        }
        return String.join(", ", out);
    }
}
