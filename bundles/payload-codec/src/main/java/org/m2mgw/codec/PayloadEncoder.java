package org.m2mgw.codec;

import org.m2mgw.api.message.DeviceMessage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Turns one {@link DeviceMessage} into the bytes published to the cloud. Implementations are
 * stateless and safe for concurrent use; get them from {@link PayloadEncoders#byId(String)}.
 *
 * @since 0.1
 */
@ProviderType
public interface PayloadEncoder {

    /**
     * @return the id under which {@link PayloadEncoders#byId(String)} finds this encoder:
     *     {@code json}, {@code kura-protobuf} or {@code raw}
     */
    String id();

    /**
     * @return the media type of what {@link #encode} returns, for example
     *     {@code application/json}; for {@code raw} it is {@code application/octet-stream}, the
     *     real format being the message's {@link DeviceMessage#contentFormat()}
     */
    String contentType();

    /**
     * Encodes a message.
     *
     * @param message the message, never {@code null}
     * @param gatewayId the id of this gateway, as published in cloud topics; never {@code null}
     * @return the encoded payload, a new array
     * @throws PayloadException if the payload cannot be decoded as its content format says (for
     *     example malformed JSON, truncated CBOR, SenML that breaks RFC 8428) or exceeds the
     *     decoding limits; its message names the device, the resource and the reason
     */
    byte[] encode(DeviceMessage message, String gatewayId) throws PayloadException;
}
