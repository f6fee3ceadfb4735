package org.m2mgw.transport.coaps.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;

/** Validated listener settings. Every error names the configuration key it is about. */
record ListenerSettings(InetAddress address, int port, List<CipherSuite> cipherSuites,
        int retransmissionTimeoutMs, int maxRetransmissions, int maxConnections,
        int staleConnectionSeconds, int cidLength, int maxPayloadBytes,
        int retryAfterSeconds, int acceptTimeoutMs) {

    static ListenerSettings from(CoapsListenerConfig c) {
        List<String> errors = new ArrayList<>();
        InetAddress address = null;
        String host = c.listener_address() == null ? "" : c.listener_address().trim();
        if (!host.matches("[0-9A-Fa-f.:\\[\\]]+")) {
            errors.add("listener.address '" + host + "' is not an IP address");
        } else {
            try {
                address = InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                errors.add("listener.address '" + host + "' is not an IP address");
            }
        }
        range(errors, "listener.port", c.listener_port(), 0, 65535);
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
        range(errors, "dtls.retransmission.timeout.ms", c.dtls_retransmission_timeout_ms(), 100, 60_000);
        range(errors, "dtls.max.retransmissions", c.dtls_max_retransmissions(), 0, 10);
        range(errors, "dtls.max.connections", c.dtls_max_connections(), 1, 1_000_000);
        range(errors, "dtls.stale.connection.seconds", c.dtls_stale_connection_seconds(), 60, 2_592_000);
        range(errors, "dtls.cid.length", c.dtls_cid_length(), 0, 16);
        range(errors, "coap.max.payload.bytes", c.coap_max_payload_bytes(), 16, 65_536);
        range(errors, "coap.retry.after.seconds", c.coap_retry_after_seconds(), 1, 3600);
        range(errors, "coap.accept.timeout.ms", c.coap_accept_timeout_ms(), 100, 30_000);
        if (!errors.isEmpty()) {
            throw new InvalidConfigurationException(String.join("; ", errors));
        }
        return new ListenerSettings(address, c.listener_port(), List.copyOf(suites),
                c.dtls_retransmission_timeout_ms(), c.dtls_max_retransmissions(),
                c.dtls_max_connections(), c.dtls_stale_connection_seconds(), c.dtls_cid_length(),
                c.coap_max_payload_bytes(), c.coap_retry_after_seconds(),
                c.coap_accept_timeout_ms());
    }

    private static void range(List<String> errors, String key, int value, int min, int max) {
        if (value < min || value > max) {
            errors.add(key + " " + value + " is out of range " + min + ".." + max);
        }
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
}
