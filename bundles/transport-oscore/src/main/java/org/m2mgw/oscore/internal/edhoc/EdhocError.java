package org.m2mgw.oscore.internal.edhoc;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.m2mgw.oscore.internal.cbor.CborException;
import org.m2mgw.oscore.internal.cbor.CborReader;
import org.m2mgw.oscore.internal.cbor.CborWriter;

/**
 * An EDHOC error message (RFC 9528 section 6): ERR_CODE and ERR_INFO, which is a diagnostic text for
 * code 1, the responder's cipher suites SUITES_R for code 2 (section 6.3), and {@code true} for code
 * 3. Immutable.
 */
public final class EdhocError {
    /** ERR_CODE 0: success (for applications; not sent by EDHOC). */
    public static final int SUCCESS = 0;
    /** ERR_CODE 1: unspecified error, with a diagnostic text. */
    public static final int UNSPECIFIED = 1;
    /** ERR_CODE 2: wrong selected cipher suite, with SUITES_R. */
    public static final int WRONG_SELECTED_CIPHER_SUITE = 2;
    /** ERR_CODE 3: unknown credential referenced. */
    public static final int UNKNOWN_CREDENTIAL_REFERENCED = 3;

    private static final int MAX_DIAGNOSTIC = 128;

    private final int code;
    private final String diagnostic;
    private final List<Integer> suitesR;
    private final byte[] info;

    private EdhocError(int code, String diagnostic, List<Integer> suitesR, byte[] info) {
        this.code = code;
        this.diagnostic = diagnostic;
        this.suitesR = suitesR;
        this.info = info;
    }

    /** @return an ERR_CODE 1 error with this diagnostic text (cut to 128 characters) */
    public static EdhocError unspecified(String diagnostic) {
        String d = diagnostic.length() > MAX_DIAGNOSTIC ? diagnostic.substring(0, MAX_DIAGNOSTIC) : diagnostic;
        return new EdhocError(UNSPECIFIED, d, List.of(), new CborWriter().text(d).toByteArray());
    }

    /** @return an ERR_CODE 2 error listing the responder's suites, most preferred first */
    public static EdhocError wrongSelectedCipherSuite(List<Integer> suitesR) {
        if (suitesR.isEmpty()) {
            throw new IllegalArgumentException("SUITES_R lists at least one suite");
        }
        CborWriter w = new CborWriter();
        if (suitesR.size() == 1) {
            w.integer(suitesR.get(0));
        } else {
            w.array(suitesR.size());
            suitesR.forEach(w::integer);
        }
        return new EdhocError(WRONG_SELECTED_CIPHER_SUITE, null, List.copyOf(suitesR), w.toByteArray());
    }

    /**
     * @param message the bytes received
     * @return the error message
     * @throws EdhocException (MALFORMED) if it is not an error message
     */
    public static EdhocError parse(byte[] message) throws EdhocException {
        try {
            CborReader r = new CborReader(message);
            int code = r.readSmallInt();
            int start = r.position();
            if (!r.hasNext()) {
                throw new CborException("ERR_INFO is missing");
            }
            String diagnostic = null;
            List<Integer> suites = List.of();
            if (code == UNSPECIFIED) {
                diagnostic = r.readText();
            } else if (code == WRONG_SELECTED_CIPHER_SUITE) {
                suites = readSuites(r);
            } else {
                r.skip();
            }
            byte[] info = java.util.Arrays.copyOfRange(message, start, r.position());
            r.expectEnd();
            return new EdhocError(code, diagnostic, suites, info);
        } catch (CborException e) {
            throw new EdhocException(EdhocException.Reason.MALFORMED, "not an EDHOC error message: " + e.getMessage());
        }
    }

    /** Reads SUITES_I or SUITES_R: one suite as an integer, or an array of two or more. */
    static List<Integer> readSuites(CborReader r) throws CborException {
        if (r.peek() == CborReader.Type.ARRAY) {
            int n = r.readArray();
            if (n < 2) {
                throw new CborException("a list of suites has two or more; one is sent as an integer");
            }
            List<Integer> s = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                s.add(r.readSmallInt());
            }
            return List.copyOf(s);
        }
        return List.of(r.readSmallInt());
    }

    /** @return whether a message from the peer is an error message (it starts with an integer, ERR_CODE) */
    public static boolean isError(byte[] message) {
        return message.length > 0 && (message[0] & 0xe0) <= 0x20;
    }

    /** @return ERR_CODE */
    public int code() {
        return code;
    }

    /** @return the diagnostic text of an ERR_CODE 1 error */
    public Optional<String> diagnostic() {
        return Optional.ofNullable(diagnostic);
    }

    /** @return SUITES_R of an ERR_CODE 2 error; empty otherwise */
    public List<Integer> suitesR() {
        return suitesR;
    }

    /** @return the encoded error message: ERR_CODE followed by ERR_INFO */
    public byte[] encode() {
        return new CborWriter().integer(code).raw(info).toByteArray();
    }

    @Override
    public String toString() {
        return "EDHOC error " + code + (diagnostic != null ? " \"" + diagnostic + "\""
                : code == WRONG_SELECTED_CIPHER_SUITE ? " SUITES_R " + suitesR
                        : " " + HexFormat.of().formatHex(info));
    }
}
