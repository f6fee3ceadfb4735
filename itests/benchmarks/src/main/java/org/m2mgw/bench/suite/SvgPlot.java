package org.m2mgw.bench.suite;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Line charts written as standalone SVG text (JDK only, no scripts, generic sans-serif font) for the
 * suite's scaling curves, e.g. throughput or p99 latency against fleet size. The text depends on the
 * inputs alone (Locale.ROOT numbers, no ids, no clock), so two reports diff cleanly.
 *
 * <p>A point whose y is NaN did not complete: its series' line breaks there, a small "x" in the series'
 * colour sits on the x axis at its x, and the legend says what the "x" means. On a log axis a value
 * that is not positive cannot be placed and is left out the same way, without the "x".
 */
public final class SvgPlot {

    private static final String[] COLOURS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"};
    /** Solid first, dashed second, then dotted and dash-dot, so curves stay apart in grey print. */
    private static final String[] DASHES = {null, "8 4", "2 3", "10 3 2 3"};
    private static final int MARKER_KINDS = 5;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private boolean logX;
    private boolean logY;
    private int width = 720;
    private int height = 420;
    private final List<String> names = new ArrayList<>();
    private final List<List<double[]>> data = new ArrayList<>();
    private double targetY = Double.NaN;
    private String targetLabel = "";

    public SvgPlot(String title, String xLabel, String yLabel) {
        this.title = title == null ? "" : title;
        this.xLabel = xLabel == null ? "" : xLabel;
        this.yLabel = yLabel == null ? "" : yLabel;
    }

    public SvgPlot logX(boolean on) {
        logX = on;
        return this;
    }

    public SvgPlot logY(boolean on) {
        logY = on;
        return this;
    }

    /** Overall size of this chart (or of this panel in {@link #grid}); 720 x 420 unless set. */
    public SvgPlot size(int width, int height) {
        this.width = Math.max(240, width);
        this.height = Math.max(180, height);
        return this;
    }

    /** Adds a curve of {x, y} pairs; they are drawn in x order, and pairs with a NaN x are dropped. */
    public SvgPlot series(String name, List<double[]> points) {
        List<double[]> copy = new ArrayList<>();
        for (double[] p : points) {
            if (p != null && p.length >= 2 && !Double.isNaN(p[0])) {
                copy.add(new double[] {p[0], p[1]});
            }
        }
        copy.sort(Comparator.comparingDouble(p -> p[0]));
        names.add(name == null ? "" : name);
        data.add(copy);
        return this;
    }

    /** A horizontal dashed reference line at {@code y} with a label at its right end. */
    public SvgPlot target(double y, String label) {
        targetY = y;
        targetLabel = label == null ? "" : label;
        return this;
    }

    /** The complete SVG document. */
    public String render() {
        StringBuilder o = new StringBuilder();
        open(o, width, height, title);
        draw(o);
        return o.append("</svg>\n").toString();
    }

    /** The panels stacked top to bottom in one SVG document under a common title. */
    public static String grid(String title, List<SvgPlot> panels) {
        int w = 0;
        int h = 40;
        for (SvgPlot p : panels) {
            w = Math.max(w, p.width);
            h += p.height;
        }
        w = Math.max(w, 720);
        StringBuilder o = new StringBuilder();
        open(o, w, h, title);
        o.append("<rect width=\"").append(w).append("\" height=\"").append(h).append("\" fill=\"#ffffff\"/>\n");
        o.append("<text x=\"").append(w / 2).append("\" y=\"26\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\">")
                .append(esc(title)).append("</text>\n");
        int y = 40;
        for (SvgPlot p : panels) {
            o.append("<g transform=\"translate(0,").append(y).append(")\">\n");
            p.draw(o);
            o.append("</g>\n");
            y += p.height;
        }
        return o.append("</svg>\n").toString();
    }

    private static void open(StringBuilder o, int w, int h, String title) {
        o.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(w).append("\" height=\"").append(h).append("\" viewBox=\"0 0 ").append(w).append(' ').append(h)
                .append("\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#222222\">\n<title>")
                .append(esc(title)).append("</title>\n");
    }

    private void draw(StringBuilder o) {
        boolean anyNaN = data.stream().flatMap(List::stream).anyMatch(p -> Double.isNaN(p[1]));
        // Legend first: its rows push the plot area down.
        List<String> keys = new ArrayList<>(names);
        if (anyNaN) {
            keys.add("did not complete");
        }
        double left = 74;
        double right = width - 24;
        double[][] at = new double[keys.size()][];
        double lx = left;
        int row = 0;
        for (int i = 0; i < keys.size(); i++) {
            double w = 36 + keys.get(i).length() * 6.8 + 20;
            if (lx > left && lx + w > right) {
                lx = left;
                row++;
            }
            at[i] = new double[] {lx, 46 + row * 18};
            lx += w;
        }
        double top = 46 + row * 18 + 18;
        double bottom = height - 56;

        double[] xr = range(0, logX, Double.NaN);
        double[] yr = range(1, logY, targetY);
        Axis ax = new Axis(logX, xr[0], xr[1], false);
        Axis ay = new Axis(logY, yr[0], yr[1], true);
        // Points are kept 12 px off both ends of the x axis, so that markers do not sit on the y axis.
        java.util.function.DoubleUnaryOperator px = v -> left + 12 + ax.frac(v) * (right - left - 24);
        java.util.function.DoubleUnaryOperator py = v -> bottom - ay.frac(v) * (bottom - top);

        o.append("<rect width=\"").append(width).append("\" height=\"").append(height).append("\" fill=\"#ffffff\"/>\n");
        o.append("<text x=\"").append(width / 2).append("\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">")
                .append(esc(title)).append("</text>\n");
        // Grid, ticks and tick labels.
        for (double v : ax.minor) {
            line(o, "minor", px.applyAsDouble(v), top, px.applyAsDouble(v), bottom, "#f0f0f0", 1, null);
        }
        for (double v : ay.minor) {
            line(o, "minor", left, py.applyAsDouble(v), right, py.applyAsDouble(v), "#f0f0f0", 1, null);
        }
        for (int i = 0; i < ax.ticks.size(); i++) {
            double x = px.applyAsDouble(ax.ticks.get(i));
            line(o, "grid", x, top, x, bottom + 4, "#d8d8d8", 1, null);
            text(o, "tick", x, bottom + 18, "middle", ax.labels.get(i), "");
        }
        for (int i = 0; i < ay.ticks.size(); i++) {
            double y = py.applyAsDouble(ay.ticks.get(i));
            line(o, "grid", left - 4, y, right, y, "#d8d8d8", 1, null);
            text(o, "tick", left - 7, y + 4, "end", ay.labels.get(i), "");
        }
        line(o, "axis", left, top, left, bottom, "#444444", 1.2, null);
        line(o, "axis", left, bottom, right, bottom, "#444444", 1.2, null);
        text(o, "axis-title", (left + right) / 2, height - 16, "middle", xLabel, " font-size=\"13\"");
        double cy = (top + bottom) / 2;
        text(o, "axis-title", 0, 0, "middle", yLabel,
                " font-size=\"13\" transform=\"translate(18," + f(cy) + ") rotate(-90)\"");
        if (ay.ok(targetY)) {
            double y = py.applyAsDouble(targetY);
            line(o, "target", left, y, right, y, "#555555", 1.3, "6 4");
            // A white halo keeps the label readable where a curve crosses it.
            text(o, "target-label", right - 4, y - 5, "end", targetLabel,
                    " font-style=\"italic\" fill=\"#444444\" stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\"");
        }
        // Curves: one polyline per run of placeable points, a marker on each point, an x per NaN.
        Map<Long, Integer> stacked = new HashMap<>();
        for (int s = 0; s < data.size(); s++) {
            String colour = COLOURS[s % COLOURS.length];
            List<double[]> run = new ArrayList<>();
            List<double[]> pts = new ArrayList<>(data.get(s));
            pts.add(new double[] {Double.NaN, Double.NaN}); // closes the last run
            for (double[] p : pts) {
                if (ax.ok(p[0]) && ay.ok(p[1])) {
                    run.add(new double[] {px.applyAsDouble(p[0]), py.applyAsDouble(p[1])});
                    continue;
                }
                if (run.size() > 1) {
                    o.append("<polyline class=\"line\" fill=\"none\" stroke=\"").append(colour)
                            .append("\" stroke-width=\"2\" stroke-linejoin=\"round\"").append(dash(DASHES[s % DASHES.length]))
                            .append(" points=\"");
                    for (double[] q : run) {
                        o.append(f(q[0])).append(',').append(f(q[1])).append(q == run.get(run.size() - 1) ? "" : " ");
                    }
                    o.append("\"/>\n");
                }
                for (double[] q : run) {
                    marker(o, "marker", s, q[0], q[1]);
                }
                run.clear();
                if (Double.isNaN(p[1]) && ax.ok(p[0])) {
                    double x = px.applyAsDouble(p[0]);
                    int k = stacked.merge(Math.round(x), 1, Integer::sum) - 1;
                    cross(o, "dnf", x, bottom - 9 * k, colour);
                }
            }
        }
        // Legend: a stretch of each series' line with its marker, then the meaning of the x.
        for (int i = 0; i < keys.size(); i++) {
            double x = at[i][0];
            double y = at[i][1];
            if (i < names.size()) {
                line(o, "key", x, y - 4, x + 30, y - 4, COLOURS[i % COLOURS.length], 2, DASHES[i % DASHES.length]);
                marker(o, "key", i, x + 15, y - 4);
            } else {
                cross(o, "key", x + 15, y - 4, "#555555");
            }
            text(o, "legend", x + 36, y, "start", keys.get(i), "");
        }
    }

    /** Smallest and largest placeable value of coordinate {@code c} over all series (and {@code extra}). */
    private double[] range(int c, boolean log, double extra) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        List<Double> all = new ArrayList<>();
        data.forEach(pts -> pts.forEach(p -> all.add(p[c])));
        all.add(extra);
        for (double v : all) {
            if (Double.isFinite(v) && (!log || v > 0)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return new double[] {lo, hi};
    }

    /** An axis: the data range widened to whole ticks (decades on a log axis), and the labels. */
    private static final class Axis {
        final boolean log;
        final List<Double> ticks = new ArrayList<>();
        final List<String> labels = new ArrayList<>();
        final List<Double> minor = new ArrayList<>();
        double lo;
        double hi;

        Axis(boolean log, double min, double max, boolean withZero) {
            this.log = log;
            if (!(min <= max)) { // nothing to place
                min = log ? 1 : 0;
                max = log ? 10 : 1;
            }
            if (log) {
                int a = (int) Math.floor(Math.log10(min) + 1e-9);
                int b = Math.max(a + 1, (int) Math.ceil(Math.log10(max) - 1e-9));
                lo = a;
                hi = b;
                for (int k = a; k <= b; k++) {
                    double v = Math.pow(10, k);
                    ticks.add(v);
                    labels.add(decade(k));
                    for (int m = 2; m <= 9 && k < b; m++) {
                        minor.add(m * v);
                    }
                }
                return;
            }
            if (withZero && min > 0) {
                min = 0;
            }
            if (max - min <= 1e-9 * Math.abs(max)) {
                double pad = max == 0 ? 1 : Math.abs(max) / 10;
                min -= pad;
                max += pad;
            }
            double step = niceStep((max - min) / 5);
            long i0 = (long) Math.floor(min / step + 1e-9);
            long i1 = (long) Math.ceil(max / step - 1e-9);
            lo = i0 * step;
            hi = i1 * step;
            double big = Math.max(Math.abs(lo), Math.abs(hi));
            double div = big >= 1e7 ? 1e6 : big >= 1e4 ? 1e3 : 1;
            String suffix = div == 1e6 ? "M" : div == 1e3 ? "k" : "";
            int decimals = 0;
            while (decimals < 6 && Math.abs(step / div * Math.pow(10, decimals)
                    - Math.rint(step / div * Math.pow(10, decimals))) > 1e-6) {
                decimals++;
            }
            for (long i = i0; i <= i1; i++) {
                double v = i * step;
                ticks.add(v);
                String label = String.format(Locale.ROOT, "%,." + decimals + "f", v / div);
                label = decimals == 0 ? label : label.replaceAll("\\.?0+$", ""); // 5.0k -> 5k, 2.50 -> 2.5
                labels.add(i == 0 ? "0" : label + suffix);
            }
        }

        boolean ok(double v) {
            return Double.isFinite(v) && (!log || v > 0);
        }

        double frac(double v) {
            return ((log ? Math.log10(v) : v) - lo) / (hi - lo);
        }

        static double niceStep(double raw) {
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double r = raw / mag;
            return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * mag;
        }

        /** 10^k as 1, 10, 100, 1k, 10k, 100k, 1M ...; below 1 as 0.1, 0.01 ... */
        static String decade(int k) {
            if (k < 0) {
                return String.format(Locale.ROOT, "%." + (-k) + "f", Math.pow(10, k));
            }
            String[] suffix = {"", "k", "M", "G", "T"};
            int g = Math.min(k / 3, suffix.length - 1);
            return "1" + "0".repeat(k - 3 * g) + suffix[g];
        }
    }

    private static void marker(StringBuilder o, String cls, int s, double x, double y) {
        String c = COLOURS[s % COLOURS.length];
        // Odd series get hollow markers: a second cue besides colour and shape.
        String paint = " fill=\"" + (s % 2 == 0 ? c : "#ffffff") + "\" stroke=\"" + c + "\" stroke-width=\"1.6\"/>\n";
        o.append("<");
        switch (s % MARKER_KINDS) {
            case 0 -> o.append("circle class=\"").append(cls).append("\" cx=\"").append(f(x)).append("\" cy=\"")
                    .append(f(y)).append("\" r=\"4\"");
            case 1 -> o.append("rect class=\"").append(cls).append("\" x=\"").append(f(x - 3.6)).append("\" y=\"")
                    .append(f(y - 3.6)).append("\" width=\"7.2\" height=\"7.2\"");
            default -> {
                double[] d = s % MARKER_KINDS == 2 ? new double[] {0, -5, 4.6, 3, -4.6, 3}
                        : s % MARKER_KINDS == 3 ? new double[] {0, -5, 5, 0, 0, 5, -5, 0}
                        : new double[] {0, 5, 4.6, -3, -4.6, -3};
                o.append("polygon class=\"").append(cls).append("\" points=\"");
                for (int i = 0; i < d.length; i += 2) {
                    o.append(i == 0 ? "" : " ").append(f(x + d[i])).append(',').append(f(y + d[i + 1]));
                }
                o.append('"');
            }
        }
        o.append(paint);
    }

    private static void cross(StringBuilder o, String cls, double x, double y, String colour) {
        o.append("<path class=\"").append(cls).append("\" d=\"M").append(f(x - 4)).append(' ').append(f(y - 4))
                .append(" L").append(f(x + 4)).append(' ').append(f(y + 4)).append(" M").append(f(x - 4)).append(' ')
                .append(f(y + 4)).append(" L").append(f(x + 4)).append(' ').append(f(y - 4))
                .append("\" stroke=\"").append(colour).append("\" stroke-width=\"2.2\" fill=\"none\"/>\n");
    }

    private static void line(StringBuilder o, String cls, double x1, double y1, double x2, double y2, String colour,
            double w, String dashes) {
        o.append("<line class=\"").append(cls).append("\" x1=\"").append(f(x1)).append("\" y1=\"").append(f(y1))
                .append("\" x2=\"").append(f(x2)).append("\" y2=\"").append(f(y2)).append("\" stroke=\"").append(colour)
                .append("\" stroke-width=\"").append(f(w)).append('"').append(dash(dashes)).append("/>\n");
    }

    private static void text(StringBuilder o, String cls, double x, double y, String anchor, String s, String extra) {
        o.append("<text class=\"").append(cls).append("\" x=\"").append(f(x)).append("\" y=\"").append(f(y))
                .append("\" text-anchor=\"").append(anchor).append('"').append(extra).append('>').append(esc(s))
                .append("</text>\n");
    }

    private static String dash(String d) {
        return d == null ? "" : " stroke-dasharray=\"" + d + "\"";
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Escapes markup characters and drops characters XML 1.0 does not allow. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    if (c >= 0x20 && c != 0xFFFE && c != 0xFFFF || c == '\t' || c == '\n' || c == '\r') {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
