package org.m2mgw.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.codec.TestMessages.GATEWAY;
import static org.m2mgw.codec.TestMessages.message;

import org.junit.jupiter.api.Test;
import org.m2mgw.api.message.ContentFormats;

class RawEncoderTest {

    @Test
    void givenAnyPayload_whenEncodedRaw_thenBytesUnchangedEvenWhenTheyWouldNotDecode() throws Exception {
        PayloadEncoder raw = PayloadEncoders.byId("raw").orElseThrow();
        byte[] notJson = {'{', 0, (byte) 0xff};

        byte[] out = raw.encode(message(ContentFormats.JSON, notJson), GATEWAY);

        assertThat(out).containsExactly('{', 0, 0xff);
        assertThat(raw.contentType()).isEqualTo("application/octet-stream");
    }

    @Test
    void givenIds_whenLookedUp_thenEachEncoderOrEmpty() {
        assertThat(PayloadEncoders.ids()).containsExactly("json", "kura-protobuf", "raw");
        for (String id : PayloadEncoders.ids()) {
            assertThat(PayloadEncoders.byId(id)).get().extracting(PayloadEncoder::id).isEqualTo(id);
        }
        assertThat(PayloadEncoders.byId("json").orElseThrow().contentType()).isEqualTo("application/json");
        assertThat(PayloadEncoders.byId("kura-protobuf").orElseThrow().contentType()).isEqualTo("application/x-protobuf");
        assertThat(PayloadEncoders.byId("JSON")).isEmpty();
        assertThat(PayloadEncoders.byId(null)).isEmpty();
    }
}
