package org.m2mgw.oscore.internal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.oscore.internal.edhoc.CipherSuite;
import org.m2mgw.oscore.internal.edhoc.HashAlgorithm;
import org.m2mgw.oscore.internal.edhoc.KeyType;
import org.m2mgw.oscore.internal.edhoc.SignatureAlgorithm;
import org.m2mgw.oscore.internal.edhoc.EdhocMethod;
import org.m2mgw.support.IpLiterals;
import org.m2mgw.support.coap.RequestLimits;
import org.m2mgw.support.config.Metatype;

/** Validated OSCORE listener settings. Every error names the configuration key it is about. */
record OscoreSettings(InetAddress address, int port, List<CipherSuite> suites, Set<EdhocMethod> methods,
        int edhocTimeoutSeconds, int edhocMaxPending, int maxContexts, int replayWindow, RequestLimits limits) {

    static final Metatype METATYPE = Metatype.of(OscoreListenerConfig.class, OscoreListener.FACTORY_PID);

    /**
     * EDHOC suite -24, from the private-use range (RFC 9528 section 10.2): Ascon-AEAD128 (NIST SP
     * 800-232, under the private-use COSE id {@link CoseAead#ASCON_AEAD128_PRIVATE}) for EDHOC and
     * OSCORE, SHA-256, 16-byte MAC, X25519, EdDSA. Not registered: both ends must be configured for it.
     */
    static final CipherSuite ASCON_PRIVATE = CipherSuite.define(-24, CoseAead.ASCON_AEAD128_PRIVATE,
            HashAlgorithm.SHA_256, 16, KeyType.X25519, SignatureAlgorithm.EDDSA, CoseAead.ASCON_AEAD128_PRIVATE,
            HashAlgorithm.SHA_256);

    /** @return a registered suite (0..6), or the private Ascon suite -24 */
    static java.util.Optional<CipherSuite> suite(int id) {
        return id == ASCON_PRIVATE.id() ? java.util.Optional.of(ASCON_PRIVATE) : CipherSuite.registered(id);
    }

    static OscoreSettings from(OscoreListenerConfig c) {
        List<String> errors = new ArrayList<>(METATYPE.problems(c));
        InetAddress address = null;
        String host = c.listener_address() == null ? "" : c.listener_address().trim();
        try {
            address = IpLiterals.parse(host);
        } catch (IllegalArgumentException e) {
            errors.add("listener.address '" + host + "' is not an IP address");
        }
        List<CipherSuite> suites = new ArrayList<>();
        for (String s : c.edhoc_cipher_suites() == null ? new String[0] : c.edhoc_cipher_suites()) {
            if (s == null || s.isBlank()) {
                continue;
            }
            try {
                CipherSuite suite = suite(Integer.parseInt(s.trim())).orElse(null);
                if (suite == null) {
                    errors.add("edhoc.cipher.suites: unknown suite '" + s.trim() + "'");
                } else if (!suites.contains(suite)) {
                    suites.add(suite);
                }
            } catch (NumberFormatException e) {
                errors.add("edhoc.cipher.suites: '" + s.trim() + "' is not a suite number");
            }
        }
        if (suites.isEmpty() && errors.stream().noneMatch(e -> e.startsWith("edhoc.cipher.suites"))) {
            errors.add("edhoc.cipher.suites must name at least one suite");
        }
        Set<EdhocMethod> methods = EnumSet.noneOf(EdhocMethod.class);
        for (String m : c.edhoc_methods() == null ? new String[0] : c.edhoc_methods()) {
            if (m == null || m.isBlank()) {
                continue;
            }
            try {
                EdhocMethod method = EdhocMethod.of(Long.parseLong(m.trim())).orElse(null);
                if (method == null) {
                    errors.add("edhoc.methods: unknown method '" + m.trim() + "' (0..3)");
                } else {
                    methods.add(method);
                }
            } catch (NumberFormatException e) {
                errors.add("edhoc.methods: '" + m.trim() + "' is not a method number");
            }
        }
        if (methods.isEmpty() && errors.stream().noneMatch(e -> e.startsWith("edhoc.methods"))) {
            errors.add("edhoc.methods must name at least one method");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        return new OscoreSettings(address, c.listener_port(), List.copyOf(suites), Set.copyOf(methods),
                c.edhoc_timeout_seconds(), c.edhoc_max_pending(), c.oscore_max_contexts(), c.oscore_replay_window(),
                new RequestLimits(c.coap_max_payload_bytes(), c.coap_retry_after_seconds(), c.coap_accept_timeout_ms()));
    }
}
