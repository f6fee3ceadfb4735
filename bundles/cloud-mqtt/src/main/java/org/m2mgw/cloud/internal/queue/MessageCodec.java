package org.m2mgw.cloud.internal.queue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.SecuritySummary;

/**
 * Serializes a {@link DeviceMessage} for the durable queue.
 *
 * <p>Layout, version 1, big-endian: {@code u8 version, u8 flags (1 = connection id, 2 = resumed),
 * str messageId, str deviceId, str resource, i32 contentFormat, i64 epochSecond, i32 nano,
 * str protocol, str cipherSuite, str credentialType, i32 payloadLength, payload}, where
 * {@code str} is a u16 length and UTF-8 bytes. The credential type is stored by name so that
 * reordering the enum cannot change stored messages.
 *
 * <p>Queued messages outlive bundle updates: a new layout gets a new version number, and
 * {@link #decode} keeps reading every older one.
 */
public final class MessageCodec {
    static final int VERSION = 1;
    // Bit 2 (0x02) was a "resumed" flag that was never set; records written with it still read.
    private static final int FLAG_CONNECTION_ID = 1;
    private static final int MAX_STRING_BYTES = 0xffff;

    private MessageCodec() {
    }

    /**
     * @param message the message
     * @return its record
     * @throws IllegalArgumentException if a text field is longer than 65,535 UTF-8 bytes
     */
    public static byte[] encode(DeviceMessage message) {
        SecuritySummary security = message.security();
        byte[] payload = message.payload();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + payload.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(security.connectionId() ? FLAG_CONNECTION_ID : 0);
            writeString(out, message.messageId(), "messageId");
            writeString(out, message.deviceId(), "deviceId");
            writeString(out, message.resource(), "resource");
            out.writeInt(message.contentFormat());
            out.writeLong(message.receivedAt().getEpochSecond());
            out.writeInt(message.receivedAt().getNano());
            writeString(out, security.protocol(), "protocol");
            writeString(out, security.cipherSuite(), "cipherSuite");
            writeString(out, security.credentialType().name(), "credentialType");
            out.writeInt(payload.length);
            out.write(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * @param record a record made by {@link #encode}
     * @return the message
     * @throws IllegalArgumentException if the record is truncated, malformed or of an unknown
     *     version
     */
    public static DeviceMessage decode(byte[] record) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(record))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("unsupported message record version " + version);
            }
            int flags = in.readUnsignedByte();
            DeviceMessage.Builder b = DeviceMessage.builder()
                    .messageId(readString(in))
                    .deviceId(readString(in))
                    .resource(readString(in))
                    .contentFormat(in.readInt())
                    .receivedAt(Instant.ofEpochSecond(in.readLong(), in.readInt()));
            String protocol = readString(in);
            String cipherSuite = readString(in);
            CredentialType credentialType = credentialType(readString(in));
            b.security(new SecuritySummary(protocol, cipherSuite, credentialType,
                    (flags & FLAG_CONNECTION_ID) != 0));
            int length = in.readInt();
            if (length < 0 || length != in.available()) {
                throw new IllegalArgumentException("message record payload length " + length + " does not match the "
                        + in.available() + " bytes left");
            }
            return b.payload(in.readNBytes(length)).build();
        } catch (EOFException e) {
            throw new IllegalArgumentException("truncated message record (" + record.length + " bytes)");
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("message record has an invalid receive time");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeString(DataOutputStream out, String value, String field) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException(field + " is longer than " + MAX_STRING_BYTES + " bytes");
        }
        out.writeShort(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readUnsignedShort();
        byte[] utf8 = in.readNBytes(length);
        if (utf8.length != length) {
            throw new EOFException();
        }
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static CredentialType credentialType(String name) {
        try {
            return CredentialType.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("message record has an unknown credential type '" + name + "'");
        }
    }
}
