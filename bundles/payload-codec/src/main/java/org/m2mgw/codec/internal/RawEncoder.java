package org.m2mgw.codec.internal;

import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.codec.PayloadEncoder;
import org.m2mgw.codec.PayloadEncoders;

/**
 * The device's payload bytes, unchanged and undecoded.
 *
 * @since 0.1
 */
public final class RawEncoder implements PayloadEncoder {

    @Override
    public String id() {
        return PayloadEncoders.RAW;
    }

    @Override
    public String contentType() {
        return "application/octet-stream";
    }

    @Override
    public byte[] encode(DeviceMessage message, String gatewayId) {
        return message.payload();
    }
}
