package org.m2mgw.anomaly.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code rule.rate-drift}: a device's requests per minute rising slowly and staying up, judged by a
 * one-sided CUSUM against a baseline that learns over about a day and stops learning while the sum
 * is high. The rate rules compare with a baseline of about an hour that follows a slow change; this
 * one does not, so a rate that creeps up over hours is found once it has gained about a standard
 * deviation and a half for a quarter of an hour, or more for less.
 *
 * <p>Per minute: {@code z = (x - mean) / sqrt(var + mean / 4 + 1)}, capped at {@value #Z_CAP} so that
 * one minute (reports held back by an outage and sent at once) never alerts alone; the sum is
 * {@code S = max(0, S + z - K)}; it alerts at {@code S >= H}. The baseline is frozen while
 * {@code S >= H/3}, for at most {@value #MAX_FROZEN_HOURS} hours, after which a lasting change
 * (a new firmware reporting more often) is learned. An episode (the sum above zero without a break)
 * alerts once, and only if its recent rate (about the last five minutes) is at least
 * {@value #MIN_RATIO} times the baseline plus 1 per minute: a firmware that reports a fifth more is a
 * change, not an attack.
 */
final class RateDriftRule extends Rule {
    static final double K = 0.75;
    static final double H = 12;
    static final double Z_CAP = 4;
    static final long MIN_LEARNED_MINUTES = 60;
    static final int MAX_FROZEN_HOURS = 6;
    /** The episode's recent rate must be at least this many times the baseline (plus 1 per minute). */
    static final double MIN_RATIO = 1.5;
    /** The episode's recent rate: an average of about its last five minutes. */
    private static final double RECENT_ALPHA = 0.2;
    private static final double ALPHA = 1.0 / 1440;
    /** Empty minutes beyond this many (a device asleep for hours) are not replayed one by one. */
    private static final int MAX_REPLAYED = 240;

    RateDriftRule(EngineSettings settings, AlertRaiser alerts) {
        super(Detector.RATE_DRIFT, settings, alerts);
    }

    /**
     * Takes the minutes that ended at {@code t}: the last one with {@link DeviceState#closedMinute}
     * requests, the ones before it empty.
     */
    void minutesEnded(DeviceState d, long ended, long t, List<Finding> out) {
        long empty = Math.min(ended - 1, MAX_REPLAYED);
        for (long i = 0; i < empty; i++) {
            minute(d, 0, t);
        }
        minute(d, d.closedMinute, t);
        if (d.cusum < H || d.driftAlerted || d.driftMinutes < MIN_LEARNED_MINUTES || !d.warmedUp(settings, t)
                || coolingDown(d, t)) {
            return;
        }
        double episode = d.episodeMinutes == 0 ? 0 : d.episodeRequests / (double) d.episodeMinutes;
        if (d.episodeRecent < MIN_RATIO * d.driftMean + 1) {
            // a real but small change (a firmware that reports a little more): not worth an alert
            return;
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("observed", (double) d.closedMinute);
        f.put("baseline", d.driftMean);
        f.put("baseline.stddev", Math.sqrt(Math.max(0, d.driftVar)));
        f.put("threshold", H);
        f.put("cusum", d.cusum);
        double since = d.cusumSince == Long.MIN_VALUE ? 0 : (t - d.cusumSince) / 1000.0;
        f.put("window.seconds", since);
        f.put("episode.requests.per.minute", episode);
        f.put("recent.requests.per.minute", d.episodeRecent);
        String reason = String.format(Locale.ROOT, "requests per minute above the device's baseline for %.0f min: "
                + "%.1f per minute lately, %.1f on average (last minute %d), baseline %.2f +- %.2f (learned over %.1f h, frozen while elevated); CUSUM %.1f >= %.0f "
                + "(feature requests.per.minute)", since / 60, d.episodeRecent, episode, d.closedMinute, d.driftMean,
                Math.sqrt(Math.max(0, d.driftVar)), d.driftMinutes / 60.0, d.cusum, H);
        raise(out, d, d.cusum / H, reason, f, t);
        // one alert per episode: the next needs the sum back at zero first
        d.driftAlerted = true;
    }

    /**
     * @return the spread a minute's count is judged by: the learned variance, plus a quarter of the
     *     mean and one, so that a device that has been regular (a periodic sensor) is not judged by a
     *     variance of nearly zero, and a rare device not by nothing
     */
    static double spread(DeviceState d) {
        return Math.sqrt(Math.max(0, d.driftVar) + 0.25 * d.driftMean + 1);
    }

    private void minute(DeviceState d, int x, long t) {
        double sd = spread(d);
        double z = Math.min(Z_CAP, (x - d.driftMean) / sd);
        if (d.driftMinutes >= MIN_LEARNED_MINUTES) {
            double before = d.cusum;
            d.cusum = Math.max(0, d.cusum + z - K);
            if (before == 0 && d.cusum > 0) {
                d.cusumSince = t;
                d.episodeRequests = 0;
                d.episodeMinutes = 0;
            } else if (d.cusum == 0) {
                d.cusumSince = Long.MIN_VALUE;
                d.driftAlerted = false;
            }
            if (d.cusum > 0) {
                d.episodeRecent = d.episodeMinutes == 0 ? x : d.episodeRecent + RECENT_ALPHA * (x - d.episodeRecent);
                d.episodeRequests += x;
                d.episodeMinutes++;
            }
        }
        boolean frozen = d.cusum >= H / 3;
        if (frozen && d.frozenSince == Long.MIN_VALUE) {
            d.frozenSince = t;
        } else if (!frozen) {
            d.frozenSince = Long.MIN_VALUE;
        }
        if (frozen && t - d.frozenSince < MAX_FROZEN_HOURS * 3_600_000L) {
            return;
        }
        d.driftMinutes++;
        double alpha = Math.max(1.0 / d.driftMinutes, ALPHA);
        double diff = x - d.driftMean;
        double incr = alpha * diff;
        d.driftMean += incr;
        d.driftVar = (1 - alpha) * (d.driftVar + diff * incr);
    }
}
