package org.m2mgw.update.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.m2mgw.update.internal.download.DownloadException;
import org.m2mgw.update.internal.download.Downloader;

/**
 * Where a request's detached signature document comes from: the {@code dp.signature} metric
 * itself, else {@code dp.signature.uri}, else the package's URI with {@code .sig} appended.
 */
final class SignatureSource {
    static final int MAX_SIGNATURE_BYTES = 64 * 1024;

    private SignatureSource() {
    }

    /**
     * @param metric the request's string metrics, by name
     * @param packageUri where the package came from (null: only {@code dp.signature} or
     *        {@code dp.signature.uri} can give the signature)
     */
    static byte[] fetch(UpdateConfig config, Function<String, Optional<String>> metric, URI packageUri, Path dir,
            BooleanSupplier cancelled) throws IOException, PackageException, GeneralSecurityException {
        Optional<String> inline = metric.apply("dp.signature");
        if (inline.isPresent()) {
            return inline.get().getBytes(StandardCharsets.UTF_8);
        }
        Optional<String> given = metric.apply("dp.signature.uri");
        if (given.isEmpty() && packageUri == null) {
            throw new PackageException(PackageException.Kind.SIGNATURE,
                    "package is not signed: the request has neither dp.signature nor dp.signature.uri");
        }
        URI sigUri = URI.create(given.orElse(packageUri + ".sig"));
        Files.createDirectories(dir);
        Path sig = Files.createTempFile(dir, "signature", ".tmp");
        try {
            new Downloader(Listings.tls(config)).download(new Downloader.Request(sigUri, sig, MAX_SIGNATURE_BYTES,
                    config.download_stall_seconds() * 1000L, 60_000, false, null, 100,
                    metric.apply("dp.download.username").orElse(null),
                    metric.apply("dp.download.password").map(String::toCharArray).orElse(null)),
                    (b, t, pc) -> { }, cancelled);
            return Files.readAllBytes(sig);
        } catch (DownloadException e) {
            throw new PackageException(PackageException.Kind.SIGNATURE, "package is not signed: no signature document "
                    + "at " + sigUri + " (" + e.getMessage() + ")", e);
        } finally {
            Files.deleteIfExists(sig);
        }
    }
}
