package org.m2mgw.anomaly.internal.engine;

import com.amazon.randomcutforest.RandomCutForest;
import com.amazon.randomcutforest.returntypes.DiVector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One Random Cut Forest shared by all devices, over the per-device window vectors of
 * {@link DeviceState#closeWindow()}. Its memory is fixed by the number of trees and the sample size,
 * whatever the number of devices.
 *
 * <p>The forest is not thread-safe, and a transport thread must not wait for it: a thread queues its
 * vector and scores the queue only if no other thread is at the forest, otherwise that thread scores
 * it. The queue is bounded; what does not fit is skipped and counted, as are vectors beyond
 * {@code rcf.max.vectors.per.second}.
 */
final class RcfScorer {

    /** A window that scored at or above the threshold. */
    record Anomaly(DeviceState device, float[] vector, double score, double[] attribution) {
    }

    private record Pending(DeviceState device, float[] vector) {
    }

    private static final int QUEUE_CAPACITY = 4096;
    private static final int MAX_DRAIN = 1024;
    private static final int ANOMALY_LEARN_EVERY = 8;

    private final RandomCutForest forest;
    private final int warmupWindows;
    private final double threshold;
    private final double maxPerSecond;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder skipped = new LongAdder();
    private volatile long learned;
    private volatile long scored;
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
     * Queues a vector, then scores and learns the queue unless another thread is doing so.
     *
     * @param now the engine's time in epoch milliseconds, for the rate limit
     * @return the anomalies found in what this thread scored, usually none, possibly of other devices
     */
    List<Anomaly> submit(DeviceState device, float[] vector, long now) {
        if (queued.incrementAndGet() > QUEUE_CAPACITY) {
            queued.decrementAndGet();
            skipped.increment();
            return List.of();
        }
        queue.add(new Pending(device, vector));
        return drain(now);
    }

    /** Scores what is queued, unless another thread is doing so. */
    List<Anomaly> drain(long now) {
        List<Anomaly> out = null;
        // re-checked after unlocking: a vector queued while this thread held the lock must not wait
        while (!queue.isEmpty() && lock.tryLock()) {
            try {
                Pending p;
                for (int n = 0; n < MAX_DRAIN && (p = queue.poll()) != null; n++) {
                    queued.decrementAndGet();
                    Anomaly a = score(p, now);
                    if (a != null) {
                        if (out == null) {
                            out = new ArrayList<>(1);
                        }
                        out.add(a);
                    }
                }
            } finally {
                lock.unlock();
            }
        }
        return out == null ? List.of() : out;
    }

    /** Scores a vector, then learns it (an anomalous one only now and then). Holds the lock. */
    private Anomaly score(Pending p, long now) {
        if (tokensAt != Long.MIN_VALUE && now > tokensAt) {
            tokens = Math.min(maxPerSecond, tokens + (now - tokensAt) / 1000.0 * maxPerSecond);
        }
        if (tokensAt == Long.MIN_VALUE || now > tokensAt) {
            tokensAt = now;
        }
        if (tokens < 1) {
            skipped.increment();
            return null;
        }
        tokens--;
        Anomaly anomaly = null;
        if (learned >= warmupWindows) {
            double score = forest.getAnomalyScore(p.vector());
            scored++;
            if (score >= threshold) {
                DiVector d = forest.getAnomalyAttribution(p.vector());
                double[] attribution = new double[d.getDimensions()];
                for (int i = 0; i < attribution.length; i++) {
                    attribution[i] = d.getHighLowSum(i);
                }
                anomaly = new Anomaly(p.device(), p.vector(), score, attribution);
            }
        }
        // Anomalies teach the forest slowly: learning each one would make a lasting attack look normal
        // within a few windows, never learning them would make a lasting legitimate change alert forever.
        if (anomaly == null || anomalies++ % ANOMALY_LEARN_EVERY == 0) {
            forest.update(p.vector());
            learned++;
        }
        return anomaly;
    }

    long learned() {
        return learned;
    }

    long scored() {
        return scored;
    }

    long skipped() {
        return skipped.sum();
    }
}
