package dev.stampede.store;

import static dev.stampede.testing.ValueLines.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.journal.AppendChannel;
import dev.stampede.journal.DurableFiles;
import dev.stampede.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --compress gzip} with real files: compression, a crash at each step, restart, retain, repair. */
@Timeout(30)
class WindowCompressorTest {
    private static final long A = 1_796_000_000_000L; // a multiple of 1 s: windows A, A+1s, ...
    private static final long HISTORY = 1L << 16;
    private static final Rotation GZIP = new Rotation(1_000, 0, false, true);

    @TempDir
    Path dir;

    private Path out() {
        return dir.resolve("ts.txt");
    }

    private Path closed(long start) {
        return Rotation.closedName(out(), start);
    }

    private Path gz(long start) {
        return Rotation.gzOf(closed(start));
    }

    private OutputStore open(Rotation r) throws IOException {
        return OutputStore.open(out(), false, HISTORY, AppendChannel.FILES, r);
    }

    private static List<String> gunzip(Path gz) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            final String s = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return s.isEmpty() ? List.of() : List.of(s.split("\n"));
        }
    }

    private static void writeGz(Path gz, long... values) throws IOException {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            for (long v : values) {
                o.write((v + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void aStoppedServerLeavesEveryClosedWindowCompressedAndNoPlainCopy() throws IOException {
        try (OutputStore s = open(GZIP)) {
            s.onFinal(A, 1);
            s.onFinal(A + 999, 1);
            s.onFinal(A + 1_000, 1);
            s.onFinal(A + 2_500, 1);
            s.flush(false, A + 2_501);
            assertThat(s.sync(5_000)).isTrue();
        }
        assertThat(gunzip(gz(A))).isEqualTo(lines(A, A + 999));
        assertThat(gunzip(gz(A + 1_000))).isEqualTo(lines(A + 1_000));
        assertThat(closed(A)).doesNotExist();
        assertThat(closed(A + 1_000)).doesNotExist();
        assertThat(Files.readAllLines(out())).isEqualTo(lines(A + 2_500)); // the current window stays plain
        assertThat(Rotation.closedFiles(out())).containsExactly(gz(A), gz(A + 1_000));
    }

    @Test
    void windowsAreCompressedWhileTheServerRuns() throws Exception {
        try (OutputStore s = open(GZIP)) {
            s.onFinal(A, 1);
            s.onFinal(A + 1_000, 1);
            s.flush(false, A + 1_001);
            assertThat(s.sync(5_000)).isTrue();
            Await.until("window A compressed by the compressor thread", Duration.ofSeconds(10),
                    () -> Files.exists(gz(A)) && !Files.exists(closed(A)));
        }
    }

    /** A crash at each point of a compression: the window is read once, whole; the next start finishes. */
    @Test
    void aCrashAtAnyStepLeavesOneWholeFormAndTheNextStartFinishes() throws IOException {
        for (int crashAt = 0; crashAt < 4; crashAt++) {
            final Path plain = closed(A);
            Files.writeString(plain, A + "\n" + (A + 7) + "\n");
            final int at = crashAt;
            final int[] fsyncs = {0};
            // 0: written, not synced; 1: fsync of the .gz.tmp; 2: fsync of the directory (renamed); 3: before the delete
            final DurableFiles.Fsync crashingFsync = p -> {
                if (++fsyncs[0] == at) {
                    throw new IOException("crash at fsync " + at);
                }
                DurableFiles.REAL.force(p);
            };
            final WindowCompressor.Seam seam = (step, file) -> {
                if (at == 0 && step == WindowCompressor.Step.WRITTEN || at == 3 && step == WindowCompressor.Step.RENAMED) {
                    throw new IOException("crash at " + step);
                }
            };
            final WindowCompressor c = new WindowCompressor(out(), GZIP, crashingFsync, seam);
            assertThatThrownBy(() -> c.compress(plain)).as("crash " + at).isInstanceOf(IOException.class);
            // What a reader of the closed files sees after the crash: the window once, whole.
            final List<Path> seen = Rotation.closedFiles(out());
            assertThat(seen).as("crash " + at).hasSize(1);
            final List<String> content = Rotation.isCompressed(seen.get(0)) ? gunzip(seen.get(0))
                    : Files.readAllLines(seen.get(0));
            assertThat(content).as("crash " + at).isEqualTo(lines(A, A + 7));
            // The next start settles it: no temporary file, no second form; then compresses what is left.
            WindowCompressor.recover(out());
            assertThat(WindowCompressor.tmpOf(plain)).doesNotExist();
            assertThat(Files.exists(plain) && Files.exists(gz(A))).as("crash " + at).isFalse();
            try (OutputStore s = open(GZIP)) {
                assertThat(s.resumePoint().lastValue()).as("crash " + at).isEqualTo(A + 999);
            }
            assertThat(plain).doesNotExist();
            assertThat(gunzip(gz(A))).as("crash " + at).isEqualTo(lines(A, A + 7));
            Files.delete(gz(A));
        }
    }

    @Test
    void aRestartResumesAfterACompressedNewestWindow() throws IOException {
        writeGz(gz(A), A, A + 5);
        writeGz(gz(A + 1_000), A + 1_001, A + 1_002);
        try (OutputStore s = open(GZIP)) {
            assertThat(s.resumePoint().lastValue()).isEqualTo(A + 1_999);
            assertThat(s.restarted()).isTrue();
            assertThat(s.resumePoint().recent()).contains(A + 1_001, A + 1_002);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void retainCountsCompressedWindowsLikePlainOnes() throws IOException {
        Files.writeString(closed(A), A + "\n");
        writeGz(gz(A + 1_000), A + 1_000);
        try (OutputStore s = open(new Rotation(1_000, 2, false, true))) {
            s.onFinal(A + 2_000, 1);
            s.onFinal(A + 3_000, 1);
            s.onFinal(A + 4_000, 1);
            s.flush(false, A + 4_001);
            assertThat(s.sync(5_000)).isTrue();
        }
        assertThat(Rotation.closedFiles(out())).containsExactly(gz(A + 2_000), gz(A + 3_000));
        assertThat(closed(A)).doesNotExist();
        assertThat(gz(A + 1_000)).doesNotExist();
    }

    @Test
    void closedFilesSortByWindowWhateverTheirForm() throws IOException {
        writeGz(gz(A), A);
        final Path stepped = closed(A).resolveSibling(closed(A).getFileName() + "-1"); // a clock that stepped back
        Files.writeString(stepped, (A + 1) + "\n");
        Files.writeString(closed(A + 1_000), (A + 1_000) + "\n");
        assertThat(Rotation.closedFiles(out())).containsExactly(gz(A), stepped, closed(A + 1_000));
    }

    @Test
    void aLateValueOfACompressedWindowIsMergedIntoItsGz() throws IOException {
        final Rotation rotation = new Rotation(1_000, 0, true, true);
        writeGz(gz(A), A, A + 10);
        Files.writeString(closed(A + 1_000), (A + 1_000) + "\n");
        Files.writeString(out(), (A + 2_000) + "\n");
        Files.writeString(OutputStore.latePath(out()), (A + 5) + "\n" + (A + 1_003) + "\n");
        final LateRepair repair = new LateRepair(out(), OutputStore.latePath(out()), rotation,
                new WholeLateFile(OutputStore.latePath(out())), DurableFiles.REAL);
        repair.compressWith(new WindowCompressor(out(), rotation, DurableFiles.REAL));
        repair.pass(false);
        assertThat(gunzip(gz(A))).isEqualTo(lines(A, A + 5, A + 10));
        // The plain closed window got its late value, then was compressed after the pass.
        assertThat(closed(A + 1_000)).doesNotExist();
        assertThat(gunzip(gz(A + 1_000))).isEqualTo(lines(A + 1_000, A + 1_003));
        assertThat(repair.repairedValues()).isEqualTo(2);
    }

    @Test
    void withRepairThroughTheStoreTheWindowsAreCompressedWithTheirLateValues() throws IOException {
        try (OutputStore s = open(new Rotation(1_000, 0, true, true))) {
            s.onFinal(A + 10, 1);
            s.onFinal(A + 1_010, 1); // closes window A
            s.onLate(A + 5);
            s.onLate(A + 1_005); // the current window's
            s.flush(true, A + 1_011);
            assertThat(s.sync(5_000)).isTrue();
        }
        assertThat(closed(A)).doesNotExist();
        assertThat(gunzip(gz(A))).isEqualTo(lines(A + 5, A + 10));
        assertThat(Files.readAllLines(out())).isEqualTo(lines(A + 1_005, A + 1_010)); // the current one stays plain
    }
}
