package org.m2mgw.anomaly.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class RcfScorerTest {

    private static final EngineSettings SMALL = EngineSettings.defaults().with(EngineSettings.RCF_SAMPLE_SIZE, 64)
            .with(EngineSettings.RCF_WARMUP_WINDOWS, 256);

    private static float[] normal(SplittableRandom r) {
        float[] v = new float[DeviceState.VECTOR_DIMENSIONS];
        v[0] = (float) (r.nextGaussian() * 0.3);
        v[1] = (float) (r.nextGaussian() * 0.5);
        v[2] = (float) (0.1 + r.nextDouble() * 0.1);
        return v;
    }

    @Test
    void givenAWarmForest_whenAWindowHasSecurityFailures_thenItIsAnAnomalyAttributedToThem() {
        RcfScorer rcf = new RcfScorer(SMALL);
        DeviceState d = new DeviceState("d", 0);
        SplittableRandom r = new SplittableRandom(1);
        List<RcfScorer.Anomaly> found = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            found.addAll(rcf.submit(d, normal(r), i * 10L));
        }
        float[] odd = normal(r);
        odd[3] = 6;

        List<RcfScorer.Anomaly> anomalies = rcf.submit(d, odd, 20_000);

        assertThat(found).isEmpty();
        assertThat(anomalies).hasSize(1);
        RcfScorer.Anomaly a = anomalies.get(0);
        assertThat(a.score()).isGreaterThan(SMALL.rcfThreshold());
        assertThat(a.device()).isSameAs(d);
        int top = 0;
        for (int i = 1; i < a.attribution().length; i++) {
            if (a.attribution()[i] > a.attribution()[top]) {
                top = i;
            }
        }
        assertThat(DeviceState.VECTOR_NAMES[top]).isEqualTo("window.security.failures");
        assertThat(rcf.scored()).isEqualTo(1001 - 256);
    }

    @Test
    void givenMoreVectorsPerSecondThanAllowed_thenTheRestAreSkippedAndCounted() {
        RcfScorer rcf = new RcfScorer(SMALL.with(EngineSettings.RCF_MAX_VECTORS_PER_SECOND, 10));
        DeviceState d = new DeviceState("d", 0);
        SplittableRandom r = new SplittableRandom(2);

        for (int i = 0; i < 100; i++) {
            rcf.submit(d, normal(r), 1000);
        }
        assertThat(rcf.learned()).isEqualTo(10);
        assertThat(rcf.skipped()).isEqualTo(90);
        for (int i = 0; i < 100; i++) {
            rcf.submit(d, normal(r), 1500);
        }
        assertThat(rcf.learned()).isEqualTo(15);
    }

    @Test
    void givenManyThreads_whenTheySubmitAtOnce_thenNoneWaitsAndEveryVectorIsLearnedOrCounted() throws Exception {
        // no anomalies (they are learned only now and then), so that every vector is learned or skipped
        RcfScorer rcf = new RcfScorer(SMALL.with(EngineSettings.RCF_MAX_VECTORS_PER_SECOND, 1_000_000)
                .with(EngineSettings.RCF_THRESHOLD, 100));
        int threads = 8;
        int each = 2000;
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            DeviceState d = new DeviceState("d" + t, 0);
            SplittableRandom r = new SplittableRandom(t);
            workers.add(new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        rcf.submit(d, normal(r), 1000 + i);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        workers.forEach(Thread::start);
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        rcf.drain(10_000);

        assertThat(errors).isEmpty();
        assertThat(rcf.learned() + rcf.skipped()).isEqualTo((long) threads * each);
    }
}
