package org.m2mgw.oscore.internal.oscore;

import org.eclipse.californium.core.coap.OptionNumberRegistry;

/**
 * Which CoAP options OSCORE encrypts (Class E, inner) and which stay readable (Class U, outer),
 * per RFC 8613 section 4.1 for an endpoint that is not a proxy. Uri-Host, Uri-Port, Proxy-Uri,
 * Proxy-Scheme and OSCORE are Class U (4.1.3.2, 4.1.3.3); Observe is both (4.1.3.5); Block1,
 * Block2, Size1 and Size2 are inner end to end, any outer ones belong to the hop (4.1.3.4); every
 * other option, Max-Age, Echo and Request-Tag (RFC 9175) and options unknown to this code included,
 * is Class E (4.1: "unknown options ... are processed as Class E").
 */
public final class OptionClasses {

    private OptionClasses() {
    }

    /**
     * @param number an option number
     * @return whether it is sent only outside the encryption (Class U only)
     */
    public static boolean isOuterOnly(int number) {
        return switch (number) {
            case OptionNumberRegistry.URI_HOST, OptionNumberRegistry.URI_PORT, OptionNumberRegistry.OSCORE,
                    OptionNumberRegistry.PROXY_URI, OptionNumberRegistry.PROXY_SCHEME -> true;
            default -> false;
        };
    }

    /**
     * @param number an option number
     * @return whether it is sent both inside and outside (Observe)
     */
    public static boolean isInnerAndOuter(int number) {
        return number == OptionNumberRegistry.OBSERVE;
    }

    /**
     * @param number an option number
     * @return whether it is encrypted (Class E)
     */
    public static boolean isInner(int number) {
        return !isOuterOnly(number);
    }
}
