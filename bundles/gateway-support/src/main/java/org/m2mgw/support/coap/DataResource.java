package org.m2mgw.support.coap;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * A device data resource such as {@code /telemetry}. It also answers for every path below it
 * ({@code /telemetry/temp}), so devices name their own sub-resources.
 */
public final class DataResource extends CoapResource {
    private final DeviceRequests requests;

    public DataResource(String name, DeviceRequests requests) {
        super(name);
        this.requests = requests;
        getAttributes().setTitle("device " + name);
    }

    @Override
    public Resource getChild(String name) {
        Resource child = super.getChild(name);
        return child != null ? child : this;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        requests.handleData(exchange);
    }

    @Override
    public void handlePUT(CoapExchange exchange) {
        requests.handleData(exchange);
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        requests.refuseMethod(exchange);
    }

    @Override
    public void handleDELETE(CoapExchange exchange) {
        requests.refuseMethod(exchange);
    }

    @Override
    public void handleFETCH(CoapExchange exchange) {
        requests.refuseMethod(exchange);
    }

    @Override
    public void handlePATCH(CoapExchange exchange) {
        requests.refuseMethod(exchange);
    }

    @Override
    public void handleIPATCH(CoapExchange exchange) {
        requests.refuseMethod(exchange);
    }
}
