package org.m2mgw.registry.internal;

import java.util.Base64;

/**
 * Public keys as an operator gives them: a PEM block ({@code -----BEGIN PUBLIC KEY-----}, as
 * {@code openssl pkey -pubout} prints it) or the base64 of the DER SubjectPublicKeyInfo. Only the
 * encoding is read here; {@link Validation} checks the key itself. Messages never repeat the text,
 * which may be a private key pasted by mistake.
 */
final class PublicKeyText {
    static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    static final String END = "-----END PUBLIC KEY-----";

    private PublicKeyText() {
    }

    /**
     * @param text text that may hold a PEM block
     * @param source what the text is, for messages: a file name, "the key text"
     * @return the base64 between the first {@value #BEGIN} and the next {@value #END}, or null
     *     when the text holds no PEM block at all
     * @throws IllegalArgumentException if it holds another kind of PEM block, or the public key
     *     block has no end
     */
    static String pemBody(String text, String source) {
        int begin = text.indexOf(BEGIN);
        if (begin >= 0) {
            int end = text.indexOf(END, begin);
            if (end < 0) {
                throw new IllegalArgumentException(source + " has no " + END + " line");
            }
            return text.substring(begin + BEGIN.length(), end);
        }
        if (text.contains("-----BEGIN")) {
            throw new IllegalArgumentException(source + " is not a PEM public key (" + BEGIN + ")");
        }
        return null;
    }

    /** @return the bytes of base64 text (white space ignored), or null if it is not base64 */
    static byte[] base64(String text) {
        try {
            return Base64.getDecoder().decode(text.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Reads a public key typed or pasted into a form: a PEM public key, or base64 (optionally
     * {@code base64:...}). Never a file name.
     *
     * @return the DER, not yet checked to be a key
     * @throws IllegalArgumentException with a message for the operator that does not repeat the text
     */
    static byte[] fromText(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no public key given: paste the device's new public key, "
                    + "PEM (" + BEGIN + ") or base64");
        }
        if (text.contains("PRIVATE KEY-----")) {
            throw new IllegalArgumentException("that is a private key: paste the public key only (openssl pkey "
                    + "-pubout prints it); the private key stays on the device");
        }
        String body = pemBody(text, "the key text");
        String stripped = text.strip();
        String b64 = body != null ? body : stripped.startsWith("base64:") ? stripped.substring(7) : stripped;
        byte[] der = base64(b64);
        if (der == null || der.length == 0) {
            throw new IllegalArgumentException(body != null ? "the PEM public key is not valid base64"
                    : "the key text is neither a PEM public key (" + BEGIN + ") nor base64");
        }
        return der;
    }
}
