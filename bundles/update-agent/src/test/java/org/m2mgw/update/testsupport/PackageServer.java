package org.m2mgw.update.testsupport;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An HTTP or HTTPS server of update packages for tests, on 127.0.0.1 and a free port: the
 * downloader and the update agent are tested against real sockets, with the faults of a real
 * network made to order per path:
 * <ul>
 * <li>{@link #cutAfter cut} the connection after some bytes of the body, once, so that a resume
 * then completes;</li>
 * <li>{@link #stallAfter stall} after some bytes for a while, on every request;</li>
 * <li>send the body {@link #chunked} without a Content-Length;</li>
 * <li>{@link #ignoreRange ignore} a Range header and send the whole package;</li>
 * <li>{@link #requireBasic require} HTTP Basic credentials, or {@link #redirect redirect}.</li>
 * </ul>
 * {@code Range: bytes=N-} is answered with 206 and a Content-Range. Every request is counted and
 * its headers kept per path. For HTTPS, {@link Tls} makes a test CA, a server certificate and a
 * trust store for the client.
 */
public final class PackageServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,18})-");

    private final HttpServer server;
    private final ExecutorService executor;
    private final String scheme;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<String, List<Headers>> requests = new ConcurrentHashMap<>();

    /** What a path serves and how it misbehaves. */
    private record Route(byte[] content, long cutAfter, long stallAfter, Duration stall, boolean chunked,
                         boolean ignoreRange, String authorization, URI redirect) {
        Route(byte[] content) {
            this(content, -1, -1, Duration.ZERO, false, false, null, null);
        }
    }

    private PackageServer(HttpServer server, String scheme) {
        this.server = server;
        this.scheme = scheme;
        this.executor = Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "package-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A plain HTTP server. */
    public static PackageServer http() throws IOException {
        return new PackageServer(HttpServer.create(loopback(), 0), "http");
    }

    /** An HTTPS server with the server certificate of {@code tls}. */
    public static PackageServer https(Tls tls) throws IOException {
        HttpsServer server = HttpsServer.create(loopback(), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        return new PackageServer(server, "https");
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The URI of a path on this server, with host 127.0.0.1. */
    public URI uri(String path) {
        return URI.create(scheme + "://127.0.0.1:" + port() + path);
    }

    /** Serves {@code content} at {@code path}, without faults (replacing any earlier ones). */
    public PackageServer serve(String path, byte[] content) {
        routes.put(path, new Route(content.clone()));
        return this;
    }

    /** Closes the connection after {@code bytes} of the body, on the next request only. */
    public PackageServer cutAfter(String path, long bytes) {
        return change(path, r -> new Route(r.content, bytes, r.stallAfter, r.stall, r.chunked, r.ignoreRange,
                r.authorization, r.redirect));
    }

    /** Stops sending for {@code stall} after {@code bytes} of the body, on every request. */
    public PackageServer stallAfter(String path, long bytes, Duration stall) {
        return change(path, r -> new Route(r.content, r.cutAfter, bytes, stall, r.chunked, r.ignoreRange,
                r.authorization, r.redirect));
    }

    /** Sends the body in chunks, without a Content-Length. */
    public PackageServer chunked(String path) {
        return change(path, r -> new Route(r.content, r.cutAfter, r.stallAfter, r.stall, true, r.ignoreRange,
                r.authorization, r.redirect));
    }

    /** Answers a Range request with 200 and the whole package, as servers without range support do. */
    public PackageServer ignoreRange(String path) {
        return change(path, r -> new Route(r.content, r.cutAfter, r.stallAfter, r.stall, r.chunked, true,
                r.authorization, r.redirect));
    }

    /** Answers 401 unless the request has these HTTP Basic credentials. */
    public PackageServer requireBasic(String path, String user, String password) {
        String expected = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return change(path, r -> new Route(r.content, r.cutAfter, r.stallAfter, r.stall, r.chunked, r.ignoreRange,
                expected, r.redirect));
    }

    /** Answers every request for {@code path} with 302 to {@code location}. */
    public PackageServer redirect(String path, URI location) {
        routes.put(path, new Route(new byte[0], -1, -1, Duration.ZERO, false, false, null, location));
        return this;
    }

    /** How many requests came for {@code path}, faulty or not, known or not. */
    public int requests(String path) {
        return requestHeaders(path).size();
    }

    /** The headers of each request for {@code path}, in order. */
    public List<Headers> requestHeaders(String path) {
        return List.copyOf(requests.getOrDefault(path, List.of()));
    }

    /** Stops at once: open connections are closed and stalls end. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private PackageServer change(String path, UnaryOperator<Route> change) {
        if (routes.computeIfPresent(path, (p, r) -> change.apply(r)) == null) {
            throw new IllegalStateException("serve something at " + path + " before adding a fault");
        }
        return this;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Headers headers = new Headers();
        headers.putAll(exchange.getRequestHeaders());
        requests.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(headers);
        Route route = routes.get(path);
        if (route == null) {
            exchange.sendResponseHeaders(404, -1);
        } else if (route.authorization != null && !route.authorization.equals(headers.getFirst("Authorization"))) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"packages\"");
            exchange.sendResponseHeaders(401, -1);
        } else if (route.redirect != null) {
            exchange.getResponseHeaders().set("Location", route.redirect.toString());
            exchange.sendResponseHeaders(302, -1);
        } else {
            send(exchange, path, route);
        }
        exchange.close(); // not reached on a fault: see writeBody
    }

    private void send(HttpExchange exchange, String path, Route route) throws IOException {
        byte[] content = route.content;
        String range = exchange.getRequestHeaders().getFirst("Range");
        Matcher m = RANGE.matcher(range == null ? "" : range.trim());
        boolean partial = m.matches() && !route.ignoreRange;
        long from = partial ? Long.parseLong(m.group(1)) : 0;
        Headers response = exchange.getResponseHeaders();
        response.set("Content-Type", "application/octet-stream");
        response.set("Accept-Ranges", "bytes");
        if (partial && from >= content.length) {
            response.set("Content-Range", "bytes */" + content.length);
            exchange.sendResponseHeaders(416, -1);
            return;
        }
        if (partial) {
            response.set("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
        }
        long length = content.length - from;
        exchange.sendResponseHeaders(partial ? 206 : 200, route.chunked ? 0 : length == 0 ? -1 : length);
        boolean cut = route.cutAfter >= 0 && takeCut(path, route);
        writeBody(exchange.getResponseBody(), content, (int) from, route, cut);
    }

    /** True for the one request that gets the cut; the fault is gone afterwards. */
    private boolean takeCut(String path, Route route) {
        Route uncut = new Route(route.content, -1, route.stallAfter, route.stall, route.chunked, route.ignoreRange,
                route.authorization, route.redirect);
        return routes.replace(path, route, uncut);
    }

    private static void writeBody(OutputStream out, byte[] content, int from, Route route, boolean cut)
            throws IOException {
        int pos = from;
        int cutAt = cut ? (int) Math.min(content.length, from + route.cutAfter) : Integer.MAX_VALUE;
        if (route.stallAfter >= 0 && from + route.stallAfter < Math.min(cutAt, content.length)) {
            int stallAt = (int) (from + route.stallAfter);
            out.write(content, pos, stallAt - pos);
            out.flush();
            pos = stallAt;
            try {
                Thread.sleep(route.stall.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("server closed during a stall");
            }
        }
        if (cut) {
            out.write(content, pos, cutAt - pos);
            out.flush();
            // an exception from a handler makes the JDK's server close the connection at once; the
            // exchange is not closed before, that would end a chunked body with its last chunk
            throw new IOException("test fault: connection cut after " + (cutAt - from) + " bytes");
        }
        out.write(content, pos, content.length - pos);
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /**
     * A test CA, a server certificate it issued for some names, and the server's TLS context.
     *
     * @param serverContext the TLS context for {@link PackageServer#https}
     * @param ca the CA certificate the client must trust
     * @param server the server certificate
     */
    public record Tls(SSLContext serverContext, X509Certificate ca, X509Certificate server) {
        /** For {@code localhost} and {@code 127.0.0.1}, which {@link PackageServer#uri} uses. */
        public static Tls localhost() {
            return forNames("localhost", "127.0.0.1");
        }

        /**
         * A new CA and a server certificate for the given DNS names and IP addresses (the first is
         * the subject's common name), valid from an hour ago for a day; EC P-256 keys.
         */
        public static Tls forNames(String... names) {
            if (names.length == 0) {
                throw new IllegalArgumentException("a server certificate needs a name");
            }
            try {
                KeyPair caKeys = ecKeys();
                KeyPair serverKeys = ecKeys();
                X500Name caName = new X500Name("CN=m2mgw update test CA");
                X509Certificate ca = sign(new JcaX509v3CertificateBuilder(caName, serial(), notBefore(), notAfter(),
                        caName, caKeys.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                        .addExtension(Extension.subjectKeyIdentifier, false,
                                new JcaX509ExtensionUtils().createSubjectKeyIdentifier(caKeys.getPublic())),
                        caKeys.getPrivate());
                X509Certificate server = sign(new JcaX509v3CertificateBuilder(ca, serial(), notBefore(), notAfter(),
                        new X500Name("CN=" + names[0]), serverKeys.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                        .addExtension(Extension.subjectAlternativeName, false, alternativeNames(names))
                        .addExtension(Extension.authorityKeyIdentifier, false,
                                new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca)),
                        caKeys.getPrivate());
                return new Tls(serverContext(serverKeys.getPrivate(), server, ca), ca, server);
            } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
                throw new IllegalStateException("cannot make the test certificates", e);
            }
        }

        /** Writes a PKCS12 trust store holding only the CA, for the client. */
        public Path writeTrustStore(Path file, char[] password) throws IOException, GeneralSecurityException {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("test-ca", ca);
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
            return file;
        }

        private static GeneralNames alternativeNames(String... names) {
            List<GeneralName> list = new ArrayList<>();
            for (String name : names) {
                boolean ip = name.matches("[0-9.]+") || name.contains(":");
                list.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, name));
            }
            return new GeneralNames(list.toArray(GeneralName[]::new));
        }

        private static SSLContext serverContext(PrivateKey key, X509Certificate server, X509Certificate ca)
                throws GeneralSecurityException, IOException {
            char[] password = "test".toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, password, new X509Certificate[] {server, ca});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        }

        private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
                throws OperatorCreationException, GeneralSecurityException {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        }

        private static KeyPair ecKeys() throws GeneralSecurityException {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        }

        private static BigInteger serial() {
            return new BigInteger(64, new SecureRandom()).add(BigInteger.ONE);
        }

        private static Date notBefore() {
            return Date.from(Instant.now().minus(Duration.ofHours(1)));
        }

        private static Date notAfter() {
            return Date.from(Instant.now().plus(Duration.ofDays(1)));
        }
    }

    @Override
    public String toString() {
        return "PackageServer[" + scheme + "://127.0.0.1:" + port() + ", paths " + routes.keySet() + "]";
    }
}
