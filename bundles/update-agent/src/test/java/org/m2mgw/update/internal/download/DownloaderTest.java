package org.m2mgw.update.internal.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.m2mgw.update.internal.download.DownloadException.Reason;
import org.m2mgw.update.internal.download.Downloader.Request;
import org.m2mgw.update.internal.download.Downloader.Result;
import org.m2mgw.update.testsupport.PackageServer;

@Timeout(30)
class DownloaderTest {
    private static final byte[] PACKAGE = randomBytes(1_000_000);
    private static final char[] STORE_PASSWORD = "changeit".toCharArray();

    @TempDir
    Path dir;
    private Path target;
    private Path part;
    private PackageServer server;
    private final Downloader downloader = new Downloader(null);
    private final List<long[]> progress = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        target = dir.resolve("package.dp");
        part = dir.resolve("package.dp.part");
        server = PackageServer.http().serve("/package.dp", PACKAGE);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void downloadsThePackageWithItsSha256AndProgressSteps() throws Exception {
        Result result = downloader.download(request(server.uri("/package.dp"), null), this::record, null);

        assertThat(result.file()).isEqualTo(target);
        assertThat(result.size()).isEqualTo(PACKAGE.length);
        assertThat(result.sha256()).isEqualTo(sha256(PACKAGE));
        assertThat(result.resumed()).isFalse();
        assertThat(target).hasBinaryContent(PACKAGE);
        assertThat(part).doesNotExist();
        // steps of 10 %: each step at most once, increasing, then the final 100
        List<Integer> percents = progress.stream().map(p -> (int) p[2]).toList();
        assertThat(percents).isSorted().doesNotHaveDuplicates().hasSizeBetween(2, 10).endsWith(100);
        assertThat(percents.get(0)).isGreaterThanOrEqualTo(10);
        assertThat(progress.get(progress.size() - 1)).containsExactly(PACKAGE.length, PACKAGE.length, 100);
    }

    @Test
    void checksTheExpectedHashInKurasNotation() throws Exception {
        String sha256 = "sha256:" + HexFormat.of().formatHex(sha256(PACKAGE));
        String md5 = "MD5:" + HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("MD5").digest(PACKAGE));

        assertThat(downloader.download(request(server.uri("/package.dp"), sha256), null, null).size())
                .isEqualTo(PACKAGE.length);
        assertThat(downloader.download(request(server.uri("/package.dp"), md5), null, null).size())
                .isEqualTo(PACKAGE.length);
    }

    @Test
    void aHashMismatchLeavesNoFile() throws Exception {
        String other = "SHA-256:" + HexFormat.of().formatHex(sha256(new byte[1]));

        DownloadException e = failure(request(server.uri("/package.dp"), other), null);

        assertThat(e.reason()).isEqualTo(Reason.HASH_MISMATCH);
        assertThat(e.getMessage()).contains("expected " + other);
        assertThat(target).doesNotExist();
        assertThat(part).doesNotExist();
    }

    @Test
    void refusesByContentLengthBeforeReading() {
        Request request = new Request(server.uri("/package.dp"), target, 50_000, 5_000, 20_000, true, null, 10,
                null, null);

        DownloadException e = failure(request, null);

        assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(e.getMessage()).isEqualTo(
                "package is larger than the limit of 50000 bytes (Content-Length " + PACKAGE.length + ")");
        assertThat(target).doesNotExist();
        assertThat(part).doesNotExist();
    }

    @Test
    void refusesWhileStreamingWithoutContentLength() {
        server.chunked("/package.dp");
        Request request = new Request(server.uri("/package.dp"), target, 50_000, 5_000, 20_000, true, null, 10,
                null, null);

        DownloadException e = failure(request, null);

        assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(e.getMessage()).startsWith("package is larger than the limit of 50000 bytes")
                .contains("without a Content-Length");
        assertThat(target).doesNotExist();
        assertThat(part).doesNotExist();
    }

    @Test
    void downloadsWithoutContentLengthReportingBlocks() throws Exception {
        byte[] large = randomBytes((int) (2.5 * Downloader.PROGRESS_BLOCK_BYTES));
        server.serve("/large.dp", large).chunked("/large.dp");

        Result result = downloader.download(request(server.uri("/large.dp"), null), this::record, null);

        assertThat(result.sha256()).isEqualTo(sha256(large));
        assertThat(progress).hasSize(3);
        assertThat(progress.get(0)[0]).isGreaterThanOrEqualTo(Downloader.PROGRESS_BLOCK_BYTES);
        assertThat(progress.get(0)).endsWith(-1, -1);
        assertThat(progress.get(1)[0]).isGreaterThanOrEqualTo(2 * Downloader.PROGRESS_BLOCK_BYTES);
        assertThat(progress.get(2)).containsExactly(large.length, large.length, 100);
    }

    @Test
    void resumesWithARangeAfterTheConnectionWasCut() throws Exception {
        server.cutAfter("/package.dp", 300_000);
        Request request = request(server.uri("/package.dp"), "SHA-256:" + HexFormat.of().formatHex(sha256(PACKAGE)));

        DownloadException cut = failure(request, null);

        assertThat(cut.reason()).isEqualTo(Reason.IO);
        assertThat(cut.resumable()).isTrue();
        assertThat(cut.getMessage()).contains("closed after 300000 of 1000000 bytes");
        assertThat(target).doesNotExist();
        assertThat(part).hasSize(300_000);

        Result result = downloader.download(request, this::record, null);

        assertThat(result.resumed()).isTrue();
        assertThat(result.sha256()).isEqualTo(sha256(PACKAGE));
        assertThat(target).hasBinaryContent(PACKAGE);
        assertThat(part).doesNotExist();
        assertThat(server.requests("/package.dp")).isEqualTo(2);
        assertThat(server.requestHeaders("/package.dp").get(0).getFirst("Range")).isNull();
        assertThat(server.requestHeaders("/package.dp").get(1).getFirst("Range")).isEqualTo("bytes=300000-");
        assertThat(progress.get(0)[2]).isGreaterThanOrEqualTo(40);
    }

    @Test
    void resumesAChunkedBodyAfterACut() throws Exception {
        server.chunked("/package.dp").cutAfter("/package.dp", 200_000);

        DownloadException cut = failure(request(server.uri("/package.dp"), null), null);
        Result result = downloader.download(request(server.uri("/package.dp"), null), null, null);

        assertThat(cut.reason()).isEqualTo(Reason.IO);
        assertThat(result.resumed()).isTrue();
        assertThat(result.sha256()).isEqualTo(sha256(PACKAGE));
        assertThat(server.requestHeaders("/package.dp").get(1).getFirst("Range")).isEqualTo("bytes=200000-");
    }

    @Test
    void startsAgainWhenTheServerIgnoresTheRange() throws Exception {
        Files.write(part, new byte[1234]);
        server.ignoreRange("/package.dp");

        Result result = downloader.download(request(server.uri("/package.dp"), null), null, null);

        assertThat(server.requestHeaders("/package.dp").get(0).getFirst("Range")).isEqualTo("bytes=1234-");
        assertThat(result.resumed()).isFalse();
        assertThat(target).hasBinaryContent(PACKAGE);
    }

    @Test
    void withoutResumeAPartialFileIsDiscarded() throws Exception {
        Files.write(part, new byte[1234]);
        Request request = new Request(server.uri("/package.dp"), target, 10_000_000, 5_000, 20_000, false, null, 10,
                null, null);

        Result result = downloader.download(request, null, null);

        assertThat(server.requestHeaders("/package.dp").get(0).getFirst("Range")).isNull();
        assertThat(result.resumed()).isFalse();
        assertThat(target).hasBinaryContent(PACKAGE);
    }

    @Test
    void aPartialFileAsLargeAsThePackageIsDiscardedOn416() throws Exception {
        Files.write(part, new byte[PACKAGE.length]);

        DownloadException e = failure(request(server.uri("/package.dp"), null), null);

        assertThat(e.reason()).isEqualTo(Reason.HTTP_STATUS);
        assertThat(e.getMessage()).contains("HTTP 416");
        assertThat(part).doesNotExist();
        assertThat(downloader.download(request(server.uri("/package.dp"), null), null, null).resumed()).isFalse();
    }

    @Test
    void aStalledServerFailsWithinTheStallTimeout() {
        server.stallAfter("/package.dp", 100_000, Duration.ofSeconds(20));
        Request request = new Request(server.uri("/package.dp"), target, 10_000_000, 300, 20_000, true, null, 10,
                null, null);

        long started = System.nanoTime();
        DownloadException e = failure(request, null);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(e.reason()).isEqualTo(Reason.STALLED);
        assertThat(e.getMessage()).contains("no data for 300 ms after 100000 of 1000000 bytes");
        assertThat(target).doesNotExist();
        assertThat(part).hasSize(100_000);
    }

    @Test
    void theOverallTimeoutEndsASlowDownload() {
        server.stallAfter("/package.dp", 100_000, Duration.ofSeconds(20));
        Request request = new Request(server.uri("/package.dp"), target, 10_000_000, 15_000, 500, true, null, 10,
                null, null);

        long started = System.nanoTime();
        DownloadException e = failure(request, null);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(e.reason()).isEqualTo(Reason.TIMED_OUT);
        assertThat(e.getMessage()).contains("did not complete within 500 ms");
        assertThat(part).exists();
        assertThat(target).doesNotExist();
    }

    @Test
    void aCancelEndsABlockedReadAndDiscardsThePartialFile() {
        server.stallAfter("/package.dp", 100_000, Duration.ofSeconds(20));
        Request request = new Request(server.uri("/package.dp"), target, 10_000_000, 15_000, 20_000, true, null, 10,
                null, null);
        long started = System.nanoTime();
        AtomicBoolean cancelled = new AtomicBoolean();
        after(300, () -> cancelled.set(true));

        DownloadException e = failure(request, cancelled::get);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(e.reason()).isEqualTo(Reason.CANCELLED);
        assertThat(e.resumable()).isFalse();
        assertThat(part).doesNotExist();
        assertThat(target).doesNotExist();
    }

    @Test
    void aCancelDuringTheTransferIsSeenAtTheNextBlock() {
        AtomicBoolean cancelled = new AtomicBoolean();

        DownloadException e = failure(request(server.uri("/package.dp"), null),
                (bytes, total, percent) -> cancelled.set(true), cancelled::get);

        assertThat(e.reason()).isEqualTo(Reason.CANCELLED);
        assertThat(e.getMessage()).contains("cancelled after");
        assertThat(part).doesNotExist();
    }

    @Test
    void anInterruptIsACancel() throws Exception {
        server.stallAfter("/package.dp", 100_000, Duration.ofSeconds(20));
        Request request = new Request(server.uri("/package.dp"), target, 10_000_000, 15_000, 20_000, true, null, 10,
                null, null);
        Thread caller = Thread.currentThread();
        after(300, caller::interrupt);
        try {
            assertThat(failure(request, null).reason()).isEqualTo(Reason.CANCELLED);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anHttpErrorStatusIsReportedWithItsCode() {
        DownloadException e = failure(request(server.uri("/missing.dp"), null), null);

        assertThat(e.reason()).isEqualTo(Reason.HTTP_STATUS);
        assertThat(e.getMessage()).contains("HTTP 404").contains("/missing.dp");
        assertThat(target).doesNotExist();
    }

    @Test
    void onlyHttpAndHttpsAreDownloaded() throws Exception {
        Path local = Files.write(dir.resolve("local.dp"), PACKAGE);

        for (URI uri : List.of(local.toUri(), URI.create("ftp://user:secret@example.com/p.dp"))) {
            DownloadException e = failure(request(uri, null), null);
            assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_URI);
            assertThat(e.getMessage()).startsWith("only http and https URIs can be downloaded").doesNotContain("secret");
        }
        assertThat(target).doesNotExist();
    }

    @Test
    void sendsBasicCredentialsOnlyToTheRequestsOrigin() throws Exception {
        server.requireBasic("/package.dp", "gateway", "pa:ss");
        try (PackageServer other = PackageServer.http().serve("/elsewhere.dp", PACKAGE)) {
            server.redirect("/moved.dp", other.uri("/elsewhere.dp"));
            Request withCredentials = new Request(server.uri("/package.dp"), target, 10_000_000, 5_000, 20_000, true,
                    null, 10, "gateway", "pa:ss".toCharArray());
            Request redirected = new Request(server.uri("/moved.dp"), target, 10_000_000, 5_000, 20_000, true,
                    null, 10, "gateway", "pa:ss".toCharArray());

            assertThat(downloader.download(withCredentials, null, null).size()).isEqualTo(PACKAGE.length);
            assertThat(failure(request(server.uri("/package.dp"), null), null).getMessage()).contains("HTTP 401");
            assertThat(downloader.download(redirected, null, null).size()).isEqualTo(PACKAGE.length);
            assertThat(server.requestHeaders("/moved.dp").get(0).getFirst("Authorization")).isNotNull();
            assertThat(other.requestHeaders("/elsewhere.dp").get(0).getFirst("Authorization")).isNull();
            assertThat(withCredentials.toString()).doesNotContain("pa:ss");
        }
    }

    @Test
    void downloadsOverHttpsTrustingTheGivenStore() throws Exception {
        PackageServer.Tls tls = PackageServer.Tls.localhost();
        try (PackageServer https = PackageServer.https(tls).serve("/package.dp", PACKAGE)) {
            SSLContext trust = Downloader.trustStore(tls.writeTrustStore(dir.resolve("trust.p12"), STORE_PASSWORD),
                    STORE_PASSWORD);

            Result result = new Downloader(trust).download(request(https.uri("/package.dp"), null), null, null);

            assertThat(result.sha256()).isEqualTo(sha256(PACKAGE));
            DownloadException untrusted = failure(new Downloader(null), request(https.uri("/package.dp"), null), null);
            assertThat(untrusted.reason()).isEqualTo(Reason.IO);
            assertThat(untrusted.getMessage()).startsWith("TLS with 127.0.0.1:" + https.port() + " failed");
        }
    }

    @Test
    void httpsChecksTheHostnameEvenWithAPermissiveDefaultVerifier() throws Exception {
        PackageServer.Tls tls = PackageServer.Tls.forNames("updates.example.com");
        HostnameVerifier jdkDefault = HttpsURLConnection.getDefaultHostnameVerifier();
        try (PackageServer https = PackageServer.https(tls).serve("/package.dp", PACKAGE)) {
            Downloader trusting = new Downloader(Downloader.trustStore(
                    tls.writeTrustStore(dir.resolve("trust.p12"), STORE_PASSWORD), STORE_PASSWORD));

            DownloadException e = failure(trusting, request(https.uri("/package.dp"), null), null);
            assertThat(e.reason()).isEqualTo(Reason.IO);
            assertThat(e.getMessage()).contains("TLS").contains("127.0.0.1");

            // another bundle might have done this; it must not turn the check off
            HttpsURLConnection.setDefaultHostnameVerifier((host, session) -> true);
            assertThat(failure(trusting, request(https.uri("/package.dp"), null), null).reason()).isEqualTo(Reason.IO);
            assertThat(target).doesNotExist();
        } finally {
            HttpsURLConnection.setDefaultHostnameVerifier(jdkDefault);
        }
    }

    @Test
    void aTrustStoreWithoutCertificatesIsRefused() throws Exception {
        Path empty = dir.resolve("empty.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (OutputStream out = Files.newOutputStream(empty)) {
            store.store(out, STORE_PASSWORD);
        }

        assertThatThrownBy(() -> Downloader.trustStore(empty, STORE_PASSWORD))
                .hasMessageContaining("holds no certificate");
    }

    @Test
    void refusesAMalformedExpectedHashWhenTheRequestIsMade() {
        URI uri = server.uri("/package.dp");
        assertThatIllegalArgumentException().isThrownBy(() -> request(uri, "SHA-256"))
                .withMessageContaining("not of the form");
        assertThatIllegalArgumentException().isThrownBy(() -> request(uri, "CRC32:12345678"))
                .withMessageContaining("unsupported algorithm 'CRC32'");
        assertThatIllegalArgumentException().isThrownBy(() -> request(uri, "SHA-256:abcd"))
                .withMessageContaining("has 4 hex digits, SHA-256 has 64");
        assertThatIllegalArgumentException().isThrownBy(() -> request(uri, "md5:" + "zz".repeat(16)))
                .withMessageContaining("not hexadecimal");
    }

    private Request request(URI uri, String expectedHash) {
        return new Request(uri, target, 10_000_000, 5_000, 20_000, true, expectedHash, 10, null, null);
    }

    private void record(long bytes, long total, int percent) {
        progress.add(new long[] {bytes, total, percent});
    }

    private DownloadException failure(Request request, BooleanSupplier cancelled) {
        return failure(downloader, request, null, cancelled);
    }

    private DownloadException failure(Request request, Downloader.Progress progress, BooleanSupplier cancelled) {
        return failure(downloader, request, progress, cancelled);
    }

    private static DownloadException failure(Downloader downloader, Request request, BooleanSupplier cancelled) {
        return failure(downloader, request, null, cancelled);
    }

    private static DownloadException failure(Downloader downloader, Request request, Downloader.Progress progress,
                                             BooleanSupplier cancelled) {
        try {
            Result result = downloader.download(request, progress, cancelled);
            return fail("expected a failure, got " + result);
        } catch (DownloadException e) {
            return e;
        }
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    private static void after(long millis, Runnable action) {
        Thread thread = new Thread(() -> {
            try {
                Thread.sleep(millis);
                action.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-later");
        thread.setDaemon(true);
        thread.start();
    }
}
