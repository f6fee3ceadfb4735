package org.m2mgw.oscore.internal.oscore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.crypto.bc.internal.BcCoseAead;

/** Test vectors, AEADs and CoAP (de)serialisation for the OSCORE tests. */
final class OscoreTestSupport {
    static final HexFormat HEX = HexFormat.of();

    private OscoreTestSupport() {
    }

    static CoseAead aead(int alg) {
        return BcCoseAead.all().stream().filter(a -> a.algorithm() == alg).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no AEAD " + alg));
    }

    static byte[] hex(String s) {
        return s.equals("\"\"") ? new byte[0] : HEX.parseHex(s);
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    /** RFC 8613 Appendix C values from the shared test vector file (name = hex). */
    static Map<String, byte[]> appendixC() throws IOException {
        Map<String, byte[]> values = new HashMap<>();
        try (InputStream in = OscoreTestSupport.class.getResourceAsStream("/oscore/rfc8613-appendix-c.txt")) {
            if (in == null) {
                throw new IOException("test vector file missing");
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int eq = line.indexOf('=');
                values.put(line.substring(0, eq).strip(), hex(line.substring(eq + 1).strip()));
            }
        }
        return values;
    }

    /** Parses a datagram as if received from a device. */
    static Message parse(byte[] datagram) {
        Message m = new UdpDataParser().parseMessage(datagram);
        m.setSourceContext(new AddressEndpointContext(new InetSocketAddress(InetAddress.getLoopbackAddress(), 5683)));
        return m;
    }

    /** Serialises a message, giving it a type and MID first if it has none (as the stack would). */
    static byte[] serialize(Message m) {
        if (m.getType() == null) {
            m.setType(CoAP.Type.CON);
        }
        if (!m.hasMID()) {
            m.setMID(7);
        }
        if (m.getToken() == null) {
            m.setToken(Token.EMPTY);
        }
        return new UdpDataSerializer().getByteArray(m);
    }

    static ContextLookup lookupOf(OscoreContext... contexts) {
        return (kid, kidContext) -> {
            for (OscoreContext c : contexts) {
                if (java.util.Arrays.equals(c.recipientId(), kid)
                        && (kidContext == null || java.util.Arrays.equals(c.idContext(), kidContext))) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        };
    }
}
