package org.m2mgw.transport.coaps.internal;

import org.m2mgw.support.coap.CommandsResource;
import org.m2mgw.support.coap.DataResource;
import org.m2mgw.support.coap.DeviceRequests;
import org.m2mgw.support.coap.ReportingDeliverer;
import org.m2mgw.support.coap.TrafficReporter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Principal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.access.Restriction;
import org.m2mgw.api.access.RestrictionListener;
import org.m2mgw.api.command.CommandQueue;
import org.m2mgw.api.crypto.CryptoInventory;
import org.m2mgw.api.crypto.CryptoPolicy;
import org.m2mgw.api.crypto.CryptoPolicyListener;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.device.DeviceRegistryListener;
import org.m2mgw.api.message.DeviceMessageConsumer;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.api.runtime.StatusProvider;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEventListener;
import org.m2mgw.api.traffic.TrafficEventType;
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
 * One CoAP over DTLS 1.2 listener (a factory configuration instance). Devices authenticate with
 * credentials from the {@link DeviceRegistry}; their messages go to the
 * {@link DeviceMessageConsumer} (the durable queue), and they are answered 2.04 only once it
 * accepted them.
 */
@Component(configurationPid = CoapsListener.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = {ConfigurableComponent.class, DeviceRegistryListener.class, StatusProvider.class,
            RestrictionListener.class, CryptoPolicyListener.class, CoapsListener.class,
            org.m2mgw.api.session.SessionDirectory.class})
@Designate(ocd = CoapsListenerConfig.class, factory = true)
public class CoapsListener implements ConfigurableComponent, DeviceRegistryListener, StatusProvider,
        RestrictionListener, CryptoPolicyListener, org.m2mgw.api.session.SessionDirectory {
    static final String FACTORY_PID = "org.m2mgw.transport.coaps";
    private static final Logger LOG = LoggerFactory.getLogger(CoapsListener.class);

    static {
        CoapConfig.register();
        DtlsConfig.register();
        UdpConfig.register();
    }

    private final DeviceRegistry registry;
    private final GatewayRuntime runtime;
    private final DeviceAccessControl access;
    private final TrafficReporter traffic;
    private final String name;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DeviceMessageConsumer consumer;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile CommandQueue commandQueue;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile CryptoPolicy cryptoPolicy;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile CryptoInventory cryptoInventory;

    /** Crypto sweeps (policy changes, AEAD limits, inventory usage) and rollover promotions. */
    private final java.util.concurrent.ScheduledExecutorService cryptoTasks =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "m2mgw-coaps-crypto");
                t.setDaemon(true);
                return t;
            });
    private volatile CryptoGuard guard;
    private final java.util.concurrent.atomic.AtomicLong sessionsEndedByPolicy = new java.util.concurrent.atomic.AtomicLong();
    /** Bytes on air per device and protocol; reported to the crypto inventory every few seconds. */
    private final org.m2mgw.support.coap.AirtimeMeter airtimeMeter = new org.m2mgw.support.coap.AirtimeMeter();
    private volatile DtlsAirtime airtime;
    static final long AIRTIME_FLUSH_SECONDS = 10;

    /** Heap a DTLS connection takes, measured with idle sessions (docs/performance.md): about 7.4 KB. */
    static final long BYTES_PER_CONNECTION = 8 * 1024;

    private CoapServer server;
    private volatile GatewayDtlsConnector connector;
    private volatile ConnectionLimits limits;
    private volatile DtlsObserver observer;
    /** The running connector's credentials (peer identity to device), for the session directory. */
    private volatile RegistryCredentials credentials;
    private final DtlsSessions sessionDirectory = new DtlsSessions();
    private final SessionKeeper sessions;
    private volatile int effectiveMaxConnections;
    private ListenerSettings running;
    private volatile String status = "stopped";
    /** Restarts the connector, sessions kept, when a crypto provider bundle comes, changes or goes. */
    private final ProviderWatcher providers = new ProviderWatcher(this::restartKeepingSessions);

    @Activate
    public CoapsListener(@Reference DeviceRegistry registry, @Reference GatewayRuntime runtime,
            @Reference DeviceAccessControl access, Map<String, Object> properties, CoapsListenerConfig config) {
        this.registry = registry;
        this.runtime = runtime;
        this.access = access;
        Object pid = properties.get("service.pid");
        this.name = pid == null ? FACTORY_PID : pid.toString();
        this.traffic = new TrafficReporter(name, "coaps");
        this.sessions = new SessionKeeper(name, () -> runtime.dataDirectory("coaps"), registry, access);
        apply(config);
        cryptoTasks.scheduleWithFixedDelay(() -> sweep("periodic check of AEAD limits"), 60, 60, TimeUnit.SECONDS);
        cryptoTasks.scheduleWithFixedDelay(this::flushAirtime, AIRTIME_FLUSH_SECONDS, AIRTIME_FLUSH_SECONDS,
                TimeUnit.SECONDS);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTrafficListener(TrafficEventListener listener) {
        traffic.addListener(listener);
    }

    void removeTrafficListener(TrafficEventListener listener) {
        traffic.removeListener(listener);
    }

    // --- crypto provider bundles (ProviderWatcher) ---
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "removeCryptoProvider", updated = "updatedCryptoProvider")
    void addCryptoProvider(org.m2mgw.api.crypto.CryptoProvider p, Map<String, Object> props) {
        providers.added(p, props);
    }

    void updatedCryptoProvider(org.m2mgw.api.crypto.CryptoProvider p, Map<String, Object> props) {
        providers.modified(p, props);
    }

    void removeCryptoProvider(org.m2mgw.api.crypto.CryptoProvider p, Map<String, Object> props) {
        providers.removed(p, props);
    }

    /** Stops the connector (saving its sessions) and starts it again with the same settings (restoring them). */
    synchronized void restartKeepingSessions(String reason) {
        ListenerSettings settings = running;
        if (settings == null) {
            return;
        }
        LOG.info("CoAPS listener {} restarting its connector, sessions kept: {}", name, reason);
        stop();
        start(settings);
    }
    // --- end crypto provider bundles ---

    @Modified
    void modified(CoapsListenerConfig config) {
        apply(config);
    }

    @Deactivate
    synchronized void deactivate() {
        cryptoTasks.shutdownNow();
        stop();
        flushAirtime();
        status = "stopped";
    }

    private synchronized void apply(CoapsListenerConfig config) {
        ListenerSettings settings;
        try {
            settings = ListenerSettings.from(config);
        } catch (ListenerSettings.InvalidConfigurationException e) {
            stop();
            status = "invalid configuration: " + e.getMessage();
            LOG.error("CoAPS listener {} not started, invalid configuration: {}", name, e.getMessage());
            return;
        }
        if (settings.equals(running)) {
            return;
        }
        stop();
        start(settings);
    }

    private void start(ListenerSettings settings) {
        Configuration cfg = Configuration.createStandardWithoutFile();
        cfg.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
        cfg.set(DtlsConfig.DTLS_CIPHER_SUITES, settings.cipherSuites());
        cfg.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, settings.cidLength());
        int maxConnections = connectionsForHeap(settings.maxConnections(), Runtime.getRuntime().maxMemory());
        if (maxConnections < settings.maxConnections()) {
            LOG.warn("CoAPS listener {}: dtls.max.connections {} needs about {} MB of heap, more than half of "
                    + "the {} MB this JVM may use; holding at most {} connections (raise -Xmx, M2MGW_HEAP)", name,
                    settings.maxConnections(), settings.maxConnections() * BYTES_PER_CONNECTION >> 20,
                    Runtime.getRuntime().maxMemory() >> 20, maxConnections);
        }
        effectiveMaxConnections = maxConnections;
        cfg.set(DtlsConfig.DTLS_MAX_CONNECTIONS, maxConnections);
        cfg.set(DtlsConfig.DTLS_STALE_CONNECTION_THRESHOLD, settings.staleConnectionSeconds(), TimeUnit.SECONDS);
        cfg.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, settings.retransmissionTimeoutMs(), TimeUnit.MILLISECONDS);
        cfg.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, settings.maxRetransmissions());
        // Cookie exchange always, also for PSK and on resumption fallback (CVE-2022-2576).
        cfg.set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST, true);
        setHelloVerifyForPsk(cfg);
        cfg.set(DtlsConfig.DTLS_USE_ANTI_REPLAY_FILTER, true);
        cfg.set(DtlsConfig.DTLS_SERVER_USE_SESSION_ID, true);
        // A device is one principal (PSK identity, public key or certificate subject). Scandium only
        // marks a principal's older connection when it completes a new handshake; ConnectionLimits
        // removes it at once, so one device cannot fill the store by handshaking from new ports.
        cfg.set(DtlsConfig.DTLS_REMOVE_STALE_DOUBLE_PRINCIPALS, true);
        // Californium's default deduplicator keeps every exchange for EXCHANGE_LIFETIME (247 s):
        // at 10,000 requests/s that is millions of entries and an OutOfMemoryError. Per peer, a
        // device with NSTART 1 needs only its last few message ids to spot a retransmission.
        cfg.set(CoapConfig.DEDUPLICATOR, CoapConfig.DEDUPLICATOR_PEERS_MARK_AND_SWEEP);
        cfg.set(CoapConfig.PEERS_MARK_AND_SWEEP_MESSAGES, 16);
        cfg.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, Math.max(settings.maxPayloadBytes(), 1024));

        InetSocketAddress bind = new InetSocketAddress(settings.address(), settings.port());
        RegistryCredentials credentials = new RegistryCredentials(registry, access);
        DtlsObserver observer = new DtlsObserver(traffic, credentials, access);
        observer.sessions = sessionDirectory;
        CryptoGuard cryptoGuard = new CryptoGuard(name, () -> cryptoPolicy, () -> cryptoInventory, registry, traffic,
                credentials, cryptoTasks);
        DtlsConnectorConfig.Builder b = DtlsConnectorConfig.builder(cfg)
                .setAddress(bind)
                .setSessionListener(observer)
                .setConnectionListener(observer)
                .setHealthHandler(observer)
                .setDatagramFilter(observer.datagramFilter(cfg))
                .setApplicationLevelInfoSupplier(credentials)
                .setCipherSuiteSelector(cryptoGuard.new Selector())
                .setLoggingTag(name)
                // A stable label, so that saved connections find their connector again.
                .setSerializationLabel("dtls://" + name);
        if (settings.hasPskSuites()) {
            b.setAdvancedPskStore(credentials);
        }
        if (settings.hasCertificateSuites()) {
            try {
                KeyPair kp = ServerIdentity.loadOrCreate(runtime.dataDirectory("coaps"));
                b.setCertificateIdentityProvider(new SingleCertificateProvider(kp.getPrivate(), kp.getPublic()));
                b.setAdvancedCertificateVerifier(credentials);
            } catch (IOException | GeneralSecurityException e) {
                status = "failed: server key pair unavailable: " + e.getMessage();
                LOG.error("CoAPS listener {} not started: cannot load or create its key pair in {}: {}",
                        name, runtime.dataDirectory(), e.toString());
                return;
            }
        }
        GatewayDtlsConnector dtls;
        try {
            dtls = GatewayDtlsConnector.create(b.build());
        } catch (IllegalStateException | IllegalArgumentException e) {
            status = "invalid configuration: " + e.getMessage();
            LOG.error("CoAPS listener {} not started, invalid DTLS settings: {}", name, e.getMessage());
            return;
        }
        dtls.setAlertHandler(observer);
        DtlsAirtime meter = new DtlsAirtime(airtimeMeter, settings.cidLength(), dtls::connection, dtls::connection,
                credentials::deviceIdOf);
        dtls.airtime = meter;
        observer.airtime = meter;
        airtime = meter;
        DtlsPeers peers = new DtlsPeers(credentials);
        DeviceRequests requests = new DeviceRequests(peers, traffic, () -> consumer, settings.requestLimits(), access);
        CoapServer s = new CoapServer(cfg);
        s.addEndpoint(new CoapEndpoint.Builder().setConfiguration(cfg)
                .setConnector(new InspectingConnector(dtls, traffic, credentials)).build());
        s.setMessageDeliverer(new ReportingDeliverer(s.getRoot(), cfg, peers, traffic));
        s.add(new DataResource("telemetry", requests), new DataResource("events", requests),
                new CommandsResource(requests, () -> commandQueue, traffic, settings.requestLimits()));
        ConnectionLimits connectionLimits = new ConnectionLimits(dtls::remove, settings.maxConnectionsPerAddress());
        observer.limits = connectionLimits;
        limits = connectionLimits;
        this.observer = observer;
        observer.guard = cryptoGuard;
        observer.terminate = (peer, address) -> CryptoGuard.end(dtls, address);
        guard = cryptoGuard;
        sessions.restore(s, dtls, credentials);
        try {
            s.start();
        } catch (IllegalStateException e) {
            s.destroy();
            status = "failed: cannot listen on udp " + bind + ": " + rootMessage(e);
            LOG.error("CoAPS listener {} cannot listen on udp {} (listener.address/listener.port): {}",
                    name, TrafficReporter.address(bind), rootMessage(e));
            return;
        }
        server = s;
        connector = dtls;
        this.credentials = credentials;
        running = settings;
        status = "listening on udp " + TrafficReporter.address(bind) + " with " + settings.cipherSuites();
        LOG.info("CoAPS listener {} listening on udp {}, suites {}", name, TrafficReporter.address(bind),
                settings.cipherSuites());
    }

    @SuppressWarnings("deprecation")
    private static void setHelloVerifyForPsk(Configuration cfg) {
        cfg.set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST_FOR_PSK, true);
    }

    /** Hands the airtime sums to the inventory; gives up on handshakes that never ended. */
    void flushAirtime() {
        try {
            DtlsAirtime a = airtime;
            if (a != null) {
                a.expire(System.currentTimeMillis());
            }
            airtimeMeter.flush(cryptoInventory);
        } catch (RuntimeException e) {
            LOG.warn("CoAPS listener {}: airtime report failed: {}", name, e.toString());
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    /**
     * @return how many connections fit in half of {@code maxHeap}, at most {@code configured}
     */
    static int connectionsForHeap(int configured, long maxHeap) {
        long fit = Math.max(100, maxHeap / 2 / BYTES_PER_CONNECTION);
        return (int) Math.min(configured, fit);
    }

    private void stop() {
        if (server != null) {
            server.stop();
            if (connector != null) {
                sessions.save(server, connector, running.staleConnectionSeconds());
            }
            server.destroy();
            LOG.info("CoAPS listener {} stopped", name);
        }
        server = null;
        connector = null;
        guard = null;
        limits = null;
        running = null;
    }

    /** Ends the sessions of a device that was just quarantined. */
    @Override
    public void restrictionAdded(Restriction r) {
        DTLSConnector dtls = connector;
        if (dtls == null || r.kind() != Restriction.Kind.QUARANTINE) {
            return;
        }
        registry.device(r.subject()).ifPresent(d -> {
            org.eclipse.californium.elements.util.Filter<Principal> owned = p -> RegistryCredentials.belongsTo(p, d);
            dtls.startTerminateConnectionsForPrincipal(owned, true);
            traffic.report(TrafficEventType.SESSION_CLOSED, FailureCause.QUARANTINED, d.deviceId(), null, null,
                    "device quarantined: " + r.reason(), null, 0);
        });
    }

    /**
     * Ends the sessions of a device that was disabled, removed or given new credentials: those under
     * a credential it no longer has (a key rollover's promotion ends only the old key's sessions),
     * or all of them when its pre-shared key was replaced under the same identity.
     */
    @Override
    public void deviceChanged(Optional<Device> before, Optional<Device> after) {
        DTLSConnector dtls = connector;
        if (dtls == null || before.isEmpty()) {
            return;
        }
        Device old = before.get();
        Device now = after.filter(Device::enabled).orElse(null);
        // The registry tells only of real changes; one that kept every credential but gave the key a
        // new date, or changed no public field at all, is a new secret under the same PSK identity.
        boolean secretRotated = now != null && old.pskIdentity().isPresent()
                && now.pskIdentity().equals(old.pskIdentity())
                && (now.equals(old) || !now.keyCreated().equals(old.keyCreated()) && sameCredentials(old, now));
        org.eclipse.californium.elements.util.Filter<Principal> gone = p -> RegistryCredentials.belongsTo(p, old)
                && (now == null || !RegistryCredentials.belongsTo(p, now)
                        || secretRotated && p instanceof org.eclipse.californium.elements.auth.PreSharedKeyIdentity);
        boolean anyGone = now == null || secretRotated || !sameCredentials(old, now);
        if (!anyGone) {
            return;
        }
        dtls.startTerminateConnectionsForPrincipal(gone, true);
        String why = after.isEmpty() ? "device removed" : now == null ? "device disabled"
                : secretRotated ? "device key rotated"
                : old.rolloverPending() && !now.rolloverPending() ? "device key rollover ended, old key retired"
                : "device credentials changed";
        traffic.report(TrafficEventType.SESSION_CLOSED, old.deviceId(), null, why, null, 0);
        LOG.info("CoAPS listener {}: ending the sessions of device {} under credentials it no longer has ({})", name,
                old.deviceId(), why);
    }

    private static boolean sameCredentials(Device a, Device b) {
        return a.pskIdentity().equals(b.pskIdentity()) && a.nextPskIdentity().equals(b.nextPskIdentity())
                && a.certificateSubject().equals(b.certificateSubject())
                && a.certificateIssuer().equals(b.certificateIssuer())
                && java.util.Arrays.equals(a.certificateSha256().orElse(null), b.certificateSha256().orElse(null))
                && java.util.Arrays.equals(a.certificateSpkiSha256().orElse(null),
                        b.certificateSpkiSha256().orElse(null))
                && java.util.Arrays.equals(a.publicKey().orElse(null), b.publicKey().orElse(null))
                && java.util.Arrays.equals(a.nextPublicKey().orElse(null), b.nextPublicKey().orElse(null));
    }

    /**
     * The crypto policy changed: sessions on suites it no longer allows are ended (and forgotten,
     * so that they cannot be resumed), on a background thread; others are untouched. The next
     * handshakes are judged by the new policy already.
     */
    @Override
    public void policyChanged(CryptoPolicy policy) {
        cryptoTasks.execute(() -> sweep("crypto policy revision " + policy.revision()));
    }

    private void sweep(String why) {
        DTLSConnector dtls = connector;
        CryptoGuard g = guard;
        if (dtls == null || g == null) {
            return;
        }
        try {
            sessionsEndedByPolicy.addAndGet(g.sweep(dtls, why));
        } catch (RuntimeException e) {
            LOG.warn("CoAPS listener {}: crypto sweep ({}) failed: {}", name, why, e.toString());
        }
    }

    /**
     * Ends the live X.509 sessions whose certificate chain no longer validates against the new
     * trust anchors (a CA withdrawn or replaced), and takes them out of the resumption cache, so
     * that they can neither go on nor be resumed. Other sessions are left alone.
     */
    @Override
    public void trustAnchorsChanged(java.util.List<java.security.cert.X509Certificate> anchors) {
        DTLSConnector dtls = connector;
        if (dtls == null) {
            return;
        }
        dtls.startTerminateConnectionsForPrincipal(RegistryCredentials.notCoveredBy(anchors, id -> traffic.report(
                TrafficEventType.SESSION_CLOSED, id, null, "certificate chain no longer ends in a trust anchor", null, 0)),
                true);
        LOG.info("CoAPS listener {}: trust anchors changed ({} now); ending the X.509 sessions they no longer cover",
                name, anchors.size());
    }

    /** @return a one-line status for the console and the shell */
    public String status() {
        return status + "; crypto provider " + providers.inUse();
    }

    /** @return the listener's name (its configuration PID) */
    public String name() {
        return name;
    }

    /** @return the bound UDP address while running */
    public synchronized Optional<InetSocketAddress> address() {
        return connector == null ? Optional.empty() : Optional.ofNullable(connector.getAddress());
    }

    @Override
    public String protocol() {
        return "coaps";
    }

    @Override
    public String listenerName() {
        return name;
    }

    /** Read from the connection store on demand: one pass over the connections, nothing on the record path. */
    @Override
    public java.util.List<org.m2mgw.api.session.SessionInfo> sessions() {
        return sessions((String) null);
    }

    @Override
    public java.util.List<org.m2mgw.api.session.SessionInfo> sessions(String deviceId) {
        GatewayDtlsConnector dtls = connector;
        RegistryCredentials c = credentials;
        if (dtls == null || c == null) {
            return java.util.List.of();
        }
        return sessionDirectory.read(dtls.connections(), c, deviceId);
    }

    @Override
    public String statusName() {
        return name;
    }

    @Override
    public String statusLine() {
        return status + "; crypto provider " + providers.inUse();
    }

    @Override
    public boolean ready() {
        return status.startsWith("listening");
    }

    /** @return the counters since start, by name */
    @Override
    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>(traffic.snapshot());
        ConnectionLimits l = limits;
        if (l != null) {
            out.put("connections.superseded", l.superseded());
            out.put("connections.over.address.cap", l.overAddressCap());
        }
        DtlsObserver o = observer;
        if (o != null) {
            out.put("datagrams.blocked", o.blockedDatagrams());
            out.put("handshakes.limited", o.limitedHandshakes());
        }
        out.put("sessions.ended.by.crypto.policy", sessionsEndedByPolicy.get());
        out.put("connections.restored", sessions.restored());
        out.put("connections.restored.dropped", sessions.dropped());
        out.put("connections.max", (long) effectiveMaxConnections);
        out.put("crypto.provider.restarts", providers.restarts());
        out.putAll(airtimeMeter.counters());
        return Collections.unmodifiableMap(out);
    }
}
