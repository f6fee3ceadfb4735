package org.m2mgw.oscore.internal;

import org.eclipse.californium.core.network.CoapStackFactory;
import org.eclipse.californium.core.network.Outbox;
import org.eclipse.californium.core.network.stack.BaseCoapStack;
import org.eclipse.californium.core.network.stack.BlockwiseLayer;
import org.eclipse.californium.core.network.stack.CoapStack;
import org.eclipse.californium.core.network.stack.CongestionControlLayer;
import org.eclipse.californium.core.network.stack.ExchangeCleanupLayer;
import org.eclipse.californium.core.network.stack.Layer;
import org.eclipse.californium.core.network.stack.ObserveLayer;
import org.eclipse.californium.elements.config.Configuration;

/**
 * Californium's CoAP over UDP stack with the {@link OscoreLayer} between block-wise transfer and
 * reliability: requests are decrypted before block-wise reassembly and the resources see them, and
 * each response (each block of it) is protected before it is sent. So block-wise transfer is inner
 * (RFC 8613 section 4.1.3.4.1), and the message deduplication below the stack resends the
 * protected response, never the plaintext.
 */
final class OscoreStack extends BaseCoapStack {

    OscoreStack(String tag, Configuration config, Outbox outbox, OscoreLayer oscore) {
        super(outbox);
        Layer[] layers = {new ExchangeCleanupLayer(config), new ObserveLayer(config),
            new BlockwiseLayer(tag, false, config), oscore, CongestionControlLayer.newImplementation(tag, config)};
        setLayers(layers);
    }

    /** @return a factory that builds this stack around {@code oscore} for UDP endpoints */
    static CoapStackFactory factory(OscoreLayer oscore) {
        return (protocol, tag, config, outbox, customArgument) -> {
            if (!"UDP".equalsIgnoreCase(protocol) && !"coap".equalsIgnoreCase(protocol)) {
                throw new IllegalArgumentException("OSCORE runs over CoAP over UDP, not " + protocol);
            }
            CoapStack stack = new OscoreStack(tag, config, outbox, oscore);
            return stack;
        };
    }
}
