package dev.stampede.store;

import static dev.stampede.testing.ValueLines.lines;
import static dev.stampede.testing.ValueLines.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.journal.AppendChannel;
import dev.stampede.journal.DurableFiles;
import dev.stampede.testing.Await;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The late file under {@code --rotate}: cut into segments, read across cuts and restarts, pruned by --retain. */
@Timeout(30)
class LateSegmentsTest {
    private static final long A = 1_796_000_000_000L; // a multiple of 1 s

    @TempDir
    Path dir;

    private Path out() {
        return dir.resolve("ts.txt");
    }

    private Path late() {
        return OutputStore.latePath(out());
    }

    private Path closed(long start) {
        return Rotation.closedName(out(), start);
    }

    private Path segment(long start) {
        return LateSegments.name(out(), start);
    }

    /** The whole current late file counts as durable (what a restart finds). */
    private LateRepair repair(Rotation rotation, DurableFiles.Fsync fsync, LateRepair.Seam seam) throws IOException {
        return new LateRepair(out(), late(), rotation, new WholeLateFile(late()), fsync, seam);
    }

    private LateRepair repair(Rotation rotation) throws IOException {
        return repair(rotation, DurableFiles.REAL, step -> { });
    }

    private String checkpoint() throws IOException {
        return Files.readString(LateRepair.checkpointPath(out())).trim();
    }

    @Test
    void theStoreCutsTheLateFileOnceTheWatermarkLeavesItsWindowAndOnlyIfItGotLines() throws IOException {
        try (OutputStore s = OutputStore.open(out(), false, 1 << 16, AppendChannel.FILES, new Rotation(1_000, 0))) {
            s.onFinal(A + 10, 1);
            s.flush(false, A + 11);
            s.onLate(A + 5);
            s.onFinal(A + 1_010, 1);
            s.flush(false, A + 1_011); // the watermark left window A: the late file is cut
            s.onFinal(A + 2_010, 1);
            s.flush(false, A + 2_011); // no late line since: no segment
            s.onLate(A + 1_500);
            s.flush(true, A + 2_500); // still the window of the watermark it came in
            assertThat(s.sync(5_000)).isTrue();
        }
        assertThat(Files.readAllLines(segment(A))).isEqualTo(lines(A + 5));
        assertThat(LateSegments.list(out())).containsExactly(segment(A));
        assertThat(Files.readAllLines(late())).isEqualTo(lines(A + 1_500));
    }

    /** No final value, so no window of the output opens or closes: the watermark cuts the late file all the same. */
    @Test
    void onlyLateValuesCutTheLateFileAsTheWatermarkMoves() throws IOException {
        try (OutputStore s = OutputStore.open(out(), false, 1 << 16, AppendChannel.FILES, new Rotation(1_000, 0))) {
            s.onLate(A + 5);
            s.flush(false, A + 1_011); // named after the last window the watermark completed
            s.onLate(A + 900);
            s.flush(false, A + 1_500);
            s.flush(false, A + 2_100);
            assertThat(s.sync(5_000)).isTrue();
        }
        assertThat(LateSegments.list(out())).containsExactly(segment(A), segment(A + 1_000));
        assertThat(Files.readAllLines(segment(A))).isEqualTo(lines(A + 5));
        assertThat(Files.readAllLines(segment(A + 1_000))).isEqualTo(lines(A + 900));
        assertThat(Files.exists(out())).isTrue();
        assertThat(Files.size(out())).isZero();
    }

    /** An earlier run's late lines are cut at the first flush, a torn last line cut first, under a name after the newest. */
    @Test
    void aRestartCutsTheEarlierRunsLinesUnderANameAfterTheNewestSegment() throws IOException {
        write(segment(A + 1_000), A + 7);
        Files.writeString(late(), (A + 5) + "\n" + (A + 6)); // a crash tore the last line
        try (OutputStore s = OutputStore.open(out(), false, 1 << 16, AppendChannel.FILES, new Rotation(1_000, 0))) {
            s.flush(false, A + 1_100); // the watermark resumed below the newest cut (a crash lost the output's tail)
            assertThat(s.sync(5_000)).isTrue();
        }
        assertThat(LateSegments.list(out())).containsExactly(segment(A + 1_000), segment(A + 2_000));
        assertThat(Files.readAllLines(segment(A + 2_000))).isEqualTo(lines(A + 5));
        assertThat(Files.size(late())).isZero();
    }

    @Test
    void withoutRotationTheLateFileIsNeverCut() throws IOException {
        try (OutputStore s = OutputStore.open(out(), false, 1 << 16, AppendChannel.FILES)) {
            s.onFinal(A + 10, 1);
            s.onLate(A + 5);
            s.onFinal(A + 1_010, 1);
            s.flush(true, A + 1_011);
            assertThat(s.sync(5_000)).isTrue();
        }
        assertThat(LateSegments.list(out())).isEmpty();
        assertThat(Files.readAllLines(late())).isEqualTo(lines(A + 5));
    }

    @Test
    void retainDeletesASegmentOnceEveryWindowOfItsValuesIsDeleted() throws IOException {
        final Rotation retain2 = new Rotation(1_000, 2);
        write(segment(A + 1_000), A + 5, A + 900); // windows A only
        write(segment(A + 2_000), A + 1_500, A + 2_100); // A+1s and A+2s
        write(segment(A + 3_000), A + 2_500);
        write(closed(A + 2_000), A + 2_000);
        write(closed(A + 3_000), A + 3_000);
        assertThat(LateSegments.prune(out(), retain2, name -> true)).isEqualTo(1);
        assertThat(LateSegments.list(out())).containsExactly(segment(A + 2_000), segment(A + 3_000));

        write(closed(A + 4_000), A + 4_000);
        retain2.prune(out()); // A+2s goes
        assertThat(LateSegments.prune(out(), retain2, name -> true)).isEqualTo(1);
        assertThat(LateSegments.list(out())).containsExactly(segment(A + 3_000));
        assertThat(LateSegments.prune(out(), new Rotation(1_000, 0), name -> true)).isZero(); // keep all: keep all
    }

    @Test
    void theRepairReadsAcrossACutAndPrunesOnlyWhatItsCheckpointIsPast() throws IOException {
        final Rotation rotation = new Rotation(1_000, 1, true);
        write(closed(A), A + 1);
        write(out(), A + 1_000);
        write(late(), A + 2, A + 1_200); // A+1.2s waits: its window is current
        final LateRepair r = repair(rotation);
        r.pass(false);
        assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A + 1, A + 2));
        assertThat(checkpoint()).isEqualTo(String.valueOf((A + 2 + "\n").length())); // before A+1.2s

        // Window A+1s closes: the output and the late file are cut; a new late value comes.
        Files.move(out(), closed(A + 1_000));
        Files.move(late(), segment(A + 1_000));
        write(out(), A + 2_000);
        write(late(), A + 1_700);
        r.pass(false);
        assertThat(Files.readAllLines(closed(A + 1_000))).isEqualTo(lines(A + 1_000, A + 1_200, A + 1_700));
        assertThat(checkpoint()).isEqualTo(Files.size(late()) + " after " + segment(A + 1_000).getFileName());
        // --retain 1 deleted window A; the segment also held A+1.2s, of the kept window: it stays.
        assertThat(Files.exists(closed(A))).isFalse();
        assertThat(LateSegments.list(out())).containsExactly(segment(A + 1_000));

        // The next window closes: A+1s goes, and with it the segment, all merged.
        Files.move(out(), closed(A + 2_000));
        Files.move(late(), segment(A + 2_000));
        write(out(), A + 3_000);
        r.pass(false);
        assertThat(LateSegments.list(out())).containsExactly(segment(A + 2_000));
    }

    /** A crash on either side of a cut, with the checkpoint in the file that is cut: a restart reads on in the segment. */
    @Test
    void aCrashAroundALateCutLosesNothingAndMergesNothingTwice() throws IOException {
        for (int newFile = 0; newFile < 3; newFile++) {
            for (Path p : Files.list(dir).toList()) {
                Files.delete(p);
            }
            final Rotation rotation = new Rotation(1_000, 0, true);
            write(closed(A), A + 1);
            write(out(), A + 2_000);
            write(late(), A + 5);
            repair(rotation).pass(false); // checkpoint: the end of the current late file
            assertThat(checkpoint()).isEqualTo(String.valueOf(Files.size(late())));
            Files.writeString(late(), (A + 7) + "\n", java.nio.file.StandardOpenOption.APPEND);
            // The crash: the late file was renamed by a cut (0: no file at the path yet; 1: a new
            // one with a value; 2: not renamed, the cut is done by the next run).
            if (newFile < 2) {
                Files.move(late(), segment(A + 1_000));
            }
            if (newFile == 1) {
                write(late(), A + 9);
            }
            final LateRepair restarted = repair(rotation);
            restarted.pass(false);
            if (newFile == 2) {
                Files.move(late(), segment(A + 1_000));
                write(late(), A + 9);
                restarted.pass(false);
            }
            final long[] expect = newFile == 0 ? new long[] {A + 1, A + 5, A + 7} : new long[] {A + 1, A + 5, A + 7, A + 9};
            assertThat(Files.readAllLines(closed(A))).as("case %d", newFile).isEqualTo(lines(expect));
            assertThat(restarted.repairedValues()).as("case %d", newFile).isEqualTo(expect.length - 2);
        }
    }

    /** A crash at each step of a pass that reads a segment and the current file: a restart finishes it. */
    @Test
    void aCrashAtAnyStepOfAPassOverSegmentsLosesNothing() throws IOException {
        for (int crashAt = 0; crashAt < 12; crashAt++) {
            for (Path p : Files.list(dir).toList()) {
                Files.delete(p);
            }
            write(closed(A), A + 1, A + 9);
            write(closed(A + 1_000), A + 1_001);
            write(out(), A + 2_000);
            write(segment(A + 1_000), A + 5, A + 1_005);
            write(late(), A + 3, A + 1_999);
            final AtomicInteger steps = new AtomicInteger();
            final int at = crashAt;
            final DurableFiles.Fsync crashingFsync = path -> {
                if (steps.getAndIncrement() == at) {
                    throw new IOException("crash at step " + at);
                }
                DurableFiles.REAL.force(path);
            };
            final LateRepair.Seam crashingSeam = step -> {
                if (steps.getAndIncrement() == at) {
                    throw new IOException("crash before " + step);
                }
            };
            final Rotation rotation = new Rotation(1_000, 0, true);
            try {
                repair(rotation, crashingFsync, crashingSeam).pass(false);
            } catch (IOException crash) {
                // the process dies here
            }
            repair(rotation).pass(false);
            assertThat(Files.readAllLines(closed(A))).as("crash at %d", at).isEqualTo(lines(A + 1, A + 3, A + 5, A + 9));
            assertThat(Files.readAllLines(closed(A + 1_000))).as("crash at %d", at)
                    .isEqualTo(lines(A + 1_001, A + 1_005, A + 1_999));
            assertThat(checkpoint()).isEqualTo(Files.size(late()) + " after " + segment(A + 1_000).getFileName());
        }
    }

    @Test
    void aRestartResumesAboveTheNewestSegmentsValuesWhenTheLateFileIsEmpty() throws IOException {
        final long now = System.currentTimeMillis();
        final Path file = out();
        write(segment(now - 10_000), now - 3_000);
        Files.createFile(late());
        final List<Path> newestFirst = new ArrayList<>(List.of(late()));
        newestFirst.addAll(LateSegments.list(file)); // one segment
        assertThat(LateTail.maxOfTails(newestFirst, now)).isEqualTo(now - 3_000);
        assertThat(LateTail.maxOfTail(late(), now)).isEqualTo(-1);
    }

    @Test
    void verifyFindsExpectedValuesInTheLateSegments() throws IOException {
        write(closed(A), A + 1);
        write(out(), A + 1_000);
        write(segment(A), A + 5);
        write(late(), A + 7);
        final Path expect = dir.resolve("sent.txt");
        write(expect, A + 1, A + 5, A + 7, A + 1_000);
        final VerifyResult r = new FileVerifier(false, null).verify(List.of(closed(A), out()), List.of(expect));
        assertThat(r.missing()).isZero();
        assertThat(r.lateLines()).isEqualTo(2);
    }

    @Test
    void withoutRepairTheWriterPrunesSegmentsAfterARotation() throws IOException {
        try (OutputStore s = OutputStore.open(out(), false, 1 << 16, AppendChannel.FILES, new Rotation(1_000, 1))) {
            s.onFinal(A + 10, 1);
            s.onLate(A + 5);
            s.onFinal(A + 1_010, 1);
            s.flush(false, A + 1_011); // closes A, cuts the late file
            assertThat(s.sync(5_000)).isTrue();
            s.onFinal(A + 2_010, 1); // closes A+1s: --retain 1 deletes A, then the segment of A's values
            s.flush(true, A + 2_011);
            assertThat(s.sync(5_000)).isTrue();
            Await.until("the segment pruned", Duration.ofSeconds(5), () -> !Files.exists(segment(A)));
        }
        assertThat(Rotation.closedFiles(out())).containsExactly(closed(A + 1_000));
    }

    /** The oldest window kept is compressed: a segment with values of that window stays, older ones go. */
    @Test
    void retainComparesSegmentsWithCompressedWindowsByTheirWindow() throws IOException {
        final Rotation retain2 = new Rotation(1_000, 2, false, true);
        write(segment(A), A + 5); // window A: deleted by --retain
        write(segment(A + 1_000), A + 1_500); // window A+1s: the oldest kept, compressed
        write(Rotation.gzOf(closed(A + 1_000)), A + 1_000); // the name counts, not the content
        write(Rotation.gzOf(closed(A + 2_000)), A + 2_000);
        assertThat(LateSegments.prune(out(), retain2, name -> true)).isEqualTo(1);
        assertThat(LateSegments.list(out())).containsExactly(segment(A + 1_000));
    }

    @Test
    void withCompressionTheCompressorPrunesSegmentsAfterARotation() throws IOException {
        try (OutputStore s = OutputStore.open(out(), false, 1 << 16, AppendChannel.FILES,
                new Rotation(1_000, 1, false, true))) {
            s.onFinal(A + 10, 1);
            s.onLate(A + 5);
            s.onFinal(A + 1_010, 1);
            s.flush(false, A + 1_011); // closes A, cuts the late file
            assertThat(s.sync(5_000)).isTrue();
            s.onLate(A + 1_005);
            s.onFinal(A + 2_010, 1); // closes A+1s: --retain 1 deletes A, then the segment of A's values
            s.flush(true, A + 2_011);
            assertThat(s.sync(5_000)).isTrue();
            Await.until("the segment pruned", Duration.ofSeconds(5), () -> !Files.exists(segment(A)));
        }
        assertThat(Rotation.closedFiles(out())).containsExactly(Rotation.gzOf(closed(A + 1_000)));
        assertThat(LateSegments.list(out())).containsExactly(segment(A + 1_000)); // A+1s is kept: its late value too
        assertThat(Files.readAllLines(segment(A + 1_000))).isEqualTo(lines(A + 1_005));
    }
}
