package org.m2mgw.cloud.internal.tls;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads along the bytes a TLS server sends before encryption starts, and reports the protocol
 * version and the key-exchange group it chose. Neither JSSE nor Bouncy Castle's JSSE (1.84) tells
 * a client which group was negotiated, but the server states it in the clear: in the key_share
 * extension of its TLS 1.3 ServerHello, or in the ServerKeyExchange of TLS 1.2 (EC)DHE. What is
 * reported is therefore what the server put on the wire, whatever the TLS implementation.
 *
 * <p>It only watches: the bytes pass unchanged. It stops at the first encrypted or alert record,
 * once it has its answer, or after {@link #MAX_WATCHED_BYTES}, and costs nothing after that.
 */
final class ServerHelloWatcher extends FilterInputStream {

    /** What was seen; {@code group} is -1 when the key exchange used none (or was not seen). */
    record Seen(int version, int group) {
        static final int TLS12 = 0x0303;
        static final int TLS13 = 0x0304;

        String versionName() {
            return switch (version) {
                case TLS13 -> "TLSv1.3";
                case TLS12 -> "TLSv1.2";
                case 0x0302 -> "TLSv1.1";
                case 0x0301 -> "TLSv1";
                default -> String.format("0x%04x", version);
            };
        }
    }

    /** Receives the result once per connection. */
    interface Listener {
        void seen(Seen seen);
    }

    static final int MAX_WATCHED_BYTES = 256 * 1024;
    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int ALERT = 21;
    private static final int HANDSHAKE = 22;
    private static final int SERVER_HELLO = 2;
    private static final int SERVER_KEY_EXCHANGE = 12;
    private static final int SERVER_HELLO_DONE = 14;
    private static final int EXT_SUPPORTED_VERSIONS = 43;
    private static final int EXT_KEY_SHARE = 51;
    /** ServerHello.random of a HelloRetryRequest (RFC 8446, 4.1.3): SHA-256 of "HelloRetryRequest". */
    private static final byte[] HRR_RANDOM = hex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");
    /** Largest handshake message kept for parsing; a ServerHello with a hybrid share is about 1.2 KB. */
    private static final int MAX_KEPT_MESSAGE = 16 * 1024;

    private final Listener listener;
    private volatile boolean done;
    private int watched;
    // record layer
    private final byte[] recordHeader = new byte[5];
    private int recordHeaderFill;
    private int recordType;
    private int recordLeft;
    // handshake layer, which may span records
    private final byte[] messageHeader = new byte[4];
    private int messageHeaderFill;
    private int messageType;
    private int messageLeft;
    private byte[] message;
    private int messageFill;
    // what the ServerHello said
    private int version = -1;
    private boolean retryRequested;

    ServerHelloWatcher(InputStream in, Listener listener) {
        super(in);
        this.listener = listener;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0 && !done) {
            watch(new byte[] {(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0 && !done) {
            watch(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes cannot be watched: give up rather than misread what follows.
        finish(-1);
        return super.skip(n);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void watch(byte[] b, int off, int len) {
        try {
            watched += len;
            for (int i = off; i < off + len && !done; i++) {
                next(b[i] & 0xFF);
            }
            if (!done && watched > MAX_WATCHED_BYTES) {
                finish(-1);
            }
        } catch (RuntimeException e) {
            // Whatever the server sent, watching must never break the connection.
            finish(-1);
        }
    }

    private void next(int b) {
        if (recordLeft == 0) {
            recordHeader[recordHeaderFill++] = (byte) b;
            if (recordHeaderFill == recordHeader.length) {
                recordHeaderFill = 0;
                recordType = recordHeader[0] & 0xFF;
                recordLeft = ((recordHeader[3] & 0xFF) << 8) | (recordHeader[4] & 0xFF);
                if (recordType == ALERT || (recordType != HANDSHAKE && recordType != CHANGE_CIPHER_SPEC)) {
                    // an alert, application data (TLS 1.3: encrypted from here on), or not TLS at all
                    finish(-1);
                } else if (recordType == CHANGE_CIPHER_SPEC && version != Seen.TLS13) {
                    // TLS 1.2: what follows is encrypted. TLS 1.3 sends a dummy one for middleboxes.
                    finish(-1);
                }
            }
            return;
        }
        recordLeft--;
        if (recordType == HANDSHAKE) {
            handshakeByte(b);
        }
    }

    private void handshakeByte(int b) {
        if (messageLeft == 0 && messageHeaderFill < messageHeader.length) {
            messageHeader[messageHeaderFill++] = (byte) b;
            if (messageHeaderFill == messageHeader.length) {
                messageType = messageHeader[0] & 0xFF;
                messageLeft = ((messageHeader[1] & 0xFF) << 16) | ((messageHeader[2] & 0xFF) << 8)
                        | (messageHeader[3] & 0xFF);
                boolean keep = (messageType == SERVER_HELLO || messageType == SERVER_KEY_EXCHANGE)
                        && messageLeft <= MAX_KEPT_MESSAGE;
                message = keep ? new byte[messageLeft] : null;
                messageFill = 0;
                if (messageLeft == 0) {
                    messageDone();
                }
            }
            return;
        }
        if (message != null) {
            message[messageFill++] = (byte) b;
        }
        if (--messageLeft == 0) {
            messageDone();
        }
    }

    private void messageDone() {
        messageHeaderFill = 0;
        byte[] m = message;
        message = null;
        if (messageType == SERVER_HELLO && m != null) {
            serverHello(m);
        } else if (messageType == SERVER_KEY_EXCHANGE && m != null && version != Seen.TLS13) {
            // ECParameters: curve_type named_curve(3), then the group (RFC 8422, 5.4)
            finish(m.length >= 3 && (m[0] & 0xFF) == 3 ? u16(m, 1) : -1);
        } else if (version > 0 && version != Seen.TLS13
                && (messageType == SERVER_HELLO_DONE || messageType == SERVER_KEY_EXCHANGE)) {
            // TLS 1.2 and no (readable) ServerKeyExchange: RSA key transport, or too large to keep
            finish(-1);
        }
    }

    private void serverHello(byte[] m) {
        int p = 0;
        int legacyVersion = u16(m, p);
        p += 2;
        boolean retry = Arrays.equals(Arrays.copyOfRange(m, p, p + 32), HRR_RANDOM);
        p += 32;
        p += 1 + (m[p] & 0xFF); // session id
        p += 2 + 1; // cipher suite, compression method
        int selectedVersion = legacyVersion;
        int group = -1;
        if (p + 2 <= m.length) {
            int end = Math.min(m.length, p + 2 + u16(m, p));
            p += 2;
            while (p + 4 <= end) {
                int type = u16(m, p);
                int len = u16(m, p + 2);
                int data = p + 4;
                if (type == EXT_SUPPORTED_VERSIONS && len >= 2) {
                    selectedVersion = u16(m, data);
                } else if (type == EXT_KEY_SHARE && len >= 2) {
                    // ServerHello: KeyShareEntry (group first); HelloRetryRequest: the group alone
                    group = u16(m, data);
                }
                p = data + len;
            }
        }
        version = selectedVersion;
        if (selectedVersion == Seen.TLS13) {
            if (retry) {
                // the real ServerHello follows, after the client's second ClientHello
                retryRequested = true;
            } else {
                finish(group);
            }
        }
        // TLS 1.2: the group comes in the ServerKeyExchange
    }

    private void finish(int group) {
        if (!done) {
            done = true;
            if (version > 0) {
                listener.seen(new Seen(version, group));
            }
        }
    }

    /** @return whether a HelloRetryRequest was seen (for tests) */
    boolean retryRequested() {
        return retryRequested;
    }

    private static int u16(byte[] b, int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
