package org.m2mgw.update.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.m2mgw.support.PrivateFiles;

/**
 * The update journal: one line per step of each job, appended and fsynced before the step's
 * effect begins, so that after a SIGKILL or a power cut the agent knows how far each job got.
 * A torn last line (the write the cut interrupted) is ignored. The file is 0600 and rotated to
 * {@code journal.1} past 1 MiB, keeping the unfinished job's lines.
 */
final class Journal implements AutoCloseable {
    private static final long ROTATE_BYTES = 1 << 20;
    /** Prefix of a REQUESTED line's detail for jobs the cloud asked for: "cloud:" + requester client id. */
    static final String CLOUD = "cloud:";

    /** The steps of a job, in order; the last four end it. */
    enum Step {
        REQUESTED, DOWNLOADED, VERIFIED, INSTALLING, INSTALLED, HEALTHY,
        COMMITTED, FAILED, ROLLED_BACK, UNINSTALLED,
        /** the outcome reached the cloud (written after a terminal step) */
        REPORTED;

        boolean terminal() {
            return this == COMMITTED || this == FAILED || this == ROLLED_BACK || this == UNINSTALLED;
        }
    }

    /**
     * One line.
     *
     * @param detail free text: the reason, the requester, the previous version
     */
    record Entry(Instant time, long job, String pkg, String version, Step step, String detail) {
        String line() {
            return time + "\t" + job + "\t" + clean(pkg) + "\t" + clean(version) + "\t" + step + "\t"
                    + clean(detail) + "\n";
        }

        static Optional<Entry> parse(String line) {
            String[] f = line.split("\t", -1);
            if (f.length != 6) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Entry(Instant.parse(f[0]), Long.parseLong(f[1]), f[2], f[3],
                        Step.valueOf(f[4]), f[5]));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    private final Path file;
    private FileChannel channel;

    Journal(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.getParent());
        open();
    }

    private void open() throws IOException {
        if (!Files.exists(file)) {
            PrivateFiles.write(file, new byte[0]);
        }
        PrivateFiles.restrictToOwner(file);
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** Appends and fsyncs one line; returns when it is on disk. */
    synchronized Entry write(long job, String pkg, String version, Step step, String detail) throws IOException {
        Entry e = new Entry(Instant.now(), job, pkg == null ? "" : pkg, version == null ? "" : version, step,
                detail == null ? "" : detail);
        ByteBuffer b = ByteBuffer.wrap(e.line().getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
        channel.force(false);
        if (channel.size() > ROTATE_BYTES) {
            rotate();
        }
        return e;
    }

    /** @return every readable line, oldest first (the rotated file's first) */
    synchronized List<Entry> entries() throws IOException {
        List<Entry> out = new ArrayList<>();
        Path old = file.resolveSibling(file.getFileName() + ".1");
        for (Path p : new Path[] {old, file}) {
            if (Files.exists(p)) {
                for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                    Entry.parse(line).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /** @return the steps of each job, by job id, in journal order */
    synchronized Map<Long, List<Entry>> jobs() throws IOException {
        Map<Long, List<Entry>> jobs = new LinkedHashMap<>();
        for (Entry e : entries()) {
            jobs.computeIfAbsent(e.job(), k -> new ArrayList<>()).add(e);
        }
        return jobs;
    }

    /** @return the last step of each job that has not ended, oldest job first */
    List<List<Entry>> unfinished() throws IOException {
        List<List<Entry>> out = new ArrayList<>();
        for (List<Entry> steps : jobs().values()) {
            if (steps.stream().noneMatch(s -> s.step().terminal())) {
                out.add(steps);
            }
        }
        return out;
    }

    /** @return jobs that ended but whose outcome has not reached the cloud */
    List<List<Entry>> unreported() throws IOException {
        List<List<Entry>> out = new ArrayList<>();
        for (List<Entry> steps : jobs().values()) {
            Set<Step> seen = new java.util.HashSet<>();
            steps.forEach(s -> seen.add(s.step()));
            if (!seen.contains(Step.REPORTED) && steps.stream().anyMatch(s -> s.step().terminal())
                    && steps.get(0).step() == Step.REQUESTED && steps.get(0).detail().startsWith(CLOUD)) {
                out.add(steps);
            }
        }
        return out;
    }

    /** @return the highest job id in the journal, 0 if none */
    long lastJob() throws IOException {
        return entries().stream().mapToLong(Entry::job).max().orElse(0);
    }

    private void rotate() throws IOException {
        channel.close();
        Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        PrivateFiles.syncDirectory(file.getParent());
        open();
    }

    static String clean(String s) {
        return s == null ? "" : s.replaceAll("[\\t\\r\\n]", " ");
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
