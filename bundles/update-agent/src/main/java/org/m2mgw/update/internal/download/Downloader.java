package org.m2mgw.update.internal.download;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Downloads an update package over HTTP or HTTPS to a file, for a remote update (Kura DEPLOY-V2).
 * Gateways sit on slow, flaky and metered links, and a package on disk is what gets installed, so:
 * <ul>
 * <li>the bytes go to {@code <target>.part}; an interrupted download (cut, stalled, timed out)
 * keeps it, and the next one with resume asks only for the rest ({@code Range: bytes=N-});</li>
 * <li>the target appears only complete, fsynced, within the size limit and with the expected hash,
 * by an atomic move; after any failure nothing is at the target, and after a failure that cannot
 * be resumed (status, size, hash, cancel) no partial file either;</li>
 * <li>a stall (no byte for a while), an overall timeout and a cancel end it promptly, even in a
 * blocked read;</li>
 * <li>HTTPS always checks the server's name, whatever verifier the JVM has by default; the trust
 * comes from a given trust store or the JDK's.</li>
 * </ul>
 * Credentials are sent only to the origin of the request's URI, not to one it redirects to, and
 * appear in no message. One instance serves any number of downloads, also at the same time.
 */
public final class Downloader {
    /** When the size is unknown, progress is reported each time this many more bytes arrived. */
    public static final long PROGRESS_BLOCK_BYTES = 1 << 20;

    private final SSLSocketFactory sockets;

    /**
     * What to download, where to, and within which limits.
     *
     * @param uri an http or https URI (anything else fails as {@code UNSUPPORTED_URI})
     * @param target the file to create; its directory must exist
     * @param maxBytes the largest package accepted
     * @param stallTimeoutMs longest wait for a connection or for the next byte
     * @param totalTimeoutMs longest time for the whole download
     * @param resume whether to continue from an existing {@code <target>.part}
     * @param expectedHash null, or the hash the package must have, as in Kura's
     *     {@code dp.download.hash}: {@code {algorithm}:{hex}}, e.g. {@code SHA-256:9f86d0...} or
     *     {@code md5:...}
     * @param notifyPercent the progress step in percent of the size, 1 to 100
     * @param username null, or the user for HTTP Basic authentication
     * @param password null, or the password for HTTP Basic authentication; not copied, not cleared
     * @throws IllegalArgumentException naming what is wrong, e.g. a malformed expected hash
     */
    public record Request(URI uri, Path target, long maxBytes, long stallTimeoutMs, long totalTimeoutMs,
                          boolean resume, String expectedHash, int notifyPercent,
                          String username, char[] password) {
        public Request {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(target, "target");
            if (target.getFileName() == null) {
                throw new IllegalArgumentException("target " + target + " is not a file name");
            }
            positive(maxBytes, "maxBytes");
            positive(stallTimeoutMs, "stallTimeoutMs");
            if (stallTimeoutMs > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("stallTimeoutMs " + stallTimeoutMs + " is more than "
                        + Integer.MAX_VALUE);
            }
            positive(totalTimeoutMs, "totalTimeoutMs");
            if (notifyPercent < 1 || notifyPercent > 100) {
                throw new IllegalArgumentException("notifyPercent " + notifyPercent + " is not from 1 to 100");
            }
            if (expectedHash != null && expectedHash.isBlank()) {
                expectedHash = null;
            }
            if (expectedHash != null) {
                ExpectedHash.parse(expectedHash);
            }
            if (password != null && username == null) {
                throw new IllegalArgumentException("a password without a username");
            }
        }

        /** Without the URI's query and user info (they may hold credentials) and without the password. */
        @Override
        public String toString() {
            return "Request[uri=" + describe(uri) + ", target=" + target + ", maxBytes=" + maxBytes
                    + ", stallTimeoutMs=" + stallTimeoutMs + ", totalTimeoutMs=" + totalTimeoutMs
                    + ", resume=" + resume + ", expectedHash=" + expectedHash + ", notifyPercent=" + notifyPercent
                    + ", username=" + username + ", password=" + (password == null ? "none" : "***") + "]";
        }

        private static void positive(long value, String name) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, not " + value);
            }
        }
    }

    /**
     * Told of the progress: each time another {@code notifyPercent} of the size arrived (or
     * {@link #PROGRESS_BLOCK_BYTES} while the size is unknown), then once with 100 when the package
     * is complete and checked. Called on the downloading thread; an exception it throws ends the
     * download and is passed on.
     */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param bytes bytes of the package present, including a resumed part
         * @param total the package's size, or -1 if unknown
         * @param percent {@code bytes} in percent of {@code total}, or -1 if unknown
         */
        void update(long bytes, long total, int percent);
    }

    /**
     * A completed download.
     *
     * @param file the target
     * @param size its size in bytes
     * @param sha256 the SHA-256 of the whole file, a resumed part included
     * @param resumed whether it continued a partial file
     */
    public record Result(Path file, long size, byte[] sha256, boolean resumed) {
        public String sha256Hex() {
            return HexFormat.of().formatHex(sha256);
        }

        @Override
        public String toString() {
            return "Result[file=" + file + ", size=" + size + ", sha256=" + sha256Hex() + ", resumed=" + resumed + "]";
        }
    }

    /**
     * @param tls the TLS context whose trust HTTPS uses (see {@link #trustStore}), or null for the
     *     JDK's default
     */
    public Downloader(SSLContext tls) {
        this.sockets = new HostnameCheckingSocketFactory((tls != null ? tls : jdkDefault()).getSocketFactory());
    }

    /**
     * A TLS context that trusts the certificates in a trust store file, PKCS12 or JKS (the type is
     * found from the content).
     *
     * @param password the store's password, or null if it has none
     * @throws IOException if the file cannot be read or the password is wrong
     * @throws GeneralSecurityException if it is no trust store or holds no certificate
     */
    public static SSLContext trustStore(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(file.toFile(), password);
        boolean hasCertificate = false;
        for (String alias : Collections.list(store.aliases())) {
            hasCertificate |= store.getCertificate(alias) != null;
        }
        if (!hasCertificate) {
            throw new KeyStoreException("trust store " + file + " holds no certificate"
                    + (password == null ? " readable without a password" : ""));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /**
     * Downloads the request's URI to its target.
     *
     * @param progress told of the progress, or null
     * @param cancelled asked a few times a second whether to stop (on the calling thread), or null;
     *     an interrupt of the calling thread stops too
     * @return the completed file, its size and SHA-256
     * @throws DownloadException why it failed; the target does not exist then
     */
    public Result download(Request request, Progress progress, BooleanSupplier cancelled) throws DownloadException {
        Objects.requireNonNull(request, "request");
        requireHttp(request.uri(), "");
        try (BlockingCalls blocking = new BlockingCalls(request.totalTimeoutMs(),
                cancelled != null ? cancelled : () -> false)) {
            return new Transfer(request, sockets, progress != null ? progress : (bytes, total, percent) -> { },
                    blocking).run();
        }
    }

    static void requireHttp(URI uri, String context) throws DownloadException {
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new DownloadException(DownloadException.Reason.UNSUPPORTED_URI, context
                    + "only http and https URIs can be downloaded, not " + describe(uri));
        }
        if (uri.getHost() == null) {
            throw new DownloadException(DownloadException.Reason.UNSUPPORTED_URI, context
                    + "the URI " + describe(uri) + " names no host");
        }
    }

    /** A URI as shown in messages: without user info, query and fragment, which may hold secrets. */
    static String describe(URI uri) {
        if (uri.getScheme() == null) {
            return "'" + (uri.getRawPath() != null ? uri.getRawPath() : "") + "' (no scheme)";
        }
        if (uri.isOpaque() || uri.getHost() == null) {
            return uri.getScheme() + ":" + (uri.getRawPath() != null ? uri.getRawPath() : "...");
        }
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() != null ? uri.getRawPath() : "");
    }

    private static SSLContext jdkDefault() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no default TLS context", e);
        }
    }
}
