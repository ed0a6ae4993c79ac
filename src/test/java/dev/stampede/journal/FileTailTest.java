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


    @Test
    void theTailReadsNoFurtherThanItsLimit() throws IOException {
        final Path f = Files.writeString(dir.resolve("out.txt"), T + "\n" + (T + 1) + "\n" + (T + 2) + "\n");
        final java.util.concurrent.atomic.AtomicLong durable = new java.util.concurrent.atomic.AtomicLong(14);
        try (FileTail tail = new FileTail(f, 100, durable::get)) {
            final ByteBuffer values = ByteBuffer.allocate(8 * 100);
            assertThat(tail.read(values)).isEqualTo(1);
            assertThat(tail.atEnd()).isTrue();
            assertThat(tail.read(values.clear())).as("the rest is not durable yet").isZero();
            durable.set(42);
            assertThat(tail.read(values.clear())).isEqualTo(2);
            assertThat(values.getLong(8)).isEqualTo(T + 2);
            assertThat(tail.offset()).isEqualTo(42);
        }
    }

    @Test
    void aCutFileIsFoundAgainByValueAndLineStart() throws IOException {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            b.append(T + 2 * i).append('\n'); // T, T+2, ... T+18
        }
        final Path f = Files.writeString(dir.resolve("out.txt"), b + "17500"); // an unfinished line
        try (FileTail tail = new FileTail(f, 100)) {
            assertThat(tail.valueBefore(28)).isEqualTo(T + 2);
            assertThat(tail.valueBefore(27)).as("not a line end").isEqualTo(-1);
            assertThat(tail.valueBefore(1_000)).as("beyond the file").isEqualTo(-1);
            assertThat(tail.lineStartAtOrBefore(30)).isEqualTo(28);
            assertThat(tail.lineStartAtOrBefore(28)).isEqualTo(28);
            assertThat(tail.lineStartAtOrBefore(1_000)).as("past the complete lines").isEqualTo(140);
            assertThat(tail.seekAfterValue(T + 7)).isEqualTo(4 * 14); // T+8 is the first above
            assertThat(tail.seekAfterValue(T + 8)).isEqualTo(5 * 14);
            assertThat(tail.seekAfterValue(T - 1)).isZero();
            assertThat(tail.seekAfterValue(T + 100)).isEqualTo(140);
            tail.seekAfterValue(T + 15);
            final ByteBuffer values = ByteBuffer.allocate(8 * 100);
            assertThat(tail.read(values)).isEqualTo(2);
            assertThat(values.getLong(0)).isEqualTo(T + 16);
        }
    }
}
