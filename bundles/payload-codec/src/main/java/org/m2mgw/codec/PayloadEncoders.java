package org.m2mgw.codec;

import java.util.List;
import java.util.Optional;
import org.m2mgw.codec.internal.JsonEncoder;
import org.m2mgw.codec.internal.KuraProtobufEncoder;
import org.m2mgw.codec.internal.RawEncoder;

/**
 * The payload encoders of this bundle, by id.
 *
 * @since 0.1
 */
public final class PayloadEncoders {
    /** Id of the gateway JSON encoder. */
    public static final String JSON = "json";
    /** Id of the Eclipse Kura protobuf ({@code kuradatatypes.KuraPayload}) encoder. */
    public static final String KURA_PROTOBUF = "kura-protobuf";
    /** Id of the encoder that publishes the device's bytes unchanged. */
    public static final String RAW = "raw";

    private static final List<PayloadEncoder> ALL =
            List.of(new JsonEncoder(), new KuraProtobufEncoder(), new RawEncoder());
    private static final List<String> IDS = ALL.stream().map(PayloadEncoder::id).toList();

    private PayloadEncoders() {
    }

    /**
     * @param id an encoder id, exactly as in {@link #ids()}; {@code null} finds nothing
     * @return the encoder with that id, or empty
     */
    public static Optional<PayloadEncoder> byId(String id) {
        return ALL.stream().filter(e -> e.id().equals(id)).findFirst();
    }

    /** @return the ids of all encoders, for configuration choices and error messages */
    public static List<String> ids() {
        return IDS;
    }
}
