package org.m2mgw.oscore.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Metatype of one OSCORE listener (a factory configuration: one instance per listener). */
@ObjectClassDefinition(id = OscoreListener.FACTORY_PID, name = "CoAP with OSCORE listener",
        description = "A CoAP over UDP endpoint for field devices where every request to a device resource "
                + "is protected end to end with OSCORE (RFC 8613); devices get their security context with an "
                + "EDHOC handshake (RFC 9528) at /.well-known/edhoc, authenticated by their EDHOC credential "
                + "in the device registry.")
@interface OscoreListenerConfig {

    @AttributeDefinition(name = "listener.address", description = "IP address to listen on; 0.0.0.0 for all "
            + "interfaces. Default: 0.0.0.0.")
    String listener_address() default "0.0.0.0";

    @AttributeDefinition(name = "listener.port", description = "UDP port, 1..65535 (0 picks a free port). "
            + "Default: 5683 (IANA coap; OSCORE runs over plain CoAP).", min = "0", max = "65535")
    int listener_port() default 5683;

    @AttributeDefinition(name = "edhoc.cipher.suites", description = "EDHOC cipher suites the responder "
            + "accepts, most preferred first (RFC 9528 section 3.6): 0 (AES-CCM-16-64-128, X25519, EdDSA), 1 "
            + "(AES-CCM-16-128-128, X25519, EdDSA), 2 (AES-CCM-16-64-128, P-256, ES256), 3 (AES-CCM-16-128-128, "
            + "P-256, ES256), 4 (ChaCha20/Poly1305, X25519, EdDSA), 5 (ChaCha20/Poly1305, P-256, ES256), -24 "
            + "(Ascon-AEAD128, X25519, EdDSA: private use, not registered). Default: 2, 0.")
    String[] edhoc_cipher_suites() default {"2", "0"};

    @AttributeDefinition(name = "edhoc.methods", description = "EDHOC authentication methods accepted "
            + "(RFC 9528 section 3.2): 0 (signature both), 1 (device signs, gateway static DH), 2 (device static "
            + "DH, gateway signs), 3 (static DH both). Default: 0, 1, 2, 3.")
    String[] edhoc_methods() default {"0", "1", "2", "3"};

    @AttributeDefinition(name = "edhoc.timeout.seconds", description = "How long the gateway waits for "
            + "message_3 after sending message_2, 5..600. Default: 60.", min = "5", max = "600")
    int edhoc_timeout_seconds() default 60;

    @AttributeDefinition(name = "edhoc.max.pending", description = "Most EDHOC handshakes waiting for "
            + "message_3 at once; the oldest is dropped beyond it, 16..100000. Default: 1000.",
            min = "16", max = "100000")
    int edhoc_max_pending() default 1000;

    @AttributeDefinition(name = "oscore.max.contexts", description = "Most OSCORE security contexts held "
            + "(one per device session); the least recently used is dropped beyond it and its device must run "
            + "EDHOC again, 1..1000000. Default: 100000.", min = "1", max = "1000000")
    int oscore_max_contexts() default 100_000;

    @AttributeDefinition(name = "oscore.replay.window", description = "Size of the replay window per "
            + "context (RFC 8613 section 7.4), 32..256. Default: 32.", min = "32", max = "256")
    int oscore_replay_window() default 32;

    @AttributeDefinition(name = "coap.max.payload.bytes", description = "Largest request payload accepted; "
            + "larger ones get 4.13 Request Entity Too Large. 16..65536. Default: 1024.", min = "16",
            max = "65536")
    int coap_max_payload_bytes() default 1024;

    @AttributeDefinition(name = "coap.retry.after.seconds", description = "Max-Age sent with 5.03 Service "
            + "Unavailable when a message cannot be stored yet, 1..3600. Default: 30.", min = "1", max = "3600")
    int coap_retry_after_seconds() default 30;

    @AttributeDefinition(name = "coap.accept.timeout.ms", description = "How long a request waits for the "
            + "durable queue before it gets 5.03, 100..30000. Default: 5000.", min = "100", max = "30000")
    int coap_accept_timeout_ms() default 5000;
}
