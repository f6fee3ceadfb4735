package org.m2mgw.bench.suite;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Test;

/**
 * The benchmark suite at smoke scale (a few devices, seconds per scenario), so that the one
 * command in the README keeps working. It asserts that every scenario ran against the real
 * processes and produced numbers, not that targets are met: timings on a shared CI machine
 * at this scale say nothing about them.
 */
public class BenchmarkSmokeIT {

    @Test
    public void smokeRunMeasuresEveryScenarioAndWritesTheTable() throws Exception {
        Path out = Path.of(System.getProperty("m2mgw.target", "target"), "bench-smoke");
        Path distro = Path.of(System.getProperty("m2mgw.distro.jar"));
        List<Row> rows = BenchmarkSuite.run(Profile.smoke(), out, distro);

        assertEquals(25, rows.size());
        for (Row r : rows) {
            assertFalse(r.scenario() + " has no gateway number", Double.isNaN(r.gateway()));
            assertTrue(r.scenario() + " measured nothing: " + r.gateway(), r.gateway() > 0);
        }
        for (String withBaseline : List.of("full PSK handshakes/s (CCM_8, cookie)", "session resumptions/s",
                "secured POSTs end to end", "cost of detection (e2e POSTs, detection on)",
                "gateway CPU per message at 160 msgs/s, detection on", "durable queue enqueue (fsync group commit)",
                "cost of crypto policy + inventory (full PSK handshakes)",
                "ECDHE_ECDSA handshakes through the gateway: crypto-bc vs JDK",
                "ECDHE_ECDSA handshakes through the gateway vs bare Scandium, same provider",
                "idle sessions: 2,000 at -Xmx512m",
                "crypto provider swap under POST load (crypto-bc stop/start x2)",
                "OSCORE POSTs end to end vs DTLS",
                "OSCORE protect + verify per message: Ascon-AEAD128 vs AES-CCM-16-64-128",
                "bytes on air per report: DTLS 1.2 PSK, full handshake each report",
                "bytes on air per report: DTLS 1.2 PSK, resumption each report",
                "bytes on air per report: DTLS 1.2 PSK with CID, session kept",
                "bytes on air per report: EDHOC + OSCORE, context kept",
                "bytes on air per report: EDHOC + OSCORE combined request (RFC 9668)")) {
            Row r = BenchmarkSuite.rowFor(rows, withBaseline);
            assertNotNull(withBaseline, r);
            assertTrue(withBaseline + ": baseline measured in the same run", r.baseline() > 0);
        }
        // Restart keeps the sessions: no new handshake, no failed request.
        Row restart = BenchmarkSuite.rowFor(rows, "restart with live sessions (transport bundle stop/start)");
        assertTrue(restart.detail(), restart.detail().contains("all together 0 errors, 0 new handshakes"));
        // A crypto provider swap keeps the sessions: no failed request, no new full handshake.
        Row swap = BenchmarkSuite.rowFor(rows, "crypto provider swap under POST load (crypto-bc stop/start x2)");
        assertTrue(swap.detail(), swap.detail().contains("requests failed 0 ")
                && swap.detail().contains("new full handshakes 0 "));
        // Bytes on air: the CoAPS listener's airtime counters and the relay count the same bytes. (The
        // OSCORE rows are not asserted: the OSCORE listener counts every datagram it sends without the
        // response's token, and not message_1/message_2 of an EDHOC + OSCORE request; they show MISSED
        // until it does. Assert them here too once it is fixed.)
        for (String dtls : List.of("full handshake each report", "resumption each report", "with CID, session kept")) {
            Row air = rows.stream().filter(r -> r.scenario().startsWith("bytes on air per report: DTLS")
                    && r.scenario().endsWith(dtls)).findFirst().orElseThrow();
            assertTrue(air.detail(), air.detail().contains("counters and relay agree"));
        }
        // Every idle device got its session on both servers.
        Row idle = BenchmarkSuite.rowFor(rows, "idle sessions: heap per session");
        assertTrue(idle.detail(), idle.detail().startsWith("2000 of 2000 idle devices connected (bare 2000)"));
        String json = Files.readString(out.resolve("results.json"));
        assertTrue(json, json.contains("\"profile\":\"smoke\"") && json.contains("\"ratio\""));
        assertTrue(Files.readString(out.resolve("results.txt")).contains("scenario"));
    }
}
