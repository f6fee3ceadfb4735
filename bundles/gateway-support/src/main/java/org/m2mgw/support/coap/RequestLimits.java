package org.m2mgw.support.coap;

/**
 * How the device resources treat requests.
 *
 * @param maxPayloadBytes largest payload accepted (4.13 above it)
 * @param retryAfterSeconds Max-Age of a 5.03 when the durable queue cannot take a message now
 * @param acceptTimeoutMs how long a request waits for the durable queue
 */
public record RequestLimits(int maxPayloadBytes, int retryAfterSeconds, int acceptTimeoutMs) {
}
