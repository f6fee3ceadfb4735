package org.m2mgw.bench.loadgen;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.NamedThreadFactory;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;

/**
 * Simulated devices against a CoAPS server (the gateway, or any server that knows their PSKs or
 * raw public keys). Each device has its own socket and DTLS session. PSK devices offer
 * TLS_PSK_WITH_AES_128_CCM_8, raw public key devices TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, unless
 * other suites are given. Modes: full handshakes (the session is
 * forgotten before each request), resumptions (abbreviated handshakes of a kept session), and
 * secured POSTs on established sessions, closed loop or at a fixed rate per device.
 */
public final class LoadGenerator implements AutoCloseable {

    public enum Mode {
        /** forget the session, then GET: a full handshake per request */
        HANDSHAKE,
        /** resume the session, then GET: an abbreviated handshake per request */
        RESUME,
        /** confirmable POSTs on an established session */
        POST
    }

    static {
        CoapConfig.register();
        DtlsConfig.register();
        UdpConfig.register();
    }

    private final URI target;
    private final List<DeviceClient> clients = new ArrayList<>();
    private final Fleet fleet;
    private int[] handshakesOnClient;
    private final ScheduledExecutorService executor;
    private final ScheduledExecutorService secondary;
    private final Configuration cfg;
    private final Configuration rpkCfg;
    private String postPath = "telemetry/load";
    private final String getPath = "commands";
    private int payloadBytes = 64;

    /** Starts {@code clients} devices of the fleet (device i uses fleet entry i). */
    public LoadGenerator(Fleet fleet, URI target, int clients, CipherSuite... suites) throws IOException {
        this.target = target;
        this.fleet = fleet;
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        executor = ExecutorsUtil.newScheduledThreadPool(threads, new NamedThreadFactory("loadgen#"));
        secondary = ExecutorsUtil.newDefaultSecondaryScheduler("loadgen-timer#");
        cfg = clientConfiguration(suites.length == 0 ? new CipherSuite[] {CipherSuite.TLS_PSK_WITH_AES_128_CCM_8}
                : suites);
        rpkCfg = clientConfiguration(suites.length == 0
                ? new CipherSuite[] {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8} : suites);
        try {
            for (int i = 0; i < clients; i++) {
                this.clients.add(newClient(i));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private DeviceClient newClient(int index) throws IOException {
        Fleet.Device d = fleet.get(index);
        return new DeviceClient(d, target, d.rpk() ? rpkCfg : cfg, executor, secondary, "0.0.0.0");
    }

    /** The client side's Californium configuration: one receiver thread per device. */
    public static Configuration clientConfiguration(CipherSuite... suites) {
        Configuration cfg = Configuration.createStandardWithoutFile();
        cfg.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        cfg.set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(suites));
        cfg.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        cfg.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        cfg.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 4);
        cfg.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 0); // use the server's CIDs, offer none
        cfg.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, 1000, TimeUnit.MILLISECONDS);
        cfg.set(DtlsConfig.DTLS_RECEIVE_BUFFER_SIZE, 64 * 1024);
        cfg.set(DtlsConfig.DTLS_SEND_BUFFER_SIZE, 64 * 1024);
        cfg.set(CoapConfig.ACK_TIMEOUT, 2000, TimeUnit.MILLISECONDS);
        cfg.set(CoapConfig.MAX_RETRANSMIT, 2);
        cfg.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
        return cfg;
    }

    public LoadGenerator payloadBytes(int bytes) {
        this.payloadBytes = bytes;
        return this;
    }

    public LoadGenerator postPath(String path) {
        this.postPath = path;
        return this;
    }

    /**
     * Establishes every device's session with one request each, {@code parallel} at a time.
     *
     * @return devices that failed
     */
    public int connectAll(int parallel) throws InterruptedException {
        AtomicInteger failed = new AtomicInteger();
        java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(parallel);
        CountDownLatch done = new CountDownLatch(clients.size());
        for (DeviceClient c : clients) {
            permits.acquire();
            c.send(getPath, null, 0, null).whenComplete((o, e) -> {
                if (e != null || !o.success()) {
                    failed.incrementAndGet();
                }
                permits.release();
                done.countDown();
            });
        }
        done.await(5, TimeUnit.MINUTES);
        return failed.get();
    }

    /**
     * One POST from every device, {@code parallel} at a time, each latency recorded: the first
     * request on each device's session (after a gateway restart, for example).
     */
    public Stats.Result onceEach(String name, int parallel) throws InterruptedException {
        Stats stats = new Stats();
        java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(parallel);
        CountDownLatch done = new CountDownLatch(clients.size());
        AtomicInteger seq = new AtomicInteger();
        long t0 = System.nanoTime();
        for (DeviceClient c : clients) {
            permits.acquire();
            c.send(postPath, payload(seq.incrementAndGet()), MediaTypeRegistry.APPLICATION_JSON, stats)
                    .whenComplete((o, e) -> {
                        count(stats, o, e);
                        permits.release();
                        done.countDown();
                    });
        }
        done.await(5, TimeUnit.MINUTES);
        return stats.result(name, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Runs {@code mode} on all devices: warm-up first (not counted), then the measurement.
     *
     * @param ratePerDevice requests per second per device, 0 for a closed loop (the next request
     *        as soon as the answer arrives)
     */
    public Stats.Result run(String name, Mode mode, double ratePerDevice, Duration warmup, Duration measure)
            throws InterruptedException {
        AtomicReference<Stats> current = new AtomicReference<>(new Stats());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger running = new AtomicInteger(clients.size());
        CountDownLatch idle = new CountDownLatch(1);
        long periodNanos = ratePerDevice > 0 ? (long) (1e9 / ratePerDevice) : 0;
        AtomicInteger seq = new AtomicInteger();
        handshakesOnClient = new int[clients.size()];
        for (int i = 0; i < clients.size(); i++) {
            int index = i;
            // spread periodic devices over one period, so that they do not all send at once
            long offset = periodNanos == 0 ? 0 : (periodNanos * i) / clients.size();
            executor.schedule(() -> loop(index, mode, periodNanos, current, stop, running, idle, seq),
                    offset, TimeUnit.NANOSECONDS);
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

    /**
     * Runs {@code mode} on all devices: warm-up first (not counted), then measures while
     * {@code during} runs (in the calling thread). Unlike {@link #run}, every request sent in the
     * measurement is counted, also those still waiting for their answer when {@code during}
     * returns: no more requests are sent then, and the result is taken once each device's last
     * request has its outcome (answer, timeout or error). Fails if that takes more than
     * {@code drainTimeout}.
     */
    public Stats.Result runWhile(String name, Mode mode, double ratePerDevice, Duration warmup,
            java.util.concurrent.Callable<?> during, Duration drainTimeout) throws Exception {
        AtomicReference<Stats> current = new AtomicReference<>(new Stats());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger running = new AtomicInteger(clients.size());
        CountDownLatch idle = new CountDownLatch(1);
        long periodNanos = ratePerDevice > 0 ? (long) (1e9 / ratePerDevice) : 0;
        AtomicInteger seq = new AtomicInteger();
        handshakesOnClient = new int[clients.size()];
        for (int i = 0; i < clients.size(); i++) {
            int index = i;
            long offset = periodNanos == 0 ? 0 : (periodNanos * i) / clients.size();
            executor.schedule(() -> loop(index, mode, periodNanos, current, stop, running, idle, seq),
                    offset, TimeUnit.NANOSECONDS);
        }
        Stats measured;
        long t0;
        try {
            Thread.sleep(warmup.toMillis());
            measured = new Stats();
            current.set(measured);
            t0 = System.nanoTime();
            during.call();
        } finally {
            stop.set(true);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!idle.await(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + ": " + running.get() + " device(s) still wait for an answer "
                    + drainTimeout.toSeconds() + " s after the measurement");
        }
        current.set(null);
        return measured.result(name, seconds);
    }

    private void loop(int index, Mode mode, long periodNanos, AtomicReference<Stats> current,
            AtomicBoolean stop, AtomicInteger running, CountDownLatch idle, AtomicInteger seq) {
        if (stop.get()) {
            if (running.decrementAndGet() == 0) {
                idle.countDown();
            }
            return;
        }
        if (mode != Mode.POST && ++handshakesOnClient[index] % 1000 == 0) {
            // Scandium's client fails after some tens of thousands of handshakes from one
            // socket ("handshake message sequence number 65536 out of range"): a device that
            // handshakes this often gets a new socket now and then.
            try {
                DeviceClient fresh = newClient(index);
                synchronized (clients) {
                    clients.set(index, fresh).close();
                }
            } catch (IOException e) {
                // keep the old one
            }
        }
        DeviceClient c;
        synchronized (clients) {
            c = clients.get(index);
        }
        long start = System.nanoTime();
        CompletableFuture<DeviceClient.Outcome> f;
        switch (mode) {
            case HANDSHAKE -> {
                c.forgetSession();
                f = c.send(getPath, null, 0, current.get());
            }
            case RESUME -> {
                c.resumeNext();
                f = c.send(getPath, null, 0, current.get());
            }
            default -> f = c.send(postPath, payload(seq.incrementAndGet()), MediaTypeRegistry.APPLICATION_JSON,
                    current.get());
        }
        f.whenComplete((o, e) -> {
            Stats s = current.get();
            if (s != null) {
                count(s, o, e);
            }
            long wait = periodNanos == 0 ? 0 : periodNanos - (System.nanoTime() - start);
            if (wait > 0) {
                executor.schedule(() -> loop(index, mode, periodNanos, current, stop, running, idle, seq), wait,
                        TimeUnit.NANOSECONDS);
            } else {
                executor.execute(() -> loop(index, mode, periodNanos, current, stop, running, idle, seq));
            }
        });
    }

    private static void count(Stats s, DeviceClient.Outcome o, Throwable e) {
        Throwable error = e != null ? e : o.error();
        s.count(error, error == null && o.success(), error == null ? o.latencyNanos() : 0,
                error == null && o.handshake());
    }

    private byte[] payload(int n) {
        return reading(n, payloadBytes);
    }

    /** A JSON reading of exactly {@code payloadBytes} bytes (at least 16): {@code {"seq":n,"pad":"xx..."}}. */
    public static byte[] reading(int n, int payloadBytes) {
        StringBuilder sb = new StringBuilder(payloadBytes + 16).append("{\"seq\":").append(n).append(",\"pad\":\"");
        while (sb.length() < payloadBytes - 2) {
            sb.append('x');
        }
        return sb.append("\"}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        synchronized (clients) {
            for (DeviceClient c : clients) {
                c.close();
            }
            clients.clear();
        }
        executor.shutdownNow();
        secondary.shutdownNow();
    }
}
