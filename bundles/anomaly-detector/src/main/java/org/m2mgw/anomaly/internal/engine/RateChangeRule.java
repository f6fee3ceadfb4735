package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A warmed-up device changing its rate, found two ways that share one cooldown:
 * <ul>
 * <li>{@link #checkShortWindow}: its rate over about the last 10 s is {@code rule.rate.change.factor}
 * times its learned per-minute baseline, and at least twice {@code rule.flood.min.requests.per.minute}:
 * a device reporting much more often, too often for its reports to be told apart (they then look like
 * one burst to the interval check), or a slow ramp. The rate must have stayed above the floor and
 * {@link #ELEVATED_FACTOR} times the baseline for {@link #SUSTAIN_MS}, at every request: requests that a
 * stalled network or gateway held back and then delivered at once (the fleet-wide burst after an outage)
 * are a jump that is over within a second, not a new rate. The floor keeps
 * bursty devices, whose bursts are short, out of it.
 * <li>{@link #checkInterval}: a periodic device (report intervals varying by at most
 * {@code rule.rate.change.max.cv}) whose recent interval is {@code rule.rate.change.factor} times
 * shorter than usual, or that reported late twice in a row.
 * </ul>
 */
final class RateChangeRule extends Rule {

    /** How long the short-term rate must stay elevated before it counts as a change. */
    static final long SUSTAIN_MS = 3000;
    /** Above this multiple of the baseline (and the floor) the rate is elevated. */
    static final double ELEVATED_FACTOR = 3;

    RateChangeRule(EngineSettings settings, AlertRaiser alerts) {
        super(Detector.RATE_CHANGE, settings, alerts);
    }

    /** Checks the short-term rate after an accepted request was counted. */
    void checkShortWindow(DeviceState d, long t, List<Finding> out) {
        if (!d.warmedUp(settings, t)) {
            return;
        }
        double base = d.baselinePerMinute();
        double recent = d.shortRatePerMinute(t);
        double floor = 2 * settings.floodMinRequestsPerMinute();
        boolean elevated = base > 0 && recent >= floor && recent >= ELEVATED_FACTOR * base;
        long sustained = d.shortHighFor(elevated, t);
        if (sustained < SUSTAIN_MS || recent < settings.rateChangeFactor() * base || coolingDown(d, t)) {
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("requests.per.minute.recent", recent);
        f.put("requests.baseline.per.minute", base);
        f.put("requests.last.minute", d.requestsLastMinute(t));
        raise(out, d, recent / (settings.rateChangeFactor() * base),
                String.format(Locale.ROOT, "device %s sends %.0f requests per minute over the last ~10 s, %.0fx its "
                        + "usual %s", d.id, recent, recent / base, perMinute(base)), f, t);
    }

    /** Learns the report interval that an accepted request ends, if it starts a new report, and checks it. */
    void checkInterval(DeviceState d, long t, List<Finding> out) {
        double interval = d.reportInterval(t);
        if (Double.isNaN(interval)) {
            return;
        }
        // Regular intervals prove a rhythm only over enough time: a bursty device's first burst is
        // regular too, and the long silence after it is not learned at once (see learnInterval).
        boolean periodic = d.intervals() >= 8 && d.learnedSeconds() >= settings.warmupSeconds()
                && d.intervalCv() <= settings.rateChangeMaxCv();
        double usual = d.intervalMean();
        double cv = d.intervalCv();
        d.learnInterval(interval, settings.rateChangeFactor());
        if (!d.warmedUp(settings, t) || !periodic || coolingDown(d, t)) {
            return;
        }
        double recent = d.intervalRecent();
        String change = null;
        double ratio = 0;
        if (recent * settings.rateChangeFactor() <= usual) {
            ratio = usual / recent;
            change = String.format(Locale.ROOT, "now reports every %.1f s, usually every %.1f s (%.0fx faster)",
                    recent, usual, ratio);
        } else if (d.lateStreak() == 2) {
            ratio = interval / usual;
            change = String.format(Locale.ROOT, "reported twice in a row after %.0f s, usually every %.1f s (%.0fx slower)",
                    interval, usual, ratio);
        }
        if (change != null) {
            Map<String, Double> f = new LinkedHashMap<>();
            f.put("report.interval", interval);
            f.put("report.interval.recent", recent);
            f.put("report.interval.mean", usual);
            f.put("report.interval.cv", cv);
            raise(out, d, ratio / settings.rateChangeFactor(), "device " + d.id + " " + change, f, t);
        }
    }
}
