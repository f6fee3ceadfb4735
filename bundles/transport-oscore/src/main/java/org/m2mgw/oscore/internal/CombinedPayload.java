package org.m2mgw.oscore.internal;

import java.util.Arrays;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborReader;
import org.m2mgw.oscore.internal.oscore.OscoreException;

/**
 * The payload of an EDHOC + OSCORE request (RFC 9668 section 3.2): EDHOC message_3 as a CBOR byte
 * string, followed by the OSCORE ciphertext.
 *
 * @param message3 the EDHOC message_3 (the content of the byte string: a CBOR sequence)
 * @param rest the OSCORE ciphertext
 */
record CombinedPayload(byte[] message3, byte[] rest) {

    static CombinedPayload split(byte[] payload) throws OscoreException {
        try {
            CborReader r = new CborReader(payload);
            byte[] m3 = r.readBytes();
            int used = r.position();
            if (used >= payload.length) {
                throw new OscoreException(OscoreException.Reason.MALFORMED_INNER,
                        "EDHOC + OSCORE request without an OSCORE ciphertext after message_3");
            }
            return new CombinedPayload(m3, Arrays.copyOfRange(payload, used, payload.length));
        } catch (CborException e) {
            throw new OscoreException(OscoreException.Reason.MALFORMED_INNER,
                    "EDHOC + OSCORE request: message_3 is not a CBOR byte string: " + e.getMessage());
        }
    }
}
