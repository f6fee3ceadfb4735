package org.m2mgw.oscore.internal.oscore;

import org.eclipse.californium.core.coap.Request;

/**
 * A request protected by a client (RFC 8613 section 8.1), and the binding needed to verify its
 * response.
 *
 * @param request the outer request to send
 * @param binding the binding for {@link OscoreClient#unprotectResponse}
 */
public record ProtectedRequest(Request request, RequestBinding binding) {
}
