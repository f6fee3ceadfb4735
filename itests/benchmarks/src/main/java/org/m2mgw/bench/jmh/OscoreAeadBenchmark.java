package org.m2mgw.bench.jmh;

import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.m2mgw.api.crypto.CoseAead;
import org.m2mgw.bench.loadgen.EdhocDevices;
import org.m2mgw.bench.loadgen.LoadGenerator;
import org.m2mgw.oscore.internal.oscore.ContextLookup;
import org.m2mgw.oscore.internal.oscore.OscoreClient;
import org.m2mgw.oscore.internal.oscore.OscoreContext;
import org.m2mgw.oscore.internal.oscore.OscoreException;
import org.m2mgw.oscore.internal.oscore.OscoreParameters;
import org.m2mgw.oscore.internal.oscore.OscoreServer;
import org.m2mgw.oscore.internal.oscore.ProtectedRequest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one OSCORE message costs in CPU with Ascon-AEAD128 (COSE -65537, private use, NIST SP
 * 800-232) against AES-CCM-16-64-128 (COSE 10, the AEAD of EDHOC suites 0 and 2), both the Bouncy
 * Castle implementations of the crypto-bc bundle that the gateway uses:
 * <ul>
 * <li>{@code message}: the device protects a POST of a 64-byte JSON reading to
 * {@code /telemetry/load} ({@link OscoreClient#protectRequest}) and the gateway verifies and
 * decrypts it ({@link OscoreServer#unprotectRequest}: OSCORE option, context lookup, replay window,
 * AEAD open), on contexts derived from the same input (RFC 8613 section 3.2);
 * <li>{@code aead}: the AEAD alone, seal and open of a 64-byte plaintext with a 10-byte AAD and a
 * fresh nonce each time.
 * </ul>
 * The suite runs it (a row of its table) with few iterations; {@code bench --jmh OscoreAead} runs it
 * with these settings.
 */
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class OscoreAeadBenchmark {

    @Param({"10", "-65537"})
    public int cose;

    private OscoreContext client;
    private ContextLookup gateway;
    private Request inner;
    private CoseAead.Keyed keyed;
    private byte[] nonce;
    private final byte[] aad = new byte[10];
    private final byte[] plaintext = new byte[64];
    private long counter;

    @Setup
    public void setUp() {
        CoseAead aead = EdhocDevices.AEADS.get(cose);
        if (aead == null) {
            throw new IllegalStateException("crypto-bc offers no AEAD " + cose);
        }
        byte[] secret = new byte[16];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (i + 1);
        }
        OscoreParameters device = OscoreParameters.of(secret, new byte[] {0x21}, new byte[] {0x0b}, cose)
                .withMasterSalt(new byte[] {(byte) 0x9e, 0x7c, (byte) 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40});
        client = OscoreContext.derive(device, aead);
        OscoreContext server = OscoreContext.derive(device.peer(), aead);
        gateway = (kid, kidContext) -> Optional.of(server);
        inner = Request.newPost();
        inner.getOptions().setUriPath("telemetry/load").setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
        inner.setPayload(LoadGenerator.reading(1, 64));
        byte[] key = new byte[aead.keyLength()];
        keyed = aead.key(key);
        nonce = new byte[aead.nonceLength()];
    }

    @Benchmark
    public Request message() throws OscoreException {
        ProtectedRequest p = OscoreClient.protectRequest(client, inner);
        return OscoreServer.unprotectRequest(p.request(), gateway).request();
    }

    @Benchmark
    public byte[] aead() throws GeneralSecurityException {
        long c = ++counter;
        for (int i = 0; i < 8; i++) {
            nonce[nonce.length - 1 - i] = (byte) (c >>> (8 * i));
        }
        return keyed.open(nonce, aad, keyed.seal(nonce, aad, plaintext));
    }
}
