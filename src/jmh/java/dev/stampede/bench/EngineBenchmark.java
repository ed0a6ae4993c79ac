package dev.stampede.bench;

import dev.stampede.engine.EngineConfig;
import dev.stampede.server.ServerConfig;
import dev.stampede.engine.OrderedSink;
import dev.stampede.engine.OrderingEngine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The ordering engine alone: timestamps per second on one thread, as the server feeds it.
 *
 * <p>{@code load} is "sources:timestamps per ms": 5000:100 is 5,000 connections each sending every
 * 50 ms (most values of a millisecond are duplicates that collapse, as in a real run), 50:1 is 50
 * connections with few collisions. Sources send in round-robin, each its own clock's time, and the
 * engine advances once per simulated millisecond. One operation is one timestamp.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx256m"})
public class EngineBenchmark {
    static final int BATCH = 10_000;
    static final long EPOCH = 1_750_000_000_000L;
    /** The engine the server runs with its default options: its real ring and history sizes. */
    static final EngineConfig SERVER_DEFAULTS = ServerConfig.engineFor(500, 5_000, 300_000, 3_000, false);

    @Param({"5000:100", "50:1"})
    String load;

    private OrderingEngine engine;
    private int[] ids;
    private int perMs;
    private int next;
    private int inMs;
    private long clockMs;

    @Setup
    public void setup(Blackhole bh) {
        final String[] p = load.split(":");
        final int sources = Integer.parseInt(p[0]);
        perMs = Integer.parseInt(p[1]);
        engine = new OrderingEngine(SERVER_DEFAULTS, new BlackholeSink(bh));
        ids = new int[sources];
        for (int i = 0; i < sources; i++) {
            ids[i] = engine.addSource(0);
        }
        clockMs = 0;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void offer() {
        for (int k = 0; k < BATCH; k++) {
            engine.offer(ids[next], EPOCH + clockMs, clockMs, EPOCH + clockMs);
            if (++next == ids.length) {
                next = 0;
            }
            if (++inMs == perMs) {
                inMs = 0;
                clockMs++;
                engine.advance(clockMs, EPOCH + clockMs);
            }
        }
    }

    /** Consumes released values so the JIT cannot drop the work. */
    static final class BlackholeSink implements OrderedSink {
        private final Blackhole bh;

        BlackholeSink(Blackhole bh) {
            this.bh = bh;
        }

        @Override
        public void onFinal(long value, int copies) {
            bh.consume(value);
        }

        @Override
        public void onLate(long value) {
            bh.consume(value);
        }
    }
}
