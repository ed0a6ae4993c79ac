package dev.stampede.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TornLineTest {
    @TempDir
    Path dir;

    private int repair(String content) throws IOException {
        final Path f = Files.writeString(dir.resolve("f.txt"), content);
        try (AppendChannel ch = AppendChannel.FILES.open(f)) {
            return TornLine.repair(ch, f);
        }
    }

    private String content() throws IOException {
        return Files.readString(dir.resolve("f.txt"));
    }

    @Test
    void cutsAnUnfinishedLastLineBackToTheLastNewline() throws IOException {
        assertThat(repair("1750000000000\n17500000")).isEqualTo(8);
        assertThat(content()).isEqualTo("1750000000000\n");
    }

    @Test
    void leavesACompleteFileAlone() throws IOException {
        assertThat(repair("1750000000000\n1750000000001\n")).isZero();
        assertThat(content()).isEqualTo("1750000000000\n1750000000001\n");
        assertThat(repair("")).isZero();
    }

    @Test
    void cutsAFirstLineThatNeverFinished() throws IOException {
        assertThat(repair("175000")).isEqualTo(6);
        assertThat(content()).isEmpty();
    }

    @Test
    void refusesAFileThatDoesNotEndLikeOurs() {
        assertThatThrownBy(() -> repair("hello world")).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("refusing to append");
        assertThatThrownBy(() -> repair("1750000000000\nname,value")).isInstanceOf(FileFormatException.class);
        assertThatThrownBy(() -> repair("x".repeat(200))).isInstanceOf(FileFormatException.class);
    }

    @Test
    void aSecondWriterOnTheSameFileIsRefused() throws IOException {
        final Path f = dir.resolve("locked.txt");
        try (AppendChannel first = AppendChannel.FILES.open(f)) {
            assertThatThrownBy(() -> AppendChannel.FILES.open(f)).isInstanceOf(FileLockedException.class)
                    .hasMessageContaining("another process");
        }
    }
}
