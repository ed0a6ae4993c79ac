package dev.stampede.store;

import dev.stampede.journal.DurableFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cost of one {@code --repair-late} rewrite of a full 1-hour window (3.6 M lines, one per
 * millisecond, ~50 MB) with 1,000 late values merged in: wall time and CPU time of the rewriting
 * thread, fsyncs included. Run by bench/repair-rewrite.sh; not a test.
 */
public final class WindowRewriteBench {
    private WindowRewriteBench() {}

    /** {@code args[0]}: a directory for the files; {@code args[1]}: rounds (default 3). */
    public static void main(String[] args) throws IOException {
        final Path dir = Path.of(args[0]);
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final long start = 1_796_000_400_000L / 3_600_000 * 3_600_000;
        final Path window = dir.resolve("bench.txt.window");
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < rounds; round++) {
            try (BufferedWriter w = Files.newBufferedWriter(window)) {
                for (long v = start; v < start + 3_600_000; v++) {
                    if ((v - start) % 3_600 != 7) { // every 3,600th millisecond missing: 1,000 gaps
                        w.write(Long.toString(v));
                        w.write('\n');
                    }
                }
            }
            final long[] late = new long[1_000];
            for (int i = 0; i < late.length; i++) {
                late[i] = start + i * 3_600L + 7;
            }
            final long cpu0 = mx.getCurrentThreadCpuTime();
            final long t0 = System.nanoTime();
            final int added = WindowRewrite.merge(window, late, late.length, DurableFiles.REAL);
            final long wallMs = (System.nanoTime() - t0) / 1_000_000;
            final long cpuMs = (mx.getCurrentThreadCpuTime() - cpu0) / 1_000_000;
            System.out.printf("round %d: %d lines, %.1f MB, %d late merged: wall %d ms, cpu %d ms%n", round,
                    3_600_000, Files.size(window) / 1e6, added, wallMs, cpuMs);
        }
        Files.deleteIfExists(window);
    }
}
