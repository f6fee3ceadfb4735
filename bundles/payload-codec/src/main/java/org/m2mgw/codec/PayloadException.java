package org.m2mgw.codec;

import org.m2mgw.support.Text;
import java.util.Objects;
import org.m2mgw.api.message.DeviceMessage;

/**
 * A device payload that a {@link PayloadEncoder} cannot encode. The message reads on its own in
 * a log line, for example {@code device 'meter-7' /telemetry: CBOR payload is malformed at byte
 * 12: the payload ends inside a data item}; there is no cause to print.
 *
 * @since 0.1
 */
public class PayloadException extends Exception {
    private static final long serialVersionUID = 1L;
    private static final int MAX_ID_CHARS = 200;

    private final String deviceId;
    private final String resource;
    private final String reason;

    /**
     * @param message the message that could not be encoded
     * @param reason what is wrong with its payload, in words
     */
    public PayloadException(DeviceMessage message, String reason) {
        super(format(message.deviceId(), message.resource(), reason));
        this.deviceId = message.deviceId();
        this.resource = message.resource();
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    private static String format(String deviceId, String resource, String reason) {
        // Device ids and resource paths come from the network: keep log lines on one line.
        return "device '" + Text.printable(deviceId, MAX_ID_CHARS) + "' /" + Text.printable(resource, MAX_ID_CHARS)
                + ": " + reason;
    }

    /** @return the id of the device that sent the payload */
    public String deviceId() {
        return deviceId;
    }

    /** @return the resource the payload was sent to, without a leading slash */
    public String resource() {
        return resource;
    }

    /** @return what is wrong with the payload, without device and resource */
    public String reason() {
        return reason;
    }
}
