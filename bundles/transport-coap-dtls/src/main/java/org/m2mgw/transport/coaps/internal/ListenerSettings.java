package org.m2mgw.transport.coaps.internal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.m2mgw.support.IpLiterals;
import org.m2mgw.support.config.Metatype;

/** Validated listener settings. Every error names the configuration key it is about. */
record ListenerSettings(InetAddress address, int port, List<CipherSuite> cipherSuites,
        int retransmissionTimeoutMs, int maxRetransmissions, int maxConnections, int maxConnectionsPerAddress,
        int staleConnectionSeconds, int cidLength, int maxPayloadBytes,
        int retryAfterSeconds, int acceptTimeoutMs) {

    /** The listener's metatype: the one definition of its keys, defaults and ranges. */
    static final Metatype METATYPE = Metatype.of(CoapsListenerConfig.class, CoapsListener.FACTORY_PID);

    static ListenerSettings from(CoapsListenerConfig c) {
        // types, ranges and options come from the metatype; what it cannot say is checked below
        List<String> errors = new ArrayList<>(METATYPE.problems(c));
        InetAddress address = null;
        String host = c.listener_address() == null ? "" : c.listener_address().trim();
        try {
            address = IpLiterals.parse(host);
        } catch (IllegalArgumentException e) {
            errors.add("listener.address '" + host + "' is not an IP address");
        }
        List<CipherSuite> suites = new ArrayList<>();
        String[] names = c.dtls_cipher_suites() == null ? new String[0] : c.dtls_cipher_suites();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                continue;
            }
            CipherSuite suite = CipherSuite.getTypeByName(name.trim());
            if (suite == null || !suite.isValidForNegotiation()) {
                errors.add("dtls.cipher.suites: unknown or unsupported suite '" + name.trim() + "'");
            } else if (!suites.contains(suite)) {
                suites.add(suite);
            }
        }
        if (suites.isEmpty() && errors.stream().noneMatch(e -> e.startsWith("dtls.cipher.suites"))) {
            errors.add("dtls.cipher.suites must name at least one suite");
        }
        if (!errors.isEmpty()) {
            throw new InvalidConfigurationException(String.join("; ", errors));
        }
        return new ListenerSettings(address, c.listener_port(), List.copyOf(suites),
                c.dtls_retransmission_timeout_ms(), c.dtls_max_retransmissions(),
                c.dtls_max_connections(), c.dtls_max_connections_per_address(), c.dtls_stale_connection_seconds(), c.dtls_cid_length(),
                c.coap_max_payload_bytes(), c.coap_retry_after_seconds(),
                c.coap_accept_timeout_ms());
    }

    boolean hasPskSuites() {
        return cipherSuites.stream().anyMatch(CipherSuite::isPskBased);
    }

    boolean hasCertificateSuites() {
        return cipherSuites.stream().anyMatch(CipherSuite::requiresServerCertificateMessage);
    }

    /** A configuration value that cannot be used; the message names the key. */
    static final class InvalidConfigurationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidConfigurationException(String message) {
            super(message);
        }
    }

    /** @return how the device resources treat requests */
    org.m2mgw.support.coap.RequestLimits requestLimits() {
        return new org.m2mgw.support.coap.RequestLimits(maxPayloadBytes, retryAfterSeconds, acceptTimeoutMs);
    }
}
