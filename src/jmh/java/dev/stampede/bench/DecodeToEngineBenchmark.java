package dev.stampede.bench;

import dev.stampede.engine.OrderingEngine;
import dev.stampede.format.Ascii;
import dev.stampede.protocol.LineDecoder;
import dev.stampede.protocol.LineHandler;
import dev.stampede.protocol.Reject;
import dev.stampede.protocol.SkewCheck;
import java.nio.ByteBuffer;
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
 * The server's per-timestamp path without the socket: a line in a direct read buffer, decoded by
 * that connection's {@link LineDecoder} and offered to the engine, as the event loop does after
 * each read. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the bytes allocated per
 * timestamp, which must be 0.
 *
 * <p>Each of {@code connections} has its own decoder and source; each operation writes the current
 * simulated time into that connection's buffer and decodes it (one line per read, as at 50 ms).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx256m"})
public class DecodeToEngineBenchmark {
    static final int BATCH = 10_000;
    static final long EPOCH = 1_750_000_000_000L;

    @Param({"5000"})
    int connections;

    private final ByteBuffer read = ByteBuffer.allocateDirect(64 * 1024);
    private LineDecoder[] decoders;
    private Feed[] feeds;
    private OrderingEngine engine;
    private int next;
    private int inMs;
    private long clockMs;

    @Setup
    public void setup(Blackhole bh) {
        engine = new OrderingEngine(EngineBenchmark.SERVER_DEFAULTS, new EngineBenchmark.BlackholeSink(bh));
        final SkewCheck skew = new SkewCheck(300_000);
        decoders = new LineDecoder[connections];
        feeds = new Feed[connections];
        for (int i = 0; i < connections; i++) {
            decoders[i] = new LineDecoder(skew);
            feeds[i] = new Feed(engine, engine.addSource(0));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void decodeAndOffer() {
        for (int k = 0; k < BATCH; k++) {
            final long now = EPOCH + clockMs;
            read.clear();
            Ascii.putLine(read, now); // what the socket read would have put there
            read.flip();
            final Feed f = feeds[next];
            f.nowMs = clockMs;
            decoders[next].decode(read, now, f);
            if (++next == connections) {
                next = 0;
            }
            if (++inMs == 100) {
                inMs = 0;
                clockMs++;
                engine.advance(clockMs, EPOCH + clockMs);
            }
        }
    }

    /** The connection's side of the handler, as in the server: values go to the engine. */
    static final class Feed implements LineHandler {
        private final OrderingEngine engine;
        private final int source;
        long nowMs;

        Feed(OrderingEngine engine, int source) {
            this.engine = engine;
            this.source = source;
        }

        @Override
        public void onValue(long epochMillis) {
            engine.offer(source, epochMillis, nowMs, EPOCH + nowMs);
        }

        @Override
        public void onReject(long lineNumber, Reject reason) {
            throw new AssertionError("benchmark input is valid: " + reason);
        }
    }
}
