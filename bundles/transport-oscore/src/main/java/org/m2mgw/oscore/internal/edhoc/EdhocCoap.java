package org.m2mgw.oscore.internal.edhoc;

import java.util.Arrays;
import java.util.Optional;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborReader;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * EDHOC over CoAP (RFC 9528 appendix A.2): the initiator POSTs to /.well-known/edhoc message_1
 * prefixed by CBOR {@code true}, and message_3 (or an error message) prefixed by C_R; the responder
 * answers message_2, message_4 or an error message without prefix.
 */
public final class EdhocCoap {
    /** The resource path. */
    public static final String WELL_KNOWN_PATH = "/.well-known/edhoc";
    /** CoAP Content-Format of application/edhoc+cbor-seq (responses). */
    public static final int CONTENT_FORMAT_EDHOC = 64;
    /** CoAP Content-Format of application/cid-edhoc+cbor-seq (requests, prefixed). */
    public static final int CONTENT_FORMAT_CID_EDHOC = 65;

    /** What a request body holds. */
    public enum Kind {
        /** message_1 (prefixed by true). */
        MESSAGE_1,
        /** message_3 (prefixed by C_R). */
        MESSAGE_3,
        /** An error message from the initiator (prefixed by C_R). */
        ERROR
    }

    /**
     * A parsed request body.
     *
     * @param kind what it holds
     * @param connectionIdR C_R for message_3 and errors, null for message_1
     * @param message the EDHOC message without the prefix
     */
    public record RequestBody(Kind kind, ConnectionId connectionIdR, byte[] message) {

        /** @return C_R, for message_3 and errors */
        public Optional<ConnectionId> connectionId() {
            return Optional.ofNullable(connectionIdR);
        }

        /** @return a copy of the message */
        @Override
        public byte[] message() {
            return message.clone();
        }
    }

    private EdhocCoap() {
    }

    /**
     * @param body the POST payload
     * @return what it holds
     * @throws EdhocException (MALFORMED) if it is neither prefixed form, or nothing follows the prefix
     */
    public static RequestBody parseCoapRequestBody(byte[] body) throws EdhocException {
        try {
            if (body == null || body.length < 2) {
                throw new CborException("an EDHOC request has a prefix and a message");
            }
            CborReader r = new CborReader(body);
            if ((body[0] & 0xff) == 0xf5) {
                r.readBool();
                return new RequestBody(Kind.MESSAGE_1, null, Arrays.copyOfRange(body, r.position(), body.length));
            }
            ConnectionId cR = ConnectionId.read(r);
            if (!r.hasNext()) {
                throw new CborException("nothing follows C_R");
            }
            byte[] rest = Arrays.copyOfRange(body, r.position(), body.length);
            return new RequestBody(EdhocError.isError(rest) ? Kind.ERROR : Kind.MESSAGE_3, cR, rest);
        } catch (CborException e) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, "EDHOC request: " + e.getMessage());
        }
    }

    /** @return the request body for message_1: CBOR true, then message_1 */
    public static byte[] message1Body(byte[] message1) {
        return new CborWriter().bool(true).raw(message1).toByteArray();
    }

    /** @return the request body for message_3 or an error message: C_R, then the message */
    public static byte[] message3Body(ConnectionId connectionIdR, byte[] message) {
        return new CborWriter().raw(connectionIdR.encode()).raw(message).toByteArray();
    }
}
