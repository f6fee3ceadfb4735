package org.m2mgw.cloud.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.m2mgw.api.command.Command;
import org.m2mgw.support.testing.TestRuntime;

/**
 * Prints what taking a command costs as the store fills up: 1,000 commands of 1 KiB for one device,
 * the mean time of the first and of the last 100 offers. Uses only the public API, so that it runs
 * against earlier versions too. Not a test: timings depend on the machine.
 */
public final class CommandCost {

    private CommandCost() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("command-cost");
        CloudConnection c = new CloudConnection(TestRuntime.on(dir, "gw1"), Map.of("service.pid", "x~cost"),
                TestRuntime.config(CloudConfig.class, Map.of("broker_url", "tcp://127.0.0.1:1",
                        "command_queue_max", 1000, "reconnect_min_seconds", 60, "reconnect_max_seconds", 60)));
        try {
            long[] at = new long[1001];
            Instant now = Instant.now();
            at[0] = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                if (!c.offer(new Command("c" + i, "d1", 42, new byte[1024], now, now.plusSeconds(3600)))) {
                    throw new IllegalStateException("refused " + i);
                }
                at[i + 1] = System.nanoTime();
            }
            System.out.printf("command store: first 100 offers %.0f us each, last 100 %.0f us each%n",
                    (at[100] - at[0]) / 100_000.0, (at[1000] - at[900]) / 100_000.0);
        } finally {
            c.deactivate();
        }
    }
}
