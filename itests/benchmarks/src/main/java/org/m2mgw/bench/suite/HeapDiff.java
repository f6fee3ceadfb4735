package org.m2mgw.bench.suite;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the heap per session goes: the difference between two class histograms ({@code jcmd
 * GC.class_histogram}, both after a full GC) divided by the sessions made in between, class by
 * class, largest first.
 */
final class HeapDiff {
    private static final Pattern LINE = Pattern.compile("\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*");

    private HeapDiff() {
    }

    private static Map<String, long[]> parse(String histogram) {
        Map<String, long[]> out = new HashMap<>();
        for (String line : histogram.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                out.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
        }
        return out;
    }

    /** A table of the {@code lines} classes that grew most, per session. */
    static String perSession(String before, String after, int sessions, int lines) {
        Map<String, long[]> a = parse(before);
        Map<String, long[]> b = parse(after);
        List<Object[]> rows = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, long[]> e : b.entrySet()) {
            long[] was = a.getOrDefault(e.getKey(), new long[2]);
            long bytes = e.getValue()[1] - was[1];
            total += bytes;
            rows.add(new Object[] {e.getKey(), bytes, e.getValue()[0] - was[0]});
        }
        for (Map.Entry<String, long[]> e : a.entrySet()) {
            if (!b.containsKey(e.getKey())) {
                total -= e.getValue()[1];
            }
        }
        rows.sort((x, y) -> Long.compare((long) y[1], (long) x[1]));
        double n = Math.max(1, sessions);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%d sessions; %.0f bytes per session over all classes in both histograms%n%12s %12s  %s%n", sessions,
                total / n, "bytes/sess", "objects/sess", "class"));
        for (Object[] r : rows.subList(0, Math.min(lines, rows.size()))) {
            sb.append(String.format(Locale.ROOT, "%12.0f %12.2f  %s%n", (long) r[1] / n, (long) r[2] / n, r[0]));
        }
        return sb.toString();
    }
}
