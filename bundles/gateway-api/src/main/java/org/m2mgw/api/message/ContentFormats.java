package org.m2mgw.api.message;

/**
 * CoAP Content-Format numbers used in {@link DeviceMessage#contentFormat()}. The values come from
 * the IANA "CoAP Content-Formats" registry (RFC 7252 section 12.3, RFC 8428 section 12.3).
 *
 * @since 0.1
 */
public final class ContentFormats {
    /** {@code text/plain; charset=utf-8} */
    public static final int TEXT_PLAIN = 0;
    /** {@code application/octet-stream} */
    public static final int OCTET_STREAM = 42;
    /** {@code application/json} */
    public static final int JSON = 50;
    /** {@code application/cbor} */
    public static final int CBOR = 60;
    /** {@code application/senml+json} */
    public static final int SENML_JSON = 110;
    /** {@code application/senml+cbor} */
    public static final int SENML_CBOR = 112;
    /** No Content-Format option was present. */
    public static final int UNDEFINED = -1;

    private ContentFormats() {
    }
}
