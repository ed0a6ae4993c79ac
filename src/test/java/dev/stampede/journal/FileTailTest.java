package dev.stampede.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following a growing journal file: complete lines only, bounded reads. */
class FileTailTest {
    private static final long T = 1_750_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void theTailTakesCompleteLinesOnlyAndFollowsTheFile() throws IOException {
        final Path f = dir.resolve("out.txt");
        final ByteBuffer values = ByteBuffer.allocate(8 * 100);
        try (FileTail tail = new FileTail(f, 100)) {
            assertThat(tail.read(values)).as("no file yet").isZero();
            Files.writeString(f, T + "\n" + (T + 1) + "\n17500");
            assertThat(tail.read(values)).isEqualTo(2);
            assertThat(values.getLong(0)).isEqualTo(T);
            assertThat(values.getLong(8)).isEqualTo(T + 1);
            assertThat(tail.offset()).isEqualTo(28);
            values.clear();
            assertThat(tail.read(values)).as("the unfinished line waits").isZero();
            Files.writeString(f, "00000002\n", java.nio.file.StandardOpenOption.APPEND);
            assertThat(tail.read(values)).isEqualTo(1);
            assertThat(values.getLong(0)).isEqualTo(T + 2);
            assertThat(tail.lastValue()).isEqualTo(T + 2);
            assertThat(tail.offset()).isEqualTo(Files.size(f));
        }
    }

    @Test
    void theTailReadsAtMostAsManyValuesAsAsked() throws IOException {
        final Path f = dir.resolve("out.txt");
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            b.append(T + i).append('\n');
        }
        Files.writeString(f, b);
        try (FileTail tail = new FileTail(f, 20)) {
            final ByteBuffer values = ByteBuffer.allocate(8 * 100);
            int total = 0;
            for (int n = tail.read(values); n > 0; n = tail.read(values.clear())) {
                assertThat(n).isLessThanOrEqualTo(20);
                total += n;
            }
            assertThat(total).isEqualTo(50);
            assertThat(tail.lastValue()).isEqualTo(T + 49);
        }
    }

}
