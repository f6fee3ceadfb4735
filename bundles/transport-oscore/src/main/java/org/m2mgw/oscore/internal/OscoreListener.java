package org.m2mgw.oscore.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.access.Restriction;
import org.m2mgw.api.access.RestrictionListener;
import org.m2mgw.api.command.CommandQueue;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.api.crypto.CryptoInventory;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.device.DeviceRegistryListener;
import org.m2mgw.api.device.EdhocCredential;
import org.m2mgw.api.message.DeviceMessageConsumer;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEventListener;
import org.m2mgw.api.traffic.TrafficEventType;
import org.m2mgw.oscore.internal.edhoc.ConnectionId;
import org.m2mgw.oscore.internal.edhoc.EdhocException;
import org.m2mgw.oscore.internal.edhoc.EdhocResponder;
import org.m2mgw.oscore.internal.edhoc.EdhocSession;
import org.m2mgw.oscore.internal.oscore.ContextStore;
import org.m2mgw.oscore.internal.oscore.EchoFreshness;
import org.m2mgw.oscore.internal.oscore.FileContextStore;
import org.m2mgw.oscore.internal.oscore.OscoreContext;
import org.m2mgw.oscore.internal.oscore.OscoreException;
import org.m2mgw.oscore.internal.oscore.StoredContext;
import org.m2mgw.support.PrivateFiles;
import org.m2mgw.support.coap.AirtimeMeter;
import org.m2mgw.support.coap.CommandsResource;
import org.m2mgw.support.coap.DataResource;
import org.m2mgw.support.coap.DeviceRequests;
import org.m2mgw.support.coap.ReportingDeliverer;
import org.m2mgw.support.coap.TrafficReporter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CoAP + OSCORE listener (a factory configuration instance): the EDHOC responder at
 * {@code /.well-known/edhoc} and the device resources behind OSCORE. Devices authenticate with
 * their EDHOC credential from the {@link DeviceRegistry}; their messages go to the durable queue
 * and are answered 2.04 only once it accepted them, as on the CoAPS listener. Security contexts
 * survive a restart (RFC 8613 Appendix B.1): sequence numbers are stored ahead of use, and a device
 * whose replay window was not saved proves freshness with Echo (RFC 9175) once.
 */
@Component(configurationPid = OscoreListener.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {ConfigurableComponent.class, DeviceRegistryListener.class, StatusProvider.class,
            RestrictionListener.class, org.m2mgw.api.crypto.CryptoPolicyListener.class, OscoreListener.class,
            org.m2mgw.api.session.SessionDirectory.class})
@Designate(ocd = OscoreListenerConfig.class, factory = true)
public class OscoreListener implements ConfigurableComponent, DeviceRegistryListener, StatusProvider,
        RestrictionListener, org.m2mgw.api.crypto.CryptoPolicyListener, org.m2mgw.api.session.SessionDirectory {
    static final String FACTORY_PID = "org.m2mgw.transport.oscore";
    private static final Logger LOG = LoggerFactory.getLogger(OscoreListener.class);
    private static final String DEVICES_FILE = "devices.properties";

    static {
        CoapConfig.register();
        UdpConfig.register();
    }

    private final DeviceRegistry registry;
    private final GatewayRuntime runtime;
    private final DeviceAccessControl access;
    private final TrafficReporter traffic;
    private final String name;
    private final Map<Integer, CoseAead> aeads = new ConcurrentHashMap<>();
    private final AirtimeMeter airtimeMeter = new AirtimeMeter();
    private final ScheduledExecutorService tasks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "m2mgw-oscore-upkeep");
        t.setDaemon(true);
        return t;
    });

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile DeviceMessageConsumer consumer;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile CommandQueue commandQueue;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile CryptoInventory cryptoInventory;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile org.m2mgw.api.crypto.CryptoPolicy cryptoPolicy;

    private final java.util.concurrent.atomic.AtomicLong contextsEndedByPolicy = new java.util.concurrent.atomic.AtomicLong();

    private CoapServer server;
    private CoapEndpoint endpoint;
    private volatile ContextTable contexts;
    private ContextStore store;
    private Path storeDir;
    private volatile EdhocResponder responder;
    private volatile OscoreSettings running;
    private volatile String status = "stopped";
    private volatile List<GatewayIdentity.Key> identityKeys = List.of();
    /** Stored contexts whose AEAD no crypto provider offered yet, with their device and suite. */
    private final java.util.List<Awaiting> awaitingAead = new java.util.ArrayList<>();

    private record Awaiting(StoredContext stored, String deviceId, String suite, ContextTable table) {
    }

    @Activate
    public OscoreListener(@Reference DeviceRegistry registry, @Reference GatewayRuntime runtime,
            @Reference DeviceAccessControl access, Map<String, Object> properties, OscoreListenerConfig config) {
        this.registry = registry;
        this.runtime = runtime;
        this.access = access;
        Object pid = properties.get("service.pid");
        this.name = pid == null ? FACTORY_PID : pid.toString();
        this.traffic = new TrafficReporter(name, "oscore");
        apply(config);
        tasks.scheduleWithFixedDelay(() -> airtimeMeter.flush(cryptoInventory), 10, 10, TimeUnit.SECONDS);
        tasks.scheduleWithFixedDelay(() -> sweep("periodic check of AEAD limits"), 60, 60, TimeUnit.SECONDS);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTrafficListener(TrafficEventListener listener) {
        traffic.addListener(listener);
    }

    void removeTrafficListener(TrafficEventListener listener) {
        traffic.removeListener(listener);
    }

    /** AEADs by COSE id, from the crypto provider bundles; a context whose AEAD left cannot be used until it is back. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "removeAead")
    void addAead(CoseAead aead) {
        aeads.put(aead.algorithm(), aead);
        restoreAwaiting();
    }

    void removeAead(CoseAead aead) {
        aeads.remove(aead.algorithm(), aead);
    }

    @Modified
    void modified(OscoreListenerConfig config) {
        apply(config);
    }

    @Deactivate
    synchronized void deactivate() {
        stop();
        tasks.shutdownNow();
        airtimeMeter.flush(cryptoInventory);
        status = "stopped";
    }

    private synchronized void apply(OscoreListenerConfig config) {
        OscoreSettings settings;
        try {
            settings = OscoreSettings.from(config);
        } catch (IllegalArgumentException e) {
            stop();
            status = "invalid configuration: " + e.getMessage();
            LOG.error("OSCORE listener {} not started, invalid configuration: {}", name, e.getMessage());
            return;
        }
        if (settings.equals(running)) {
            return;
        }
        stop();
        start(settings);
    }

    private void start(OscoreSettings settings) {
        Path dir = runtime.dataDirectory("oscore");
        GatewayIdentity identity;
        try {
            identity = GatewayIdentity.loadOrCreate(dir.resolve("identity"));
            storeDir = dir.resolve("contexts");
            store = new FileContextStore(storeDir);
        } catch (IOException | GeneralSecurityException e) {
            status = "failed: keys or contexts unavailable in " + dir + ": " + e.getMessage();
            LOG.error("OSCORE listener {} not started: {}", name, status);
            return;
        }
        identityKeys = identity.keys();
        ContextTable table = new ContextTable(settings.maxContexts());
        RegistryResolver resolver = new RegistryResolver(registry, access);
        SecureRandom random = new SecureRandom();
        EdhocResponder r = new EdhocResponder(EdhocResponder.Config.builder().suites(settings.suites())
                .methods(settings.methods()).credentials(identity.credentials())
                .connectionIds(taken -> allocate(random, taken, table))
                .maxPending(settings.edhocMaxPending()).timeout(Duration.ofSeconds(settings.edhocTimeoutSeconds()))
                .build(), aeads::get, resolver);
        OscoreAirtime airtime = new OscoreAirtime(airtimeMeter);
        EdhocResource.Installer installer = (session, peer) -> install(session, table, settings);
        java.util.concurrent.atomic.AtomicReference<EdhocResource> edhocResource =
                new java.util.concurrent.atomic.AtomicReference<>();
        OscoreLayer layer = new OscoreLayer(table, traffic, new EchoFreshness(), (cR, m3, peer) -> {
            EdhocResource res = edhocResource.get();
            long[] earlier = res == null ? null : res.takePending(ConnectionId.of(cR));
            try {
                EdhocSession session = r.processMessage3(ConnectionId.of(cR), m3, false);
                String refused = installer.install(session, peer);
                if (refused != null) {
                    throw new OscoreException(OscoreException.Reason.CONTEXT_NOT_FOUND, refused);
                }
                if (earlier != null) {
                    // message_1 and message_2 of this handshake; message_3 travels in the OSCORE request
                    airtimeMeter.add(session.peerSubject(), OscoreAirtime.EDHOC, true, earlier[0], earlier[1]);
                    airtimeMeter.add(session.peerSubject(), OscoreAirtime.EDHOC, false, earlier[2], earlier[3]);
                }
                airtimeMeter.handshake(session.peerSubject(), OscoreAirtime.EDHOC);
                traffic.report(TrafficEventType.HANDSHAKE_SUCCEEDED, session.peerSubject(), peer,
                        "EDHOC + OSCORE suite " + session.suite().id(), null, 0);
            } catch (EdhocException e) {
                if (earlier != null) {
                    airtimeMeter.unattributed(earlier[0] + earlier[2], earlier[1] + earlier[3]);
                }
                traffic.reject(TrafficEventType.HANDSHAKE_FAILED, FailureCause.BAD_MAC, null, peer,
                        "EDHOC + OSCORE: " + e.getMessage(), null);
                throw new OscoreException(OscoreException.Reason.CONTEXT_NOT_FOUND, "EDHOC: " + e.getMessage());
            }
        }, airtime);
        restore(table, settings);

        Configuration cfg = Configuration.createStandardWithoutFile();
        cfg.set(CoapConfig.DEDUPLICATOR, CoapConfig.DEDUPLICATOR_PEERS_MARK_AND_SWEEP);
        cfg.set(CoapConfig.PEERS_MARK_AND_SWEEP_MESSAGES, 16);
        cfg.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, Math.max(settings.limits().maxPayloadBytes(), 1024));
        InetSocketAddress bind = new InetSocketAddress(settings.address(), settings.port());
        CoapEndpoint ep = new CoapEndpoint.Builder().setConfiguration(cfg).setInetSocketAddress(bind)
                .setCoapStackFactory(OscoreStack.factory(layer)).setOptionRegistry(OscoreLayer.OPTIONS).build();
        CoapServer s = new CoapServer(cfg);
        s.addEndpoint(ep);
        OscorePeers peers = new OscorePeers(registry);
        DeviceRequests requests = new DeviceRequests(peers, traffic, () -> consumer, settings.limits(), access);
        s.setMessageDeliverer(new ReportingDeliverer(s.getRoot(), cfg, peers, traffic));
        s.add(new DataResource("telemetry", requests), new DataResource("events", requests),
                new CommandsResource(requests, () -> commandQueue, traffic, settings.limits()));
        Resource wellKnown = s.getRoot().getChild(".well-known");
        EdhocResource edhoc = new EdhocResource(r, resolver, installer, traffic, airtime);
        edhocResource.set(edhoc);
        wellKnown.add(edhoc);
        try {
            s.start();
        } catch (IllegalStateException e) {
            s.destroy();
            status = "failed: cannot listen on udp " + TrafficReporter.address(bind) + ": " + e.getMessage();
            LOG.error("OSCORE listener {} cannot listen on udp {} (listener.address/listener.port): {}", name,
                    TrafficReporter.address(bind), e.getMessage());
            return;
        }
        server = s;
        endpoint = ep;
        contexts = table;
        responder = r;
        running = settings;
        restoreAwaiting();
        status = "listening on udp " + TrafficReporter.address(new InetSocketAddress(settings.address(),
                ep.getAddress().getPort())) + ", EDHOC suites " + settings.suites().stream()
                        .map(x -> Integer.toString(x.id())).toList();
        LOG.info("OSCORE listener {} {}, {} stored OSCORE context(s) restored", name, status, table.size());
    }

    /** A random C_R of 1 byte while they last, then longer, never one in use. */
    private static ConnectionId allocate(SecureRandom random, java.util.function.Predicate<ConnectionId> taken,
            ContextTable table) {
        for (int length = 1; ; length++) {
            for (int attempt = 0; attempt < 16; attempt++) {
                byte[] b = new byte[Math.min(length, ConnectionId.MAX_LENGTH)];
                random.nextBytes(b);
                ConnectionId id = ConnectionId.of(b);
                if (!taken.test(id) && !table.recipientIdTaken(id.bytes())) {
                    return id;
                }
            }
        }
    }

    /** Makes the OSCORE context of a completed handshake; @return null, or why it was refused */
    private String install(EdhocSession session, ContextTable table, OscoreSettings settings) {
        String deviceId = session.peerSubject();
        Optional<Device> device = registry.device(deviceId);
        if (device.isEmpty() || !device.get().enabled() || access.isQuarantined(deviceId)) {
            return "device " + deviceId + " is " + (device.isEmpty() ? "removed" : !device.get().enabled()
                    ? "disabled" : "quarantined");
        }
        CredentialType type = device.get().edhocCredential().map(c -> c.kind() == EdhocCredential.Kind.X509
                ? CredentialType.X509 : CredentialType.RAW_PUBLIC_KEY).orElse(CredentialType.RAW_PUBLIC_KEY);
        String suiteId = suiteId(session.suite().id());
        org.m2mgw.api.crypto.CryptoPolicy policy = cryptoPolicy;
        if (policy != null) {
            org.m2mgw.api.crypto.Verdict v = policy.suite(type, suiteId, Instant.now());
            if (v.status() == org.m2mgw.api.crypto.CryptoStatus.RETIRED) {
                return "crypto policy: " + v.reason();
            }
        }
        org.m2mgw.oscore.internal.edhoc.OscoreParameters p = session.oscore();
        CoseAead aead = aeads.get(p.aeadAlgorithm());
        if (aead == null) {
            return "no crypto provider offers AEAD " + p.aeadAlgorithm();
        }
        OscoreContext ctx = OscoreContext.derive(p.toOscore().withReplayWindow(settings.replayWindow()), aead);
        try {
            ctx.persistTo(store, OscoreContext.DEFAULT_LOOKAHEAD);
        } catch (IOException e) {
            return "the security context cannot be stored: " + e.getMessage();
        }
        table.put(ctx, deviceId, suiteId).ifPresent(old -> forget(old.context()));
        saveDevices(table);
        CryptoInventory inv = cryptoInventory;
        if (inv != null) {
            inv.handshake(deviceId, "EDHOC", suiteId, type, true, Instant.now());
        }
        return null;
    }

    /** @return the crypto catalogue's id of an EDHOC suite ({@code EDHOC_SUITE_2}) */
    static String suiteId(int suite) {
        return suite == OscoreSettings.ASCON_PRIVATE.id() ? org.m2mgw.api.crypto.Suites.EDHOC_ASCON_PRIVATE
                : org.m2mgw.api.crypto.Suites.EDHOC_PREFIX + suite;
    }

    /** The crypto policy changed: contexts on suites it no longer allows are dropped; their devices run EDHOC again. */
    @Override
    public void policyChanged(org.m2mgw.api.crypto.CryptoPolicy policy) {
        tasks.execute(() -> sweep("crypto policy revision " + policy.revision()));
    }

    /**
     * Drops the contexts whose suite the policy retired, or whose AEAD key has protected or failed
     * on more messages than the limits allow (RFC 8613 has no in-band re-keying of its own; the
     * device's next request gets 4.01 "Security context not found" and it runs EDHOC again).
     */
    void sweep(String why) {
        ContextTable t = contexts;
        if (t == null) {
            return;
        }
        org.m2mgw.api.crypto.CryptoPolicy policy = cryptoPolicy;
        Instant now = Instant.now();
        for (ContextTable.Entry e : t.entries()) {
            String reason = null;
            Optional<Device> d = registry.device(e.deviceId());
            CredentialType type = d.flatMap(Device::edhocCredential).map(c -> c.kind() == EdhocCredential.Kind.X509
                    ? CredentialType.X509 : CredentialType.RAW_PUBLIC_KEY).orElse(CredentialType.RAW_PUBLIC_KEY);
            if (policy != null) {
                org.m2mgw.api.crypto.Verdict v = policy.suite(type, e.suite(), now);
                if (v.status() == org.m2mgw.api.crypto.CryptoStatus.RETIRED) {
                    reason = "crypto policy: " + v.reason();
                }
            }
            org.m2mgw.api.crypto.AeadLimits limits = policy == null ? e.context().aead().limits()
                    : policy.limits(e.suite()).orElse(e.context().aead().limits());
            if (reason == null && e.context().usage().exceeds(limits)) {
                reason = "AEAD usage limit reached (" + e.context().usage() + "): re-key with EDHOC";
            }
            if (reason != null && t.removeDevice(e.deviceId()) > 0) {
                forget(e.context());
                contextsEndedByPolicy.incrementAndGet();
                traffic.report(TrafficEventType.SESSION_CLOSED, FailureCause.POLICY, e.deviceId(), null, null, reason,
                        null, 0);
                LOG.info("OSCORE listener {}: context of device {} dropped ({}; {})", name, e.deviceId(), reason, why);
            }
        }
    }

    private void forget(OscoreContext old) {
        try {
            store.delete(old.recipientId(), old.idContext());
        } catch (IOException e) {
            LOG.warn("OSCORE listener {}: a replaced context's file was not deleted: {}", name, e.toString());
        }
    }

    /** Which device each stored context belongs to (the context files hold keys, not devices). */
    private synchronized void saveDevices(ContextTable table) {
        StringBuilder b = new StringBuilder("# recipient id (hex) = device id\n");
        HexFormat h = HexFormat.of();
        for (ContextTable.Entry e : table.entries()) {
            b.append(h.formatHex(e.context().recipientId())).append('=').append(e.deviceId()).append('\t')
                    .append(e.suite().replace('\n', ' ')).append('\n');
        }
        try {
            PrivateFiles.write(storeDir.resolve(DEVICES_FILE), b.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("OSCORE listener {}: device index of the contexts not saved: {}", name, e.toString());
        }
    }

    private void restore(ContextTable table, OscoreSettings settings) {
        Map<String, String[]> owners = new java.util.HashMap<>();
        try {
            Path f = storeDir.resolve(DEVICES_FILE);
            if (Files.exists(f)) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    int eq = line.indexOf('=');
                    int tab = line.indexOf('\t');
                    if (line.startsWith("#") || eq < 0 || tab < eq) {
                        continue;
                    }
                    owners.put(line.substring(0, eq), new String[] {line.substring(eq + 1, tab), line.substring(tab + 1)});
                }
            }
            ContextStore.Loaded loaded = store.loadAll();
            loaded.refused().forEach((file, why) -> LOG.error("OSCORE listener {}: stored context {} refused: {}", name,
                    file, why));
            for (StoredContext sc : loaded.contexts()) {
                String[] owner = owners.get(HexFormat.of().formatHex(sc.parameters().recipientId()));
                CoseAead aead = aeads.get(sc.parameters().algorithm());
                Optional<Device> d = owner == null ? Optional.empty() : registry.device(owner[0]);
                if (owner == null || d.isEmpty() || !d.get().enabled()) {
                    LOG.info("OSCORE listener {}: stored context {} dropped ({})", name,
                            HexFormat.of().formatHex(sc.parameters().recipientId()),
                            owner == null ? "no device" : "device gone or disabled");
                    store.delete(sc.parameters().recipientId(), sc.parameters().idContext());
                    continue;
                }
                if (aead == null) {
                    synchronized (awaitingAead) {
                        awaitingAead.add(new Awaiting(sc, owner[0], owner[1], table));
                    }
                    continue;
                }
                table.put(restored(sc, aead), owner[0], owner[1], true);
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("OSCORE listener {}: stored contexts not restored ({}); devices run EDHOC again", name,
                    e.toString());
        }
    }

    /**
     * A stored context, attached to the store again: its next sequence number mark is written before
     * it sends anything (RFC 8613 Appendix B.1.1).
     */
    private OscoreContext restored(StoredContext sc, CoseAead aead) throws IOException {
        OscoreContext ctx = OscoreContext.restore(sc, aead);
        ctx.persistTo(store, OscoreContext.DEFAULT_LOOKAHEAD);
        return ctx;
    }

    /** Restores the stored contexts whose AEAD has just become available. */
    private void restoreAwaiting() {
        synchronized (awaitingAead) {
            int n = 0;
            for (java.util.Iterator<Awaiting> it = awaitingAead.iterator(); it.hasNext();) {
                Awaiting a = it.next();
                CoseAead aead = aeads.get(a.stored().parameters().algorithm());
                if (aead != null) {
                    try {
                        a.table().put(restored(a.stored(), aead), a.deviceId(), a.suite(), true);
                        n++;
                    } catch (IOException e) {
                        LOG.error("OSCORE listener {}: stored context of {} not restored: {}", name, a.deviceId(),
                                e.toString());
                    }
                    it.remove();
                }
            }
            if (n > 0) {
                LOG.info("OSCORE listener {}: {} stored OSCORE context(s) restored now that their AEAD is offered", name,
                        n);
            }
        }
    }

    /** Stops listening without saving anything, as a power cut would (tests). */
    synchronized void halt() {
        if (server != null) {
            server.destroy();
        }
        server = null;
        endpoint = null;
        contexts = null;
        running = null;
        status = "halted";
    }

    private void stop() {
        synchronized (awaitingAead) {
            awaitingAead.clear();
        }
        if (server != null) {
            server.stop();
            ContextTable t = contexts;
            if (t != null) {
                for (ContextTable.Entry e : t.entries()) {
                    try {
                        e.context().saveForShutdown();
                    } catch (IOException ex) {
                        LOG.warn("OSCORE listener {}: replay window of {} not saved: {}", name, e.deviceId(),
                                ex.toString());
                    }
                }
            }
            server.destroy();
            LOG.info("OSCORE listener {} stopped", name);
        }
        server = null;
        endpoint = null;
        contexts = null;
        responder = null;
        running = null;
    }

    // --- registry and restrictions ---

    @Override
    public void deviceChanged(Optional<Device> before, Optional<Device> after) {
        ContextTable t = contexts;
        if (t == null || before.isEmpty()) {
            return;
        }
        Device old = before.get();
        Device now = after.filter(Device::enabled).orElse(null);
        if (now == null || !now.edhocCredential().equals(old.edhocCredential())) {
            if (t.removeDevice(old.deviceId()) > 0) {
                traffic.report(TrafficEventType.SESSION_CLOSED, old.deviceId(), null, now == null
                        ? "device disabled or removed" : "device EDHOC credential changed", null, 0);
            }
        }
    }

    @Override
    public void restrictionAdded(Restriction r) {
        ContextTable t = contexts;
        if (t != null && r.kind() == Restriction.Kind.QUARANTINE && t.removeDevice(r.subject()) > 0) {
            traffic.report(TrafficEventType.SESSION_CLOSED, FailureCause.QUARANTINED, r.subject(), null, null,
                    "device quarantined: " + r.reason(), null, 0);
        }
    }

    // --- status ---

    /** @return the gateway's EDHOC credentials (public parts), once started */
    List<GatewayIdentity.Key> identity() {
        return identityKeys;
    }

    /** @return the bound UDP address while running */
    public synchronized Optional<InetSocketAddress> address() {
        return endpoint == null ? Optional.empty() : Optional.ofNullable(endpoint.getAddress());
    }

    @Override
    public String protocol() {
        return "oscore";
    }

    @Override
    public String listenerName() {
        return name;
    }

    /**
     * The live OSCORE contexts, from the context table when asked. Bytes are not counted per
     * context (-1); "resumed" means restored from storage after a restart.
     */
    @Override
    public java.util.List<org.m2mgw.api.session.SessionInfo> sessions() {
        ContextTable t = contexts;
        if (t == null) {
            return java.util.List.of();
        }
        java.util.List<org.m2mgw.api.session.SessionInfo> out = new java.util.ArrayList<>();
        for (ContextTable.Entry e : t.entries()) {
            long seen = e.lastSeen();
            out.add(new org.m2mgw.api.session.SessionInfo(e.deviceId(), "oscore", e.lastAddress(), e.suite(),
                    HexFormat.of().formatHex(e.context().recipientId()), e.restored(),
                    Instant.ofEpochMilli(e.since()), seen == 0 ? null : Instant.ofEpochMilli(seen), -1, -1));
        }
        return out;
    }

    @Override
    public String statusName() {
        return name;
    }

    @Override
    public String statusLine() {
        ContextTable t = contexts;
        return t == null ? status : status + ", " + t.size() + " OSCORE context(s)";
    }

    @Override
    public boolean ready() {
        return status.startsWith("listening");
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>(traffic.snapshot());
        ContextTable t = contexts;
        if (t != null) {
            out.put("oscore.contexts", (long) t.size());
            out.put("oscore.contexts.evicted", t.evicted());
            out.put("oscore.contexts.ended.by.crypto.policy", contextsEndedByPolicy.get());
        }
        EdhocResponder r = responder;
        if (r != null) {
            out.put("edhoc.pending", (long) r.pendingCount());
            out.put("edhoc.pending.evicted", r.evictedCount());
            out.put("edhoc.pending.expired", r.expiredCount());
        }
        out.putAll(airtimeMeter.counters());
        return Collections.unmodifiableMap(out);
    }
}
