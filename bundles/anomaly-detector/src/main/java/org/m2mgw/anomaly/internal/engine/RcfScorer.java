package org.m2mgw.anomaly.internal.engine;

import com.amazon.randomcutforest.RandomCutForest;
import com.amazon.randomcutforest.returntypes.DiVector;

/**
 * One Random Cut Forest shared by all devices, over the per-device window vectors of
 * {@link DeviceState#closeWindow()}. Its memory is fixed by the number of trees and the sample size,
 * whatever the number of devices. The forest is not thread-safe; calls are serialized here, which is
 * cheap because a device gives at most one vector per window.
 */
final class RcfScorer {

    /**
     * @param score the anomaly score; 0 while the forest warms up
     * @param attribution how much each dimension contributed, when the score reached the threshold
     */
    record Result(double score, double[] attribution) {
    }

    private static final int ANOMALY_LEARN_EVERY = 8;

    private final RandomCutForest forest;
    private final int warmupWindows;
    private final double threshold;
    private final double maxPerSecond;
    private long learned;
    private long scored;
    private long skipped;
    private long anomalies;
    private double tokens;
    private long tokensAt = Long.MIN_VALUE;

    RcfScorer(EngineSettings s) {
        forest = RandomCutForest.builder()
                .dimensions(DeviceState.VECTOR_DIMENSIONS)
                .numberOfTrees(s.rcfTrees())
                .sampleSize(s.rcfSampleSize())
                .randomSeed(s.rcfSeed())
                .build();
        warmupWindows = s.rcfWarmupWindows();
        threshold = s.rcfThreshold();
        maxPerSecond = s.rcfMaxVectorsPerSecond();
        tokens = maxPerSecond;
    }

    /**
     * Scores a vector, then learns it (an anomalous one only now and then).
     *
     * @param t event time in epoch milliseconds, for the rate limit
     * @return the result, or {@code null} when the vector was skipped by the rate limit
     */
    synchronized Result offer(float[] vector, long t) {
        if (tokensAt != Long.MIN_VALUE && t > tokensAt) {
            tokens = Math.min(maxPerSecond, tokens + (t - tokensAt) / 1000.0 * maxPerSecond);
        }
        if (tokensAt == Long.MIN_VALUE || t > tokensAt) {
            tokensAt = t;
        }
        if (tokens < 1) {
            skipped++;
            return null;
        }
        tokens--;
        double score = 0;
        double[] attribution = null;
        if (learned >= warmupWindows) {
            score = forest.getAnomalyScore(vector);
            scored++;
            if (score >= threshold) {
                DiVector d = forest.getAnomalyAttribution(vector);
                attribution = new double[d.getDimensions()];
                for (int i = 0; i < attribution.length; i++) {
                    attribution[i] = d.getHighLowSum(i);
                }
            }
        }
        // Anomalies teach the forest slowly: learning each one would make a lasting attack look normal
        // within a few windows, never learning them would make a lasting legitimate change alert forever.
        if (attribution == null || anomalies++ % ANOMALY_LEARN_EVERY == 0) {
            forest.update(vector);
            learned++;
        }
        return new Result(score, attribution);
    }

    synchronized long learned() {
        return learned;
    }

    synchronized long scored() {
        return scored;
    }

    synchronized long skipped() {
        return skipped;
    }
}
