package org.m2mgw.update.internal.download;

import static org.m2mgw.update.internal.download.DownloadException.Reason.CANCELLED;
import static org.m2mgw.update.internal.download.DownloadException.Reason.HASH_MISMATCH;
import static org.m2mgw.update.internal.download.DownloadException.Reason.HTTP_STATUS;
import static org.m2mgw.update.internal.download.DownloadException.Reason.IO;
import static org.m2mgw.update.internal.download.DownloadException.Reason.STALLED;
import static org.m2mgw.update.internal.download.DownloadException.Reason.TIMED_OUT;
import static org.m2mgw.update.internal.download.DownloadException.Reason.TOO_LARGE;
import static org.m2mgw.update.internal.download.DownloadException.Reason.UNSUPPORTED_URI;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;

/**
 * One download of a {@link Downloader.Request}: the HTTP exchange (redirects, range, status), the
 * copy into the partial file with its limits, the hash check and the atomic move into place. Every
 * failure leaves here as a {@link DownloadException}, after the clean-up its reason calls for.
 */
final class Transfer {
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int MAX_REDIRECTS = 5;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d{1,18})-(\\d{1,18})/(\\d{1,18}|\\*)");

    private final Downloader.Request request;
    private final Path target;
    private final Path part;
    private final SSLSocketFactory sockets;
    private final Downloader.Progress progress;
    private final BlockingCalls blocking;
    private final ExpectedHash expected;

    private URI current;
    private boolean connected;
    /** Bytes of the package in the partial file, a resumed prefix included. */
    private long received;
    /** The package's size, -1 while unknown. */
    private long total = -1;

    Transfer(Downloader.Request request, SSLSocketFactory sockets, Downloader.Progress progress,
             BlockingCalls blocking) {
        this.request = request;
        this.target = request.target();
        this.part = target.resolveSibling(target.getFileName() + ".part");
        this.sockets = sockets;
        this.progress = progress;
        this.blocking = blocking;
        this.expected = request.expectedHash() == null ? null : ExpectedHash.parse(request.expectedHash());
        this.current = request.uri();
    }

    Downloader.Result run() throws DownloadException {
        try {
            return transfer();
        } catch (DownloadException e) {
            throw cleanedUp(e);
        } catch (IOException e) {
            throw cleanedUp(translate(e));
        }
    }

    private Downloader.Result transfer() throws IOException {
        Files.deleteIfExists(target);
        long offset = existingPart();
        received = offset;
        if (offset > request.maxBytes()) {
            throw new DownloadException(TOO_LARGE, "partial file " + part + " of " + offset
                    + " bytes is already larger than the limit of " + request.maxBytes() + " bytes");
        }
        HttpURLConnection connection = open(offset);
        try {
            long start = accept(connection, offset);
            received = start;
            MessageDigest sha256 = digest("SHA-256");
            MessageDigest check = expected == null ? null
                    : expected.algorithm().equals("SHA-256") ? sha256 : expected.newDigest();
            try (FileChannel out = openPart(start)) {
                hashPrefix(start, sha256, check);
                copy(connection.getInputStream(), out, sha256, check, new Steps(start));
                out.force(true);
            }
            byte[] sha = sha256.digest();
            verify(sha, check == sha256 ? sha : check == null ? null : check.digest());
            progress.update(received, received, 100);
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(target);
            return new Downloader.Result(target, received, sha, start > 0);
        } finally {
            blocking.later(connection::disconnect);
        }
    }

    /** The length of a partial file to resume from, 0 if there is none or resume is off. */
    private long existingPart() throws IOException {
        if (!request.resume()) {
            Files.deleteIfExists(part);
            return 0;
        }
        try {
            return Files.size(part);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** Sends the request, following up to five redirects; returns the final connection, answered. */
    private HttpURLConnection open(long offset) throws IOException {
        for (int redirects = 0; ; redirects++) {
            HttpURLConnection connection = connect(current, offset);
            int status;
            try {
                status = blocking.call(connection::getResponseCode);
            } catch (IOException | RuntimeException e) {
                blocking.later(connection::disconnect);
                throw e;
            }
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return connection;
            }
            String location = connection.getHeaderField("Location");
            blocking.later(connection::disconnect);
            if (location == null) {
                throw new DownloadException(HTTP_STATUS, "server answered HTTP " + status
                        + " without a Location for " + Downloader.describe(current));
            }
            if (redirects == MAX_REDIRECTS) {
                throw new DownloadException(HTTP_STATUS, "more than " + MAX_REDIRECTS + " redirects from "
                        + Downloader.describe(request.uri()));
            }
            current = redirectTarget(location);
        }
    }

    private URI redirectTarget(String location) throws DownloadException {
        URI next;
        try {
            next = current.resolve(location.trim());
        } catch (IllegalArgumentException e) {
            throw new DownloadException(UNSUPPORTED_URI, Downloader.describe(current)
                    + " redirects to an invalid URI", e);
        }
        String context = "redirected from " + Downloader.describe(current) + ": ";
        Downloader.requireHttp(next, context);
        if (isHttps(current) && !isHttps(next)) {
            throw new DownloadException(UNSUPPORTED_URI, context + "refusing to follow a redirect from https to "
                    + Downloader.describe(next));
        }
        return next;
    }

    private HttpURLConnection connect(URI uri, long offset) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        if (c instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(sockets);
        }
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout((int) Math.min(request.stallTimeoutMs(), Math.min(blocking.remainingMs(), Integer.MAX_VALUE)));
        c.setReadTimeout((int) request.stallTimeoutMs());
        c.setRequestProperty("Accept-Encoding", "identity");
        if (offset > 0) {
            c.setRequestProperty("Range", "bytes=" + offset + "-");
        }
        if (request.username() != null && sameOrigin(uri, request.uri())) {
            c.setRequestProperty("Authorization", basicAuthorization());
        }
        connected = false;
        return c;
    }

    /**
     * Checks the answer and returns where the body starts in the package: {@code offset} for a
     * 206 with a matching Content-Range, 0 for a 200.
     */
    private long accept(HttpURLConnection c, long offset) throws IOException {
        int status = c.getResponseCode();
        connected = true;
        String announced;
        long start;
        if (status == HttpURLConnection.HTTP_OK) {
            total = c.getContentLengthLong();
            announced = "Content-Length " + total;
            start = 0;
        } else if (status == HttpURLConnection.HTTP_PARTIAL && offset > 0) {
            String range = c.getHeaderField("Content-Range");
            Matcher m = CONTENT_RANGE.matcher(range == null ? "" : range.trim());
            if (!m.matches() || Long.parseLong(m.group(1)) != offset) {
                throw new DownloadException(HTTP_STATUS, "server answered the request for the bytes from " + offset
                        + " on with Content-Range '" + range + "' from " + Downloader.describe(current));
            }
            long length = c.getContentLengthLong();
            total = !m.group(3).equals("*") ? Long.parseLong(m.group(3)) : length >= 0 ? offset + length : -1;
            announced = "size " + total + " from Content-Range";
            start = offset;
        } else if (status == 416 && offset > 0) {
            throw new DownloadException(HTTP_STATUS, "server refused to resume at byte " + offset
                    + " (HTTP 416 Range Not Satisfiable) for " + Downloader.describe(current)
                    + "; the partial file is discarded, the next attempt starts from the beginning");
        } else {
            String message = c.getResponseMessage();
            throw new DownloadException(HTTP_STATUS, "server answered HTTP " + status
                    + (message != null ? " " + message : "") + " for " + Downloader.describe(current));
        }
        if (total > request.maxBytes()) {
            throw new DownloadException(TOO_LARGE, "package is larger than the limit of " + request.maxBytes()
                    + " bytes (" + announced + ")");
        }
        return start;
    }

    private FileChannel openPart(long start) throws IOException {
        if (start == 0) {
            return FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        }
        FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE);
        if (channel.size() != start) {
            channel.close();
            throw new IOException("partial file " + part + " changed its size during the download");
        }
        return channel.position(start);
    }

    /** Hashes the bytes already in the partial file, so that the hashes cover the whole package. */
    private void hashPrefix(long length, MessageDigest sha256, MessageDigest check) throws IOException {
        if (length == 0) {
            return;
        }
        byte[] buffer = new byte[BUFFER_BYTES];
        long left = length;
        try (InputStream in = Files.newInputStream(part)) {
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException("partial file " + part + " shrank during the download");
                }
                update(sha256, check, buffer, n);
                left -= n;
            }
        }
    }

    private void copy(InputStream in, FileChannel out, MessageDigest sha256, MessageDigest check, Steps steps)
            throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        for (int n = blocking.call(() -> in.read(buffer)); n >= 0; n = blocking.call(() -> in.read(buffer))) {
            abortIfAsked();
            if (received + n > request.maxBytes()) {
                throw new DownloadException(TOO_LARGE, "package is larger than the limit of " + request.maxBytes()
                        + " bytes (" + (received + n) + " bytes received"
                        + (total < 0 ? " without a Content-Length)" : ")"));
            }
            ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            update(sha256, check, buffer, n);
            received += n;
            steps.reached(received);
        }
        abortIfAsked();
        if (total >= 0 && received != total) {
            throw new DownloadException(IO, "connection to " + host() + " closed after " + progressText());
        }
    }

    private static void update(MessageDigest sha256, MessageDigest check, byte[] buffer, int n) {
        sha256.update(buffer, 0, n);
        if (check != null && check != sha256) {
            check.update(buffer, 0, n);
        }
    }

    private void verify(byte[] sha256, byte[] checked) throws DownloadException {
        if (expected != null && !expected.matches(checked)) {
            throw new DownloadException(HASH_MISMATCH, "package from " + Downloader.describe(request.uri())
                    + " does not have the expected hash: expected " + expected + ", got " + expected.algorithm() + ":"
                    + HexFormat.of().formatHex(checked) + " (" + received + " bytes, SHA-256 "
                    + HexFormat.of().formatHex(sha256) + ")");
        }
    }

    private void abortIfAsked() throws DownloadException {
        DownloadException.Reason reason = blocking.check();
        if (reason != null) {
            throw aborted(reason, null);
        }
    }

    /** Deletes what the failure leaves useless: the partial file unless the failure is resumable. */
    private DownloadException cleanedUp(DownloadException failure) {
        try {
            Files.deleteIfExists(target);
            if (!failure.resumable()) {
                Files.deleteIfExists(part);
            }
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }

    /**
     * An I/O error as the failure it means. A cancel, interrupt or deadline takes precedence: the
     * error is then most likely its effect (a call given up, an interrupted file channel).
     */
    private DownloadException translate(IOException e) {
        DownloadException.Reason abort = blocking.check();
        if (abort != null) {
            return aborted(abort, e);
        }
        String host = host();
        if (e instanceof SocketTimeoutException) {
            return new DownloadException(STALLED, connected
                    ? "download from " + host + " stalled: no data for " + request.stallTimeoutMs() + " ms after "
                            + progressText()
                    : "no answer from " + host + " within " + request.stallTimeoutMs() + " ms", e);
        }
        if (e instanceof SSLException) {
            return new DownloadException(IO, "TLS with " + host + " failed: " + e.getMessage(), e);
        }
        if (e instanceof UnknownHostException) {
            return new DownloadException(IO, "unknown host " + current.getHost(), e);
        }
        if (e instanceof ConnectException) {
            return new DownloadException(IO, "cannot connect to " + host + ": " + e.getMessage(), e);
        }
        if (!connected) {
            return new DownloadException(IO, "download from " + host + " failed: " + e, e);
        }
        return new DownloadException(IO, "download from " + host + " failed after " + progressText() + ": "
                + e.getMessage(), e);
    }

    private DownloadException aborted(DownloadException.Reason reason, IOException cause) {
        if (reason == CANCELLED) {
            return new DownloadException(CANCELLED, "download from " + Downloader.describe(request.uri())
                    + " cancelled after " + progressText(), cause);
        }
        return new DownloadException(TIMED_OUT, "download from " + Downloader.describe(request.uri())
                + " did not complete within " + request.totalTimeoutMs() + " ms (" + progressText() + ")", cause);
    }

    private String host() {
        return current.getHost() + (current.getPort() >= 0 ? ":" + current.getPort() : "");
    }

    private String progressText() {
        return received + (total >= 0 ? " of " + total : "") + " bytes";
    }

    private String basicAuthorization() {
        char[] password = request.password() != null ? request.password() : new char[0];
        CharBuffer chars = CharBuffer.allocate(request.username().length() + 1 + password.length);
        chars.put(request.username()).put(':').put(password).flip();
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(chars);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        try {
            return "Basic " + Base64.getEncoder().encodeToString(bytes);
        } finally {
            Arrays.fill(chars.array(), '\0');
            Arrays.fill(bytes, (byte) 0);
            if (encoded.hasArray()) {
                Arrays.fill(encoded.array(), (byte) 0);
            }
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : isHttps(uri) ? 443 : 80;
    }

    private static boolean isHttps(URI uri) {
        return uri.getScheme().toLowerCase(Locale.ROOT).equals("https");
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no " + algorithm, e);
        }
    }

    /** Makes the move into place durable: without it a power cut may undo the rename. */
    private static void syncDirectory(Path file) {
        Path directory = file.toAbsolutePath().getParent();
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some file systems and platforms cannot sync a directory; the file itself is synced
        }
    }

    /** When to tell the progress: at each step of notifyPercent, or each block while the size is unknown. */
    private final class Steps {
        private int nextPercent;
        private long nextBytes;

        Steps(long start) {
            nextPercent = (percent(start) / request.notifyPercent() + 1) * request.notifyPercent();
            nextBytes = (start / Downloader.PROGRESS_BLOCK_BYTES + 1) * Downloader.PROGRESS_BLOCK_BYTES;
        }

        void reached(long bytes) {
            if (total > 0) {
                int percent = percent(bytes);
                if (percent >= nextPercent && percent < 100) {
                    nextPercent = (percent / request.notifyPercent() + 1) * request.notifyPercent();
                    progress.update(bytes, total, percent);
                }
            } else if (total < 0 && bytes >= nextBytes) {
                nextBytes = (bytes / Downloader.PROGRESS_BLOCK_BYTES + 1) * Downloader.PROGRESS_BLOCK_BYTES;
                progress.update(bytes, -1, -1);
            }
        }

        private int percent(long bytes) {
            return total > 0 ? (int) (bytes * 100 / total) : 0;
        }
    }
}
