package org.m2mgw.transport.coaps.internal;

import org.m2mgw.support.coap.TrafficReporter;
import java.security.Principal;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.auth.X509CertPath;
import org.eclipse.californium.elements.util.Filter;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuiteParameters;
import org.eclipse.californium.scandium.dtls.cipher.DefaultCipherSuiteSelector;
import org.m2mgw.api.crypto.AeadLimits;
import org.m2mgw.api.crypto.CryptoInventory;
import org.m2mgw.api.crypto.CryptoPolicy;
import org.m2mgw.api.crypto.Suites;
import org.m2mgw.api.crypto.Verdict;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.device.DeviceRegistry;
import org.m2mgw.api.traffic.FailureCause;
import org.m2mgw.api.traffic.TrafficEventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crypto policy at the DTLS listener: suites the policy does not allow are not selected at the
 * handshake (and a handshake with nothing left fails with the reason); sessions are checked again
 * once established (a resumption keeps its old suite); a policy change or a key past its AEAD
 * limits ends the sessions concerned; every handshake and key use is reported to the inventory;
 * and a device's first handshake with its next credential ends its key rollover.
 *
 * <p>Without a policy service, suites are what the listener configures and nothing is refused.
 */
final class CryptoGuard {
    private static final Logger LOG = LoggerFactory.getLogger(CryptoGuard.class);

    private final String name;
    private final Supplier<CryptoPolicy> policy;
    private final Supplier<CryptoInventory> inventory;
    private final DeviceRegistry registry;
    private final TrafficReporter traffic;
    private final RegistryCredentials credentials;
    private final ExecutorService background;
    /** The refusal of the suite selection running on this thread, for the failed-handshake report. */
    private final ThreadLocal<Refusal> refusal = new ThreadLocal<>();

    private record Refusal(String reason, long nanos) {
    }
    /** Devices whose rollover promotion is under way, so a burst of handshakes asks once. */
    private final Map<String, Boolean> promoting = new ConcurrentHashMap<>();

    CryptoGuard(String name, Supplier<CryptoPolicy> policy, Supplier<CryptoInventory> inventory,
            DeviceRegistry registry, TrafficReporter traffic, RegistryCredentials credentials,
            ExecutorService background) {
        this.name = name;
        this.policy = policy;
        this.inventory = inventory;
        this.registry = registry;
        this.traffic = traffic;
        this.credentials = credentials;
        this.background = background;
    }

    // --- at the handshake ---

    /** Scandium's suite selection, minus the suites the policy refuses for the offered credentials. */
    final class Selector extends DefaultCipherSuiteSelector {
        @Override
        public boolean select(CipherSuiteParameters parameters) {
            refusal.remove();
            boolean selected = super.select(parameters);
            if (selected) {
                refusal.remove();
            }
            return selected;
        }

        @Override
        protected boolean select(CipherSuite suite, CipherSuiteParameters parameters) {
            CryptoPolicy p = policy.get();
            if (p != null) {
                String why = refusalOf(p, suite, parameters);
                if (why != null) {
                    if (refusal.get() == null) {
                        refusal.set(new Refusal(why, System.nanoTime()));
                    }
                    return false;
                }
            }
            return super.select(suite, parameters);
        }
    }

    private static String refusalOf(CryptoPolicy p, CipherSuite suite, CipherSuiteParameters parameters) {
        Instant now = Instant.now();
        if (suite.isPskBased()) {
            Verdict v = p.suite(CredentialType.PSK, suite.name(), now);
            return v.allowed() ? null : v.reason();
        }
        Verdict first = null;
        for (CertificateType t : parameters.getClientCertTypes()) {
            CredentialType type = t == CertificateType.X_509 ? CredentialType.X509 : CredentialType.RAW_PUBLIC_KEY;
            Verdict v = p.suite(type, suite.name(), now);
            if (v.allowed()) {
                return null;
            }
            first = first == null ? v : first;
        }
        return first == null ? null : first.reason();
    }

    /**
     * @return the policy's reason why the suite selection on this thread found nothing, if that was
     *         within the last two seconds (the same handshake), or null; cleared
     */
    String takeRefusal() {
        Refusal r = refusal.get();
        refusal.remove();
        return r == null || System.nanoTime() - r.nanos() > TimeUnit.SECONDS.toNanos(2) ? null : r.reason();
    }

    /**
     * A session was established (full handshake or resumption).
     *
     * @return null to keep it, or the reason it must be closed
     */
    String established(Principal peer, CipherSuite suite, boolean full) {
        String deviceId = credentials.deviceIdOf(peer);
        if (deviceId == null) {
            return null;
        }
        CredentialType type = RegistryCredentials.credentialType(peer);
        Instant now = Instant.now();
        CryptoPolicy p = policy.get();
        if (p != null) {
            Verdict v = p.suite(type, suite.name(), now);
            if (!v.allowed()) {
                String reason = (full ? "handshake" : "resumption") + " refused: " + v.reason();
                recordEnded(deviceId, reason, now);
                return reason;
            }
        }
        CryptoInventory inv = inventory.get();
        if (inv != null) {
            inv.handshake(deviceId, Suites.DTLS_1_2, suite.name(), type, full, now);
            if (peer instanceof X509CertPath x509) {
                X509Certificate leaf = x509.getTarget();
                if (leaf != null) {
                    inv.certificate(deviceId, leaf);
                }
            }
        }
        if (full) {
            promoteIfNext(peer, deviceId);
        }
        return null;
    }

    private void promoteIfNext(Principal peer, String deviceId) {
        Optional<Device> device = registry.device(deviceId);
        if (device.isEmpty() || !device.get().rolloverPending() || !usesNext(peer, device.get())) {
            return;
        }
        if (promoting.putIfAbsent(deviceId, Boolean.TRUE) != null) {
            return;
        }
        // The registry writes its store: not on Scandium's handshake thread.
        background.execute(() -> {
            try {
                registry.promoteNextCredential(deviceId);
                LOG.info("CoAPS listener {}: device {} used its next key; it is now the current one", name, deviceId);
            } catch (RuntimeException e) {
                LOG.error("CoAPS listener {}: promoting the next key of device {} failed: {}", name, deviceId,
                        e.toString());
            } finally {
                promoting.remove(deviceId);
            }
        });
    }

    static boolean usesNext(Principal peer, Device d) {
        if (peer instanceof PreSharedKeyIdentity psk) {
            return d.nextPskIdentity().map(psk.getIdentity()::equals).orElse(false);
        }
        if (peer instanceof RawPublicKeyIdentity rpk) {
            return d.nextPublicKey().map(k -> Arrays.equals(k, rpk.getSubjectInfo())).orElse(false);
        }
        return false;
    }

    /**
     * A record failed authentication on a connection.
     *
     * @return whether the session key reached its integrity limit, and the connection must close
     */
    boolean macErrorLimitReached(Connection connection) {
        DTLSContext ctx = connection.getEstablishedDtlsContext();
        CryptoPolicy p = policy.get();
        if (ctx == null || p == null) {
            return false;
        }
        String suite = ctx.getSession().getCipherSuite().name();
        Optional<AeadLimits> limits = p.limits(suite);
        long failures = ctx.getMacErrors();
        if (limits.isEmpty() || failures < limits.get().integrityFailures()) {
            return false;
        }
        Principal peer = connection.getEstablishedPeerIdentity();
        String deviceId = credentials.deviceIdOf(peer);
        String reason = "session closed: " + failures + " records failed authentication under one key, the "
                + "integrity limit of " + suite + " (" + limits.get().source() + ")";
        traffic.report(TrafficEventType.SESSION_CLOSED, FailureCause.POLICY, deviceId, null,
                connection.getPeerAddress(), reason, null, 0);
        recordEnded(deviceId, reason, Instant.now());
        LOG.warn("CoAPS listener {}: {} for device {}", name, reason, deviceId);
        return true;
    }

    private void recordEnded(String deviceId, String reason, Instant at) {
        CryptoInventory inv = inventory.get();
        if (inv != null && deviceId != null) {
            inv.ended(deviceId, reason, at);
        }
    }

    /**
     * Ends one session: the peer is told with a close_notify alert and the connection at that
     * address closes. Only that connection: a device's newer session on an allowed suite (same
     * principal, another address) is not touched. A later resumption of the closed session is
     * checked again when it completes, and closed too if its suite is still not allowed.
     */
    static void end(DTLSConnector dtls, java.net.InetSocketAddress peer) {
        if (peer != null) {
            dtls.close(peer);
        }
    }

    // --- sweeps over live sessions ---

    /**
     * Reports each live session's key use to the inventory, and ends the sessions whose suite the
     * policy no longer allows or whose key protected as many records as its AEAD allows. Runs on a
     * background thread; waits for the connector's iteration at most a minute.
     *
     * @return how many devices' sessions were ended
     */
    int sweep(DTLSConnector dtls, String why) {
        CryptoPolicy p = policy.get();
        CryptoInventory inv = inventory.get();
        Instant now = Instant.now();
        Map<Principal, String> ending = new ConcurrentHashMap<>();
        Future<Void> done = dtls.startForEach((Filter<Connection>) connection -> {
            DTLSContext ctx = connection.getEstablishedDtlsContext();
            Principal peer = connection.getEstablishedPeerIdentity();
            if (ctx == null || peer == null) {
                return false;
            }
            String suite = ctx.getSession().getCipherSuite().name();
            long records = ctx.getNextSequenceNumber();
            String deviceId = credentials.deviceIdOf(peer);
            if (inv != null && deviceId != null) {
                inv.usage(deviceId, records, ctx.getMacErrors());
            }
            if (p != null) {
                Verdict v = p.suite(RegistryCredentials.credentialType(peer), suite, now);
                Optional<AeadLimits> limits = p.limits(suite);
                String closing = !v.allowed() ? "session closed: " + v.reason()
                        : limits.isPresent() && records >= limits.get().confidentialityRecords()
                                ? "session closed: its key protected " + records + " records, the limit of " + suite
                                        + " (" + limits.get().source() + "); the device handshakes again"
                                : null;
                if (closing != null) {
                    ending.put(peer, closing);
                    // This very connection, on its own executor: not the device's other sessions.
                    end(dtls, connection.getPeerAddress());
                }
            }
            return false;
        });
        try {
            done.get(1, TimeUnit.MINUTES);
        } catch (Exception e) {
            LOG.warn("CoAPS listener {}: crypto sweep ({}) did not finish: {}", name, why, e.toString());
        }
        if (ending.isEmpty()) {
            return 0;
        }
        for (Map.Entry<Principal, String> e : ending.entrySet()) {
            String deviceId = credentials.deviceIdOf(e.getKey());
            traffic.report(TrafficEventType.SESSION_CLOSED, FailureCause.POLICY, deviceId, null, null,
                    e.getValue(), null, 0);
            recordEnded(deviceId, e.getValue(), now);
        }
        LOG.info("CoAPS listener {}: {}: ended the sessions of {} device(s) ({})", name, why, ending.size(),
                ending.values().iterator().next());
        return ending.size();
    }
}
