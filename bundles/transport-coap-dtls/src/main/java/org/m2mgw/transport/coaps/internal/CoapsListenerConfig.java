package org.m2mgw.transport.coaps.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Metatype of one CoAPS listener (a factory configuration: one instance per listener). */
@ObjectClassDefinition(id = CoapsListener.FACTORY_PID, name = "CoAP over DTLS listener",
        description = "A CoAP over DTLS 1.2 endpoint for field devices (RFC 7252, RFC 7925 profile). "
                + "Devices authenticate with credentials from the device registry.")
@interface CoapsListenerConfig {

    @AttributeDefinition(name = "listener.address", description = "IP address to listen on; "
            + "0.0.0.0 for all interfaces. Default: 0.0.0.0.")
    String listener_address() default "0.0.0.0";

    @AttributeDefinition(name = "listener.port", description = "UDP port, 1..65535 (0 picks a free port). "
            + "Default: 5684 (IANA coaps).", min = "0", max = "65535")
    int listener_port() default 5684;

    @AttributeDefinition(name = "dtls.cipher.suites", description = "Allowed cipher suites, "
            + "most preferred first. Default: the RFC 7925 suites TLS_PSK_WITH_AES_128_CCM_8 and "
            + "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, plus TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256, "
            + "TLS_PSK_WITH_AES_128_CCM, TLS_PSK_WITH_AES_128_GCM_SHA256 and "
            + "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256.")
    String[] dtls_cipher_suites() default {"TLS_PSK_WITH_AES_128_CCM_8",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256",
        "TLS_PSK_WITH_AES_128_CCM", "TLS_PSK_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"};

    @AttributeDefinition(name = "dtls.retransmission.timeout.ms", description = "Initial DTLS "
            + "handshake retransmission timeout in milliseconds, 100..60000; it doubles on each "
            + "retry. Default: 2000.", min = "100", max = "60000")
    int dtls_retransmission_timeout_ms() default 2000;

    @AttributeDefinition(name = "dtls.max.retransmissions", description = "Handshake flight "
            + "retransmissions before the handshake fails, 0..10. Default: 4.", min = "0", max = "10")
    int dtls_max_retransmissions() default 4;

    @AttributeDefinition(name = "dtls.max.connections", description = "Most DTLS connections "
            + "held at once, 1..1000000. Stale ones are evicted first. The listener uses fewer when the "
            + "heap cannot hold this many (about 8 KiB each, at most half the heap), and says so in its "
            + "status and log. Default: 100000.",
            min = "1", max = "1000000")
    int dtls_max_connections() default 100_000;

    @AttributeDefinition(name = "dtls.max.connections.per.address", description = "Most established "
            + "DTLS connections from one IP address; beyond it the oldest is removed. Devices behind one "
            + "NAT (or a carrier-grade NAT) share an address: set it above the largest such group. A "
            + "device always holds at most one connection: a new handshake replaces its previous one. "
            + "1..1000000. Default: 10000.", min = "1", max = "1000000")
    int dtls_max_connections_per_address() default 10_000;

    @AttributeDefinition(name = "dtls.stale.connection.seconds", description = "A connection idle "
            + "this long may be evicted when the table is full, 60..2592000. Default: 86400 "
            + "(sleepy devices).", min = "60", max = "2592000")
    int dtls_stale_connection_seconds() default 86_400;

    @AttributeDefinition(name = "dtls.cid.length", description = "Length of the Connection ID "
            + "(RFC 9146) the gateway asks devices to use, 0..16; 0 supports CIDs without using "
            + "one. Default: 6.", min = "0", max = "16")
    int dtls_cid_length() default 6;

    @AttributeDefinition(name = "coap.max.payload.bytes", description = "Largest request payload "
            + "accepted; larger ones get 4.13 Request Entity Too Large. 16..65536. Default: 1024.",
            min = "16", max = "65536")
    int coap_max_payload_bytes() default 1024;

    @AttributeDefinition(name = "coap.retry.after.seconds", description = "Max-Age sent with "
            + "5.03 Service Unavailable when a message cannot be stored yet, 1..3600. Default: 30.",
            min = "1", max = "3600")
    int coap_retry_after_seconds() default 30;

    @AttributeDefinition(name = "coap.accept.timeout.ms", description = "How long a request waits "
            + "for the durable queue before it gets 5.03, 100..30000. Default: 5000.",
            min = "100", max = "30000")
    int coap_accept_timeout_ms() default 5000;
}
