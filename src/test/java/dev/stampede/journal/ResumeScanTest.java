package dev.stampede.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeScanTest {
    private static final long T = 1_750_000_000_000L;

    @TempDir
    Path dir;

    private ResumePoint scan(String content, boolean keep, long historyMs) throws IOException {
        final Path f = Files.writeString(dir.resolve("out.txt"), content);
        try (AppendChannel ch = AppendChannel.FILES.open(f)) {
            return ResumeScan.scan(ch, f, keep, historyMs);
        }
    }

    private static String lines(long... values) {
        final StringBuilder b = new StringBuilder();
        for (long v : values) {
            b.append(v).append('\n');
        }
        return b.toString();
    }

    @Test
    void anEmptyOrMissingFileStartsFresh() throws IOException {
        final ResumePoint p = scan("", false, 1000);
        assertThat(p.hasData()).isFalse();
        assertThat(p.recent()).isEmpty();
    }

    @Test
    void findsTheLastValueAndTheRecentOnes() throws IOException {
        final ResumePoint p = scan(lines(T, T + 500, T + 900, T + 1000, T + 1500), false, 600);
        assertThat(p.lastValue()).isEqualTo(T + 1500);
        assertThat(p.recent()).containsExactly(T + 900, T + 1000, T + 1500);
        assertThat(p.tornBytes()).isZero();
    }

    @Test
    void repairsATornLastLineAndResumesBeforeIt() throws IOException {
        final ResumePoint p = scan(lines(T, T + 1) + "17500", false, 1000);
        assertThat(p.tornBytes()).isEqualTo(5);
        assertThat(p.lastValue()).isEqualTo(T + 1);
        assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo(lines(T, T + 1));
    }

    @Test
    void leavesARefusedFileUntouchedEvenWithATornTail() throws IOException {
        // Found by ResumeScanFuzzTest: the torn tail used to be cut before the file was refused.
        assertThatThrownBy(() -> scan("name,value\n17500", false, 1000)).isInstanceOf(FileFormatException.class);
        assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("name,value\n17500");
    }

    @Test
    void acceptsLongMaxValueAsTheLastLine() throws IOException {
        // Found by ResumeScanFuzzTest: Long.MAX_VALUE was the tail's "no later line yet" sentinel.
        final ResumePoint p = scan(lines(Long.MAX_VALUE - 1, Long.MAX_VALUE), false, 1000);
        assertThat(p.lastValue()).isEqualTo(Long.MAX_VALUE);
        assertThat(p.recent()).containsExactly(Long.MAX_VALUE - 1, Long.MAX_VALUE);
    }

    @Test
    void readsATailThatSpansManyChunks() throws IOException {
        final long[] values = LongStream.range(0, 200_000).map(i -> T + 2 * i).toArray();
        final ResumePoint p = scan(lines(values), false, 100_000);
        assertThat(p.lastValue()).isEqualTo(T + 2 * 199_999);
        assertThat(p.recent()).hasSize(50_001).startsWith(T + 2 * 149_999).isSorted();
    }

    @Test
    void refusesAFileThatIsNotTimestamps() {
        assertThatThrownBy(() -> scan("time,value\n1,2\n", false, 1000)).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("'time,value'").hasMessageContaining("choose another --output");
        assertThatThrownBy(() -> scan(lines(T) + "abc\n" + lines(T + 1), false, 1000))
                .isInstanceOf(FileFormatException.class).hasMessageContaining("not a timestamp");
    }

    @Test
    void refusesAFileThatIsNotAscending() {
        assertThatThrownBy(() -> scan(lines(T, T + 2, T + 1), false, 1000))
                .isInstanceOf(FileFormatException.class).hasMessageContaining("not ascending");
        assertThatThrownBy(() -> scan(lines(T + 5, T + 1, T + 9), false, 1000))
                .isInstanceOf(FileFormatException.class).hasMessageContaining("not ascending");
    }

    @Test
    void repeatedValuesNeedKeepDuplicates() throws IOException {
        final String content = lines(T, T + 1, T + 1, T + 2);
        assertThatThrownBy(() -> scan(content, false, 1000)).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("--keep-duplicates");
        assertThat(scan(content, true, 1000).recent()).containsExactly(T, T + 1, T + 1, T + 2);
    }
}
