package org.m2mgw.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.m2mgw.api.message.DeviceMessage;
import org.m2mgw.codec.PayloadException;
import org.m2mgw.codec.PayloadEncoder;
import org.m2mgw.codec.PayloadEncoders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The cloud payload encoders on typical device payloads (JSON and SenML JSON). */
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class EncoderBenchmark {
    // through the bundle's exported API, as the cloud connection finds them
    private final PayloadEncoder json = PayloadEncoders.byId(PayloadEncoders.JSON).orElseThrow();
    private final PayloadEncoder kura = PayloadEncoders.byId(PayloadEncoders.KURA_PROTOBUF).orElseThrow();
    private final PayloadEncoder raw = PayloadEncoders.byId(PayloadEncoders.RAW).orElseThrow();
    private final DeviceMessage jsonMessage = Messages.json("sensor-1", 1);
    private final DeviceMessage senml = Messages.senmlJson("sensor-1", 1);

    @Benchmark
    public byte[] gatewayJsonFromJson() throws PayloadException {
        return json.encode(jsonMessage, "gw-1");
    }

    @Benchmark
    public byte[] gatewayJsonFromSenml() throws PayloadException {
        return json.encode(senml, "gw-1");
    }

    @Benchmark
    public byte[] kuraProtobufFromJson() throws PayloadException {
        return kura.encode(jsonMessage, "gw-1");
    }

    @Benchmark
    public byte[] kuraProtobufFromSenml() throws PayloadException {
        return kura.encode(senml, "gw-1");
    }

    @Benchmark
    public byte[] raw() throws PayloadException {
        return raw.encode(jsonMessage, "gw-1");
    }
}
