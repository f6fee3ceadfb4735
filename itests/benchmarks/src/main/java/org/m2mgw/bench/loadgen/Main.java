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
            loadgen: simulated CoAPS devices against a gateway (or any CoAPS server that knows their keys)

              --target URI         coaps://host:port of the gateway (default coaps://127.0.0.1:5684)
              --kind K             psk | rpk (default psk): PSK devices (TLS_PSK_WITH_AES_128_CCM_8) or
                                   raw public key devices, P-256 (TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8)
              --registry FILE      devices of that kind from a registry import file
              --rpk-keys FILE      the private keys of the registry's rpk devices (kind rpk; 0600)
              --generate N         or N generated devices bench-000001.. (PSKs from --seed; rpk: random
                                   key pairs)
              --prefix P --seed S  name prefix and key seed of generated devices (bench, m2mgw-bench)
              --write-registry F   write the generated devices as a registry import file (0600) and exit;
                                   kind rpk also writes their private keys to --rpk-keys FILE
              --jce P              the devices' JCE provider: SYSTEM (the JDK's) or BC (Bouncy Castle)
                                   (default: Californium's, CALIFORNIUM_JCE_PROVIDER)
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
        boolean rpk = false;
        Path rpkKeys = null;
        String jce = null;
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
                case "--kind" -> rpk = switch (v.toLowerCase(Locale.ROOT)) {
                    case "psk" -> false;
                    case "rpk" -> true;
                    default -> {
                        fail("--kind is psk or rpk");
                        yield false;
                    }
                };
                case "--rpk-keys" -> rpkKeys = Path.of(v);
                case "--jce" -> jce = v.toUpperCase(Locale.ROOT);
                default -> fail("unknown option " + a + " (try --help)");
            }
        }
        if ((registry == null) == (generate == 0)) {
            fail("give either --registry FILE or --generate N");
        }
        if (rpk && rpkKeys == null && (registry != null || writeRegistry != null)) {
            fail("--kind rpk needs --rpk-keys FILE (the devices' private keys)");
        }
        if (jce != null) {
            // before Californium reads it (JceProviderUtil, when the first Scandium class loads)
            System.setProperty("CALIFORNIUM_JCE_PROVIDER", jce);
        }
        org.eclipse.californium.elements.util.JceProviderUtil.init();
        Fleet fleet;
        if (registry != null) {
            fleet = rpk ? Fleet.readRpk(registry, rpkKeys) : Fleet.read(registry);
        } else {
            fleet = rpk ? Fleet.generateRpk(generate, prefix) : Fleet.generate(generate, prefix, seed);
        }
        if (offset > 0) {
            fleet = fleet.slice(offset, fleet.size() - offset);
        }
        if (writeRegistry != null) {
            fleet.writeRegistry(writeRegistry);
            if (rpk) {
                fleet.writeRpkKeys(rpkKeys);
            }
            System.out.printf("wrote %d devices to %s%s%n", fleet.size(), writeRegistry,
                    rpk ? " and their private keys to " + rpkKeys : "");
            return;
        }
        int n = clients > 0 ? clients : Math.min(fleet.size(), 200);
        String provider = org.eclipse.californium.elements.util.JceProviderUtil.usesBouncyCastle()
                ? "Bouncy Castle " + org.eclipse.californium.elements.util.JceProviderUtil.getProviderVersion() : "JDK";
        System.out.printf("loadgen: %d %s devices, mode %s, rate %s, target %s, JCE provider %s%n", n,
                rpk ? "raw public key" : "PSK", mode, rate == 0 ? "closed loop" : rate + "/s per device", target,
                provider);
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
