package org.m2mgw.transport.coaps.internal;

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
import org.m2mgw.api.command.CommandQueue;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.device.DeviceRegistryListener;
import org.m2mgw.api.message.DeviceMessageConsumer;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.api.runtime.StatusProvider;
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
            CoapsListener.class})
@Designate(ocd = CoapsListenerConfig.class, factory = true)
public class CoapsListener implements ConfigurableComponent, DeviceRegistryListener, StatusProvider {
    static final String FACTORY_PID = "org.m2mgw.transport.coaps";
    private static final Logger LOG = LoggerFactory.getLogger(CoapsListener.class);

    static {
        CoapConfig.register();
        DtlsConfig.register();
        UdpConfig.register();
    }

    private final DeviceRegistry registry;
    private final GatewayRuntime runtime;
    private final AccessControl access;
    private final java.util.function.Consumer<org.m2mgw.api.access.Restriction> onRestriction = this::restrictionAdded;
    private final TrafficReporter traffic;
    private final String name;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DeviceMessageConsumer consumer;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile CommandQueue commandQueue;

    private CoapServer server;
    private volatile DTLSConnector connector;
    private ListenerSettings running;
    private volatile String status = "stopped";

    @Activate
    public CoapsListener(@Reference DeviceRegistry registry, @Reference GatewayRuntime runtime,
            @Reference AccessControl access, Map<String, Object> properties, CoapsListenerConfig config) {
        this.registry = registry;
        this.runtime = runtime;
        this.access = access;
        access.addListener(onRestriction);
        Object pid = properties.get("service.pid");
        this.name = pid == null ? FACTORY_PID : pid.toString();
        this.traffic = new TrafficReporter(name);
        apply(config);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTrafficListener(TrafficEventListener listener) {
        traffic.addListener(listener);
    }

    void removeTrafficListener(TrafficEventListener listener) {
        traffic.removeListener(listener);
    }

    @Modified
    void modified(CoapsListenerConfig config) {
        apply(config);
    }

    @Deactivate
    synchronized void deactivate() {
        access.removeListener(onRestriction);
        stop();
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
        cfg.set(DtlsConfig.DTLS_MAX_CONNECTIONS, settings.maxConnections());
        cfg.set(DtlsConfig.DTLS_STALE_CONNECTION_THRESHOLD, settings.staleConnectionSeconds(), TimeUnit.SECONDS);
        cfg.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, settings.retransmissionTimeoutMs(), TimeUnit.MILLISECONDS);
        cfg.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, settings.maxRetransmissions());
        // Cookie exchange always, also for PSK and on resumption fallback (CVE-2022-2576).
        cfg.set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST, true);
        setHelloVerifyForPsk(cfg);
        cfg.set(DtlsConfig.DTLS_USE_ANTI_REPLAY_FILTER, true);
        cfg.set(DtlsConfig.DTLS_SERVER_USE_SESSION_ID, true);
        // A device is one principal (PSK identity, public key or certificate subject): Scandium is
        // asked to drop a principal's older connection when it completes a new full handshake.
        // The handshake benchmark still sees abandoned connections pile up in the store until
        // dtls.stale.connection.seconds (README, known limits): this is not yet the protection
        // against re-handshake storms that it should be.
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
        DtlsConnectorConfig.Builder b = DtlsConnectorConfig.builder(cfg)
                .setAddress(bind)
                .setSessionListener(observer)
                .setConnectionListener(observer)
                .setHealthHandler(observer)
                .setDatagramFilter(observer.datagramFilter(cfg))
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
        DTLSConnector dtls;
        try {
            dtls = new DTLSConnector(b.build());
        } catch (IllegalStateException | IllegalArgumentException e) {
            status = "invalid configuration: " + e.getMessage();
            LOG.error("CoAPS listener {} not started, invalid DTLS settings: {}", name, e.getMessage());
            return;
        }
        dtls.setAlertHandler(observer);
        DeviceRequests requests = new DeviceRequests(credentials, traffic, () -> consumer, settings, access);
        CoapServer s = new CoapServer(cfg);
        s.addEndpoint(new CoapEndpoint.Builder().setConfiguration(cfg)
                .setConnector(new InspectingConnector(dtls, traffic, credentials)).build());
        s.add(new DataResource("telemetry", requests), new DataResource("events", requests),
                new CommandsResource(requests, () -> commandQueue, traffic, settings));
        SessionState state = sessionState();
        if (state != null) {
            try {
                int restored = state.restore(s);
                if (restored > 0) {
                    LOG.info("CoAPS listener {} restored {} device sessions", name, restored);
                }
            } catch (IOException e) {
                LOG.warn("CoAPS listener {}: {}; devices will handshake again", name, e.getMessage());
            }
        }
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
        running = settings;
        status = "listening on udp " + TrafficReporter.address(bind) + " with " + settings.cipherSuites();
        LOG.info("CoAPS listener {} listening on udp {}, suites {}", name, TrafficReporter.address(bind),
                settings.cipherSuites());
    }

    @SuppressWarnings("deprecation")
    private static void setHelloVerifyForPsk(Configuration cfg) {
        cfg.set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST_FOR_PSK, true);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    private SessionState sessionState() {
        try {
            return SessionState.in(runtime.dataDirectory("coaps"), name);
        } catch (IOException | RuntimeException e) {
            LOG.warn("CoAPS listener {}: session state unavailable ({}); sessions will not survive a restart",
                    name, e.toString());
            return null;
        }
    }

    private void stop() {
        if (server != null) {
            server.stop();
            SessionState state = sessionState();
            if (state != null) {
                try {
                    state.save(server, running.staleConnectionSeconds());
                    LOG.info("CoAPS listener {} saved its device sessions to {}", name, state.file());
                } catch (IOException | RuntimeException e) {
                    LOG.warn("CoAPS listener {} could not save its device sessions: {}", name, e.toString());
                }
            }
            server.destroy();
            LOG.info("CoAPS listener {} stopped", name);
        }
        server = null;
        connector = null;
        running = null;
    }

    /** Ends the sessions of a device that was just quarantined. */
    private void restrictionAdded(org.m2mgw.api.access.Restriction r) {
        DTLSConnector dtls = connector;
        if (dtls == null || r.kind() != org.m2mgw.api.access.Restriction.Kind.QUARANTINE) {
            return;
        }
        registry.device(r.subject()).ifPresent(d -> {
            org.eclipse.californium.elements.util.Filter<Principal> owned = p -> RegistryCredentials.belongsTo(p, d);
            dtls.startTerminateConnectionsForPrincipal(owned, true);
            traffic.report(TrafficEventType.SESSION_CLOSED, d.deviceId(), null, "device quarantined: " + r.reason(),
                    null, 0);
        });
    }

    /** Ends the sessions of a device that was disabled, removed or given new credentials. */
    @Override
    public void deviceChanged(Optional<Device> before, Optional<Device> after) {
        DTLSConnector dtls = connector;
        if (dtls == null || before.isEmpty()) {
            return;
        }
        Device old = before.get();
        // The registry tells only of real changes; a change in which every public field stayed the
        // same is a new secret (a rotated PSK), and must end sessions under the old key.
        boolean secretRotated = after.isPresent() && after.get().equals(old);
        boolean keep = after.isPresent() && after.get().enabled() && !secretRotated
                && after.get().pskIdentity().equals(old.pskIdentity())
                && after.get().certificateSubject().equals(old.certificateSubject())
                && java.util.Arrays.equals(after.get().publicKey().orElse(null), old.publicKey().orElse(null));
        if (keep) {
            return;
        }
        org.eclipse.californium.elements.util.Filter<Principal> owned = p -> RegistryCredentials.belongsTo(p, old);
        dtls.startTerminateConnectionsForPrincipal(owned, true);
        traffic.report(TrafficEventType.SESSION_CLOSED, old.deviceId(), null,
                after.isEmpty() ? "device removed" : !after.get().enabled() ? "device disabled"
                        : secretRotated ? "device key rotated" : "device credentials changed", null, 0);
        LOG.info("CoAPS listener {}: ending the sessions of device {}", name, old.deviceId());
    }

    /** @return a one-line status for the console and the shell */
    public String status() {
        return status;
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
    public String statusName() {
        return name;
    }

    @Override
    public String statusLine() {
        return status;
    }

    /** @return the counters since start, by name */
    @Override
    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>(traffic.snapshot());
        return Collections.unmodifiableMap(out);
    }
}
