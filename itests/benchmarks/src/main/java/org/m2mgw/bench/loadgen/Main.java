package org.m2mgw.bench.loadgen;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Command line of the load generator. Run {@code itests/benchmarks/loadgen --help}.
 */
public final class Main {

    private static final String USAGE = """
            loadgen: simulated CoAPS devices against a gateway (or any CoAPS server that knows their PSKs)

              --target URI         coaps://host:port of the gateway (default coaps://127.0.0.1:5684)
              --registry FILE      devices from a registry import file (PSK devices only)
              --generate N         or N generated devices bench-000001.. (keys from --seed)
              --prefix P --seed S  name prefix and key seed of generated devices (bench, m2mgw-bench)
              --write-registry F   write the generated devices as a registry import file (0600) and exit
              --mode M             post | handshake | resume (default post)
              --clients N          devices that run at once (default: all, at most 200)
              --rate R             requests per second per device, 0 = closed loop (default 0)
              --duration S         measured seconds (default 20); --warmup S (default 5)
              --payload B          POST payload bytes (default 64); --path P (default telemetry/load)
              --offset N           skip the first N devices of the fleet
            """;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        URI target = URI.create("coaps://127.0.0.1:5684");
        Path registry = null;
        Path writeRegistry = null;
        int generate = 0;
        String prefix = "bench";
        String seed = "m2mgw-bench";
        LoadGenerator.Mode mode = LoadGenerator.Mode.POST;
        int clients = -1;
        double rate = 0;
        int duration = 20;
        int warmup = 5;
        int payload = 64;
        String path = "telemetry/load";
        int offset = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.print(USAGE);
                return;
            }
            if (i + 1 >= args.length) {
                fail("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--target" -> target = URI.create(v);
                case "--registry" -> registry = Path.of(v);
                case "--write-registry" -> writeRegistry = Path.of(v);
                case "--generate" -> generate = Integer.parseInt(v);
                case "--prefix" -> prefix = v;
                case "--seed" -> seed = v;
                case "--mode" -> mode = LoadGenerator.Mode.valueOf(v.toUpperCase(Locale.ROOT));
                case "--clients" -> clients = Integer.parseInt(v);
                case "--rate" -> rate = Double.parseDouble(v);
                case "--duration" -> duration = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--payload" -> payload = Integer.parseInt(v);
                case "--path" -> path = v;
                case "--offset" -> offset = Integer.parseInt(v);
                default -> fail("unknown option " + a + " (try --help)");
            }
        }
        if ((registry == null) == (generate == 0)) {
            fail("give either --registry FILE or --generate N");
        }
        Fleet fleet = registry != null ? Fleet.read(registry) : Fleet.generate(generate, prefix, seed);
        if (offset > 0) {
            fleet = fleet.slice(offset, fleet.size() - offset);
        }
        if (writeRegistry != null) {
            fleet.writeRegistry(writeRegistry);
            System.out.printf("wrote %d devices to %s%n", fleet.size(), writeRegistry);
            return;
        }
        int n = clients > 0 ? clients : Math.min(fleet.size(), 200);
        System.out.printf("loadgen: %d devices, mode %s, rate %s, target %s%n", n, mode,
                rate == 0 ? "closed loop" : rate + "/s per device", target);
        try (LoadGenerator gen = new LoadGenerator(fleet, target, n)) {
            gen.payloadBytes(payload).postPath(path);
            if (mode == LoadGenerator.Mode.POST || mode == LoadGenerator.Mode.RESUME) {
                int failed = gen.connectAll(32);
                System.out.printf("sessions established: %d of %d%n", n - failed, n);
            }
            Stats.Result r = gen.run(mode.name().toLowerCase(Locale.ROOT), mode, rate, Duration.ofSeconds(warmup),
                    Duration.ofSeconds(duration));
            System.out.println(r.line());
            // one machine-readable line for scripts: rate, p50, p99, p99.9 (ms), ok, errors
            System.out.printf(java.util.Locale.ROOT, "RESULT %.1f %.3f %.3f %.3f %d %d%n", r.perSecond(), r.p50Ms(),
                    r.p99Ms(), r.p999Ms(), r.ok(), r.errors());
        }
    }

    private static void fail(String message) {
        System.err.println("loadgen: " + message);
        System.exit(2);
    }
}
