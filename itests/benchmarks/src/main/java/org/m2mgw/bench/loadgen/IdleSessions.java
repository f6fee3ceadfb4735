package org.m2mgw.bench.loadgen;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.NamedThreadFactory;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;

/**
 * Leaves many idle sessions on a server: each device handshakes from its own loopback address
 * and port, makes one GET, and goes quiet (its socket is closed; the server keeps the session,
 * as it does for a sleeping device). Device i binds 127.(base).(i / 20000).1 : (10000 + i % 20000),
 * so addresses never repeat (ports below the ephemeral range, so that no other socket holds them).
 */
public final class IdleSessions {

    private IdleSessions() {
    }

    /** @return devices that got their answer */
    public static int establish(URI target, Fleet fleet, int n, int parallel, int base) throws InterruptedException {
        return establish(target, fleet, n, parallel, base, Long.MAX_VALUE);
    }

    /**
     * As {@link #establish(URI, Fleet, int, int, int)}, but gives up once {@code budgetMillis} have
     * passed, or once more than 1% of the devices (at least 100) failed: a server that ran out of
     * heap would otherwise cost every remaining device its 20 s timeout.
     *
     * @return devices that got their answer
     */
    public static int establish(URI target, Fleet fleet, int n, int parallel, int base, long budgetMillis)
            throws InterruptedException {
        long deadline = budgetMillis == Long.MAX_VALUE ? Long.MAX_VALUE : System.currentTimeMillis() + budgetMillis;
        AtomicInteger failed = new AtomicInteger();
        int maxFailures = Math.max(100, n / 100);
        Configuration cfg = LoadGenerator.clientConfiguration(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        ScheduledExecutorService executor = ExecutorsUtil.newScheduledThreadPool(2, new NamedThreadFactory("idle#"));
        ScheduledExecutorService secondary = ExecutorsUtil.newDefaultSecondaryScheduler("idle-timer#");
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        AtomicInteger ok = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            int index = i;
            pool.execute(() -> {
                if (failed.get() > maxFailures || System.currentTimeMillis() > deadline) {
                    failed.incrementAndGet();
                    return;
                }
                InetSocketAddress bind = new InetSocketAddress("127." + base + "." + (index / 20_000) + ".1",
                        10_000 + index % 20_000);
                try (DeviceClient c = new DeviceClient(fleet.get(index), target, cfg, executor, secondary, bind)) {
                    DeviceClient.Outcome o = c.send("commands", null, 0, null).get(20, TimeUnit.SECONDS);
                    if (o.success()) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                } catch (Exception e) {
                    failed.incrementAndGet(); // counted as missing
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.MINUTES);
        executor.shutdownNow();
        secondary.shutdownNow();
        return ok.get();
    }
}
