package org.m2mgw.oscore.internal.oscore;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.OptionNumberRegistry;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.option.StandardOptionRegistry;

/** Splitting and joining inner and outer messages (RFC 8613 sections 4.1 and 8). */
final class Messages {

    private Messages() {
    }

    /** Inner (Class E) and outer (Class U) options of a message to protect. */
    record Split(List<Option> inner, List<Option> outer, boolean observe) {
    }

    /**
     * Splits a message's options (section 4.1). Observe goes both ways: in a request with the
     * same value inside (4.1.3.5.1), in a response as an empty inner option (4.1.3.5.2).
     */
    static Split split(OptionSet options, boolean response) {
        List<Option> inner = new ArrayList<>();
        List<Option> outer = new ArrayList<>();
        boolean observe = false;
        for (Option o : options.asSortedList()) {
            int n = o.getNumber();
            if (n == OptionNumberRegistry.OSCORE) {
                continue;
            }
            if (OptionClasses.isInnerAndOuter(n)) {
                observe = true;
                outer.add(o);
                inner.add(response ? StandardOptionRegistry.OBSERVE.create(new byte[0]) : o);
            } else if (OptionClasses.isOuterOnly(n)) {
                outer.add(o);
            } else {
                inner.add(o);
            }
        }
        return new Split(inner, outer, observe);
    }

    /**
     * Decomposes a Proxy-Uri (section 4.1.3.3): Proxy-Scheme, Uri-Host and Uri-Port stay outer,
     * Uri-Path and Uri-Query go inside.
     *
     * @param options the options of a request to protect, changed in place
     * @throws IllegalArgumentException if the Proxy-Uri is not a URI
     */
    static void decomposeProxyUri(OptionSet options) {
        if (!options.hasProxyUri()) {
            return;
        }
        URI uri;
        try {
            uri = new URI(options.getProxyUri());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Proxy-Uri is not a URI: " + e.getMessage(), e);
        }
        options.removeProxyUri();
        if (uri.getScheme() != null) {
            options.setProxyScheme(uri.getScheme());
        }
        if (uri.getHost() != null) {
            options.setUriHost(uri.getHost());
        }
        if (uri.getPort() >= 0) {
            options.setUriPort(uri.getPort());
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
            options.setUriPath(uri.getPath());
        }
        if (uri.getQuery() != null) {
            options.setUriQuery(uri.getQuery());
        }
    }

    /** Copies type, MID and token of one message to the other (outer and inner share them). */
    static void copyHeader(Message from, Message to) {
        if (from.getType() != null) {
            to.setType(from.getType());
        }
        to.setMID(from.getMID());
        if (from.getToken() != null) {
            to.setToken(from.getToken());
        }
    }
}
