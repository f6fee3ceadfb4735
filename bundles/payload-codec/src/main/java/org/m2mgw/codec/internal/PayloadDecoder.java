package org.m2mgw.codec.internal;

import com.upokecenter.cbor.CBORException;
import com.upokecenter.cbor.CBOREncodeOptions;
import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.JSONOptions;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;

/** Decodes a message's payload as its CoAP Content-Format says. */
final class PayloadDecoder {
    /**
     * JSON, CBOR and SenML payloads larger than this are refused. Transports already cap payloads
     * (1024 bytes by default); this bounds the memory one message can take while decoded.
     */
    static final int MAX_STRUCTURED_BYTES = 64 * 1024;

    // "full": integers stay exact at any size (bounded later), fractions parse without rounding.
    private static final JSONOptions JSON_OPTIONS =
            new JSONOptions("keepkeyorder=true;numberconversion=full;allowduplicatekeys=false");
    private static final CBOREncodeOptions CBOR_OPTIONS =
            new CBOREncodeOptions("keepkeyorder=true;allowduplicatekeys=false");
    private static final Pattern LIBRARY_OFFSET = Pattern.compile("(.*?)\\s*\\(approx\\. offset: (\\d+)\\)\\s*");

    private PayloadDecoder() {
    }

    /**
     * @param message a device message
     * @return its payload, decoded
     * @throws org.m2mgw.codec.PayloadException naming the device, resource and reason if it does not
     *     decode
     */
    static Decoded decodeForEncoding(DeviceMessage message) throws org.m2mgw.codec.PayloadException {
        try {
            return decode(message);
        } catch (Malformed e) {
            throw new org.m2mgw.codec.PayloadException(message, e.getMessage());
        }
    }

    /**
     * @param message the message
     * @return its payload, decoded
     * @throws Malformed if the payload does not decode as its content format says
     */
    static Decoded decode(DeviceMessage message) throws Malformed {
        int format = message.contentFormat();
        switch (format) {
            case ContentFormats.TEXT_PLAIN:
                return new Decoded.Text(utf8(message.payload()));
            case ContentFormats.JSON:
                return new Decoded.Structured(Values.of(json(message), "JSON"));
            case ContentFormats.CBOR:
                return new Decoded.Structured(Values.of(cbor(message), "CBOR"));
            case ContentFormats.SENML_JSON:
                return new Decoded.Senml(SenmlResolver.resolve(json(message), false, message.receivedAt()));
            case ContentFormats.SENML_CBOR:
                return new Decoded.Senml(SenmlResolver.resolve(cbor(message), true, message.receivedAt()));
            default:
                return new Decoded.Opaque(message.payload());
        }
    }

    private static CBORObject json(DeviceMessage message) throws Malformed {
        checkSize(message, "JSON");
        if (message.payloadLength() == 0) {
            throw new Malformed("JSON payload is empty");
        }
        try {
            return CBORObject.FromJSONBytes(message.payload(), JSON_OPTIONS);
        } catch (CBORException | IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            throw new Malformed("JSON payload is malformed" + where(e.getMessage()));
        }
    }

    private static CBORObject cbor(DeviceMessage message) throws Malformed {
        checkSize(message, "CBOR");
        byte[] bytes = message.payload();
        CborScanner.check(bytes, Values.MAX_DEPTH, Values.MAX_ITEMS);
        try {
            return CBORObject.DecodeFromBytes(bytes, CBOR_OPTIONS);
        } catch (CBORException | IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            // Well-formed but not valid: bad UTF-8 in a text string, a duplicate map key, a bad tag.
            throw new Malformed("CBOR payload is not valid" + where(e.getMessage()));
        }
    }

    private static void checkSize(DeviceMessage message, String format) throws Malformed {
        if (message.payloadLength() > MAX_STRUCTURED_BYTES) {
            throw new Malformed(format + " payload of " + message.payloadLength() + " bytes is larger than the "
                    + MAX_STRUCTURED_BYTES + " bytes this gateway decodes");
        }
    }

    /** Turns the CBOR library's "Reason. (approx. offset: 12)" into " near byte 12: reason". */
    private static String where(String libraryMessage) {
        if (libraryMessage == null || libraryMessage.isBlank()) {
            return "";
        }
        Matcher m = LIBRARY_OFFSET.matcher(org.m2mgw.support.Text.printable(libraryMessage, 200));
        if (m.matches()) {
            return " near byte " + m.group(2) + ": " + lowerFirst(m.group(1));
        }
        return ": " + lowerFirst(org.m2mgw.support.Text.printable(libraryMessage.strip(), 200));
    }

    private static String lowerFirst(String s) {
        String t = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        return t.isEmpty() ? t : Character.toLowerCase(t.charAt(0)) + t.substring(1);
    }

    private static String utf8(byte[] bytes) throws Malformed {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new Malformed("text/plain payload is not valid UTF-8 at byte " + in.position());
        }
        return out.flip().toString();
    }
}
