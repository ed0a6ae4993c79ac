package dev.stampede.store;

import static dev.stampede.testing.ValueLines.lines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.journal.AppendChannel;
import dev.stampede.journal.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Event-time rotation of the output file, with real files and real renames. */
@Timeout(30)
class RotationTest {
    private static final long A = 1_796_000_000_000L; // a multiple of 1 s: window A, then B, C, D
    private static final long HISTORY = 1L << 16;
    private static final Rotation EVERY_SECOND = new Rotation(1_000, 0);

    @TempDir
    Path dir;

    private Path out() {
        return dir.resolve("ts.txt");
    }

    private OutputStore open(Rotation r) throws IOException {
        return OutputStore.open(out(), false, HISTORY, AppendChannel.FILES, r);
    }

    private Path closed(long start) {
        return Rotation.closedName(out(), start);
    }

    @Test
    void eachWindowGetsAFileNamedByItsStart() throws IOException {
        try (OutputStore s = open(EVERY_SECOND)) {
            s.onFinal(A, 1);
            s.onFinal(A + 999, 1);
            s.onFinal(A + 1_000, 1);
            s.onFinal(A + 2_500, 1);
            s.flush(false, A + 2_501);
            assertThat(s.sync(5_000)).isTrue();
        }
        assertThat(closed(A).getFileName().toString()).isEqualTo("ts.txt.20261130T005320Z");
        assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A, A + 999));
        assertThat(Files.readAllLines(closed(A + 1_000))).isEqualTo(lines(A + 1_000));
        assertThat(Files.readAllLines(out())).isEqualTo(lines(A + 2_500)); // the current window
        assertThat(Rotation.closedFiles(out())).containsExactly(closed(A), closed(A + 1_000));
    }

    @Test
    void aFirstStartIsNoRestart() throws IOException {
        try (OutputStore s = open(EVERY_SECOND)) {
            assertThat(s.restarted()).isFalse();
        }
        try (OutputStore s = open(EVERY_SECOND)) {
            assertThat(s.restarted()).as("its file is there now, empty").isTrue();
        }
    }

    @Test
    void aWatermarkPastTheWindowClosesItWithoutAWaitingValue() throws IOException {
        try (OutputStore s = open(EVERY_SECOND)) {
            s.onFinal(A + 10, 1);
            s.flush(false, A + 999);
            assertThat(s.sync(5_000)).isTrue();
            assertThat(Files.exists(closed(A))).as("not complete yet").isFalse();
            s.flush(false, A + 1_000);
            assertThat(s.sync(5_000)).isTrue();
            assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A + 10));
            assertThat(Files.size(out())).isZero();
        }
    }

    @Test
    void aCrashRightAfterARenameResumesFromTheNewestClosedFile() throws IOException {
        Files.writeString(closed(A), A + "\n" + (A + 5) + "\n");
        Files.writeString(closed(A + 1_000), (A + 1_001) + "\n" + (A + 1_002) + "\n");
        // No file at the path: the crash came between the rename and the new file.
        try (OutputStore s = open(EVERY_SECOND)) {
            // Window B is closed: the watermark resumes at its end, so a late replay of B's values
            // is late (the engine's late file), never a second file for B.
            assertThat(s.resumePoint().lastValue()).isEqualTo(A + 1_999);
            assertThat(s.restarted()).as("a restart, though the path held no file").isTrue();
            assertThat(s.resumePoint().recent()).contains(A + 1_001, A + 1_002);
            s.onFinal(A + 2_100, 1); // window C: the path starts a new file for it
            assertThat(s.sync(5_000)).isTrue();
        }
        assertThat(Files.readAllLines(out())).isEqualTo(lines(A + 2_100));
        assertThat(Rotation.closedFiles(out())).containsExactly(closed(A), closed(A + 1_000));
    }

    @Test
    void aFileLeftOnAnOlderWindowIsClosedBeforeTheNextWindowsValues() throws IOException {
        Files.writeString(out(), A + "\n" + (A + 7) + "\n"); // window A, written before a crash
        try (OutputStore s = open(EVERY_SECOND)) {
            s.onFinal(A + 3_000, 1);
            assertThat(s.sync(5_000)).isTrue();
        }
        assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A, A + 7));
        assertThat(Files.readAllLines(out())).isEqualTo(lines(A + 3_000));
    }

    @Test
    void aClosedFileIsSyncedBeforeItsRenameAndTheDirectoryAfter() throws IOException {
        final dev.stampede.testing.RecordingFsync fsync =
                new dev.stampede.testing.RecordingFsync(closed(A));
        final AppendChannel.Opener opener = new AppendChannel.Opener() {
            @Override
            public AppendChannel open(Path path) throws IOException {
                return AppendChannel.FILES.open(path);
            }

            @Override
            public void atomicMove(Path source, Path target) throws IOException {
                DurableFiles.atomicMove(source, target, fsync);
            }
        };
        try (OutputStore s = OutputStore.open(out(), false, HISTORY, opener, EVERY_SECOND)) {
            s.onFinal(A, 1);
            s.onFinal(A + 1_000, 1);
            assertThat(s.sync(5_000)).isTrue();
        }
        assertThat(fsync.calls).containsExactly("file ts.txt (14 bytes), target absent",
                "dir " + dir.getFileName() + ", target there");
        assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A));
    }

    @Test
    void retainKeepsTheNewestClosedFiles() throws IOException {
        try (OutputStore s = open(new Rotation(1_000, 2))) {
            for (int w = 0; w < 5; w++) {
                s.onFinal(A + w * 1_000L, 1);
            }
            assertThat(s.sync(5_000)).isTrue();
        }
        assertThat(Rotation.closedFiles(out())).containsExactly(closed(A + 2_000), closed(A + 3_000));
        assertThat(Files.readAllLines(out())).isEqualTo(lines(A + 4_000));
    }

    @Test
    void theFilesSortedByNameThenTheCurrentOneAreOneAscendingStream() throws IOException {
        final List<String> all = new ArrayList<>();
        try (OutputStore s = open(EVERY_SECOND)) {
            for (long v = A; v < A + 5_000; v += 7) {
                s.onFinal(v, 1);
                all.add(String.valueOf(v));
                s.flush(false, v); // flushes in between, as the server does
            }
            assertThat(s.sync(5_000)).isTrue();
        }
        final List<String> read = new ArrayList<>();
        for (Path p : Rotation.closedFiles(out())) {
            read.addAll(Files.readAllLines(p));
        }
        read.addAll(Files.readAllLines(out()));
        assertThat(read).isEqualTo(all);
        assertThat(Rotation.closedFiles(out())).hasSize(4);
    }
}
