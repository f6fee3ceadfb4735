/**
 * The device-facing CoAP resources that every transport serves once its security layer has
 * authenticated a request ({@code /telemetry}, {@code /events}, {@code /commands}), the request
 * pipeline behind them (authorization, restrictions, payload checks, 2.04 only after the durable
 * queue accepted), and the traffic reporter that counts and publishes what happens. Private to the
 * bundles that copy it (bnd -conditionalpackage).
 */
package org.m2mgw.support.coap;
