package org.m2mgw.support.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name and password from an HTTP Basic {@code Authorization} header. Shared by the web
 * console's security provider and the REST API, so that both read the header the same way.
 *
 * @param user the user name
 * @param password the password; never log it
 */
public record BasicCredentials(String user, String password) {

    /**
     * The realm of the console and the REST API: one realm, so that a browser logged in to the
     * console sends the same credentials to the API its pages call (a second realm would make the
     * browser ask again, or, for a script's {@code fetch}, fail).
     */
    public static final String REALM = "m2mgw gateway console";

    /** @return the credentials of the header, or {@code null} if it is not a well-formed Basic header */
    public static BasicCredentials parse(String header) {
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        return new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    /** Never the password. */
    @Override
    public String toString() {
        return "BasicCredentials[" + user + ", password not shown]";
    }
}
