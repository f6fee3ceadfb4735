package org.m2mgw.bench.suite;

import java.util.Locale;

/**
 * One line of the results table. {@code ratio} is gateway over baseline (or baseline over
 * gateway where lower is better: see {@code lowerIsBetter}); {@code met} is null when the scenario
 * has no target or the measurement failed.
 */
record Row(String scenario, String unit, double gateway, String baselineName, double baseline, boolean lowerIsBetter,
        String target, Boolean met, String detail) {

    double ratio() {
        if (Double.isNaN(baseline) || baseline == 0 || Double.isNaN(gateway)) {
            return Double.NaN;
        }
        return gateway / baseline;
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    String verdict() {
        return met == null ? "report" : met ? "met" : "MISSED";
    }

    String json() {
        return String.format(Locale.ROOT, "{\"scenario\":%s,\"unit\":%s,\"gateway\":%s,\"baseline_name\":%s,"
                + "\"baseline\":%s,\"ratio\":%s,\"target\":%s,\"met\":%s,\"detail\":%s}", q(scenario), q(unit),
                jnum(gateway), q(baselineName), jnum(baseline), jnum(ratio()), q(target),
                met == null ? "null" : met.toString(), q(detail));
    }

    private static String jnum(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String q(String s) {
        return org.m2mgw.support.Json.quote(s);
    }
}
