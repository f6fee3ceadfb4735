package org.m2mgw.bench.jmh;

import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.californium.scandium.dtls.cipher.CCMBlockCipher;
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
 * Per-record protection of a DTLS 1.2 record: the AES-128-CCM_8 the transport negotiates first
 * (Scandium's CCM, built on the JDK's AES block cipher) against the JDK's own AES-128-GCM, the
 * AEAD with hardware (AES-NI + CLMUL) support in the JDK. Nonce 12 bytes and additional data 13
 * bytes as in a DTLS 1.2 record (RFC 6655, RFC 5288).
 */
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class RecordCryptoBenchmark {

    @Param({"64", "512"})
    public int payloadBytes;

    private SecretKey key;
    private byte[] payload;
    private final byte[] aad = new byte[13];
    private final byte[] nonce = new byte[12];
    private Cipher gcm;
    private long counter;

    @Setup
    public void setUp() throws GeneralSecurityException {
        key = new SecretKeySpec(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, "AES");
        payload = new byte[payloadBytes];
        gcm = Cipher.getInstance("AES/GCM/NoPadding");
    }

    private byte[] nextNonce() {
        long c = ++counter;
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] = (byte) (c >>> (8 * i));
        }
        return nonce;
    }

    @Benchmark
    public byte[] scandiumAesCcm8() throws GeneralSecurityException {
        return CCMBlockCipher.encrypt(key, nextNonce(), aad, payload, 8);
    }

    @Benchmark
    public byte[] jdkAesGcm() throws GeneralSecurityException {
        // a fresh nonce per record: the JDK refuses to encrypt twice under one key and nonce
        gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nextNonce()));
        gcm.updateAAD(aad);
        return gcm.doFinal(payload);
    }
}
