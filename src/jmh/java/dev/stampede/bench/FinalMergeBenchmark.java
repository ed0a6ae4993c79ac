package dev.stampede.bench;

import dev.stampede.engine.FinalMerge;
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
 * The merge of several loops' outputs ({@code --loops}): what the merge thread adds per value on
 * top of the loops' engines. Each loop's batch holds its final values of one millisecond (as the
 * engines release them, at most one per value and loop) and then its watermark, as the server
 * hands them over. One operation is one value offered.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx256m"})
public class FinalMergeBenchmark {
    static final int BATCH = 10_000;

    /** Loops merged. */
    @Param({"2", "4"})
    int loops;

    private FinalMerge merge;
    private long ms;
    private int input;

    @Setup
    public void setup(Blackhole bh) {
        merge = new FinalMerge(EngineBenchmark.SERVER_DEFAULTS, loops, EngineBenchmark.EPOCH,
                new EngineBenchmark.BlackholeSink(bh));
        ms = 0;
    }

    /** Every loop sends the value of each millisecond (the worst case: every value a duplicate but one). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void offerAndAdvance() {
        for (int k = 0; k < BATCH; k++) {
            merge.offer(EngineBenchmark.EPOCH + ms, 1);
            merge.advance(input, EngineBenchmark.EPOCH + ms + 1);
            if (++input == loops) {
                input = 0;
                ms++;
            }
        }
    }
}
