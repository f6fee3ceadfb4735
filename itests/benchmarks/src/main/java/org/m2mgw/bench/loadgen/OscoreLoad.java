package org.m2mgw.bench.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.NamedThreadFactory;
import org.m2mgw.oscore.internal.edhoc.CredentialResolver;

/**
 * OSCORE devices against the gateway's OSCORE listener, the counterpart of {@link LoadGenerator}'s
 * POST mode: each device has its own socket and OSCORE context (from one EDHOC run, {@link
 * #connectAll}), executors are shared, and a closed loop of confirmable POSTs of the same JSON
 * payload to the same resource is measured with the same {@link Stats}.
 */
public final class OscoreLoad implements AutoCloseable {
    private final List<OscoreDevice> devices = new ArrayList<>();
    private final ScheduledExecutorService executor;
    private final ScheduledExecutorService secondary;
    private String postPath = "telemetry/load";
    private int payloadBytes = 64;

    public OscoreLoad(List<EdhocDevices.Device> fleet, CredentialResolver gateway, InetSocketAddress server)
            throws IOException {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        executor = ExecutorsUtil.newScheduledThreadPool(threads, new NamedThreadFactory("oscore-load#"));
        secondary = ExecutorsUtil.newDefaultSecondaryScheduler("oscore-load-timer#");
        Configuration cfg = OscoreDevice.clientConfiguration();
        try {
            for (EdhocDevices.Device d : fleet) {
                devices.add(new OscoreDevice(d, gateway, server, cfg, executor, secondary));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    public OscoreLoad payloadBytes(int bytes) {
        this.payloadBytes = bytes;
        return this;
    }

    public OscoreLoad postPath(String path) {
        this.postPath = path;
        return this;
    }

    public int size() {
        return devices.size();
    }

    /**
     * Runs EDHOC for every device without a context, {@code parallel} at a time.
     *
     * @return devices that failed; the first failure is in {@code firstError}
     */
    public int connectAll(int parallel, AtomicReference<Exception> firstError) throws InterruptedException {
        AtomicInteger failed = new AtomicInteger();
        Semaphore permits = new Semaphore(parallel);
        CountDownLatch done = new CountDownLatch(devices.size());
        // EDHOC waits for its answers: not on the executor that the devices' CoAP stacks need
        java.util.concurrent.ExecutorService handshakes = java.util.concurrent.Executors.newFixedThreadPool(parallel);
        for (OscoreDevice d : devices) {
            permits.acquire();
            handshakes.execute(() -> {
                try {
                    if (!d.hasContext()) {
                        d.edhoc();
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                    firstError.compareAndSet(null, e);
                } finally {
                    permits.release();
                    done.countDown();
                }
            });
        }
        done.await(5, TimeUnit.MINUTES);
        handshakes.shutdownNow();
        return failed.get();
    }

    /** Closed loop on all devices: warm-up first (not counted), then the measurement. */
    public Stats.Result run(String name, Duration warmup, Duration measure) throws InterruptedException {
        AtomicReference<Stats> current = new AtomicReference<>(new Stats());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger running = new AtomicInteger(devices.size());
        CountDownLatch idle = new CountDownLatch(1);
        AtomicInteger seq = new AtomicInteger();
        for (OscoreDevice d : devices) {
            executor.execute(() -> loop(d, current, stop, running, idle, seq));
        }
        Thread.sleep(warmup.toMillis());
        Stats measured = new Stats();
        current.set(measured);
        long t0 = System.nanoTime();
        Thread.sleep(measure.toMillis());
        current.set(null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        idle.await(10, TimeUnit.SECONDS);
        return measured.result(name, seconds);
    }

    private void loop(OscoreDevice d, AtomicReference<Stats> current, AtomicBoolean stop, AtomicInteger running,
            CountDownLatch idle, AtomicInteger seq) {
        if (stop.get()) {
            if (running.decrementAndGet() == 0) {
                idle.countDown();
            }
            return;
        }
        d.post(postPath, LoadGenerator.reading(seq.incrementAndGet(), payloadBytes), MediaTypeRegistry.APPLICATION_JSON,
                current.get()).whenComplete((o, e) -> {
                    Stats s = current.get();
                    if (s != null) {
                        Throwable error = e != null ? e : o.error();
                        s.count(error, error == null && o.success(), error == null ? o.latencyNanos() : 0, false);
                    }
                    executor.execute(() -> loop(d, current, stop, running, idle, seq));
                });
    }

    @Override
    public void close() {
        for (OscoreDevice d : devices) {
            d.close();
        }
        devices.clear();
        executor.shutdownNow();
        secondary.shutdownNow();
    }
}
