package org.m2mgw.cloud.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The watcher on hand-built server flights (RFC 8446 and RFC 5246 layouts), fed in every chunking.
 * The integration tests check it against real servers; these cover what they cannot provoke: a
 * HelloRetryRequest, messages split across records, TLS 1.2 without a group.
 */
class ServerHelloWatcherTest {
    private static final byte[] HRR_RANDOM = HexFormat.of()
            .parseHex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");

    @Test
    void givenTls13ServerHelloWithTheHybridShare_thenTheGroupIs0x11EC() throws Exception {
        byte[] flight = concat(record(22, handshake(2, serverHello13(new byte[32], 0x11EC, 1120))),
                record(20, new byte[] {1}), record(23, new byte[40]));
        for (Seen s : feedAllWays(flight)) {
            assertThat(s.seen).containsExactly(new ServerHelloWatcher.Seen(0x0304, 0x11EC));
            assertThat(TlsGroups.nameOf(s.seen.get(0).group())).isEqualTo("X25519MLKEM768");
            assertThat(s.seen.get(0).versionName()).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void givenHelloRetryRequest_thenTheGroupOfTheSecondServerHelloCounts() throws Exception {
        byte[] flight = concat(record(22, handshake(2, helloRetryRequest(0x11EC))), record(20, new byte[] {1}),
                record(22, handshake(2, serverHello13(new byte[32], 0x001D, 32))), record(23, new byte[40]));
        for (Seen s : feedAllWays(flight)) {
            assertThat(s.seen).containsExactly(new ServerHelloWatcher.Seen(0x0304, 0x001D));
            assertThat(s.watcher.retryRequested()).isTrue();
        }
    }

    @Test
    void givenTls12_whenTheCertificateSpansRecords_thenTheGroupComesFromTheServerKeyExchange() throws Exception {
        byte[] hello = handshake(2, serverHello12());
        byte[] certificate = handshake(11, new byte[3000]);
        byte[] ske = handshake(12, concat(new byte[] {3, 0x00, 0x17, 65}, new byte[65 + 2 + 2 + 72]));
        byte[] done = handshake(14, new byte[0]);
        byte[] messages = concat(hello, certificate, ske, done);
        // records of 1000 bytes, cutting through message headers and bodies
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < messages.length; i += 1000) {
            records.add(record(22, java.util.Arrays.copyOfRange(messages, i, Math.min(messages.length, i + 1000))));
        }
        byte[] flight = concat(concat(records.toArray(new byte[0][])), record(20, new byte[] {1}));
        for (Seen s : feedAllWays(flight)) {
            assertThat(s.seen).containsExactly(new ServerHelloWatcher.Seen(0x0303, 0x0017));
            assertThat(TlsGroups.nameOf(0x0017)).isEqualTo("secp256r1");
        }
    }

    @Test
    void givenTls12RsaKeyTransport_thenThereIsNoGroup() throws Exception {
        byte[] flight = concat(record(22, concat(handshake(2, serverHello12()), handshake(11, new byte[500]),
                handshake(14, new byte[0]))), record(20, new byte[] {1}));
        for (Seen s : feedAllWays(flight)) {
            assertThat(s.seen).containsExactly(new ServerHelloWatcher.Seen(0x0303, -1));
        }
    }

    @Test
    void givenNoHandshake_thenNothingIsReported_andTheBytesPassUnchanged() throws Exception {
        byte[] garbage = new byte[5000];
        new Random(7).nextBytes(garbage);
        garbage[0] = 23;
        for (Seen s : feedAllWays(garbage)) {
            assertThat(s.seen).isEmpty();
        }
    }

    // --- feeding ---

    private static final class Seen {
        final List<ServerHelloWatcher.Seen> seen = new ArrayList<>();
        ServerHelloWatcher watcher;
    }

    /** Reads the flight byte by byte, in one go, and in random chunks; checks the bytes pass unchanged. */
    private static List<Seen> feedAllWays(byte[] flight) throws IOException {
        List<Seen> out = new ArrayList<>();
        for (int mode = 0; mode < 3; mode++) {
            Seen s = new Seen();
            ServerHelloWatcher w = new ServerHelloWatcher(new ByteArrayInputStream(flight), s.seen::add);
            s.watcher = w;
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            Random r = new Random(mode);
            int n;
            if (mode == 0) {
                while ((n = w.read()) >= 0) {
                    copy.write(n);
                }
            } else {
                byte[] buf = new byte[mode == 1 ? flight.length + 10 : 700];
                while ((n = w.read(buf, 0, mode == 1 ? buf.length : 1 + r.nextInt(buf.length))) >= 0) {
                    copy.write(buf, 0, n);
                }
            }
            assertThat(copy.toByteArray()).isEqualTo(flight);
            out.add(s);
        }
        return out;
    }

    // --- building flights ---

    private static byte[] serverHello13(byte[] random, int group, int shareLength) {
        byte[] share = concat(u16(group), u16(shareLength), new byte[shareLength]);
        byte[] extensions = concat(u16(43), u16(2), u16(0x0304), u16(51), u16(share.length), share);
        return concat(u16(0x0303), random, new byte[] {32}, new byte[32], u16(0x1301), new byte[] {0},
                u16(extensions.length), extensions);
    }

    private static byte[] helloRetryRequest(int group) {
        byte[] extensions = concat(u16(43), u16(2), u16(0x0304), u16(51), u16(2), u16(group));
        return concat(u16(0x0303), HRR_RANDOM, new byte[] {32}, new byte[32], u16(0x1301), new byte[] {0},
                u16(extensions.length), extensions);
    }

    private static byte[] serverHello12() {
        byte[] extensions = concat(u16(0xFF01), u16(1), new byte[] {0});
        return concat(u16(0x0303), new byte[32], new byte[] {0}, u16(0xC02B), new byte[] {0},
                u16(extensions.length), extensions);
    }

    private static byte[] handshake(int type, byte[] body) {
        return concat(new byte[] {(byte) type, (byte) (body.length >> 16), (byte) (body.length >> 8),
            (byte) body.length}, body);
    }

    private static byte[] record(int type, byte[] fragment) {
        return concat(new byte[] {(byte) type, 3, 3}, u16(fragment.length), fragment);
    }

    private static byte[] u16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
