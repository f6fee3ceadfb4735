package org.m2mgw.oscore.internal.oscore;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.option.OptionDefinition;
import org.eclipse.californium.core.coap.option.OptionRegistry;
import org.eclipse.californium.core.coap.option.StandardOptionRegistry;

/**
 * The OSCORE plaintext (RFC 8613 section 5.3): the inner code, the Class E options in CoAP option
 * encoding (RFC 7252 section 3.1), and the payload after a 0xFF marker when there is one. Decoding
 * is strict and returns {@link OscoreException.Reason#MALFORMED_INNER} for anything malformed,
 * including option values Californium refuses.
 */
final class Plaintext {
    private static final int MARKER = 0xff;

    /**
     * @param code the inner code
     * @param options the inner options, in ascending number order
     * @param payload the payload
     */
    record Decoded(int code, List<Option> options, byte[] payload) {
    }

    private Plaintext() {
    }

    static byte[] encode(int code, List<Option> options, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + (payload == null ? 0 : payload.length));
        out.write(code);
        int last = 0;
        for (Option o : options) {
            int delta = o.getNumber() - last;
            if (delta < 0) {
                throw new IllegalArgumentException("options not sorted");
            }
            byte[] v = o.getValue();
            int dn = nibble(delta);
            int ln = nibble(v.length);
            out.write(dn << 4 | ln);
            extended(out, delta);
            extended(out, v.length);
            out.writeBytes(v);
            last = o.getNumber();
        }
        if (payload != null && payload.length > 0) {
            out.write(MARKER);
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    private static int nibble(int v) {
        return v < 13 ? v : v < 269 ? 13 : 14;
    }

    private static void extended(ByteArrayOutputStream out, int v) {
        if (v >= 269) {
            out.write((v - 269) >>> 8);
            out.write(v - 269);
        } else if (v >= 13) {
            out.write(v - 13);
        }
    }

    static Decoded decode(byte[] p) throws OscoreException {
        if (p.length == 0) {
            throw malformed("empty plaintext: no code");
        }
        int code = p[0] & 0xff;
        OptionRegistry registry = StandardOptionRegistry.getDefaultOptionRegistry();
        List<Option> options = new ArrayList<>();
        int pos = 1;
        int number = 0;
        while (pos < p.length) {
            int b = p[pos++] & 0xff;
            if (b == MARKER) {
                if (pos == p.length) {
                    throw malformed("payload marker without payload");
                }
                return new Decoded(code, options, Arrays.copyOfRange(p, pos, p.length));
            }
            int[] at = {pos};
            int delta = readExtended(p, at, b >>> 4);
            int length = readExtended(p, at, b & 0x0f);
            pos = at[0];
            number += delta;
            if (number == 0 || number > 0xffff) {
                throw malformed("option number " + number + " is reserved or out of range");
            }
            if (length > p.length - pos) {
                throw malformed("option " + number + " runs past the plaintext");
            }
            byte[] value = Arrays.copyOfRange(p, pos, pos + length);
            pos += length;
            try {
                OptionDefinition def = registry.getDefinitionByNumber(number);
                options.add(def != null ? def.create(value) : new Option(number, value));
            } catch (RuntimeException e) {
                throw malformed("option " + number + " invalid: " + e.getMessage());
            }
        }
        return new Decoded(code, options, new byte[0]);
    }

    private static int readExtended(byte[] p, int[] at, int nib) throws OscoreException {
        if (nib < 13) {
            return nib;
        }
        if (nib == 13) {
            if (at[0] + 1 > p.length) {
                throw malformed("option header truncated");
            }
            return (p[at[0]++] & 0xff) + 13;
        }
        if (nib == 14) {
            if (at[0] + 2 > p.length) {
                throw malformed("option header truncated");
            }
            int v = ((p[at[0]] & 0xff) << 8 | (p[at[0] + 1] & 0xff)) + 269;
            at[0] += 2;
            return v;
        }
        throw malformed("reserved option nibble 15");
    }

    private static OscoreException malformed(String detail) {
        return new OscoreException(OscoreException.Reason.MALFORMED_INNER, detail);
    }
}
