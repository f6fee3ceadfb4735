package org.m2mgw.access.internal;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.m2mgw.api.access.Restriction;
import org.m2mgw.api.access.Restriction.Kind;
import org.m2mgw.support.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restriction table on disk: one line per restriction, tab-separated, text fields
 * percent-encoded, after a version header. Written whole and atomically (0600, fsynced), so a
 * power cut leaves the previous table or the new one. A file that cannot be read is set aside
 * with a log line, and the gateway starts with an empty table rather than not at all.
 */
final class RestrictionStore {
    static final String HEADER = "# m2mgw restrictions 1: kind subject rate until-epoch-ms origin reason";
    private static final Logger LOG = LoggerFactory.getLogger(RestrictionStore.class);

    private final Path file;

    RestrictionStore(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    List<Restriction> load() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            setAside("unreadable: " + e);
            return List.of();
        }
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            setAside("unknown format (first line is not the m2mgw restrictions header)");
            return List.of();
        }
        List<Restriction> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            try {
                if (f.length != 6) {
                    throw new IllegalArgumentException(f.length + " fields, 6 expected");
                }
                Kind kind = Kind.valueOf(f[0]);
                String subject = RestrictionTable.canonical(kind, dec(f[1]));
                out.add(new Restriction(kind, subject, Double.parseDouble(f[2]),
                        Instant.ofEpochMilli(Long.parseLong(f[3])), dec(f[5]), dec(f[4])));
            } catch (RuntimeException e) {
                setAside("line " + (i + 1) + " is damaged (" + e.getMessage() + ")");
                return List.of();
            }
        }
        return out;
    }

    private void setAside(String why) {
        Path aside = file.resolveSibling(file.getFileName() + ".damaged-" + System.currentTimeMillis());
        try {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            LOG.error("Restrictions file {} {}; moved to {} and starting with no restrictions", file, why, aside);
        } catch (IOException e) {
            LOG.error("Restrictions file {} {}, and could not be moved aside ({}); starting with no restrictions",
                    file, why, e.toString());
        }
    }

    void save(List<Restriction> restrictions) throws IOException {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (Restriction r : restrictions) {
            b.append(r.kind()).append('\t').append(enc(r.subject())).append('\t').append(r.ratePerSecond())
                    .append('\t').append(r.until().toEpochMilli()).append('\t').append(enc(r.origin()))
                    .append('\t').append(enc(r.reason())).append('\n');
        }
        Files.createDirectories(file.getParent());
        PrivateFiles.write(file, b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
