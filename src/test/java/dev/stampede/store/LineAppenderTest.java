package dev.stampede.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.FaultyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineAppenderTest {
    private static final long T = 1_750_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void appendsLinesOnFlushOnly() throws IOException {
        final Path f = dir.resolve("a.txt");
        try (LineAppender a = new LineAppender(f, 4096, false)) {
            a.append(T);
            a.append(T + 1);
            assertThat(Files.size(f)).isZero();
            assertThat(a.flush()).isTrue();
            assertThat(Files.readString(f)).isEqualTo(T + "\n" + (T + 1) + "\n");
        }
    }

    @Test
    void aLazyFileAppearsOnlyWithItsFirstLine() throws IOException {
        final Path f = dir.resolve("late.txt");
        try (LineAppender a = new LineAppender(f, 4096, true)) {
            assertThat(a.flush()).isTrue();
            assertThat(f).doesNotExist();
            a.append(T);
            a.flush();
            assertThat(f).hasContent(String.valueOf(T));
        }
    }

    @Test
    void aWriteThatFailsMidLineLeavesNoPartialLineAndLosesNothing() throws IOException {
        final Path f = dir.resolve("full.txt");
        final FaultyFiles disk = new FaultyFiles();
        try (LineAppender a = new LineAppender(f, 4096, false, disk)) {
            a.append(T);
            a.flush();
            disk.fillUpAfter(20); // one line and 6 bytes of the next fit
            for (int i = 1; i <= 3; i++) {
                a.append(T + i);
            }
            assertThat(a.flush()).isFalse();
            assertThat(a.isFailing()).isTrue();
            assertThat(Files.readString(f)).isEqualTo(T + "\n" + (T + 1) + "\n"); // the cut line is gone
            for (int i = 4; i <= 2_000; i++) {
                a.append(T + i); // more than the buffer holds: it grows, nothing dropped
            }
            assertThat(a.isBackedUp()).isTrue();
            disk.free();
            assertThat(a.flush()).isTrue();
            assertThat(a.isFailing()).isFalse();
            assertThat(a.isBackedUp()).isFalse();
        }
        final StringBuilder expected = new StringBuilder();
        for (int i = 0; i <= 2_000; i++) {
            expected.append(T + i).append('\n');
        }
        assertThat(Files.readString(f)).isEqualTo(expected.toString());
    }

    @Test
    void repairsATornLineOnOpen() throws IOException {
        final Path f = Files.writeString(dir.resolve("rec.txt"), T + "\n175");
        try (LineAppender a = new LineAppender(f, 4096, false)) {
            assertThat(a.tornBytesRepaired()).isEqualTo(3);
            a.append(T + 1);
        }
        assertThat(Files.readString(f)).isEqualTo(T + "\n" + (T + 1) + "\n");
    }
}
