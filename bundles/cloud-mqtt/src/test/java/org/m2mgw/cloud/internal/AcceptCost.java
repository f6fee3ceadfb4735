package org.m2mgw.cloud.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.m2mgw.api.device.CredentialType;
import org.m2mgw.api.message.ContentFormats;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.api.message.SecuritySummary;
import org.m2mgw.codec.PayloadEncoders;
import org.m2mgw.support.testing.TestRuntime;

/**
 * Prints what {@link CloudConnection#accept} costs: accepted messages per second with 1 and 16
 * producers that each wait for their answer (like devices waiting for 2.04), no broker, for each
 * encoder; and the CPU time of one encode on its own. Not a test: timings depend on the machine.
 *
 * <p>Arguments: seconds per run (default 5).
 */
public final class AcceptCost {

    private AcceptCost() {
    }

    static DeviceMessage message(String device, int n) {
        String json = "{\"temperature\":21.5,\"humidity\":40,\"battery\":3.61,\"seq\":" + n
                + ",\"status\":\"ok\",\"door\":false}";
        return DeviceMessage.builder().messageId(device + "-" + n).deviceId(device).resource("telemetry/env")
                .contentFormat(ContentFormats.JSON).payload(json.getBytes(StandardCharsets.UTF_8))
                .receivedAt(Instant.now())
                .security(new SecuritySummary("DTLSv1.2", "TLS_PSK_WITH_AES_128_CCM_8", CredentialType.PSK, true))
                .build();
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        for (String encoder : List.of("raw", "kura-protobuf", "json")) {
            encodeCost(encoder);
        }
        for (String encoder : List.of("raw", "kura-protobuf", "json")) {
            run(encoder, 16, 2); // warm up
            for (int producers : new int[] {1, 16}) {
                run(encoder, producers, seconds);
            }
        }
    }

    static void encodeCost(String id) {
        var enc = PayloadEncoders.byId(id).orElseThrow();
        DeviceMessage m = message("d", 1);
        try {
            for (int i = 0; i < 200_000; i++) {
                enc.encode(m, "gw1");
            }
            int n = 1_000_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                enc.encode(m, "gw1");
            }
            System.out.printf("encode %-14s %6.0f ns per message%n", id, (System.nanoTime() - t0) / (double) n);
        } catch (Throwable e) {
            System.out.printf("encode %-14s fails: %s%n", id, e);
        }
    }

    static void run(String encoder, int producers, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("accept-cost");
        // only the public constructor, so that this runs against earlier versions of the class too
        CloudConnection c = new CloudConnection(TestRuntime.on(dir, "gw1"), Map.of("service.pid", "x~cost"),
                TestRuntime.config(CloudConfig.class, Map.of("broker_url", "tcp://127.0.0.1:1",
                        "queue_max_messages", 5_000_000, "queue_max_mbytes", 4096, "reconnect_min_seconds", 60,
                        "reconnect_max_seconds", 60, "mqtt_version", "3.1.1", "routes",
                        new String[] {"telemetry/* {prefix}/{gateway}/{device}/{resource} " + encoder + " 1"})));
        try {
            AtomicBoolean running = new AtomicBoolean(true);
            LongAdder accepted = new LongAdder();
            LongAdder refused = new LongAdder();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < producers; t++) {
                String device = "device-" + t;
                Thread th = new Thread(() -> {
                    int n = 0;
                    while (running.get()) {
                        try {
                            if (c.accept(message(device, n++)).toCompletableFuture().get(10, TimeUnit.SECONDS)
                                    .isAccepted()) {
                                accepted.increment();
                            } else {
                                refused.increment();
                            }
                        } catch (Exception e) {
                            refused.increment();
                        }
                    }
                });
                th.start();
                threads.add(th);
            }
            Thread.sleep(seconds * 1000L);
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
            System.out.printf("accept %-14s %2d producers: %8.0f accepted/s (%d refused)%n", encoder, producers,
                    accepted.sum() / (double) seconds, refused.sum());
        } finally {
            c.deactivate();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
