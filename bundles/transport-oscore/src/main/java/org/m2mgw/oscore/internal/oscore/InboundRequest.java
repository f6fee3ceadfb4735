package org.m2mgw.oscore.internal.oscore;

import org.eclipse.californium.core.coap.Request;

/**
 * A verified and decrypted request (RFC 8613 section 8.2) and what its response must be bound to.
 *
 * @param request the inner request: inner code, Class E options with the outer Uri-Host, Uri-Port
 *     and Proxy-Scheme, payload; the outer message's type, MID, token and source endpoint context
 * @param binding the binding for {@link OscoreServer#protectResponse}
 */
public record InboundRequest(Request request, RequestBinding binding) {
}
