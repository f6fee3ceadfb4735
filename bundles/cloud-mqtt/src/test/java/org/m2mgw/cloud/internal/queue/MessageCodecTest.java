package org.m2mgw.cloud.internal.queue;

import org.m2mgw.cloud.testsupport.TestMessages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.SecuritySummary;

class MessageCodecTest {

    @Test
    void givenAMessageWithEveryField_whenEncodedAndDecoded_thenEveryFieldIsKept() {
        DeviceMessage m = DeviceMessage.builder()
                .messageId("4f0c7d2e-1b7a-4c4e-9a57-3f0c2b9b8e11")
                .deviceId("zähler-7")
                .resource("/events/alarm")
                .contentFormat(ContentFormats.SENML_CBOR)
                .payload(new byte[] {0, 1, 2, (byte) 0xff})
                .receivedAt(Instant.ofEpochSecond(1_700_000_123L, 456_789_012))
                .security(new SecuritySummary("DTLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
                        CredentialType.RAW_PUBLIC_KEY, false))
                .build();

        DeviceMessage back = MessageCodec.decode(MessageCodec.encode(m));

        assertThat(back).isEqualTo(m);
        assertThat(back.messageId()).isEqualTo(m.messageId());
        assertThat(back.deviceId()).isEqualTo("zähler-7");
        assertThat(back.resource()).isEqualTo("events/alarm");
        assertThat(back.contentFormat()).isEqualTo(ContentFormats.SENML_CBOR);
        assertThat(back.payload()).containsExactly(0, 1, 2, 0xff);
        assertThat(back.receivedAt()).isEqualTo(Instant.ofEpochSecond(1_700_000_123L, 456_789_012));
        assertThat(back.security().protocol()).isEqualTo("DTLSv1.2");
        assertThat(back.security().cipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
        assertThat(back.security().credentialType()).isEqualTo(CredentialType.RAW_PUBLIC_KEY);
        assertThat(back.security().connectionId()).isFalse();
    }

    @Test
    void givenNoPayloadAndNoContentFormat_whenRoundTripped_thenStillEqual() {
        for (CredentialType type : CredentialType.values()) {
            DeviceMessage m = DeviceMessage.builder().messageId("m").deviceId("d").resource("telemetry")
                    .receivedAt(Instant.EPOCH)
                    .security(new SecuritySummary("OSCORE", "AES-CCM-16-64-128", type, true)).build();

            DeviceMessage back = MessageCodec.decode(MessageCodec.encode(m));

            assertThat(back).isEqualTo(m);
            assertThat(back.contentFormat()).isEqualTo(ContentFormats.UNDEFINED);
            assertThat(back.payloadLength()).isZero();
            assertThat(back.security().credentialType()).isEqualTo(type);
            assertThat(back.security().connectionId()).isTrue();
            }
    }

    @Test
    void givenAMessage_whenEncoded_thenTheRecordIsCompact() {
        DeviceMessage m = TestMessages.message("sensor-1", 1, 200);

        byte[] record = MessageCodec.encode(m);

        assertThat(record[0]).isEqualTo((byte) MessageCodec.VERSION);
        assertThat(record.length).isLessThan(200 + 110);
    }

    @Test
    void givenAnUnknownVersion_whenDecoded_thenRefusedNamingTheVersion() {
        byte[] record = MessageCodec.encode(TestMessages.message("d", 1));
        record[0] = 9;

        assertThatThrownBy(() -> MessageCodec.decode(record)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported message record version 9");
    }

    @Test
    void givenATruncatedRecord_whenDecoded_thenRefused() {
        byte[] record = MessageCodec.encode(TestMessages.message("d", 1));

        for (int cut : new int[] {0, 1, 5, 30, record.length - 1}) {
            assertThatThrownBy(() -> MessageCodec.decode(Arrays.copyOf(record, cut)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        byte[] longer = Arrays.copyOf(record, record.length + 1);
        assertThatThrownBy(() -> MessageCodec.decode(longer)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payload length");
    }

    @Test
    void givenAnOverlongField_whenEncoded_thenRefusedNamingTheField() {
        DeviceMessage m = DeviceMessage.builder().messageId("m").deviceId("d").resource("x".repeat(70_000))
                .receivedAt(Instant.EPOCH).security(TestMessages.SECURITY).build();

        assertThatThrownBy(() -> MessageCodec.encode(m)).hasMessageContaining("resource");
    }
}
