package dev.stampede.store;

import static dev.stampede.testing.ValueLines.lines;
import static dev.stampede.testing.ValueLines.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.journal.AppendChannel;
import dev.stampede.journal.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --repair-late}: late values merged into their window files, with real files and renames. */
@Timeout(30)
class LateRepairTest {
    private static final long A = 1_796_000_000_000L; // a multiple of 1 s: windows A, A+1s, ...
    private static final Rotation REPAIR = new Rotation(1_000, 0, true);

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

    /** The whole late file counts as durable (what a restart finds). */
    private LateRepair repair(DurableFiles.Fsync fsync, LateRepair.Seam seam) throws IOException {
        return repair(REPAIR, fsync, seam);
    }

    private LateRepair repair(Rotation rotation, DurableFiles.Fsync fsync, LateRepair.Seam seam) throws IOException {
        return new LateRepair(out(), late(), rotation, new WholeLateFile(late()), fsync, seam);
    }

    private LateRepair repair() throws IOException {
        return repair(DurableFiles.REAL, step -> { });
    }

    @Test
    void valuesAtTheFirstAndLastMillisecondOfAWindowGoInItInOrder() throws IOException {
        write(closed(A), A + 1, A + 500, A + 998);
        write(closed(A + 1_000), A + 1_000);
        write(out(), A + 2_000);
        write(late(), A + 999, A + 600, A, A + 1_999);

        final LateRepair r = repair();
        r.pass(false);

        assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A, A + 1, A + 500, A + 600, A + 998, A + 999));
        assertThat(Files.readAllLines(closed(A + 1_000))).isEqualTo(lines(A + 1_000, A + 1_999));
        assertThat(Files.readAllLines(out())).isEqualTo(lines(A + 2_000)); // the current window is left alone
        assertThat(r.repairedValues()).isEqualTo(4);
        assertThat(r.rewrites()).isEqualTo(2);
        assertThat(Files.readString(LateRepair.checkpointPath(out())).trim())
                .isEqualTo(String.valueOf(Files.size(late())));
        assertThat(Files.readAllLines(late())).hasSize(4); // the late file stays the journal
    }

    @Test
    void aValueAlreadyInTheWindowIsDroppedAndMergingTwiceIsANoOp() throws IOException {
        write(closed(A), A + 1, A + 2);
        write(out(), A + 1_500);
        write(late(), A + 2, A + 3, A + 3, A + 1);
        repair().pass(false);
        assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A + 1, A + 2, A + 3));

        Files.delete(LateRepair.checkpointPath(out())); // as if the checkpoint were lost
        final LateRepair again = repair();
        again.pass(false);
        assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A + 1, A + 2, A + 3));
        assertThat(again.repairedValues()).isZero();
        assertThat(again.rewrites()).isZero();
    }

    @Test
    void theCurrentWindowWaitsUntilItClosesAndTheCheckpointWaitsForIt() throws IOException {
        write(closed(A), A + 1);
        write(out(), A + 1_000);
        write(late(), A + 1_500, A + 2);
        final LateRepair r = repair();
        r.pass(false);
        assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A + 1, A + 2));
        assertThat(Files.readAllLines(out())).isEqualTo(lines(A + 1_000));
        assertThat(Files.exists(LateRepair.checkpointPath(out()))).isFalse(); // A+1500, first line, still pending

        // The writer closes the window (renames it) and starts the next one.
        Files.move(out(), closed(A + 1_000));
        write(out(), A + 2_000);
        r.pass(false);
        assertThat(Files.readAllLines(closed(A + 1_000))).isEqualTo(lines(A + 1_000, A + 1_500));
        assertThat(Files.readString(LateRepair.checkpointPath(out())).trim())
                .isEqualTo(String.valueOf(Files.size(late())));
    }

    @Test
    void aCleanStopMergesTheCurrentWindowsToo() throws IOException {
        write(closed(A), A + 1);
        write(out(), A + 1_000, A + 1_900);
        write(late(), A + 1_500);
        repair().finish();
        assertThat(Files.readAllLines(out())).isEqualTo(lines(A + 1_000, A + 1_500, A + 1_900));
    }

    @Test
    void aWindowWithoutOnTimeValuesGetsAFile() throws IOException {
        write(closed(A), A + 1);
        write(out(), A + 3_000);
        write(late(), A + 2_100);
        repair().pass(false);
        assertThat(Files.readAllLines(closed(A + 2_000))).isEqualTo(lines(A + 2_100));
        assertThat(Rotation.closedFiles(out())).containsExactly(closed(A), closed(A + 2_000));
    }

    /**
     * Only late values come: the file at the path is empty, so its window says nothing. The
     * output's written watermark does: a window that ends at or below it gets its file while the
     * server runs, one above it waits.
     */
    @Test
    void withAnEmptyPathTheWrittenWatermarkSaysWhichWindowsAreClosed() throws IOException {
        Files.createFile(out());
        write(late(), A + 5, A + 1_005);
        final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong(A + 999);
        final LateRepair r = repair();
        r.closedBelow(written::get);
        r.pass(false);
        assertThat(Rotation.closedFiles(out())).isEmpty(); // A ends at A+1000: not closed yet
        written.set(A + 1_000);
        r.pass(false);
        assertThat(Rotation.closedFiles(out())).containsExactly(closed(A));
        assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A + 5));
        written.set(A + 2_000);
        r.pass(false);
        assertThat(Files.readAllLines(closed(A + 1_000))).isEqualTo(lines(A + 1_005));
        assertThat(Files.readString(LateRepair.checkpointPath(out())).trim()).isEqualTo(String.valueOf(Files.size(late())));
        assertThat(Files.size(out())).isZero();
    }

    @Test
    void valuesOfAWindowThatRetainDeletedStayLateAndAreCounted() throws IOException {
        write(closed(A + 1_000), A + 1_000);
        write(out(), A + 2_000);
        write(late(), A + 5);
        final LateRepair r = repair(new Rotation(1_000, 1, true), DurableFiles.REAL, step -> { });
        r.pass(true);
        assertThat(Files.exists(closed(A))).isFalse();
        assertThat(r.retiredValues()).isEqualTo(1);
        assertThat(Files.readAllLines(late())).isEqualTo(lines(A + 5));
    }

    /** A crash at each step of a pass (each fsync of a rewrite or checkpoint, each seam): a restart finishes it. */
    @Test
    void aCrashAtAnyStepLosesNothingAndMergesNothingTwice() throws IOException {
        for (int crashAt = 0; crashAt < 12; crashAt++) {
            for (Path p : Files.list(dir).toList()) {
                Files.delete(p);
            }
            write(closed(A), A + 1, A + 9);
            write(closed(A + 1_000), A + 1_001);
            write(out(), A + 2_000);
            write(late(), A + 5, A + 1_005, A + 1, A + 999);

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
            final LateRepair first = repair(crashingFsync, crashingSeam);
            try {
                first.pass(false);
            } catch (IOException crash) {
                // the process dies here
            }
            final LateRepair restarted = repair();
            restarted.pass(false);

            assertThat(Files.readAllLines(closed(A))).as("crash at %d", at)
                    .isEqualTo(lines(A + 1, A + 5, A + 9, A + 999));
            assertThat(Files.readAllLines(closed(A + 1_000))).as("crash at %d", at)
                    .isEqualTo(lines(A + 1_001, A + 1_005));
            assertThat(Files.readString(LateRepair.checkpointPath(out())).trim())
                    .isEqualTo(String.valueOf(Files.size(late())));
            // A crash after a rename but before its directory's fsync counts the values nowhere: at most 3.
            assertThat(first.repairedValues() + restarted.repairedValues()).as("crash at %d", at).isBetween(1L, 3L);
            assertThat(Files.list(dir).filter(p -> p.toString().endsWith(".tmp")).toList()).isEmpty();
        }
    }

    @Test
    void throughTheStoreLateValuesEndInTheirClosedWindowByTheStop() throws IOException {
        try (OutputStore s = OutputStore.open(out(), false, 1 << 16, AppendChannel.FILES, REPAIR)) {
            s.onFinal(A + 10, 1);
            s.onFinal(A + 1_010, 1); // closes window A
            s.onLate(A + 5);
            s.onLate(A);
            s.onLate(A + 999);
            s.onLate(A + 1_005); // the current window's
            s.flush(true, A + 1_011);
            assertThat(s.sync(5_000)).isTrue();
        }
        assertThat(Files.readAllLines(closed(A))).isEqualTo(lines(A, A + 5, A + 10, A + 999));
        assertThat(Files.readAllLines(out())).isEqualTo(lines(A + 1_005, A + 1_010));
    }

    @Test
    void repairWithoutRotationIsNotAnOption() {
        assertThatThrownBy(() -> new Rotation(500, 0, true)).isInstanceOf(IllegalArgumentException.class);
    }
}
