package org.m2mgw.oscore.internal.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.aead;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.hex;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.lookupOf;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.parse;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.serialize;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.Test;

/** Sender Sequence Numbers and the replay window under concurrent use. */
class OscoreConcurrencyTest {
    private static final OscoreParameters P = OscoreParameters.of(hex("0102030405060708090a0b0c0d0e0f10"),
            new byte[] {1}, new byte[] {2}, 10);

    @Test
    void givenManyThreads_whenTakingSequenceNumbers_thenEachIsUniqueAndTheMarkAlwaysCoversThem() throws Exception {
        OscoreContext ctx = OscoreContext.derive(P, aead(10));
        OscoreContextStoreTest.CountingStore store = new OscoreContextStoreTest.CountingStore();
        ctx.persistTo(store, 50);
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> f = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                f.add(pool.submit(() -> {
                    for (int i = 0; i < 2500; i++) {
                        long n = ctx.nextSequenceNumber();
                        assertThat(seen.add(n)).isTrue();
                    }
                    return null;
                }));
            }
            for (Future<?> x : f) {
                x.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(seen).hasSize(10_000).allMatch(n -> n >= 0 && n < 10_000);
        assertThat(store.saved).hasSize(200);
        assertThat(store.saved.get(store.saved.size() - 1).sequenceNumber()).isEqualTo(10_000);
    }

    @Test
    void givenTheSameRequestDecryptedOnManyThreads_thenExactlyOneIsAccepted() throws Exception {
        OscoreContext client = OscoreContext.derive(P, aead(10));
        OscoreContext server = OscoreContext.derive(P.peer(), aead(10));
        byte[] wire = serialize(OscoreClient.protectRequest(client, Request.newGet()).request());
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger replays = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> f = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                f.add(pool.submit(() -> {
                    try {
                        OscoreServer.unprotectRequest((Request) parse(wire), lookupOf(server));
                        accepted.incrementAndGet();
                    } catch (OscoreException e) {
                        assertThat(e.reason()).isEqualTo(OscoreException.Reason.REPLAY);
                        replays.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> x : f) {
                x.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(accepted.get()).isEqualTo(1);
        assertThat(replays.get()).isEqualTo(15);
    }
}
