package dev.stampede.store;

import dev.stampede.journal.DurableFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cost of {@code --compress gzip} on a full 1-hour window (3.6 M lines, one per millisecond,
 * ~50 MB, made as bench/repair-rewrite.sh makes it): wall and CPU time of the compressing thread,
 * fsyncs included, and the size it leaves. Run by bench/compress-window.sh; not a test.
 */
public final class WindowCompressBench {
    private WindowCompressBench() {}

    /** {@code args[0]}: a directory for the files; {@code args[1]}: rounds (default 3). */
    public static void main(String[] args) throws IOException {
        final Path dir = Path.of(args[0]);
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final long start = 1_796_000_400_000L / 3_600_000 * 3_600_000;
        final Path output = dir.resolve("bench.txt");
        final Rotation rotation = new Rotation(3_600_000, 0, false, true);
        final Path window = Rotation.closedName(output, start);
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < rounds; round++) {
            try (BufferedWriter w = Files.newBufferedWriter(window)) {
                for (long v = start; v < start + 3_600_000; v++) {
                    w.write(Long.toString(v));
                    w.write('\n');
                }
            }
            final long plainBytes = Files.size(window);
            final WindowCompressor c = new WindowCompressor(output, rotation, DurableFiles.REAL);
            final long cpu0 = mx.getCurrentThreadCpuTime();
            final long t0 = System.nanoTime();
            c.compress(window);
            final long wallMs = (System.nanoTime() - t0) / 1_000_000;
            final long cpuMs = (mx.getCurrentThreadCpuTime() - cpu0) / 1_000_000;
            final Path gz = Rotation.gzOf(window);
            System.out.printf("round %d: 3600000 lines, %.1f MB -> %.2f MB gz: wall %d ms, cpu %d ms%n", round,
                    plainBytes / 1e6, Files.size(gz) / 1e6, wallMs, cpuMs);
            Files.delete(gz);
        }
    }
}
