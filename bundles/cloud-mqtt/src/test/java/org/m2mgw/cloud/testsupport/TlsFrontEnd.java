package org.m2mgw.cloud.testsupport;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.BCSSLParameters;
import org.bouncycastle.jsse.BCSSLSocket;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.TlsContext;

/**
 * A TLS front end for a plain broker, as a cloud would run one in front of a broker that cannot do
 * post-quantum TLS (Debian's mosquitto links OpenSSL 3.0, which has no ML-KEM): it terminates TLS
 * and relays the plaintext to the broker. {@link #bouncyCastle} terminates with Bouncy Castle's
 * JSSE, offering only the protocols and groups it is given; {@link #jdk} with the JDK's TLS, a
 * classical server.
 *
 * <p>For each connection it records, on the server side, what the client offered (its
 * supported_groups and key shares, parsed from the ClientHello bytes by this class) and, with
 * Bouncy Castle, the group the handshake settled on (from BCJSSE's own handshake state). BCJSSE 1.84
 * has no public API for the negotiated group on either side, so it is read from its internal
 * {@code SecurityParameters} by reflection: fine for a test harness pinned to one bctls version, not
 * something for the product.
 *
 * <p>A BCJSSE server uses an EC certificate only when an ECDSA curve (secp256r1 ...) is among its
 * groups: one that offers X25519MLKEM768 alone needs an RSA certificate.
 */
public final class TlsFrontEnd implements AutoCloseable {
    private static final char[] PASSWORD = "front-end".toCharArray();
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;

    /**
     * What one client connection showed.
     *
     * @param negotiatedGroup as the server's TLS stack recorded it; null for the JDK server
     */
    public record Connection(List<String> offeredGroups, Map<String, Integer> keyShares, String negotiatedGroup,
            String protocol) {
    }

    public final int port;
    private final int target;
    private final SSLSocketFactory tls;
    private final boolean bouncyCastle;
    private final String[] protocols;
    private final String[] groups;
    private final ServerSocket server;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /**
     * @param targetPort the broker's plain port on 127.0.0.1
     * @param key the server's private key
     * @param chain its certificate chain
     * @param protocols the only protocols the server accepts, e.g. {@code TLSv1.3}
     * @param groups the only groups the server accepts, e.g. {@code X25519MLKEM768}
     */
    public static TlsFrontEnd bouncyCastle(int targetPort, PrivateKey key, X509Certificate[] chain, String[] protocols,
            String... groups) throws Exception {
        Provider jsse = new BouncyCastleJsseProvider(new BouncyCastleProvider());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("X509", jsse);
        kmf.init(keyStore(key, chain), PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS", jsse);
        ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
        return new TlsFrontEnd(targetPort, ctx.getSocketFactory(), true, protocols, groups);
    }

    /** A classical server: the JDK's TLS with its default groups, accepting only {@code protocols}. */
    public static TlsFrontEnd jdk(int targetPort, PrivateKey key, X509Certificate[] chain, String... protocols)
            throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore(key, chain), PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
        return new TlsFrontEnd(targetPort, ctx.getSocketFactory(), false, protocols, null);
    }

    private static KeyStore keyStore(PrivateKey key, X509Certificate[] chain) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key, PASSWORD, chain);
        return ks;
    }

    private TlsFrontEnd(int targetPort, SSLSocketFactory tls, boolean bouncyCastle, String[] protocols, String[] groups)
            throws IOException {
        this.target = targetPort;
        this.tls = tls;
        this.bouncyCastle = bouncyCastle;
        this.protocols = protocols.clone();
        this.groups = groups == null ? null : groups.clone();
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.port = server.getLocalPort();
        Thread t = new Thread(this::accept, "tls-front-end-accept");
        t.setDaemon(true);
        t.start();
    }

    public String url() {
        return "ssl://127.0.0.1:" + port;
    }

    /** @return the connections whose handshake completed, in order */
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** @return why handshakes failed, as the server saw it */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread t = new Thread(() -> serve(client), "tls-front-end-handshake");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try {
            client.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            InputStream raw = client.getInputStream();
            byte[] clientHello = readRecord(raw);
            List<String> offered = new ArrayList<>();
            Map<String, Integer> shares = new LinkedHashMap<>();
            parseClientHello(clientHello, offered, shares);

            // Server mode, with the bytes already read handed back to the TLS layer.
            SSLSocket s = (SSLSocket) tls.createSocket(client, new ByteArrayInputStream(clientHello), true);
            sockets.add(s);
            if (bouncyCastle) {
                BCSSLSocket bc = (BCSSLSocket) s;
                BCSSLParameters p = bc.getParameters();
                p.setProtocols(protocols);
                p.setNamedGroups(groups);
                bc.setParameters(p);
            } else {
                s.setEnabledProtocols(protocols);
            }
            s.startHandshake();
            client.setSoTimeout(0);
            connections.add(new Connection(List.copyOf(offered), Map.copyOf(shares),
                    bouncyCastle ? NamedGroup.getName(negotiatedGroup(s)) : null, s.getSession().getProtocol()));
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
            sockets.add(upstream);
            pump(s.getInputStream(), upstream.getOutputStream(), upstream, s);
            pump(upstream.getInputStream(), s.getOutputStream(), s, upstream);
        } catch (Exception e) {
            failures.add(e.toString());
            try {
                client.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** Reads one whole TLS record (header included). */
    private static byte[] readRecord(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        byte[] header = new byte[5];
        d.readFully(header);
        int len = ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
        byte[] record = new byte[5 + len];
        System.arraycopy(header, 0, record, 0, 5);
        d.readFully(record, 5, len);
        return record;
    }

    /** The supported_groups and key_share extensions of a ClientHello in one record (RFC 8446, 4.1.2). */
    static void parseClientHello(byte[] record, List<String> offered, Map<String, Integer> shares) {
        if (record[0] != 22 || record[5] != 1) {
            throw new IllegalArgumentException("not a ClientHello");
        }
        int p = 5 + 4 + 2 + 32; // record header, handshake header, legacy_version, random
        p += 1 + (record[p] & 0xFF); // legacy_session_id
        p += 2 + u16(record, p); // cipher_suites
        p += 1 + (record[p] & 0xFF); // legacy_compression_methods
        int end = p + 2 + u16(record, p);
        p += 2;
        while (p + 4 <= end) {
            int type = u16(record, p);
            int len = u16(record, p + 2);
            int data = p + 4;
            if (type == 10) { // supported_groups
                for (int i = data + 2; i < data + 2 + u16(record, data); i += 2) {
                    offered.add(NamedGroup.getName(u16(record, i)));
                }
            } else if (type == 51) { // key_share: client_shares
                int q = data + 2;
                int sharesEnd = q + u16(record, data);
                while (q + 4 <= sharesEnd) {
                    shares.put(NamedGroup.getName(u16(record, q)), u16(record, q + 2));
                    q += 4 + u16(record, q + 2);
                }
            }
            p = data + len;
        }
    }

    private static int u16(byte[] b, int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }

    /** The group in BCJSSE's handshake state of one completed connection (not public API in 1.84). */
    static int negotiatedGroup(SSLSocket s) throws ReflectiveOperationException {
        Object protocol = field(s.getClass(), "protocol").get(s);
        Method getContext = method(protocol.getClass(), "getContext");
        TlsContext ctx = (TlsContext) getContext.invoke(protocol);
        return ctx.getSecurityParametersConnection().getNegotiatedGroup();
    }

    private static Field field(Class<?> c, String name) throws NoSuchFieldException {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            try {
                Field f = k.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException notHere) {
                // look further up
            }
        }
        throw new NoSuchFieldException(c.getName() + "." + name);
    }

    private static Method method(Class<?> c, String name) throws NoSuchMethodException {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            try {
                Method m = k.getDeclaredMethod(name);
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException notHere) {
                // look further up
            }
        }
        throw new NoSuchMethodException(c.getName() + "." + name + "()");
    }

    private static void pump(InputStream in, OutputStream out, Socket to, Socket from) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // one side went away
            } finally {
                try {
                    to.close();
                    from.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }, "tls-front-end-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
